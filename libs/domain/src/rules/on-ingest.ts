import type { EventType } from '../contract/envelope';
import { firstApplication } from '../control/approvals';
import { controlEvent, isControlEvent, type ControlEvent } from '../control/control-events';
import type { AppliedEvent } from '../customer/apply';
import type { GradePolicy } from '../rating/policy';
import { onCredit, type CustomerState } from '../customer/state';
import { cashOnlyLifted, holdReason, limitBreaches, releaseHeldOrders } from './credit-check';
import { exposureOf } from './exposure';

/**
 * Billing events that can free credit, and so may release held orders: less exposure, or a credit file that lifts
 * the grade out of a cash-only band.
 */
const FREES_CREDIT: ReadonlySet<EventType> = new Set<EventType>([
  'PaymentReceived',
  'CreditNoteIssued',
  'OrderCancelled',
  'InvoiceWrittenOff',
  'CustomerProfileUpdated',
  'ExternalCreditReportReceived',
]);

/**
 * The control events a billing event triggers, to append right after it: `state` is the state AFTER the
 * event was applied. Order credit check on OrderPlaced (held when exposure with the order exceeds the limit,
 * or the customer is frozen/blacklisted), auto-release of held orders when credit is freed, then limit
 * breaches on the resulting exposure. Pure; the events are valid when applied in the order returned.
 */
export function deriveOnIngest(
  state: CustomerState,
  applied: AppliedEvent,
  policy: GradePolicy,
): ControlEvent[] {
  const event = applied.event;
  if (isControlEvent(event) || !state.onboarded) return [];
  const at = event.occurredAt;
  const out: ControlEvent[] = [];
  let exposure = exposureOf(state);
  if (event.type === 'CustomerOnboarded') {
    out.push(...firstApplication(state, policy, at));
  } else if (event.type === 'OrderPlaced') {
    const order = state.orders.get(event.payload.orderId);
    // Already invoiced (the invoice came first), or paid in cash before delivery: nothing to check.
    if (order && order.status === 'open' && onCredit(order)) {
      const reason = holdReason(state, exposure);
      if (reason !== null) {
        exposure -= order.amount;
        out.push(
          controlEvent('OrderHeld', `order-held:${state.customerId}:${order.orderId}`, state.customerId, at, {
            orderId: order.orderId,
            reason,
            exposure,
            available: state.creditLimit - exposure,
          }),
        );
      }
    }
  } else if (FREES_CREDIT.has(event.type) || cashOnlyLifted(state)) {
    const r = releaseHeldOrders(state, exposure, at, `credit freed by ${event.type} ${event.eventId}`);
    out.push(...r.events);
    exposure = r.exposure;
  }
  out.push(...limitBreaches(state, exposure, policy, at, event.eventId));
  return out;
}
