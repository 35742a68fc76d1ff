import { CustomerState, GradePolicy, apply, decide, initialState } from '@credit-ledger/domain';
import { RecordedGradeChange, StoredEvent, gradeChangeOf } from '@credit-ledger/ledger-store';

/** The grading policy for the event at a ledger sequence (PolicyStore.inForceAt, or one fixed policy). */
export type PolicyResolver = (sequence: string) => GradePolicy;

export function policyResolver(policy: GradePolicy | PolicyResolver): PolicyResolver {
  return typeof policy === 'function' ? policy : () => policy;
}

export interface ReplayResult {
  state: CustomerState;
  applied: number;
  /** Events cut off from their dependency by the as-of boundary (e.g. a payment dated before its invoice). */
  skipped: Array<{ sequence: string; eventId: string; reason: string }>;
  /** The grade_history rows these events produce, exactly as the writer would write them. */
  gradeChanges: RecordedGradeChange[];
}

/**
 * Folds a customer's stored stream into a fresh state (or continues `from`, a state already folded up to an
 * earlier sequence). Each event is rated with the policy in force at its sequence, so the same stream and
 * policy schedule give the same state byte for byte: this is the function replay, as-of queries and rebuilds
 * share with the live writer (both call `apply`).
 */
export function replayStream(
  customerId: string,
  events: readonly StoredEvent[],
  policy: GradePolicy | PolicyResolver,
  from?: CustomerState,
): ReplayResult {
  const resolve = policyResolver(policy);
  const state = from ?? initialState(customerId);
  const skipped: ReplayResult['skipped'] = [];
  const gradeChanges: RecordedGradeChange[] = [];
  let applied = 0;
  for (const e of events) {
    const d = decide(state, e.event);
    if (d.kind !== 'accept') {
      skipped.push({ sequence: e.sequence, eventId: e.event.eventId, reason: d.reason });
      continue;
    }
    const outcome = apply(
      state,
      { event: e.event, sequence: e.sequence, streamVersion: e.streamVersion },
      resolve(e.sequence),
    );
    applied++;
    const change = gradeChangeOf(customerId, e, outcome);
    if (change) gradeChanges.push(change);
  }
  return { state, applied, skipped, gradeChanges };
}
