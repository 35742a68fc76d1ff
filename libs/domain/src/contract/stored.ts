import { normaliseInstant } from '../dates';
import { DomainError } from '../errors';
import { formatAmount } from '../money';
import { isEventType, type BillingEvent, type EventType } from './envelope';
import type { PaymentAllocation } from './payloads';
import {
  isControlEvent,
  isControlEventType,
  storedControlPayload,
  type LedgerEvent,
} from '../control/control-events';
import { controlFromStored } from '../control/stored-control';
import type { StoredEventRow } from './stored-row';
import { UPCASTERS, upcast, type UpcasterRegistry } from './upcasters';

export type { StoredEventRow } from './stored-row';

type Amounts = (a: bigint) => string;

function payloadWith(event: BillingEvent, amt: Amounts): Record<string, unknown> {
  switch (event.type) {
    case 'CustomerOnboarded': {
      const p = event.payload;
      const out: Record<string, unknown> = { name: p.name, currency: p.currency };
      if (p.creditLimit !== undefined) out.creditLimit = amt(p.creditLimit);
      return out;
    }
    case 'InvoiceIssued': {
      const p = event.payload;
      const out: Record<string, unknown> = {
        invoiceId: p.invoiceId,
        amount: amt(p.amount),
        currency: p.currency,
        issuedOn: p.issuedOn,
        dueOn: p.dueOn,
        paymentTermsDays: p.paymentTermsDays,
      };
      if (p.orderId !== undefined) out.orderId = p.orderId;
      return out;
    }
    case 'CreditNoteIssued': {
      const p = event.payload;
      return {
        creditNoteId: p.creditNoteId,
        invoiceId: p.invoiceId,
        amount: amt(p.amount),
        currency: p.currency,
      };
    }
    case 'PaymentReceived': {
      const p = event.payload;
      const out: Record<string, unknown> = {
        paymentId: p.paymentId,
        amount: amt(p.amount),
        currency: p.currency,
        receivedOn: p.receivedOn,
      };
      if (p.allocations !== undefined && p.allocations.length > 0) {
        out.allocations = p.allocations.map((a) => ({ invoiceId: a.invoiceId, amount: amt(a.amount) }));
      }
      return out;
    }
    case 'PaymentReversed':
      return { paymentId: event.payload.paymentId, reason: event.payload.reason };
    case 'OrderPlaced': {
      const p = event.payload;
      return { orderId: p.orderId, amount: amt(p.amount), currency: p.currency };
    }
    case 'OrderCancelled':
      return { orderId: event.payload.orderId };
    case 'DisputeOpened':
      return { invoiceId: event.payload.invoiceId, reason: event.payload.reason };
    case 'DisputeResolved':
    case 'InvoiceWrittenOff':
      return { invoiceId: event.payload.invoiceId };
  }
}

function currencyOf(event: BillingEvent): string {
  return 'currency' in event.payload ? event.payload.currency : 'XXX';
}

/**
 * JSON-safe payload for the ledger's jsonb column: amounts as minor-unit integer strings
 * ("125000") under the wire field names; currency kept.
 */
export function toStoredPayload(event: LedgerEvent): Record<string, unknown> {
  if (isControlEvent(event)) return storedControlPayload(event);
  return payloadWith(event, (a) => a.toString());
}

/** Back to the v1 wire JSON (amounts as major-unit decimal strings). */
export function toWireEvent(event: LedgerEvent): Record<string, unknown> {
  if (isControlEvent(event)) {
    throw new DomainError('NOT_A_BILLING_EVENT', `${event.type} is a control event and has no wire form`);
  }
  const cur = currencyOf(event);
  return {
    eventId: event.eventId,
    type: event.type,
    version: event.version,
    customerId: event.customerId,
    occurredAt: event.occurredAt,
    source: event.source,
    payload: payloadWith(event, (a) => formatAmount(a, cur)),
  };
}

function upcastStored(row: StoredEventRow, type: EventType, registry: UpcasterRegistry): StoredEventRow {
  const { occurredAt, ...rest } = row;
  const at = occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt;
  const up = upcast({ ...rest, occurredAt: at }, type, row.version, registry);
  if (!up.ok) {
    throw new DomainError(
      up.code === 'UNSUPPORTED_VERSION' ? up.code : 'BAD_STORED_EVENT',
      `stored event ${row.eventId}: ${up.reason}`,
    );
  }
  return { ...row, version: up.raw.version as number, payload: up.raw.payload as Record<string, unknown> };
}

function bad(row: StoredEventRow, what: string): never {
  throw new DomainError(
    'BAD_STORED_EVENT',
    `stored event ${String(row.eventId)} (${String(row.type)}): ${what}`,
  );
}

/**
 * Inverse of toStoredPayload for a ledger row. Trusts that the row was validated on the way in
 * (only shapes are checked, cheaply: this runs on replay of millions of rows). A row stored under an
 * older version of its type is upcast first, so history written before a contract change replays;
 * throws DomainError('BAD_STORED_EVENT') on a malformed row and DomainError('UNSUPPORTED_VERSION') on
 * a version with no upcaster path.
 */
export function fromStored(input: StoredEventRow, registry: UpcasterRegistry = UPCASTERS): LedgerEvent {
  if (isControlEventType(input.type)) return controlFromStored(input, input.type);
  let row = input;
  const type = row.type;
  if (!isEventType(type)) bad(row, `unknown type`);
  if (row.version !== registry.currentVersion(type as EventType)) row = upcastStored(row, type, registry);
  const occurredAt =
    row.occurredAt instanceof Date ? row.occurredAt.toISOString() : normaliseInstant(row.occurredAt);
  if (occurredAt === null) bad(row, `occurredAt ${JSON.stringify(row.occurredAt)} is not an instant`);
  const p = row.payload;
  if (typeof p !== 'object' || p === null) bad(row, 'payload is not an object');
  const str = (k: string): string => {
    const v = p[k];
    if (typeof v !== 'string') bad(row, `payload.${k} is not a string`);
    return v;
  };
  const optStr = (k: string): string | undefined =>
    p[k] === undefined || p[k] === null ? undefined : str(k);
  const minor = (v: unknown, k: string): bigint => {
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    return bad(row, `payload.${k} is not a minor-unit integer`);
  };
  const amt = (k: string): bigint => minor(p[k], k);
  const int = (k: string): number => {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(row, `payload.${k} is not an integer`);
    return v;
  };
  let payload: BillingEvent['payload'];
  switch (type as EventType) {
    case 'CustomerOnboarded':
      payload =
        p.creditLimit === undefined || p.creditLimit === null
          ? { name: str('name'), currency: str('currency') }
          : { name: str('name'), currency: str('currency'), creditLimit: amt('creditLimit') };
      break;
    case 'InvoiceIssued': {
      const orderId = optStr('orderId');
      const base = {
        invoiceId: str('invoiceId'),
        amount: amt('amount'),
        currency: str('currency'),
        issuedOn: str('issuedOn'),
        dueOn: str('dueOn'),
        paymentTermsDays: int('paymentTermsDays'),
      };
      payload = orderId === undefined ? base : { ...base, orderId };
      break;
    }
    case 'CreditNoteIssued':
      payload = {
        creditNoteId: str('creditNoteId'),
        invoiceId: str('invoiceId'),
        amount: amt('amount'),
        currency: str('currency'),
      };
      break;
    case 'PaymentReceived': {
      const base = {
        paymentId: str('paymentId'),
        amount: amt('amount'),
        currency: str('currency'),
        receivedOn: str('receivedOn'),
      };
      const raw = p.allocations;
      if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
        payload = base;
      } else {
        if (!Array.isArray(raw)) bad(row, 'payload.allocations is not an array');
        const allocations: PaymentAllocation[] = (raw as unknown[]).map((a, i) => {
          const o = a as Record<string, unknown>;
          if (typeof o !== 'object' || o === null || typeof o.invoiceId !== 'string') {
            bad(row, `payload.allocations[${i}] is malformed`);
          }
          return { invoiceId: o.invoiceId as string, amount: minor(o.amount, `allocations[${i}].amount`) };
        });
        payload = { ...base, allocations };
      }
      break;
    }
    case 'PaymentReversed':
      payload = { paymentId: str('paymentId'), reason: str('reason') };
      break;
    case 'OrderPlaced':
      payload = { orderId: str('orderId'), amount: amt('amount'), currency: str('currency') };
      break;
    case 'OrderCancelled':
      payload = { orderId: str('orderId') };
      break;
    case 'DisputeOpened':
      payload = { invoiceId: str('invoiceId'), reason: str('reason') };
      break;
    case 'DisputeResolved':
    case 'InvoiceWrittenOff':
      payload = { invoiceId: str('invoiceId') };
      break;
  }
  return {
    eventId: row.eventId,
    type,
    version: row.version,
    customerId: row.customerId,
    occurredAt,
    source: row.source,
    payload,
  } as BillingEvent;
}
