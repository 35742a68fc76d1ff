/** Typed event payloads (amounts as bigint minor units of `currency`). */

export interface CustomerOnboardedPayload {
  name: string;
  currency: string;
  /** Absent means 0 (no credit). */
  creditLimit?: bigint;
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

export interface OrderPlacedPayload {
  orderId: string;
  amount: bigint;
  currency: string;
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
