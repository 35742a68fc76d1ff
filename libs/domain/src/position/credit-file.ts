import type { ComplaintRecord, ExternalReport, FinancialsState } from '../customer/credit-file-state';
import type { CustomerState } from '../customer/state';
import { unappliedTotal } from '../customer/state';
import { dayNumber, toInstant } from '../dates';
import { bpText, oneDecimal, ratioBp } from '../rating/scale';

/** Financial ratios of a set of statements (seed 002), four decimals; null when the denominator is 0. */
export interface FinancialRatios {
  currentRatio: string | null;
  debtToAsset: string | null;
  netMargin: string | null;
}

export function financialRatios(f: FinancialsState): FinancialRatios {
  const ratio = (a: bigint, b: bigint): string | null => (b > 0n ? bpText(ratioBp(a, b)) : null);
  return {
    currentRatio: ratio(f.currentAssets, f.currentLiabilities),
    debtToAsset: ratio(f.totalLiabilities, f.totalAssets),
    netMargin: ratio(f.netIncome, f.revenue),
  };
}

/**
 * What the ledger knows of the customer's dealings, over the whole relationship it has recorded (the rating's
 * factors give the lookback view): seed 004's 360° file — 交易记录 (transactions) and 回款记录 (repayments).
 * Amounts in minor units of the customer's currency.
 */
export interface DealingsSummary {
  transactions: {
    invoices: number;
    invoicedAmount: bigint;
    firstInvoiceOn: string | null;
    lastInvoiceOn: string | null;
    orders: number;
    openOrders: bigint;
    heldOrders: bigint;
    creditNotes: number;
    creditedAmount: bigint;
  };
  repayment: {
    payments: number;
    /** Cash received, reversed payments excluded. */
    paidAmount: bigint;
    reversedPayments: number;
    lastPaymentOn: string | null;
    /** Invoices paid in full, on or before their due date / after it; days late of the late ones (average, worst). */
    settledInvoices: number;
    settledOnTime: number;
    settledLate: number;
    averageDaysLate: number | null;
    maxDaysLate: number;
    writtenOffInvoices: number;
    writtenOffAmount: bigint;
    openInvoices: number;
    openReceivables: bigint;
    overdueInvoices: number;
    overdueAmount: bigint;
    unappliedCash: bigint;
  };
  disputes: { opened: number; open: number };
  /** The latest report of each agency (by reportedOn), and whether it is in force at the moment asked. */
  latestReports: Array<ExternalReport & { inForce: boolean }>;
  reports: number;
  /** Newest first. */
  complaints: ComplaintRecord[];
}

export function dealingsSummary(state: CustomerState, at: string): DealingsSummary {
  const atDate = toInstant(at).slice(0, 10);
  let invoicedAmount = 0n;
  let firstInvoiceOn: string | null = null;
  let lastInvoiceOn: string | null = null;
  let settled = 0;
  let onTime = 0;
  let lateDays = 0;
  let maxDaysLate = 0;
  let writtenOff = 0;
  let writtenOffAmount = 0n;
  let openInvoices = 0;
  let openReceivables = 0n;
  let overdueInvoices = 0;
  let overdueAmount = 0n;
  for (const inv of state.invoices.values()) {
    invoicedAmount += inv.amount;
    if (firstInvoiceOn === null || inv.issuedOn < firstInvoiceOn) firstInvoiceOn = inv.issuedOn;
    if (lastInvoiceOn === null || inv.issuedOn > lastInvoiceOn) lastInvoiceOn = inv.issuedOn;
    if (inv.writtenOffOn !== null) {
      writtenOff++;
      writtenOffAmount += inv.writtenOff;
    } else if (inv.settledOn !== null) {
      settled++;
      const late = dayNumber(inv.settledOn) - dayNumber(inv.dueOn);
      if (late <= 0) onTime++;
      else {
        lateDays += late;
        if (late > maxDaysLate) maxDaysLate = late;
      }
    }
    if (inv.open > 0n) {
      openInvoices++;
      openReceivables += inv.open;
      if (inv.dueOn < atDate) {
        overdueInvoices++;
        overdueAmount += inv.open;
      }
    }
  }
  let paidAmount = 0n;
  let reversed = 0;
  let lastPaymentOn: string | null = null;
  for (const p of state.payments.values()) {
    if (p.reversed) reversed++;
    else paidAmount += p.amount;
    if (lastPaymentOn === null || p.receivedOn > lastPaymentOn) lastPaymentOn = p.receivedOn;
  }
  let creditedAmount = 0n;
  for (const c of state.creditNotes.values()) creditedAmount += c.amount;
  const latest = new Map<string, ExternalReport>();
  for (const r of state.reports) {
    const seen = latest.get(r.agency);
    if (seen === undefined || r.reportedOn >= seen.reportedOn) latest.set(r.agency, r);
  }
  const late = settled - onTime;
  return {
    transactions: {
      invoices: state.invoices.size,
      invoicedAmount,
      firstInvoiceOn,
      lastInvoiceOn,
      orders: state.orders.size,
      openOrders: state.openOrdersTotal,
      heldOrders: state.heldOrdersTotal,
      creditNotes: state.creditNotes.size,
      creditedAmount,
    },
    repayment: {
      payments: state.payments.size,
      paidAmount,
      reversedPayments: reversed,
      lastPaymentOn,
      settledInvoices: settled,
      settledOnTime: onTime,
      settledLate: late,
      averageDaysLate: late > 0 ? oneDecimal(lateDays, late) : null,
      maxDaysLate,
      writtenOffInvoices: writtenOff,
      writtenOffAmount,
      openInvoices,
      openReceivables,
      overdueInvoices,
      overdueAmount,
      unappliedCash: unappliedTotal(state),
    },
    disputes: {
      opened: state.disputes.length,
      open: state.disputes.filter((d) => d.resolvedOn === null).length,
    },
    latestReports: [...latest.values()].map((r) => ({
      ...r,
      inForce: r.reportedOn <= atDate && r.validUntil >= atDate,
    })),
    reports: state.reports.length,
    complaints: [...state.complaints].reverse(),
  };
}
