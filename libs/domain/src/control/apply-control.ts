import type { Decision } from '../customer/decision';
import { onCredit, type CustomerState } from '../customer/state';
import type { GradePolicy } from '../rating/policy';
import { atOrAbove, exposureOf, receivablesOf } from '../rules/exposure';
import { ACCEPT, invalid, orderIs } from './control-decision';
import type { ControlEvent } from './control-events';
import { decideCreditControl, mutateCreditControl } from './credit-control';
import { isCreditControlEvent } from './credit-control-events';
import { decidePersonalData, mutatePersonalData } from './forget';
import { isPersonalDataEvent } from './personal-data-events';
import { isCollectionEvent } from './collection-events';
import { decideCollection, mutateCollection } from './collections';

/**
 * Whether a control event still fits the state. Rules derive them from the same state, so a rejection here
 * means the state moved on in between (e.g. two jobs raced): the writer drops such an event.
 */
export function decideControl(state: CustomerState, event: ControlEvent): Decision {
  if (!state.onboarded) return invalid(`customer ${state.customerId} is not onboarded`);
  if (isCreditControlEvent(event)) return decideCreditControl(state, event);
  if (isPersonalDataEvent(event)) return decidePersonalData(state, event);
  if (isCollectionEvent(event)) return decideCollection(state, event);
  switch (event.type) {
    case 'OrderHeld': {
      const order = state.orders.get(event.payload.orderId);
      if (order && !onCredit(order)) return invalid(`order ${order.orderId} is paid in cash: never held`);
      return orderIs(state, event.payload.orderId, 'open');
    }
    case 'OrderReleased':
      return orderIs(state, event.payload.orderId, 'held');
    case 'OverdueNoticeIssued':
      return state.invoices.has(event.payload.invoiceId)
        ? ACCEPT
        : { kind: 'reject', code: 'UNKNOWN_INVOICE', reason: `no invoice ${event.payload.invoiceId}` };
    case 'CustomerFrozen':
      return state.status === 'active' ? ACCEPT : invalid(`customer ${state.customerId} is ${state.status}`);
    case 'CustomerUnfrozen':
      return state.status === 'frozen' ? ACCEPT : invalid(`customer ${state.customerId} is not frozen`);
    default:
      return ACCEPT;
  }
}

/** Applies a control event's effect to `state` in place (stream bookkeeping is the caller's). */
export function mutateControl(state: CustomerState, event: ControlEvent): void {
  if (isCreditControlEvent(event)) return mutateCreditControl(state, event, event.occurredAt);
  if (isPersonalDataEvent(event)) return mutatePersonalData(state, event, event.occurredAt);
  if (isCollectionEvent(event)) return mutateCollection(state, event);
  switch (event.type) {
    case 'LimitBreached':
      if (event.payload.thresholdPct > state.limitBreachPct)
        state.limitBreachPct = event.payload.thresholdPct;
      return;
    case 'OrderHeld':
      moveOrder(state, event.payload.orderId, 'held');
      state.orders.get(event.payload.orderId)!.holdReason = event.payload.reason;
      return;
    case 'OrderReleased':
      moveOrder(state, event.payload.orderId, 'open');
      delete state.orders.get(event.payload.orderId)!.holdReason;
      return;
    case 'OverdueNoticeIssued':
      state.notices.set(event.payload.invoiceId, event.payload.step);
      return;
    case 'CustomerFrozen':
      state.status = 'frozen';
      state.frozenBy = event.payload.by;
      return;
    case 'CustomerUnfrozen':
      state.status = 'active';
      state.frozenBy = null;
      return;
    case 'DormantLimitFlagged':
      state.dormantFlaggedOn = event.payload.lastUsedOn;
      return;
    case 'CustomerRerated':
      return; // the caller re-rates
  }
}

/** Holds an open order or releases a held one: its status, and its amount from one total to the other. */
function moveOrder(state: CustomerState, orderId: string, to: 'held' | 'open'): void {
  const order = state.orders.get(orderId)!;
  order.status = to;
  const held = to === 'held' ? order.amount : -order.amount;
  state.openOrdersTotal -= held;
  state.heldOrdersTotal += held;
}

/**
 * Re-arms limit-breach thresholds once exposure is back below them: the fired level drops to the highest
 * threshold still reached (0 when none), so crossing a threshold again alerts again.
 */
export function rearmLimitBreach(state: CustomerState, policy: GradePolicy): void {
  if (state.limitBreachPct === 0) return;
  const exposure = policy.limitWarningMeasure === 'receivables' ? receivablesOf(state) : exposureOf(state);
  if (atOrAbove(exposure, state.creditLimit, state.limitBreachPct)) return;
  let level = 0;
  for (const t of policy.breachThresholdsPct) {
    if (t <= state.limitBreachPct && atOrAbove(exposure, state.creditLimit, t)) level = t;
  }
  state.limitBreachPct = level;
}
