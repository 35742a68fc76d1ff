import { normaliseInstant } from '../dates';
import { DomainError } from '../errors';
import { formatAmount } from '../money';
import { isEventType, type BillingEvent, type EventType } from './envelope';
import type {
  CustomerType,
  ComplaintSeverity,
  Financials,
  IndividualDetails,
  PaymentAllocation,
  ProfileFields,
  Registration,
} from './payloads';
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

/** An amount in its written form: minor-unit integer text (stored) or major-unit decimal (wire). */
type Amounts = (a: bigint, currency: string) => string;

/** The credit-file fields present, amounts written by `amt` (absent fields stay absent). */
function profileOut(p: ProfileFields, amt: Amounts): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.customerType !== undefined) out.customerType = p.customerType;
  if (p.customerSince !== undefined) out.customerSince = p.customerSince;
  if (p.accountOwner !== undefined) out.accountOwner = { ...p.accountOwner };
  if (p.contactEmail !== undefined) out.contactEmail = p.contactEmail;
  if (p.individual !== undefined) out.individual = { ...p.individual };
  if (p.industry !== undefined) out.industry = p.industry;
  if (p.registration !== undefined) {
    const r = p.registration;
    const reg: Record<string, unknown> = {};
    if (r.registeredCapital !== undefined && r.currency !== undefined) {
      reg.registeredCapital = amt(r.registeredCapital, r.currency);
      reg.currency = r.currency;
    }
    if (r.foundedOn !== undefined) reg.foundedOn = r.foundedOn;
    if (r.taxRegistered !== undefined) reg.taxRegistered = r.taxRegistered;
    out.registration = reg;
  }
  if (p.financials !== undefined) {
    const f = p.financials;
    const a = (v: bigint): string => amt(v, f.currency);
    const fin: Record<string, unknown> = {
      asOf: f.asOf,
      currency: f.currency,
      totalAssets: a(f.totalAssets),
      totalLiabilities: a(f.totalLiabilities),
      currentAssets: a(f.currentAssets),
      currentLiabilities: a(f.currentLiabilities),
      revenue: a(f.revenue),
      netIncome: a(f.netIncome),
    };
    if (f.operatingCashFlow !== undefined) fin.operatingCashFlow = a(f.operatingCashFlow);
    out.financials = fin;
  }
  if (p.litigationCount !== undefined) out.litigationCount = p.litigationCount;
  return out;
}

function payloadWith(event: BillingEvent, written: Amounts): Record<string, unknown> {
  const cur = 'currency' in event.payload ? event.payload.currency : 'XXX';
  const amt = (a: bigint): string => written(a, cur);
  switch (event.type) {
    case 'CustomerOnboarded': {
      const p = event.payload;
      const out: Record<string, unknown> = { name: p.name, currency: p.currency, ...profileOut(p, written) };
      if (p.creditLimit !== undefined) out.creditLimit = amt(p.creditLimit);
      return out;
    }
    case 'CustomerProfileUpdated': {
      const p = event.payload;
      const out = profileOut(p, written);
      return p.name === undefined ? out : { name: p.name, ...out };
    }
    case 'ExternalCreditReportReceived': {
      const p = event.payload;
      const out: Record<string, unknown> = {
        agency: p.agency,
        reportId: p.reportId,
        reportedOn: p.reportedOn,
        validUntil: p.validUntil,
      };
      if (p.score !== undefined) out.score = p.score;
      if (p.rating !== undefined) out.rating = p.rating;
      return out;
    }
    case 'ComplaintRecorded':
      return { ...event.payload };
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
      const out: Record<string, unknown> = {
        orderId: p.orderId,
        amount: amt(p.amount),
        currency: p.currency,
      };
      if (p.paymentMethod !== undefined) out.paymentMethod = p.paymentMethod;
      return out;
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
  return {
    eventId: event.eventId,
    type: event.type,
    version: event.version,
    customerId: event.customerId,
    occurredAt: event.occurredAt,
    source: event.source,
    payload: payloadWith(event, formatAmount),
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
  const profile = (): ProfileFields => storedProfile(row, p, minor);
  let payload: BillingEvent['payload'];
  switch (type as EventType) {
    case 'CustomerOnboarded':
      payload =
        p.creditLimit === undefined || p.creditLimit === null
          ? { name: str('name'), currency: str('currency'), ...profile() }
          : { name: str('name'), currency: str('currency'), creditLimit: amt('creditLimit'), ...profile() };
      break;
    case 'CustomerProfileUpdated': {
      const name = optStr('name');
      payload = name === undefined ? profile() : { name, ...profile() };
      break;
    }
    case 'ExternalCreditReportReceived': {
      const base = {
        agency: str('agency'),
        reportId: str('reportId'),
        reportedOn: str('reportedOn'),
        validUntil: str('validUntil'),
      };
      const rating = optStr('rating');
      payload = {
        ...base,
        ...(p.score === undefined || p.score === null ? {} : { score: int('score') }),
        ...(rating === undefined ? {} : { rating }),
      };
      break;
    }
    case 'ComplaintRecorded':
      payload = {
        complaintId: str('complaintId'),
        category: str('category'),
        severity: str('severity') as ComplaintSeverity,
      };
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
    case 'OrderPlaced': {
      const base = { orderId: str('orderId'), amount: amt('amount'), currency: str('currency') };
      const method = optStr('paymentMethod');
      if (method !== undefined && method !== 'cash') bad(row, 'payload.paymentMethod is not "cash"');
      payload = method === undefined ? base : { ...base, paymentMethod: 'cash' };
      break;
    }
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

type Minor = (v: unknown, k: string) => bigint;

/** The credit-file fields of a stored CustomerOnboarded v2 / CustomerProfileUpdated payload (shapes only). */
function storedProfile(row: StoredEventRow, p: Record<string, unknown>, minor: Minor): ProfileFields {
  const out: ProfileFields = {};
  const has = (o: Record<string, unknown>, k: string): boolean => o[k] !== undefined && o[k] !== null;
  const str = (o: Record<string, unknown>, k: string, path: string): string => {
    if (typeof o[k] !== 'string') bad(row, `${path}.${k} is not a string`);
    return o[k] as string;
  };
  const obj = (k: string): Record<string, unknown> => {
    const v = p[k];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(row, `payload.${k} is not an object`);
    return v as Record<string, unknown>;
  };
  if (has(p, 'customerType')) out.customerType = str(p, 'customerType', 'payload') as CustomerType;
  if (has(p, 'customerSince')) out.customerSince = str(p, 'customerSince', 'payload');
  if (has(p, 'accountOwner')) {
    const o = obj('accountOwner');
    out.accountOwner = {
      id: str(o, 'id', 'payload.accountOwner'),
      name: str(o, 'name', 'payload.accountOwner'),
    };
    if (has(o, 'email')) out.accountOwner.email = str(o, 'email', 'payload.accountOwner');
  }
  if (has(p, 'contactEmail')) out.contactEmail = str(p, 'contactEmail', 'payload');
  if (has(p, 'individual')) {
    const o = obj('individual');
    const d: IndividualDetails = {};
    for (const k of [
      'fullName',
      'nationalId',
      'dateOfBirth',
      'education',
      'annualIncome',
      'currency',
    ] as const)
      if (has(o, k)) d[k] = str(o, k, 'payload.individual');
    out.individual = d;
  }
  if (has(p, 'industry')) out.industry = str(p, 'industry', 'payload');
  if (has(p, 'registration')) {
    const o = obj('registration');
    const r: Registration = {};
    if (has(o, 'registeredCapital')) {
      r.registeredCapital = minor(o.registeredCapital, 'registration.registeredCapital');
      r.currency = str(o, 'currency', 'payload.registration');
    }
    if (has(o, 'foundedOn')) r.foundedOn = str(o, 'foundedOn', 'payload.registration');
    if (has(o, 'taxRegistered')) {
      if (typeof o.taxRegistered !== 'boolean')
        bad(row, 'payload.registration.taxRegistered is not a boolean');
      r.taxRegistered = o.taxRegistered as boolean;
    }
    out.registration = r;
  }
  if (has(p, 'financials')) {
    const o = obj('financials');
    const a = (k: string): bigint => minor(o[k], `financials.${k}`);
    const f: Financials = {
      asOf: str(o, 'asOf', 'payload.financials'),
      currency: str(o, 'currency', 'payload.financials'),
      totalAssets: a('totalAssets'),
      totalLiabilities: a('totalLiabilities'),
      currentAssets: a('currentAssets'),
      currentLiabilities: a('currentLiabilities'),
      revenue: a('revenue'),
      netIncome: a('netIncome'),
    };
    if (has(o, 'operatingCashFlow')) f.operatingCashFlow = a('operatingCashFlow');
    out.financials = f;
  }
  if (has(p, 'litigationCount')) {
    const v = p.litigationCount;
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
      bad(row, 'payload.litigationCount is not an integer');
    out.litigationCount = v as number;
  }
  return out;
}
