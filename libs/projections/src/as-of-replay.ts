import { CustomerState, GradePolicy, apply, decide, initialState } from '@credit-ledger/domain';
import type { StoredEvent } from '@credit-ledger/ledger-store';

export interface ReplayResult {
  state: CustomerState;
  applied: number;
  /** Events cut off from their dependency by the as-of boundary (e.g. a payment dated before its invoice). */
  skipped: Array<{ sequence: string; eventId: string; reason: string }>;
}

/**
 * Folds a customer's stored stream into a fresh state. The same stream and policy give the same state, byte for
 * byte: this is the function replay, as-of queries and rebuilds share with the live writer (both call `apply`).
 */
export function replayStream(customerId: string, events: StoredEvent[], policy: GradePolicy): ReplayResult {
  const state = initialState(customerId);
  const skipped: ReplayResult['skipped'] = [];
  let applied = 0;
  for (const e of events) {
    const d = decide(state, e.event);
    if (d.kind !== 'accept') {
      skipped.push({ sequence: e.sequence, eventId: e.event.eventId, reason: d.reason });
      continue;
    }
    apply(state, { event: e.event, sequence: e.sequence, streamVersion: e.streamVersion }, policy);
    applied++;
  }
  return { state, applied, skipped };
}
