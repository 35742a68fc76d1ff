import type { WireEvent } from '@credit-ledger/testing';
import { soundProfile } from '../../libs/domain/test/builders';

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

/**
 * CustomerOnboarded v2 with the sound test credit file (libs/domain/test/builders.ts: it grades C, a credit band,
 * so the customer's limit is the credit it gets), or with the `profile` given ({} for none: unassessed, cash only).
 */
export function onboarded(
  customerId: string,
  occurredAt: string,
  payload: { name: string; currency: string; creditLimit?: string },
  profile: Record<string, unknown> = soundProfile(payload.currency, occurredAt.slice(0, 10)),
  eventId?: string,
): WireEvent {
  return {
    ...wire(customerId, 'CustomerOnboarded', occurredAt, { ...payload, ...profile }, eventId),
    version: 2,
  };
}

/** InvoiceIssued at 09:00 on the day it is issued. */
export function invoiced(
  customerId: string,
  invoiceId: string,
  amount: string,
  currency: string,
  issuedOn: string,
  dueOn: string,
): WireEvent {
  return wire(customerId, 'InvoiceIssued', `${issuedOn}T09:00:00Z`, {
    invoiceId,
    amount,
    currency,
    issuedOn,
    dueOn,
  });
}
