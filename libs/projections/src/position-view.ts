import { FactorModel, FactorScore, Position, Rating, factorModel, formatAmount } from '@credit-ledger/domain';

/**
 * The terms the customer's grade carries (seeds 000, 004), for the next steps that act on them (order holds,
 * approvals, reviews): `effectiveLimit` is the credit extended now — 0 while the band is cash-only, whatever
 * `creditLimit` records. A grade of a five-factor policy grants credit and names no other terms (nulls).
 */
export interface TermsView {
  band: string;
  settlement: 'credit' | 'cash-only';
  cashOnly: boolean;
  maxPaymentTermsDays: number | null;
  defaultLimit: string | null;
  reviewIntervalDays: number | null;
  approval: 'simplified' | 'standard' | null;
  effectiveLimit: string;
}

export function termsView(rating: Rating | null, effectiveLimit: string): TermsView | null {
  if (rating === null) return null;
  const t = rating.terms;
  if (t === undefined) {
    return {
      band: rating.grade,
      settlement: 'credit',
      cashOnly: false,
      maxPaymentTermsDays: null,
      defaultLimit: null,
      reviewIntervalDays: null,
      approval: null,
      effectiveLimit,
    };
  }
  return {
    band: t.band,
    settlement: t.settlement,
    cashOnly: t.settlement === 'cash-only',
    maxPaymentTermsDays: t.maxPaymentTermsDays,
    defaultLimit: t.defaultLimit,
    reviewIntervalDays: t.reviewIntervalDays,
    approval: t.approval,
    effectiveLimit,
  };
}

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
  /** effectiveLimit − exposure. */
  available: string;
  /** exposure / creditLimit (the recorded limit, also while cash-only). */
  utilisation: string | null;
  aging: { current: string; d1_30: string; d31_60: string; d61_90: string; d90plus: string };
  overdueAmount: string;
  overdueCount: number;
  dso: number | null;
  score: number | null;
  grade: string | null;
  status: string;
  terms: TermsView | null;
  rating: {
    policyVersion: number;
    ratedAt: string;
    segment: string | null;
    /** Each factor with the model it belongs to (null for a five-factor rating). */
    factors: Array<FactorScore & { model: FactorModel | null }>;
  } | null;
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
    terms: termsView(rating, fmt(p.effectiveLimit)),
    rating: rating
      ? {
          policyVersion: rating.policyVersion,
          ratedAt: rating.at,
          segment: rating.segment ?? null,
          factors: rating.factors.map((f) => ({ ...f, model: factorModel(rating, f.factor) })),
        }
      : null,
    asOf: p.at,
    ledgerSequence: meta.ledgerSequence,
    streamVersion: meta.streamVersion,
  };
}
