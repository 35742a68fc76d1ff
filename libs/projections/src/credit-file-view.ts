import {
  CustomerState,
  DEFAULT_CUSTOMER_TYPE,
  ERASED_VALUE,
  type IndividualDetails,
  type PersonalData,
  dealingsSummary,
  effectiveLimit,
  financialRatios,
  formatAmount,
} from '@credit-ledger/domain';
import { termsView, type TermsView } from './position-view';

/**
 * GET /customers/:id/file — the 360° credit file (seed 004 360°客户档案: 基础资料、交易记录、回款记录): what the customer
 * is, who handles it, the external reports and complaints on file, its dealings, the assessment and the terms it
 * earned, and where to look further. Amounts are decimal strings in the customer's currency.
 */
export interface CreditFileView {
  customerId: string;
  name: string | null;
  currency: string | null;
  status: string;
  /** The segment that grades the customer: the recorded type, else the default (enterprise). */
  customerType: string;
  profile: {
    customerType: string | null;
    customerSince: string | null;
    industry: string | null;
    registration: {
      registeredCapital: string | null;
      foundedOn: string | null;
      taxRegistered: boolean | null;
    } | null;
    financials: {
      asOf: string;
      totalAssets: string;
      totalLiabilities: string;
      currentAssets: string;
      currentLiabilities: string;
      revenue: string;
      netIncome: string;
      operatingCashFlow: string | null;
      ratios: { currentRatio: string | null; debtToAsset: string | null; netMargin: string | null };
    } | null;
    litigationCount: number | null;
    updatedAt: string;
  } | null;
  /** Personal data (the account owner, the contact address). */
  contacts: {
    accountOwner: { id: string; name: string; email: string | null } | null;
    contactEmail: string | null;
  } | null;
  /** An individual customer's own details (personal data: opened by role at read time). */
  individual: {
    fullName: string | null;
    nationalId: string | null;
    dateOfBirth: string | null;
    education: string | null;
    annualIncome: string | null;
    currency: string | null;
  } | null;
  /** Set once the customer was forgotten: its personal values read `[erased]` (docs/personal-data.md). */
  forgotten: { at: string; requestId: string; requestedBy: string; approvedBy: string } | null;
  externalReports: {
    total: number;
    latest: Array<{
      agency: string;
      reportId: string;
      score: number | null;
      rating: string | null;
      reportedOn: string;
      validUntil: string;
      receivedOn: string;
      inForce: boolean;
    }>;
  };
  complaints: {
    total: number;
    items: Array<{ complaintId: string; category: string; severity: string; recordedOn: string }>;
  };
  transactions: {
    invoices: number;
    invoicedAmount: string;
    firstInvoiceOn: string | null;
    lastInvoiceOn: string | null;
    orders: number;
    openOrders: string;
    heldOrders: string;
    creditNotes: number;
    creditedAmount: string;
  };
  repayment: {
    payments: number;
    paidAmount: string;
    reversedPayments: number;
    lastPaymentOn: string | null;
    settledInvoices: number;
    settledOnTime: number;
    settledLate: number;
    averageDaysLate: number | null;
    maxDaysLate: number;
    writtenOffInvoices: number;
    writtenOffAmount: string;
    openInvoices: number;
    openReceivables: string;
    overdueInvoices: number;
    overdueAmount: string;
    unappliedCash: string;
  };
  disputes: { opened: number; open: number };
  assessment: {
    score: number;
    grade: string;
    segment: string | null;
    /** unassessed | profile | blended | history (assessment policies; null for a five-factor rating). */
    basis: string | null;
    /** The history model's share of the score, percent. */
    historyShare: number | null;
    policyVersion: number;
    ratedAt: string;
  } | null;
  terms: (TermsView & { creditLimit: string }) | null;
  links: { position: string; gradeHistory: string; timeline: string; limitRequests: string };
  asOf: string;
  ledgerSequence: string;
  streamVersion: number;
}

export function toCreditFileView(
  state: CustomerState,
  at: string,
  meta: { ledgerSequence: string; streamVersion: number },
): CreditFileView {
  const ccy = state.currency;
  const fmt = (v: bigint): string => (ccy ? formatAmount(v, ccy) : v.toString());
  const d = dealingsSummary(state, at);
  const p = state.profile;
  const f = p?.financials ?? null;
  const rating = state.rating;
  const blend = rating?.factors.find((x) => x.factor === 'blend');
  const terms = termsView(rating, fmt(effectiveLimit(state, at)));
  const path = `/customers/${encodeURIComponent(state.customerId)}`;
  return {
    customerId: state.customerId,
    name: state.name,
    currency: ccy,
    status: state.status,
    customerType: p?.customerType ?? DEFAULT_CUSTOMER_TYPE,
    profile: p && {
      customerType: p.customerType,
      customerSince: p.customerSince,
      industry: p.industry,
      registration: p.registration && {
        registeredCapital:
          p.registration.registeredCapital === null ? null : fmt(p.registration.registeredCapital),
        foundedOn: p.registration.foundedOn,
        taxRegistered: p.registration.taxRegistered,
      },
      financials: f && {
        asOf: f.asOf,
        totalAssets: fmt(f.totalAssets),
        totalLiabilities: fmt(f.totalLiabilities),
        currentAssets: fmt(f.currentAssets),
        currentLiabilities: fmt(f.currentLiabilities),
        revenue: fmt(f.revenue),
        netIncome: fmt(f.netIncome),
        operatingCashFlow: f.operatingCashFlow === null ? null : fmt(f.operatingCashFlow),
        ratios: financialRatios(f),
      },
      litigationCount: p.litigationCount,
      updatedAt: p.updatedAt,
    },
    contacts: state.personal && contactsOf(state.personal, state.forgotten !== null),
    individual: state.personal?.individual
      ? individualOf(state.personal.individual, state.forgotten !== null)
      : null,
    forgotten: state.forgotten && { ...state.forgotten },
    externalReports: { total: d.reports, latest: d.latestReports },
    complaints: { total: d.complaints.length, items: d.complaints },
    transactions: {
      ...d.transactions,
      invoicedAmount: fmt(d.transactions.invoicedAmount),
      openOrders: fmt(d.transactions.openOrders),
      heldOrders: fmt(d.transactions.heldOrders),
      creditedAmount: fmt(d.transactions.creditedAmount),
    },
    repayment: {
      ...d.repayment,
      paidAmount: fmt(d.repayment.paidAmount),
      writtenOffAmount: fmt(d.repayment.writtenOffAmount),
      openReceivables: fmt(d.repayment.openReceivables),
      overdueAmount: fmt(d.repayment.overdueAmount),
      unappliedCash: fmt(d.repayment.unappliedCash),
    },
    disputes: d.disputes,
    assessment: rating && {
      score: rating.score,
      grade: rating.grade,
      segment: rating.segment ?? null,
      basis: blend === undefined ? null : String(blend.raw.basis),
      historyShare: blend === undefined ? null : blend.normalised,
      policyVersion: rating.policyVersion,
      ratedAt: rating.at,
    },
    terms: terms && { ...terms, creditLimit: fmt(state.creditLimit) },
    links: {
      position: path,
      gradeHistory: `${path}/grade-history`,
      timeline: `${path}/timeline`,
      limitRequests: `${path}/limit-requests`,
    },
    asOf: at,
    ledgerSequence: meta.ledgerSequence,
    streamVersion: meta.streamVersion,
  };
}

/**
 * The contacts as recorded (sealed values, opened at read time by role); a forgotten customer's read erased
 * here too, whatever they hold (values recorded before sealing existed are in clear).
 */
function contactsOf(p: PersonalData, forgotten: boolean): NonNullable<CreditFileView['contacts']> {
  const v = (s: string): string => (forgotten ? ERASED_VALUE : s);
  return {
    accountOwner: p.accountOwner && {
      id: p.accountOwner.id,
      name: v(p.accountOwner.name),
      email: p.accountOwner.email === null ? null : v(p.accountOwner.email),
    },
    contactEmail: p.contactEmail === null ? null : v(p.contactEmail),
  };
}

function individualOf(d: IndividualDetails, forgotten: boolean): NonNullable<CreditFileView['individual']> {
  const v = (s: string | undefined): string | null => (s === undefined ? null : forgotten ? ERASED_VALUE : s);
  return {
    fullName: v(d.fullName),
    nationalId: v(d.nationalId),
    dateOfBirth: v(d.dateOfBirth),
    education: v(d.education),
    annualIncome: v(d.annualIncome),
    currency: d.currency ?? null,
  };
}
