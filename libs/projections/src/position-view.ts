import { Position, Rating, formatAmount } from '@credit-ledger/domain';

/** The public JSON shape of a customer's position (amounts as decimal strings in major units). */
export interface PositionView {
  customerId: string;
  name: string | null;
  currency: string | null;
  creditLimit: string;
  /** Temporary limit running at asOf ("0.00" when none) and when it ends. */
  temporaryLimit: string;
  temporaryLimitExpiresAt: string | null;
  openReceivables: string;
  openOrders: string;
  heldOrders: string;
  unappliedCash: string;
  exposure: string;
  available: string;
  utilisation: string | null;
  aging: { current: string; d1_30: string; d31_60: string; d61_90: string; d90plus: string };
  overdueAmount: string;
  overdueCount: number;
  dso: number | null;
  score: number | null;
  grade: string | null;
  status: string;
  rating: { policyVersion: number; ratedAt: string; factors: Rating['factors'] } | null;
  asOf: string;
  ledgerSequence: string;
  streamVersion: number;
}

/** Basis points to a ratio with four decimals: 8123 -> "0.8123", 12500 -> "1.2500". */
export function utilisationRatio(bp: number | null): string | null {
  if (bp === null) return null;
  const whole = Math.trunc(bp / 10000);
  return `${whole}.${String(bp - whole * 10000).padStart(4, '0')}`;
}

export function toPositionView(
  p: Position,
  rating: Rating | null,
  meta: { ledgerSequence: string; streamVersion: number },
): PositionView {
  const ccy = p.currency ?? 'XXX';
  const fmt = (v: bigint): string => (p.currency ? formatAmount(v, ccy) : v.toString());
  return {
    customerId: p.customerId,
    name: p.name ?? null,
    currency: p.currency,
    creditLimit: fmt(p.creditLimit),
    temporaryLimit: fmt(p.temporaryLimit),
    temporaryLimitExpiresAt: p.temporaryLimitExpiresAt,
    openReceivables: fmt(p.openReceivables),
    openOrders: fmt(p.openOrders),
    heldOrders: fmt(p.heldOrders),
    unappliedCash: fmt(p.unappliedCash),
    exposure: fmt(p.exposure),
    available: fmt(p.available),
    utilisation: utilisationRatio(p.utilisationBp),
    aging: {
      current: fmt(p.aging.current),
      d1_30: fmt(p.aging.d1_30),
      d31_60: fmt(p.aging.d31_60),
      d61_90: fmt(p.aging.d61_90),
      d90plus: fmt(p.aging.d90plus),
    },
    overdueAmount: fmt(p.overdueAmount),
    overdueCount: p.overdueCount,
    dso: p.dsoDays,
    score: rating?.score ?? null,
    grade: rating?.grade ?? null,
    status: p.status,
    rating: rating
      ? { policyVersion: rating.policyVersion, ratedAt: rating.at, factors: rating.factors }
      : null,
    asOf: p.at,
    ledgerSequence: meta.ledgerSequence,
    streamVersion: meta.streamVersion,
  };
}
