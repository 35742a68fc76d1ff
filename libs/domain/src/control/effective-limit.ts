import type { CustomerState } from '../customer/state';
import { toInstant } from '../dates';

/**
 * The credit the order check and available credit use: the limit plus the temporary limit while it runs
 * (expiresAt after `at`; `at` defaults to the state's clock, the latest billing event time).
 */
export function effectiveLimit(state: CustomerState, at: string | null = state.clock): bigint {
  const t = state.temporaryLimit;
  if (t === null || (at !== null && toInstant(at) >= t.expiresAt)) return state.creditLimit;
  return state.creditLimit + t.amount;
}
