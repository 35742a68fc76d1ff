import { controlEvent, type ControlEvent, type HoldReason } from '../control/control-events';
import type { CustomerState } from '../customer/state';
import type { GradePolicy } from '../rating/policy';
import { effectiveLimit } from '../control/effective-limit';
import { isCashOnly, type Rating } from '../rating/rating';
import { atOrAbove, receivablesOf } from './exposure';

/**
 * Why a credit order that would bring exposure to `exposureWithOrder` must be held, or null when it may go
 * ahead. A cash-only band extends no credit whatever the limit (seed 000: D 不授信 只接受现款交易).
 */
export function holdReason(state: CustomerState, exposureWithOrder: bigint): HoldReason | null {
  if (state.status === 'blacklisted') return 'blacklisted';
  if (state.status === 'frozen') return 'frozen';
  if (isCashOnly(state.rating)) return 'cash-only';
  return exposureWithOrder > effectiveLimit(state) ? 'over-limit' : null;
}

/** Whether `rating` (default: the state's) is out of a cash-only band and orders held as cash-only wait. */
export function cashOnlyLifted(state: CustomerState, rating: Rating | null = state.rating): boolean {
  if (state.heldOrdersTotal === 0n || isCashOnly(rating)) return false;
  for (const o of state.orders.values()) if (o.status === 'held' && o.holdReason === 'cash-only') return true;
  return false;
}

/**
 * Held orders that freed credit lets through, oldest first, stopping at the first that still does not fit
 * (so a small later order never jumps the queue). Only for an active customer, unless `assumeActive`
 * (the customer is being unfrozen in the same step). Returns the releases and the exposure after them.
 */
export function releaseHeldOrders(
  state: CustomerState,
  exposure: bigint,
  at: string,
  reason: string,
  assumeActive = false,
): { events: ControlEvent[]; exposure: bigint } {
  const events: ControlEvent[] = [];
  if ((state.status !== 'active' && !assumeActive) || state.heldOrdersTotal === 0n)
    return { events, exposure };
  let e = exposure;
  for (const order of state.orders.values()) {
    if (order.status !== 'held') continue;
    if (e + order.amount > effectiveLimit(state, at)) break;
    e += order.amount;
    events.push(
      controlEvent(
        'OrderReleased',
        `order-released:${state.customerId}:${order.orderId}`,
        state.customerId,
        at,
        {
          orderId: order.orderId,
          releasedBy: 'auto',
          reason,
        },
      ),
    );
  }
  return { events, exposure: e };
}

/**
 * LimitBreached for each policy threshold that the measured figure reaches above the level already fired (a jump
 * from 50 % to 110 % fires 90 and 100): open receivables (seed 004, the default policy) or `exposure` (the policy's
 * limitWarningMeasure). Ids name the customer's last sequence, i.e. the cause.
 */
export function limitBreaches(
  state: CustomerState,
  exposure: bigint,
  policy: GradePolicy,
  at: string,
  causeEventId: string,
): ControlEvent[] {
  const out: ControlEvent[] = [];
  const receivables = policy.limitWarningMeasure === 'receivables' ? receivablesOf(state) : null;
  const measured = receivables ?? exposure;
  for (const t of policy.breachThresholdsPct) {
    if (t <= state.limitBreachPct || !atOrAbove(measured, state.creditLimit, t)) continue;
    out.push(
      controlEvent(
        'LimitBreached',
        `limit-breach:${state.customerId}:${state.lastSequence}:${t}`,
        state.customerId,
        at,
        {
          thresholdPct: t,
          exposure,
          creditLimit: state.creditLimit,
          causeEventId,
          ...(receivables === null ? {} : { measure: 'receivables' as const, receivables }),
        },
      ),
    );
  }
  return out;
}
