import type { PayloadMap } from './payloads';

/** Kafka topic carrying the v1 contract; message key = customerId. */
export const BILLING_EVENTS_TOPIC = 'billing.events';

export const EVENT_TYPES = [
  'CustomerOnboarded',
  'InvoiceIssued',
  'CreditNoteIssued',
  'PaymentReceived',
  'PaymentReversed',
  'OrderPlaced',
  'OrderCancelled',
  'DisputeOpened',
  'DisputeResolved',
  'InvoiceWrittenOff',
  'CustomerProfileUpdated',
  'ExternalCreditReportReceived',
  'ComplaintRecorded',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const CURRENT_EVENT_VERSION = 1;

/** Event types whose payload carries an amount and a currency. */
export const MONEY_EVENT_TYPES: readonly EventType[] = [
  'CustomerOnboarded',
  'InvoiceIssued',
  'CreditNoteIssued',
  'PaymentReceived',
  'OrderPlaced',
];

const TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && TYPE_SET.has(value);
}

/** The envelope every ledger event shares, billing or control. */
export interface Envelope<T extends string, P> {
  eventId: string;
  type: T;
  version: number;
  customerId: string;
  /** Normalised Date#toISOString form: UTC with milliseconds, e.g. '2026-03-01T10:00:00.000Z'. */
  occurredAt: string;
  source: string;
  payload: P;
}

export type EventEnvelope<T extends EventType = EventType> = Envelope<T, PayloadMap[T]>;

export type BillingEventOf<T extends EventType> = EventEnvelope<T>;

/** Discriminated union on `type`. */
export type BillingEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

export type CustomerOnboardedEvent = EventEnvelope<'CustomerOnboarded'>;
export type InvoiceIssuedEvent = EventEnvelope<'InvoiceIssued'>;
export type CreditNoteIssuedEvent = EventEnvelope<'CreditNoteIssued'>;
export type PaymentReceivedEvent = EventEnvelope<'PaymentReceived'>;
export type PaymentReversedEvent = EventEnvelope<'PaymentReversed'>;
export type OrderPlacedEvent = EventEnvelope<'OrderPlaced'>;
export type OrderCancelledEvent = EventEnvelope<'OrderCancelled'>;
export type DisputeOpenedEvent = EventEnvelope<'DisputeOpened'>;
export type DisputeResolvedEvent = EventEnvelope<'DisputeResolved'>;
export type InvoiceWrittenOffEvent = EventEnvelope<'InvoiceWrittenOff'>;
export type CustomerProfileUpdatedEvent = EventEnvelope<'CustomerProfileUpdated'>;
export type ExternalCreditReportReceivedEvent = EventEnvelope<'ExternalCreditReportReceived'>;
export type ComplaintRecordedEvent = EventEnvelope<'ComplaintRecorded'>;

/**
 * Currency of the event's amounts, null for events without an amount. A profile update's registration and
 * financials are in one currency (the contract refuses two).
 */
export function eventCurrency(event: BillingEvent): string | null {
  switch (event.type) {
    case 'CustomerProfileUpdated':
      return event.payload.registration?.currency ?? event.payload.financials?.currency ?? null;
    case 'CustomerOnboarded':
    case 'InvoiceIssued':
    case 'CreditNoteIssued':
    case 'PaymentReceived':
    case 'OrderPlaced':
      return event.payload.currency;
    default:
      return null;
  }
}
