import { ACCEPT, type Decision } from '../customer/decision';
import type { CustomerState } from '../customer/state';

/** Shared by the control decide functions (internal: not exported from the package). */
export { ACCEPT };

export const invalid = (reason: string): Decision => ({ kind: 'reject', code: 'INVALID_STATE', reason });

/** Accepts an event about an order only while the order exists and is in `status`. */
export function orderIs(state: CustomerState, orderId: string, status: 'open' | 'held'): Decision {
  const order = state.orders.get(orderId);
  if (!order) return { kind: 'reject', code: 'UNKNOWN_ORDER', reason: `no order ${orderId}` };
  return order.status === status
    ? ACCEPT
    : invalid(`order ${order.orderId} is ${order.status}, not ${status}`);
}
