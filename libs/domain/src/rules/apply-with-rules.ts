import { isControlEvent, type ControlEvent } from '../control/control-events';
import { collectionFollowUps } from '../control/collections';
import { apply, type AppliedEvent, type ApplyOutcome } from '../customer/apply';
import { decide } from '../customer/decide';
import type { CustomerState } from '../customer/state';
import type { GradePolicy } from '../rating/policy';
import { invoiceChecks } from './bypass';
import { deriveOnIngest } from './on-ingest';
import { freezeDecision } from './time-rules';

export interface AppliedWithOutcome {
  applied: AppliedEvent;
  outcome: ApplyOutcome;
}

/**
 * Applies a control event when it still fits the state (see decideControl), with the next sequence and stream
 * version; returns null when the state moved on and the event no longer applies.
 */
export function applyControl(
  state: CustomerState,
  event: ControlEvent,
  policy: GradePolicy,
  nextSequence: () => string,
): AppliedWithOutcome | null {
  if (decide(state, event).kind !== 'accept') return null;
  const applied: AppliedEvent = { event, sequence: nextSequence(), streamVersion: state.streamVersion + 1 };
  return { applied, outcome: apply(state, applied, policy) };
}

/** Applies the collection tasks an applied event opens or closes (see collectionFollowUps), right after it. */
function applyFollowUps(
  state: CustomerState,
  cause: AppliedEvent,
  policy: GradePolicy,
  nextSequence: () => string,
  out: AppliedWithOutcome[],
): void {
  for (const event of collectionFollowUps(state, cause.event, policy)) {
    const d = applyControl(state, event, policy, nextSequence);
    if (d) out.push(d);
  }
}

/**
 * Applies a control event and the collection tasks it brings: what a job or a command appends, so the writer
 * and any in-memory fold agree event for event. Empty when the event no longer fits the state.
 */
export function applyControlChain(
  state: CustomerState,
  event: ControlEvent,
  policy: GradePolicy,
  nextSequence: () => string,
): AppliedWithOutcome[] {
  const d = applyControl(state, event, policy, nextSequence);
  if (!d) return [];
  const out = [d];
  applyFollowUps(state, d.applied, policy, nextSequence, out);
  return out;
}

/**
 * What the ledger does with an accepted billing event: apply it, evaluate the freeze rule, then derive and apply
 * its control events right after it, each followed by the collection tasks it opens or closes (the billing event
 * too: a payment closes what it cleared). The writer and any in-memory fold share this, so they agree event for
 * event.
 */
export function applyWithRules(
  state: CustomerState,
  applied: AppliedEvent,
  policy: GradePolicy,
  nextSequence: () => string,
): { outcome: ApplyOutcome; derived: AppliedWithOutcome[] } {
  const outcome = apply(state, applied, policy);
  const derived: AppliedWithOutcome[] = [];
  const run = (events: ControlEvent[]): void => {
    for (const event of events) derived.push(...applyControlChain(state, event, policy, nextSequence));
  };
  applyFollowUps(state, applied, policy, nextSequence, derived);
  // An invoice is checked against the customer as billing found it, before any freeze it causes itself.
  if (applied.event.type === 'InvoiceIssued') run(invoiceChecks(state, applied.event));
  // Then the freeze rule, at the ledger's clock: an order arriving once an invoice is past due meets a customer
  // who is already frozen, whether or not the scheduled freeze review has run since.
  if (!isControlEvent(applied.event) && state.clock !== null) run(freezeDecision(state, state.clock, policy));
  run(deriveOnIngest(state, applied, policy));
  return { outcome, derived };
}
