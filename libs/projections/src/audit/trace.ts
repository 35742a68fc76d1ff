import {
  FactorName,
  FactorScore,
  Position,
  Rating,
  apply,
  canonicalJson,
  decide,
  evaluatePosition,
  initialState,
  rate,
} from '@credit-ledger/domain';
import { RecordedGradeChange, StoredEvent, gradeChangeOf } from '@credit-ledger/ledger-store';
import { PolicyResolver } from '../as-of-replay';

/**
 * One event of a traced replay. Attribution rule (README "Replay and audit"): with R_prev the rating before the
 * event, R_shift the state before the event rated at the event's rating time under the policy in force at its
 * sequence, and R_next the rating after it,
 * - the event moved a factor when the factor's raw inputs or normalised score differ between R_shift and R_next
 *   (the event's own effect, time and policy held fixed);
 * - elapsed time moved it when they differ between R_prev and R_shift under the same policy version, and a policy
 *   change moved it when the versions differ.
 * The first rating of a customer is attributed to its event for every factor.
 */
export interface TraceStep {
  stored: StoredEvent;
  policyVersion: number;
  /** Why replay could not apply the event (null when applied). */
  skipped: string | null;
  before: Rating | null;
  after: Rating | null;
  movedByEvent: FactorName[];
  movedByTime: FactorName[];
  movedByPolicy: FactorName[];
  gradeChange: RecordedGradeChange | null;
  /** With `positions`: the position before and after the event, each at its own clock. */
  positionBefore: Position | null;
  positionAfter: Position | null;
}

const eventKey = (f: FactorScore): string => canonicalJson({ raw: f.raw, normalised: f.normalised });
const fullKey = (f: FactorScore): string =>
  canonicalJson({ raw: f.raw, normalised: f.normalised, weight: f.weight });

/** Replays one customer's stream like replayStream, recording for each event what it did to the rating. */
export function traceStream(
  customerId: string,
  events: readonly StoredEvent[],
  resolve: PolicyResolver,
  opts: { positions?: boolean } = {},
): TraceStep[] {
  const state = initialState(customerId);
  const steps: TraceStep[] = [];
  const positionOf = (): Position | null =>
    opts.positions && state.onboarded && state.clock !== null ? evaluatePosition(state, state.clock) : null;
  for (const e of events) {
    const policy = resolve(e.sequence);
    const step: TraceStep = {
      stored: e,
      policyVersion: policy.version,
      skipped: null,
      before: state.rating,
      after: state.rating,
      movedByEvent: [],
      movedByTime: [],
      movedByPolicy: [],
      gradeChange: null,
      positionBefore: positionOf(),
      positionAfter: null,
    };
    steps.push(step);
    const d = decide(state, e.event);
    if (d.kind !== 'accept') {
      step.skipped = d.reason;
      step.positionAfter = step.positionBefore;
      continue;
    }
    const clock = state.clock === null || e.event.occurredAt > state.clock ? e.event.occurredAt : state.clock;
    const shifted = step.before === null ? null : rate(state, clock, policy);
    const outcome = apply(
      state,
      { event: e.event, sequence: e.sequence, streamVersion: e.streamVersion },
      policy,
    );
    step.after = outcome.rating;
    step.gradeChange = gradeChangeOf(customerId, e, outcome);
    step.positionAfter = positionOf();
    if (step.after === step.before) continue; // not re-rated (a control event other than a re-rating)
    if (step.before === null || shifted === null) {
      step.movedByEvent = step.after.factors.map((f) => f.factor);
      continue;
    }
    const policyChanged = step.before.policyVersion !== shifted.policyVersion;
    // R_shift and R_next come from one policy: the same factors in the same order. R_prev may come from another
    // version, even another model (a five-factor policy before an assessment one): match it by name.
    const previous = new Map(step.before.factors.map((f) => [f.factor, f]));
    for (let i = 0; i < step.after.factors.length; i++) {
      const name = step.after.factors[i].factor;
      if (eventKey(shifted.factors[i]) !== eventKey(step.after.factors[i])) step.movedByEvent.push(name);
      const before = previous.get(name);
      if (before === undefined || fullKey(before) !== fullKey(shifted.factors[i])) {
        (policyChanged ? step.movedByPolicy : step.movedByTime).push(name);
      }
    }
  }
  return steps;
}
