import type { CustomerState, CustomerStatus } from '../customer/state';
import { openAmount, unappliedTotal } from '../customer/state';
import { dateFromDayNumber, dayNumber, toInstant } from '../dates';
import { effectiveLimit, temporaryLimitAt } from '../control/effective-limit';
import { bucketFor, emptyBuckets, type AgingBuckets } from './aging';

export interface Position {
  customerId: string;
  name: string | null;
  currency: string | null;
  creditLimit: bigint;
  openReceivables: bigint;
  openOrders: bigint;
  /** Orders stopped by the credit check: not in exposure until released. */
  heldOrders: bigint;
  unappliedCash: bigint;
  /** max(0, openReceivables + openOrders − unappliedCash) */
  exposure: bigint;
  /** Temporary limit running at `at` (0 when none); it counts in available credit, not in utilisation. */
  temporaryLimit: bigint;
  temporaryLimitExpiresAt: string | null;
  /**
   * The credit extended at `at`: creditLimit + temporaryLimit, or 0 while the grade's band is cash-only (the
   * recorded limits are kept for when the grade recovers).
   */
  effectiveLimit: bigint;
  /** effectiveLimit − exposure (may be negative). */
  available: bigint;
  /** floor(exposure × 10000 / creditLimit), at most UTILISATION_BP_CAP; null when creditLimit = 0. */
  utilisationBp: number | null;
  aging: AgingBuckets;
  overdueAmount: bigint;
  overdueCount: number;
  /** Days, one decimal, half-up; null without sales in the 90-day window. */
  dsoDays: number | null;
  status: CustomerStatus;
  at: string;
}

export const DSO_WINDOW_DAYS = 90;

/**
 * Utilisation is capped at 99,999.9999 × the limit (999,999,999 basis points): an exposure of 250,000.00 on a
 * 1.00 limit reads as the cap, and the figure always fits its integer column. Exposure and limit stay exact.
 */
export const UTILISATION_BP_CAP = 999_999_999;

/** floor(exposure × 10000 / limit), capped; null without a limit. */
export function utilisationBp(exposure: bigint, limit: bigint): number | null {
  if (limit <= 0n) return null;
  const bp = (exposure * 10000n) / limit;
  return bp > BigInt(UTILISATION_BP_CAP) ? UTILISATION_BP_CAP : Number(bp);
}

/**
 * DSO = openReceivables × 90 / sales of the 90 days ending at `at` (issuedOn in
 * (at − 90 days, at]), rounded half-up to one decimal with integer math.
 */
export function dso(openReceivables: bigint, sales: bigint): number | null {
  if (sales <= 0n) return null;
  const tenths = (openReceivables * BigInt(DSO_WINDOW_DAYS) * 20n + sales) / (2n * sales);
  return Number(tenths) / 10;
}

/** Exposure, aging and DSO of the state as given, at instant `at`. */
export function evaluatePosition(state: CustomerState, at: string): Position {
  const iso = toInstant(at);
  const atDate = iso.slice(0, 10);
  const atDay = dayNumber(atDate);
  const salesFrom = dateFromDayNumber(atDay - DSO_WINDOW_DAYS);
  const aging = emptyBuckets();
  let openReceivables = 0n;
  let overdueAmount = 0n;
  let overdueCount = 0;
  let sales = 0n;
  for (const inv of state.invoices.values()) {
    if (inv.issuedOn > salesFrom && inv.issuedOn <= atDate) sales += inv.amount;
    const open = openAmount(inv);
    if (open === 0n) continue;
    openReceivables += open;
    if (inv.dueOn >= atDate) {
      aging.current += open;
      continue;
    }
    const dpd = atDay - dayNumber(inv.dueOn);
    aging[bucketFor(dpd)] += open;
    overdueAmount += open;
    overdueCount++;
  }
  const openOrders = state.openOrdersTotal;
  const unapplied = unappliedTotal(state);
  const gross = openReceivables + openOrders - unapplied;
  const exposure = gross > 0n ? gross : 0n;
  const limit = state.creditLimit;
  const temporary = temporaryLimitAt(state, iso);
  const effective = effectiveLimit(state, iso);
  return {
    customerId: state.customerId,
    name: state.name,
    currency: state.currency,
    creditLimit: limit,
    openReceivables,
    openOrders,
    heldOrders: state.heldOrdersTotal,
    unappliedCash: unapplied,
    exposure,
    temporaryLimit: temporary,
    temporaryLimitExpiresAt: temporary > 0n ? state.temporaryLimit!.expiresAt : null,
    effectiveLimit: effective,
    available: effective - exposure,
    utilisationBp: utilisationBp(exposure, limit),
    aging,
    overdueAmount,
    overdueCount,
    dsoDays: dso(openReceivables, sales),
    status: state.status,
    at: iso,
  };
}
