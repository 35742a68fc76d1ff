import type { CustomerState } from '../customer/state';
import { dayNumber, dateFromDayNumber } from '../dates';
import { DSO_WINDOW_DAYS, dso, evaluatePosition } from './position';

/**
 * The period the flow measures cover: invoices issued, cash received and write-offs dated in (fromDate, toDate]
 * ('YYYY-MM-DD'); stock measures (exposure, overdue) are taken at `at`, the last instant of toDate or earlier.
 */
export interface KpiPeriod {
  fromDate: string;
  toDate: string;
  at: string;
}

/** The success measures of seed 000 (坏账率, 逾期率, 逾期账款回收率, high grades' share of sales) and the dashboard tiles, for one currency. */
export interface CurrencyKpis {
  currency: string;
  customers: number;
  exposure: bigint;
  openReceivables: bigint;
  overdue: bigint;
  /** overdue / openReceivables, basis points (floor); null without receivables. */
  overdueRateBp: number | null;
  /** Portfolio DSO at `at`: Σ open × 90 / Σ sales of the 90 days to `at`. */
  sales90d: bigint;
  dsoDays: number | null;
  /** Σ invoices issued in the period. */
  sales: bigint;
  /** Σ written off in the period. */
  writtenOff: bigint;
  /** writtenOff / sales of the period, basis points; null without sales. */
  badDebtRateBp: number | null;
  /** Cash received in the period and applied to invoices already past due when it arrived. */
  recovered: bigint;
  /** recovered / (recovered + overdue still open at `at`), basis points; null when neither. */
  overdueRecoveryRateBp: number | null;
  /** Σ sales of the period to customers whose grade at `at` is one of the top grades. */
  topGradeSales: bigint;
  topGradeSalesShareBp: number | null;
  heldOrders: number;
  heldOrdersAmount: bigint;
  pendingApprovals: number;
}

/** One account owner's sales and collections in one currency (seed 004 销售回款排行). */
export interface OwnerCollection {
  currency: string;
  rank: number;
  ownerId: string | null;
  ownerName: string | null;
  customers: number;
  sales: bigint;
  /** Cash received in the period and applied to this owner's customers' invoices. */
  collected: bigint;
  overdue: bigint;
  /** collected / sales, basis points; null without sales. */
  collectionRateBp: number | null;
}

/** floor(part × 10000 / whole); null when whole is 0. */
export function ratioBp(part: bigint, whole: bigint): number | null {
  return whole > 0n ? Number((part * 10000n) / whole) : null;
}

/** A ratio in basis points as a decimal string with four places ("0.1234"), the format of `utilisation`. */
export function formatRatio(bp: number | null): string | null {
  if (bp === null) return null;
  return `${Math.trunc(bp / 10000)}.${String(bp % 10000).padStart(4, '0')}`;
}

interface Flows {
  sales: bigint;
  writtenOff: bigint;
  collected: bigint;
  recovered: bigint;
}

/** What one customer sold, wrote off and collected in the period. */
function flows(state: CustomerState, p: KpiPeriod): Flows {
  const inPeriod = (d: string | null) => d !== null && d > p.fromDate && d <= p.toDate;
  let sales = 0n;
  let writtenOff = 0n;
  for (const inv of state.invoices.values()) {
    if (inPeriod(inv.issuedOn)) sales += inv.amount;
    if (inPeriod(inv.writtenOffOn)) writtenOff += inv.writtenOff;
  }
  let collected = 0n;
  let recovered = 0n;
  for (const pay of state.payments.values()) {
    if (pay.reversed || !inPeriod(pay.receivedOn)) continue;
    for (const a of pay.applications) {
      collected += a.amount;
      const inv = state.invoices.get(a.invoiceId);
      if (inv && inv.dueOn < pay.receivedOn) recovered += a.amount;
    }
  }
  return { sales, writtenOff, collected, recovered };
}

const pendingApprovals = (s: CustomerState): number =>
  [...s.limitRequests.values()].filter((r) => r.status === 'pending').length;

const heldOrderCount = (s: CustomerState): number =>
  [...s.orders.values()].filter((o) => o.status === 'held').length;

/**
 * The portfolio measures per currency (never summed across currencies), from customers' states folded up to
 * `period.at` at least. `topGrades` are the grades counted as high (the policy's first bands).
 */
export function portfolioKpis(
  states: readonly CustomerState[],
  period: KpiPeriod,
  topGrades: readonly string[],
): CurrencyKpis[] {
  const out = new Map<string, CurrencyKpis>();
  const salesFrom = dateFromDayNumber(dayNumber(period.at.slice(0, 10)) - DSO_WINDOW_DAYS);
  for (const s of states) {
    if (!s.onboarded || s.currency === null) continue;
    const pos = evaluatePosition(s, period.at);
    const f = flows(s, period);
    const k = out.get(s.currency) ?? emptyKpis(s.currency);
    k.customers++;
    k.exposure += pos.exposure;
    k.openReceivables += pos.openReceivables;
    k.overdue += pos.overdueAmount;
    for (const inv of s.invoices.values())
      if (inv.issuedOn > salesFrom && inv.issuedOn <= period.at.slice(0, 10)) k.sales90d += inv.amount;
    k.sales += f.sales;
    k.writtenOff += f.writtenOff;
    k.recovered += f.recovered;
    if (s.rating && topGrades.includes(s.rating.grade)) k.topGradeSales += f.sales;
    k.heldOrders += heldOrderCount(s);
    k.heldOrdersAmount += s.heldOrdersTotal;
    k.pendingApprovals += pendingApprovals(s);
    out.set(s.currency, k);
  }
  return [...out.values()]
    .sort((a, b) => a.currency.localeCompare(b.currency))
    .map((k) => ({
      ...k,
      overdueRateBp: ratioBp(k.overdue, k.openReceivables),
      dsoDays: dso(k.openReceivables, k.sales90d),
      badDebtRateBp: ratioBp(k.writtenOff, k.sales),
      overdueRecoveryRateBp: ratioBp(k.recovered, k.recovered + k.overdue),
      topGradeSalesShareBp: ratioBp(k.topGradeSales, k.sales),
    }));
}

function emptyKpis(currency: string): CurrencyKpis {
  return {
    currency,
    customers: 0,
    exposure: 0n,
    openReceivables: 0n,
    overdue: 0n,
    overdueRateBp: null,
    sales90d: 0n,
    dsoDays: null,
    sales: 0n,
    writtenOff: 0n,
    badDebtRateBp: null,
    recovered: 0n,
    overdueRecoveryRateBp: null,
    topGradeSales: 0n,
    topGradeSalesShareBp: null,
    heldOrders: 0,
    heldOrdersAmount: 0n,
    pendingApprovals: 0,
  };
}

/**
 * Sales collection ranking by account owner, per currency: most collected first (then owner id); customers
 * without an owner are one "unassigned" row.
 */
export function collectionsByOwner(states: readonly CustomerState[], period: KpiPeriod): OwnerCollection[] {
  const groups = new Map<string, Omit<OwnerCollection, 'rank' | 'collectionRateBp'>>();
  for (const s of states) {
    if (!s.onboarded || s.currency === null) continue;
    const owner = s.personal?.accountOwner ?? null;
    const key = `${s.currency}\u0000${owner?.id ?? ''}`;
    const f = flows(s, period);
    const g = groups.get(key) ?? {
      currency: s.currency,
      ownerId: owner?.id ?? null,
      ownerName: owner?.name ?? null,
      customers: 0,
      sales: 0n,
      collected: 0n,
      overdue: 0n,
    };
    g.customers++;
    g.sales += f.sales;
    g.collected += f.collected;
    g.overdue += evaluatePosition(s, period.at).overdueAmount;
    groups.set(key, g);
  }
  const out: OwnerCollection[] = [];
  const byCurrency = [...groups.values()].sort(
    (a, b) =>
      a.currency.localeCompare(b.currency) ||
      (a.collected > b.collected ? -1 : a.collected < b.collected ? 1 : 0) ||
      (a.ownerId ?? '\uffff').localeCompare(b.ownerId ?? '\uffff'),
  );
  let rank = 0;
  let current = '';
  for (const g of byCurrency) {
    rank = g.currency === current ? rank + 1 : 1;
    current = g.currency;
    out.push({ ...g, rank, collectionRateBp: ratioBp(g.collected, g.sales) });
  }
  return out;
}
