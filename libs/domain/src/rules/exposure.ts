import { unappliedTotal, type CustomerState } from '../customer/state';

/** max(0, open receivables + open orders − cash on account): the figure limits are checked against. */
export function exposureOf(state: CustomerState): bigint {
  let receivables = 0n;
  for (const inv of state.invoices.values()) receivables += inv.open;
  const gross = receivables + state.openOrdersTotal - unappliedTotal(state);
  return gross > 0n ? gross : 0n;
}

/** Σ open amounts of the invoices: the receivables of seed 004's 90 % warning. */
export function receivablesOf(state: CustomerState): bigint {
  let receivables = 0n;
  for (const inv of state.invoices.values()) receivables += inv.open;
  return receivables;
}

/** True when exposure × 100 ≥ pct × limit (exact integer comparison; a zero limit is never breached). */
export function atOrAbove(exposure: bigint, limit: bigint, pct: number): boolean {
  return limit > 0n && exposure * 100n >= BigInt(pct) * limit;
}
