import { currencyExponent, isCurrency } from '../currencies';
import { daysBetween, isValidDate, normaliseInstant } from '../dates';
import type { RejectCode } from '../errors';
import { checkAmount, formatAmount } from '../money';
import { isEventType, type BillingEvent, type EventType } from './envelope';
import type { PayloadMap } from './payloads';
import {
  COMPLAINT_SEVERITIES,
  CUSTOMER_TYPES,
  PAYMENT_METHODS,
  type ComplaintSeverity,
  type CustomerType,
  type Financials,
  type IndividualDetails,
  type PaymentAllocation,
  type PaymentReceivedPayload,
  type ProfileFields,
  type Registration,
} from './payloads';
import { UPCASTERS, upcast, type UpcasterRegistry } from './upcasters';

/** The envelope's ids, when a message that fails validation still names them (for the rejected row). */
export interface EnvelopeIds {
  eventId?: string;
  customerId?: string;
  source?: string;
}

export type ParseResult =
  { ok: true; event: BillingEvent } | { ok: false; code: RejectCode; reason: string; ids?: EnvelopeIds };

export interface ParseOptions {
  /**
   * Kafka message key. `undefined` (or absent): not checked. A string must equal customerId and
   * `null` (a message without key) is KEY_MISMATCH: the contract requires key = customerId.
   */
  key?: string | null;
  /** Upcaster registry (tests); defaults to the production UPCASTERS. */
  upcasters?: UpcasterRegistry;
  /**
   * Plausibility window: the latest acceptable occurredAt (the ledger's clock plus the tolerance, ISO-8601).
   * A later occurredAt, or an issuedOn/receivedOn after its date, is FUTURE_EVENT: a clock error upstream must
   * not become the customer's rating clock. Absent: not checked (replay of stored events).
   */
  notAfter?: string;
}

/** The source the ledger's own control events carry; a billing system may not use it. */
export const RESERVED_SOURCE = 'credit-ledger';

/** Ids: 1..128 characters of [A-Za-z0-9._:/-]. */
export const ID_RE = /^[A-Za-z0-9._:/-]{1,128}$/;
export const MAX_TEXT_LENGTH = 512;
export const MAX_SOURCE_LENGTH = 128;
export const MAX_CATEGORY_LENGTH = 128;

class Reject {
  constructor(
    readonly code: RejectCode,
    readonly reason: string,
  ) {}
}

type Obj = Record<string, unknown>;

const hasOwn = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function required(o: Obj, key: string, path: string): unknown {
  if (!hasOwn(o, key) || o[key] === undefined) throw new Reject('MISSING_FIELD', `missing field ${path}`);
  return o[key];
}

/** Optional fields: absent, undefined and null all mean "not given". */
function optional(o: Obj, key: string): unknown {
  return hasOwn(o, key) && o[key] !== null ? o[key] : undefined;
}

function noExtraFields(o: Obj, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new Reject('BAD_FIELD', `unexpected field ${prefix}${k}`);
  }
}

function id(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new Reject('BAD_FIELD', `${path}: expected a string id, got ${show(v)}`);
  if (!ID_RE.test(v)) {
    throw new Reject(
      'BAD_FIELD',
      `${path}: ${show(v)} is not a valid id (1-128 characters of A-Z a-z 0-9 . _ : / -)`,
    );
  }
  return v;
}

function text(v: unknown, path: string, max: number): string {
  if (typeof v !== 'string') throw new Reject('BAD_FIELD', `${path}: expected a string, got ${show(v)}`);
  if (v.trim().length === 0) throw new Reject('BAD_FIELD', `${path}: must not be empty`);
  if (v.length > max)
    throw new Reject('BAD_FIELD', `${path}: is ${v.length} characters long, at most ${max} allowed`);
  return v;
}

function date(v: unknown, path: string): string {
  if (typeof v !== 'string' || !isValidDate(v)) {
    throw new Reject('BAD_FIELD', `${path}: ${show(v)} is not a date YYYY-MM-DD`);
  }
  return v;
}

function currency(v: unknown, path: string): string {
  if (typeof v !== 'string')
    throw new Reject('BAD_FIELD', `${path}: expected a currency code, got ${show(v)}`);
  if (!isCurrency(v))
    throw new Reject('UNKNOWN_CURRENCY', `${path}: ${show(v)} is not an ISO-4217 currency code`);
  return v;
}

function amount(v: unknown, path: string, cur: string, allowZero = false): bigint {
  const r = checkAmount(v, cur, currencyExponent(cur));
  if (!r.ok) throw new Reject(r.code, `${path}: ${r.message}`);
  if (r.value === 0n && !allowZero) throw new Reject('BAD_AMOUNT', `${path}: must be greater than 0`);
  return r.value;
}

/** A signed amount (a loss, a negative cash flow): an optional "-" before a decimal amount. */
function signedAmount(v: unknown, path: string, cur: string): bigint {
  const negative = typeof v === 'string' && v.startsWith('-');
  const value = amount(negative ? (v as string).slice(1) : v, path, cur, true);
  return negative ? -value : value;
}

export const MAX_PAYMENT_TERMS_DAYS = 3650;

/** InvoiceIssued v2: whole days, and dueOn must be exactly issuedOn + paymentTermsDays (one truth, two fields). */
function paymentTerms(v: unknown, issuedOn: string, dueOn: string): number {
  const path = 'payload.paymentTermsDays';
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_PAYMENT_TERMS_DAYS) {
    throw new Reject(
      'BAD_FIELD',
      `${path}: expected an integer from 0 to ${MAX_PAYMENT_TERMS_DAYS}, got ${show(v)}`,
    );
  }
  const days = daysBetween(issuedOn, dueOn);
  if (v !== days) {
    throw new Reject(
      'BAD_FIELD',
      `${path}: ${v} disagrees with payload.issuedOn ${issuedOn} and payload.dueOn ${dueOn} (${days} days apart)`,
    );
  }
  return v;
}

/** A business date that may not lie after the plausibility window (see ParseOptions.notAfter). */
function notFuture(d: string, path: string, notAfter: string | undefined): string {
  if (notAfter !== undefined && d > notAfter.slice(0, 10)) {
    throw new Reject(
      'FUTURE_EVENT',
      `${path}: ${d} is after ${notAfter.slice(0, 10)}, the latest date accepted now`,
    );
  }
  return d;
}

/** The credit-file fields of CustomerOnboarded v2 and CustomerProfileUpdated. */
export const PROFILE_FIELDS = [
  'customerType',
  'customerSince',
  'accountOwner',
  'contactEmail',
  'individual',
  'industry',
  'registration',
  'financials',
  'litigationCount',
] as const;

export const MAX_EMAIL_LENGTH = 254;
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:".]+(\.[^\s@<>()[\]\\,;:".]+)+$/;
/** Industry codes such as ISIC/NACE "C", "C28" or "C28.1" (upper case, digits and dots). */
export const INDUSTRY_RE = /^[A-Z0-9][A-Z0-9.]{0,15}$/;
const RATING_RE = /^[A-Za-z0-9+-]{1,16}$/;
export const MAX_LITIGATION_COUNT = 100_000;
export const MAX_REPORT_SCORE = 1_000_000;

function email(v: unknown, path: string): string {
  if (typeof v !== 'string')
    throw new Reject('BAD_FIELD', `${path}: expected an e-mail address, got ${show(v)}`);
  if (v.length > MAX_EMAIL_LENGTH || !EMAIL_RE.test(v) || /\p{Cc}/u.test(v)) {
    throw new Reject('BAD_FIELD', `${path}: ${show(v)} is not an e-mail address`);
  }
  return v;
}

function object(v: unknown, path: string): Obj {
  if (!isObject(v)) throw new Reject('BAD_FIELD', `${path}: expected an object, got ${show(v)}`);
  return v;
}

function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Reject('BAD_FIELD', `${path}: expected an integer from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new Reject('BAD_FIELD', `${path}: expected one of ${values.join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** A date that has already happened by the event's own date (founding, balance sheet, report). */
function pastDate(v: unknown, path: string, eventDate: string): string {
  const d = date(v, path);
  if (d > eventDate) throw new Reject('BAD_FIELD', `${path}: ${d} is after the event's date ${eventDate}`);
  return d;
}

export const EDUCATION_LEVELS = [
  'none',
  'primary',
  'secondary',
  'vocational',
  'bachelor',
  'master',
  'doctorate',
] as const;
const NATIONAL_ID_RE = /^[A-Za-z0-9 ./-]{1,64}$/;

/** An individual's details (personal data): checked here in clear, sealed right after (libs/personal-data). */
function individual(v: unknown, eventDate: string): IndividualDetails {
  const path = 'payload.individual';
  const o = object(v, path);
  noExtraFields(
    o,
    ['fullName', 'nationalId', 'dateOfBirth', 'education', 'annualIncome', 'currency'],
    `${path}.`,
  );
  const out: IndividualDetails = {};
  const given = (k: string): unknown => optional(o, k);
  if (given('fullName') !== undefined) out.fullName = text(given('fullName'), `${path}.fullName`, 256);
  if (given('nationalId') !== undefined) {
    const n = given('nationalId');
    // Never quoted back: the value is personal.
    if (typeof n !== 'string' || !NATIONAL_ID_RE.test(n))
      throw new Reject(
        'BAD_FIELD',
        `${path}.nationalId: expected 1-64 characters of A-Z a-z 0-9 space . / -`,
      );
    out.nationalId = n;
  }
  if (given('dateOfBirth') !== undefined)
    out.dateOfBirth = pastDate(given('dateOfBirth'), `${path}.dateOfBirth`, eventDate);
  if (given('education') !== undefined)
    out.education = oneOf(given('education'), `${path}.education`, EDUCATION_LEVELS);
  const income = given('annualIncome');
  const cur = given('currency');
  if ((income === undefined) !== (cur === undefined)) {
    throw new Reject(
      'MISSING_FIELD',
      `missing field ${path}.${income === undefined ? 'annualIncome' : 'currency'} (annualIncome comes with its currency)`,
    );
  }
  if (income !== undefined) {
    out.currency = currency(cur, `${path}.currency`);
    out.annualIncome = formatAmount(amount(income, `${path}.annualIncome`, out.currency, true), out.currency);
  }
  if (Object.keys(out).length === 0) throw new Reject('BAD_FIELD', `${path}: names none of its fields`);
  return out;
}

function registration(v: unknown, eventDate: string): Registration {
  const path = 'payload.registration';
  const o = object(v, path);
  noExtraFields(o, ['registeredCapital', 'currency', 'foundedOn', 'taxRegistered'], `${path}.`);
  const out: Registration = {};
  const capital = optional(o, 'registeredCapital');
  const cur = optional(o, 'currency');
  if ((capital === undefined) !== (cur === undefined)) {
    throw new Reject(
      'MISSING_FIELD',
      `missing field ${path}.${capital === undefined ? 'registeredCapital' : 'currency'} (registeredCapital comes with its currency)`,
    );
  }
  if (capital !== undefined) {
    out.currency = currency(cur, `${path}.currency`);
    out.registeredCapital = amount(capital, `${path}.registeredCapital`, out.currency, true);
  }
  const founded = optional(o, 'foundedOn');
  if (founded !== undefined) out.foundedOn = pastDate(founded, `${path}.foundedOn`, eventDate);
  const tax = optional(o, 'taxRegistered');
  if (tax !== undefined) {
    if (typeof tax !== 'boolean')
      throw new Reject('BAD_FIELD', `${path}.taxRegistered: expected true or false, got ${show(tax)}`);
    out.taxRegistered = tax;
  }
  if (Object.keys(out).length === 0) throw new Reject('BAD_FIELD', `${path}: names none of its fields`);
  return out;
}

function financials(v: unknown, eventDate: string): Financials {
  const path = 'payload.financials';
  const o = object(v, path);
  const amounts = [
    'totalAssets',
    'totalLiabilities',
    'currentAssets',
    'currentLiabilities',
    'revenue',
  ] as const;
  noExtraFields(o, ['asOf', 'currency', ...amounts, 'netIncome', 'operatingCashFlow'], `${path}.`);
  const f = (k: string): unknown => required(o, k, `${path}.${k}`);
  const asOf = pastDate(f('asOf'), `${path}.asOf`, eventDate);
  const cur = currency(f('currency'), `${path}.currency`);
  const a = (k: (typeof amounts)[number]): bigint => amount(f(k), `${path}.${k}`, cur, true);
  const out: Financials = {
    asOf,
    currency: cur,
    totalAssets: a('totalAssets'),
    totalLiabilities: a('totalLiabilities'),
    currentAssets: a('currentAssets'),
    currentLiabilities: a('currentLiabilities'),
    revenue: a('revenue'),
    netIncome: signedAmount(f('netIncome'), `${path}.netIncome`, cur),
  };
  if (out.currentAssets > out.totalAssets) {
    throw new Reject('BAD_FIELD', `${path}.currentAssets: more than ${path}.totalAssets`);
  }
  if (out.currentLiabilities > out.totalLiabilities) {
    throw new Reject('BAD_FIELD', `${path}.currentLiabilities: more than ${path}.totalLiabilities`);
  }
  const cash = optional(o, 'operatingCashFlow');
  if (cash !== undefined) out.operatingCashFlow = signedAmount(cash, `${path}.operatingCashFlow`, cur);
  return out;
}

/** The credit-file fields present in `p` (already checked for unknown fields by the caller). */
function profileFields(p: Obj, eventDate: string): ProfileFields {
  const P = 'payload.';
  const out: ProfileFields = {};
  const given = (k: (typeof PROFILE_FIELDS)[number]): unknown => optional(p, k);
  if (given('customerType') !== undefined) {
    out.customerType = oneOf<CustomerType>(given('customerType'), `${P}customerType`, CUSTOMER_TYPES);
  }
  if (given('customerSince') !== undefined) {
    out.customerSince = pastDate(given('customerSince'), `${P}customerSince`, eventDate);
  }
  if (given('accountOwner') !== undefined) {
    const path = `${P}accountOwner`;
    const o = object(given('accountOwner'), path);
    noExtraFields(o, ['id', 'name', 'email'], `${path}.`);
    out.accountOwner = {
      id: id(required(o, 'id', `${path}.id`), `${path}.id`),
      name: text(required(o, 'name', `${path}.name`), `${path}.name`, MAX_TEXT_LENGTH),
    };
    const mail = optional(o, 'email');
    if (mail !== undefined) out.accountOwner.email = email(mail, `${path}.email`);
  }
  if (given('contactEmail') !== undefined)
    out.contactEmail = email(given('contactEmail'), `${P}contactEmail`);
  if (given('individual') !== undefined) out.individual = individual(given('individual'), eventDate);
  if (given('industry') !== undefined) {
    const v = given('industry');
    if (typeof v !== 'string' || !INDUSTRY_RE.test(v)) {
      throw new Reject(
        'BAD_FIELD',
        `${P}industry: ${show(v)} is not an industry code (1-16 characters of A-Z 0-9 ., e.g. "C28")`,
      );
    }
    out.industry = v;
  }
  if (given('registration') !== undefined) out.registration = registration(given('registration'), eventDate);
  if (given('financials') !== undefined) out.financials = financials(given('financials'), eventDate);
  if (given('litigationCount') !== undefined) {
    out.litigationCount = integer(given('litigationCount'), `${P}litigationCount`, 0, MAX_LITIGATION_COUNT);
  }
  return out;
}

/** The currency of the profile's amounts must be one (the customer's): registration and financials agree. */
function profileCurrency(fields: ProfileFields, expected: string | null): void {
  for (const [path, cur] of [
    ['payload.registration.currency', fields.registration?.currency],
    ['payload.financials.currency', fields.financials?.currency],
    ['payload.individual.currency', fields.individual?.currency],
  ] as const) {
    if (cur === undefined) continue;
    if (expected !== null && cur !== expected) {
      throw new Reject('CURRENCY_MISMATCH', `${path}: ${cur} differs from ${expected}`);
    }
    expected = cur;
  }
}

function payloadOf(
  type: EventType,
  p: Obj,
  eventDate: string,
  notAfter: string | undefined,
): BillingEvent['payload'] {
  const P = 'payload.';
  const f = (k: string): unknown => required(p, k, P + k);
  switch (type) {
    case 'CustomerOnboarded': {
      noExtraFields(p, ['name', 'currency', 'creditLimit', ...PROFILE_FIELDS], P);
      const name = text(f('name'), 'payload.name', MAX_TEXT_LENGTH);
      const cur = currency(f('currency'), 'payload.currency');
      const limit = optional(p, 'creditLimit');
      const profile = profileFields(p, eventDate);
      profileCurrency(profile, cur);
      return limit === undefined
        ? { name, currency: cur, ...profile }
        : { name, currency: cur, creditLimit: amount(limit, 'payload.creditLimit', cur, true), ...profile };
    }
    case 'CustomerProfileUpdated': {
      noExtraFields(p, ['name', ...PROFILE_FIELDS], P);
      const profile = profileFields(p, eventDate);
      profileCurrency(profile, null);
      const name = optional(p, 'name');
      const out =
        name === undefined ? profile : { name: text(name, 'payload.name', MAX_TEXT_LENGTH), ...profile };
      if (Object.keys(out).length === 0) {
        throw new Reject(
          'MISSING_FIELD',
          `payload: names no field to update (name, ${PROFILE_FIELDS.join(', ')})`,
        );
      }
      return out;
    }
    case 'ExternalCreditReportReceived': {
      noExtraFields(p, ['agency', 'reportId', 'score', 'rating', 'reportedOn', 'validUntil'], P);
      const agency = id(f('agency'), 'payload.agency');
      const reportId = id(f('reportId'), 'payload.reportId');
      const reportedOn = pastDate(f('reportedOn'), 'payload.reportedOn', eventDate);
      const validUntil = date(f('validUntil'), 'payload.validUntil');
      if (validUntil < reportedOn) {
        throw new Reject(
          'BAD_FIELD',
          `payload.validUntil: ${validUntil} is before payload.reportedOn ${reportedOn}`,
        );
      }
      const score = optional(p, 'score');
      const rating = optional(p, 'rating');
      if (score === undefined && rating === undefined) {
        throw new Reject(
          'MISSING_FIELD',
          'missing field payload.score or payload.rating (a report carries one)',
        );
      }
      const out: PayloadMap['ExternalCreditReportReceived'] = { agency, reportId, reportedOn, validUntil };
      if (score !== undefined) out.score = integer(score, 'payload.score', 0, MAX_REPORT_SCORE);
      if (rating !== undefined) {
        if (typeof rating !== 'string' || !RATING_RE.test(rating)) {
          throw new Reject(
            'BAD_FIELD',
            `payload.rating: ${show(rating)} is not a rating (1-16 characters of A-Z a-z 0-9 + -)`,
          );
        }
        out.rating = rating;
      }
      return out;
    }
    case 'ComplaintRecorded':
      noExtraFields(p, ['complaintId', 'category', 'severity'], P);
      return {
        complaintId: id(f('complaintId'), 'payload.complaintId'),
        category: text(f('category'), 'payload.category', MAX_CATEGORY_LENGTH),
        severity: oneOf<ComplaintSeverity>(f('severity'), 'payload.severity', COMPLAINT_SEVERITIES),
      };
    case 'InvoiceIssued': {
      noExtraFields(
        p,
        ['invoiceId', 'amount', 'currency', 'issuedOn', 'dueOn', 'paymentTermsDays', 'orderId'],
        P,
      );
      const invoiceId = id(f('invoiceId'), 'payload.invoiceId');
      const cur = currency(f('currency'), 'payload.currency');
      const amt = amount(f('amount'), 'payload.amount', cur);
      const issuedOn = notFuture(date(f('issuedOn'), 'payload.issuedOn'), 'payload.issuedOn', notAfter);
      const dueOn = date(f('dueOn'), 'payload.dueOn');
      if (dueOn < issuedOn) {
        throw new Reject('BAD_FIELD', `payload.dueOn: ${dueOn} is before payload.issuedOn ${issuedOn}`);
      }
      const paymentTermsDays = paymentTerms(f('paymentTermsDays'), issuedOn, dueOn);
      const orderId = optional(p, 'orderId');
      const base = { invoiceId, amount: amt, currency: cur, issuedOn, dueOn, paymentTermsDays };
      return orderId === undefined ? base : { ...base, orderId: id(orderId, 'payload.orderId') };
    }
    case 'CreditNoteIssued': {
      noExtraFields(p, ['creditNoteId', 'invoiceId', 'amount', 'currency'], P);
      const creditNoteId = id(f('creditNoteId'), 'payload.creditNoteId');
      const invoiceId = id(f('invoiceId'), 'payload.invoiceId');
      const cur = currency(f('currency'), 'payload.currency');
      return { creditNoteId, invoiceId, amount: amount(f('amount'), 'payload.amount', cur), currency: cur };
    }
    case 'PaymentReceived': {
      noExtraFields(p, ['paymentId', 'amount', 'currency', 'receivedOn', 'allocations'], P);
      const paymentId = id(f('paymentId'), 'payload.paymentId');
      const cur = currency(f('currency'), 'payload.currency');
      const amt = amount(f('amount'), 'payload.amount', cur);
      const receivedOn = notFuture(
        date(f('receivedOn'), 'payload.receivedOn'),
        'payload.receivedOn',
        notAfter,
      );
      const out: PaymentReceivedPayload = { paymentId, amount: amt, currency: cur, receivedOn };
      const raw = optional(p, 'allocations');
      if (raw !== undefined) {
        if (!Array.isArray(raw)) {
          throw new Reject('BAD_FIELD', `payload.allocations: expected an array, got ${show(raw)}`);
        }
        const allocations: PaymentAllocation[] = [];
        const seen = new Set<string>();
        raw.forEach((item: unknown, i) => {
          const path = `payload.allocations[${i}]`;
          if (!isObject(item))
            throw new Reject('BAD_FIELD', `${path}: expected an object, got ${show(item)}`);
          noExtraFields(item, ['invoiceId', 'amount'], `${path}.`);
          const invoiceId = id(required(item, 'invoiceId', `${path}.invoiceId`), `${path}.invoiceId`);
          if (seen.has(invoiceId)) {
            throw new Reject(
              'BAD_FIELD',
              `${path}.invoiceId: invoice ${invoiceId} is allocated more than once`,
            );
          }
          seen.add(invoiceId);
          allocations.push({
            invoiceId,
            amount: amount(required(item, 'amount', `${path}.amount`), `${path}.amount`, cur),
          });
        });
        if (allocations.length > 0) out.allocations = allocations;
      }
      return out;
    }
    case 'PaymentReversed':
      noExtraFields(p, ['paymentId', 'reason'], P);
      return {
        paymentId: id(f('paymentId'), 'payload.paymentId'),
        reason: text(f('reason'), 'payload.reason', MAX_TEXT_LENGTH),
      };
    case 'OrderPlaced': {
      noExtraFields(p, ['orderId', 'amount', 'currency', 'paymentMethod'], P);
      const orderId = id(f('orderId'), 'payload.orderId');
      const cur = currency(f('currency'), 'payload.currency');
      const base = { orderId, amount: amount(f('amount'), 'payload.amount', cur), currency: cur };
      const method = optional(p, 'paymentMethod');
      // 'credit' is the default, stored as absent: one form per meaning (and per content hash).
      return method === undefined || oneOf(method, 'payload.paymentMethod', PAYMENT_METHODS) === 'credit'
        ? base
        : { ...base, paymentMethod: 'cash' };
    }
    case 'OrderCancelled':
      noExtraFields(p, ['orderId'], P);
      return { orderId: id(f('orderId'), 'payload.orderId') };
    case 'DisputeOpened':
      noExtraFields(p, ['invoiceId', 'reason'], P);
      return {
        invoiceId: id(f('invoiceId'), 'payload.invoiceId'),
        reason: text(f('reason'), 'payload.reason', MAX_TEXT_LENGTH),
      };
    case 'DisputeResolved':
    case 'InvoiceWrittenOff':
      noExtraFields(p, ['invoiceId'], P);
      return { invoiceId: id(f('invoiceId'), 'payload.invoiceId') };
  }
}

const ENVELOPE_FIELDS = [
  'eventId',
  'type',
  'version',
  'customerId',
  'occurredAt',
  'source',
  'payload',
] as const;

function parseObject(input: unknown, opts: ParseOptions): BillingEvent {
  if (!isObject(input)) throw new Reject('NOT_AN_OBJECT', `event must be a JSON object, got ${show(input)}`);
  const type = required(input, 'type', 'type');
  if (typeof type !== 'string') throw new Reject('BAD_FIELD', `type: expected a string, got ${show(type)}`);
  if (!isEventType(type)) throw new Reject('UNKNOWN_TYPE', `type: ${show(type)} is not a known event type`);
  const version = required(input, 'version', 'version');
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new Reject('BAD_FIELD', `version: expected an integer, got ${show(version)}`);
  }
  const up = upcast(input, type, version, opts.upcasters ?? UPCASTERS);
  if (!up.ok) throw new Reject(up.code, up.reason);
  const raw = up.raw;
  noExtraFields(raw, ENVELOPE_FIELDS, '');
  const eventId = id(required(raw, 'eventId', 'eventId'), 'eventId');
  const customerId = id(required(raw, 'customerId', 'customerId'), 'customerId');
  const occurredRaw = required(raw, 'occurredAt', 'occurredAt');
  const occurredAt = typeof occurredRaw === 'string' ? normaliseInstant(occurredRaw) : null;
  if (occurredAt === null) {
    throw new Reject(
      'BAD_FIELD',
      `occurredAt: ${show(occurredRaw)} is not an ISO-8601 timestamp with time and zone (e.g. "2026-03-01T10:00:00Z")`,
    );
  }
  if (opts.notAfter !== undefined && occurredAt > opts.notAfter) {
    throw new Reject(
      'FUTURE_EVENT',
      `occurredAt: ${occurredAt} is after ${opts.notAfter}, the latest instant accepted now (the ledger's clock plus the tolerance)`,
    );
  }
  const source = text(required(raw, 'source', 'source'), 'source', MAX_SOURCE_LENGTH);
  if (source === RESERVED_SOURCE) {
    throw new Reject('BAD_FIELD', `source: ${show(source)} is reserved for the ledger's own control events`);
  }
  if (opts.key !== undefined && opts.key !== customerId) {
    throw new Reject(
      'KEY_MISMATCH',
      opts.key === null
        ? `message has no key; the key must be the customerId ${show(customerId)}`
        : `message key ${show(opts.key)} differs from customerId ${show(customerId)}`,
    );
  }
  const payload = required(raw, 'payload', 'payload');
  if (!isObject(payload)) throw new Reject('BAD_FIELD', `payload: expected an object, got ${show(payload)}`);
  return {
    eventId,
    type,
    version: raw.version as number,
    customerId,
    occurredAt,
    source,
    payload: payloadOf(type, payload, occurredAt.slice(0, 10), opts.notAfter),
  } as BillingEvent;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** An unpaired UTF-16 surrogate: JSON.parse accepts "\ud800", PostgreSQL's jsonb and UTF-8 text cannot hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text (NUL, lone surrogate), or null. */
export function unstorableText(s: string): string | null {
  const nul = s.indexOf('\u0000');
  if (nul >= 0) return `contains a NUL character (U+0000) at position ${nul}`;
  return LONE_SURROGATE.test(s) ? 'contains an unpaired UTF-16 surrogate' : null;
}

/** Every string (keys too) of a parsed JSON value must be storable text; throws BAD_ENCODING naming the path. */
function checkStrings(v: unknown, path: string): void {
  if (typeof v === 'string') {
    const why = unstorableText(v);
    if (why) throw new Reject('BAD_ENCODING', `${path || 'message'}: ${why}`);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => checkStrings(x, `${path}[${i}]`));
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      const why = unstorableText(k);
      if (why) throw new Reject('BAD_ENCODING', `${path || 'message'}: a field name ${why}`);
      checkStrings(x, path ? `${path}.${k}` : k);
    }
  }
}

/** Decodes message bytes as strict UTF-8 (no NUL); `what` names them in the reason. */
export function decodeText(
  bytes: Uint8Array,
  what: string,
): { ok: true; text: string } | { ok: false; reason: string } {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, reason: `${what} is not valid UTF-8` };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { ok: false, reason: `${what} contains a NUL byte at character ${nul}` };
  return { ok: true, text };
}

/**
 * Parses and validates a v1 wire event (JSON text, a Buffer/Uint8Array of UTF-8 JSON, or an
 * already parsed value). Upcasters run before validation. Never throws.
 */
export function parseEvent(raw: string | Uint8Array | unknown, opts: ParseOptions = {}): ParseResult {
  let value: unknown = raw;
  try {
    if (raw instanceof Uint8Array) {
      const d = decodeText(raw, 'message');
      if (!d.ok) return { ok: false, code: 'BAD_ENCODING', reason: d.reason };
      value = d.text;
    }
    if (typeof value === 'string') {
      const nul = value.indexOf('\u0000');
      if (nul >= 0)
        return { ok: false, code: 'BAD_ENCODING', reason: `message contains a NUL byte at character ${nul}` };
      try {
        value = JSON.parse(value);
      } catch (e) {
        return {
          ok: false,
          code: 'BAD_JSON',
          reason: `message is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
    }
    // Before validation: a reason quoting the value must itself be storable.
    checkStrings(value, '');
    return { ok: true, event: parseObject(value, opts) };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, code: e.code, reason: e.reason, ids: idsOf(value) };
    throw e;
  }
}

/** Best effort: which event a rejected message was, so an operator can find the customer it concerned. */
function idsOf(value: unknown): EnvelopeIds | undefined {
  if (!isObject(value)) return undefined;
  const ids: EnvelopeIds = {};
  const ok = (v: unknown, max: number): v is string =>
    typeof v === 'string' && v.length > 0 && v.length <= max && unstorableText(v) === null;
  if (ok(value.eventId, 128) && ID_RE.test(value.eventId)) ids.eventId = value.eventId;
  if (ok(value.customerId, 128) && ID_RE.test(value.customerId)) ids.customerId = value.customerId;
  if (ok(value.source, MAX_SOURCE_LENGTH)) ids.source = value.source;
  return Object.keys(ids).length ? ids : undefined;
}
