import type { WireEvent } from '@credit-ledger/testing';

let counter = 0;

/** Terse builder of v1 wire events for hand-written scenarios. */
export function wire(
  customerId: string,
  type: string,
  occurredAt: string,
  payload: Record<string, unknown>,
  eventId = `${type}-${customerId}-${++counter}`,
): WireEvent {
  return { eventId, type, version: 1, customerId, occurredAt, source: 'test-billing', payload };
}
