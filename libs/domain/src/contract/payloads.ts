/** Typed event payloads (amounts as bigint minor units of `currency`). */

/** Customer segments, each graded by its own criteria (seed 000 FAQ1: 企业客户、个人客户、渠道商、终端用户). */
export const CUSTOMER_TYPES = ['enterprise', 'individual', 'channel', 'end-user'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];
/** The segment of a customer whose file names no type (every customer onboarded by a v1 sender). */
export const DEFAULT_CUSTOMER_TYPE: CustomerType = 'enterprise';

export const COMPLAINT_SEVERITIES = ['low', 'medium', 'high'] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];

/** The salesperson responsible for the customer (personal data: name and e-mail). */
export interface AccountOwner {
  id: string;
  name: string;
  email?: string;
}

/**
 * An individual customer's own details (seed 000 FAQ1: 个人客户看学历、收入). All personal data: sealed at
 * ingestion, never graded (the assessment does not read them), read only by the roles that assess credit.
 * `annualIncome` stays the decimal text it arrived as (in `currency`, the customer's): nothing computes on it.
 */
export interface IndividualDetails {
  fullName?: string;
  /** A national identity or passport number. */
  nationalId?: string;
  /** 'YYYY-MM-DD' */
  dateOfBirth?: string;
  education?: string;
  annualIncome?: string;
  currency?: string;
}

/** Business registration (seed 000 §1.1 工商、税务、经营年限; seed 004 注册资本). */
export interface Registration {
  /** In `currency`, which is the customer's; both present or both absent. */
  registeredCapital?: bigint;
  currency?: string;
  /** 'YYYY-MM-DD' the business was founded: years in business. */
  foundedOn?: string;
  taxRegistered?: boolean;
}

/** One set of financial statements (seed 000 资产、负债、资金流; seed 002 流动比率、资产负债率、净利润率). */
export interface Financials {
  /** 'YYYY-MM-DD' of the balance sheet. */
  asOf: string;
  /** The customer's currency. */
  currency: string;
  totalAssets: bigint;
  totalLiabilities: bigint;
  currentAssets: bigint;
  currentLiabilities: bigint;
  revenue: bigint;
  /** May be negative (a loss). */
  netIncome: bigint;
  /** May be negative; recorded in the file, not graded. */
  operatingCashFlow?: bigint;
}

/** The credit-file fields CustomerOnboarded v2 and CustomerProfileUpdated carry; each one optional. */
export interface ProfileFields {
  customerType?: CustomerType;
  /** 'YYYY-MM-DD' the business relationship started: years of cooperation (may predate the ledger). */
  customerSince?: string;
  accountOwner?: AccountOwner;
  contactEmail?: string;
  /** Replaced as a whole when sent. */
  individual?: IndividualDetails;
  /** Industry code (e.g. ISIC/NACE "C28"), graded by the policy's industry-risk table. */
  industry?: string;
  registration?: Registration;
  financials?: Financials;
  /** Lawsuits against the customer on record (seed 004 司法涉诉). */
  litigationCount?: number;
}

/** v2 adds the ProfileFields; a v1 event is a v2 event without them. */
export interface CustomerOnboardedPayload extends ProfileFields {
  name: string;
  currency: string;
  /** Absent means 0 (no credit). */
  creditLimit?: bigint;
}

/** Fields sent replace the recorded ones (an object such as `financials` as a whole); fields not sent are kept. */
export interface CustomerProfileUpdatedPayload extends ProfileFields {
  name?: string;
}

/** A third-party credit report (seed 000 外部征信报告; seed 003 第三方征信机构); the policy maps its scale. */
export interface ExternalCreditReportReceivedPayload {
  agency: string;
  reportId: string;
  /** The agency's numeric score; at least one of score and rating. */
  score?: number;
  /** The agency's letter rating, e.g. "AA". */
  rating?: string;
  reportedOn: string;
  /** Last day the report counts (>= reportedOn). */
  validUntil: string;
}

export interface ComplaintRecordedPayload {
  complaintId: string;
  category: string;
  severity: ComplaintSeverity;
}

export interface InvoiceIssuedPayload {
  invoiceId: string;
  amount: bigint;
  currency: string;
  /** 'YYYY-MM-DD' */
  issuedOn: string;
  /** 'YYYY-MM-DD', >= issuedOn */
  dueOn: string;
  /** v2: days from issuedOn to dueOn (v1 events get it from their upcaster). */
  paymentTermsDays: number;
  orderId?: string;
}

export interface CreditNoteIssuedPayload {
  creditNoteId: string;
  invoiceId: string;
  amount: bigint;
  currency: string;
}

export interface PaymentAllocation {
  invoiceId: string;
  amount: bigint;
}

export interface PaymentReceivedPayload {
  paymentId: string;
  amount: bigint;
  currency: string;
  /** 'YYYY-MM-DD' */
  receivedOn: string;
  /** Present only when non-empty; invoice ids are unique within the list. */
  allocations?: PaymentAllocation[];
}

export interface PaymentReversedPayload {
  paymentId: string;
  reason: string;
}

/**
 * 'credit': goes through the order credit check and counts in exposure until invoiced; 'cash': paid before
 * delivery (seed 000 D 只接受现款交易, seed 004 款到发货), so never held and never in exposure.
 */
export const PAYMENT_METHODS = ['credit', 'cash'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface OrderPlacedPayload {
  orderId: string;
  amount: bigint;
  currency: string;
  /** Present only for 'cash' (absent = 'credit', so orders sent before the field keep their bytes). */
  paymentMethod?: 'cash';
}

export interface OrderCancelledPayload {
  orderId: string;
}

export interface DisputeOpenedPayload {
  invoiceId: string;
  reason: string;
}

export interface DisputeResolvedPayload {
  invoiceId: string;
}

export interface InvoiceWrittenOffPayload {
  invoiceId: string;
}

export interface PayloadMap {
  CustomerOnboarded: CustomerOnboardedPayload;
  CustomerProfileUpdated: CustomerProfileUpdatedPayload;
  ExternalCreditReportReceived: ExternalCreditReportReceivedPayload;
  ComplaintRecorded: ComplaintRecordedPayload;
  InvoiceIssued: InvoiceIssuedPayload;
  CreditNoteIssued: CreditNoteIssuedPayload;
  PaymentReceived: PaymentReceivedPayload;
  PaymentReversed: PaymentReversedPayload;
  OrderPlaced: OrderPlacedPayload;
  OrderCancelled: OrderCancelledPayload;
  DisputeOpened: DisputeOpenedPayload;
  DisputeResolved: DisputeResolvedPayload;
  InvoiceWrittenOff: InvoiceWrittenOffPayload;
}
