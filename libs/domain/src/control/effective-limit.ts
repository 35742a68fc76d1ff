import type { CustomerState } from '../customer/state';
import { toInstant } from '../dates';
import { isCashOnly } from '../rating/rating';

/**
 * The credit the order check and available credit use: the limit plus the temporary limit while it runs
 * (expiresAt after `at`; `at` defaults to the state's clock, the latest billing event time). A grade whose band
 * is cash-only extends no credit at all (seed 000: D 不授信 只接受现款交易), whatever the limits recorded: they
 * are kept and count again once the grade recovers. Read from the rating in the state, so no policy lookup.
 */
export function effectiveLimit(state: CustomerState, at: string | null = state.clock): bigint {
  if (isCashOnly(state.rating)) return 0n;
  return state.creditLimit + temporaryLimitAt(state, at);
}

/** The temporary limit running at `at` (expiresAt after it), 0 when none. */
export function temporaryLimitAt(state: CustomerState, at: string | null = state.clock): bigint {
  const t = state.temporaryLimit;
  if (t === null || (at !== null && toInstant(at) >= t.expiresAt)) return 0n;
  return t.amount;
}
