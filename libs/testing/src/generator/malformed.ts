import { Mulberry32, normalizeSeed, Rng } from './rng';
import { MalformedMessage } from './types';

export const MALFORMED_CODES = [
  'BAD_JSON',
  'NOT_AN_OBJECT',
  'UNKNOWN_TYPE',
  'UNSUPPORTED_VERSION',
  'MISSING_FIELD',
  'BAD_FIELD',
  'BAD_AMOUNT',
  'UNKNOWN_CURRENCY',
  'KEY_MISMATCH',
  'CURRENCY_MISMATCH',
] as const;
export type MalformedCode = (typeof MALFORMED_CODES)[number];

type Json = Record<string, unknown>;

interface Ctx {
  rng: Rng;
  seed: number;
  i: number;
  /** An existing EUR customer (from the caller's list). */
  customerId: string;
  /** A different customer id for KEY_MISMATCH. */
  otherCustomerId: string;
}

interface Variant {
  note: string;
  build(c: Ctx): { key: string | null; value: string };
}

const BASE_MS = Date.parse('2026-03-01T09:00:00.000Z');

function envelope(c: Ctx, type: string, payload: Json, customerId = c.customerId): Json {
  return {
    eventId: `bad-${c.seed}-${c.i}`,
    type,
    version: 1,
    customerId,
    occurredAt: new Date(BASE_MS + c.i * 60_000).toISOString(),
    source: 'billing-eu',
    payload,
  };
}

function invoice(c: Ctx, patch: Json = {}): Json {
  return envelope(c, 'InvoiceIssued', {
    invoiceId: `bad-inv-${c.seed}-${c.i}`,
    amount: '100.00',
    currency: 'EUR',
    issuedOn: '2026-03-01',
    dueOn: '2026-03-31',
    ...patch,
  });
}

function payment(c: Ctx, patch: Json = {}): Json {
  return envelope(c, 'PaymentReceived', {
    paymentId: `bad-pay-${c.seed}-${c.i}`,
    amount: '250.00',
    currency: 'EUR',
    receivedOn: '2026-03-01',
    ...patch,
  });
}

/** A brand-new customer id so a malformed onboarding never duplicates a real one. */
function freshCustomer(c: Ctx): string {
  return `C-BAD-${c.seed}-${c.i}`;
}

function onboarding(c: Ctx, patch: Json = {}): { key: string; value: string } {
  const id = freshCustomer(c);
  const ev = envelope(c, 'CustomerOnboarded', { name: 'Broken Data Ltd', currency: 'EUR', ...patch }, id);
  return { key: id, value: JSON.stringify(ev) };
}

function msg(c: Ctx, ev: Json): { key: string; value: string } {
  return { key: c.customerId, value: JSON.stringify(ev) };
}

function without(obj: Json, field: string): Json {
  const copy = { ...obj };
  delete copy[field];
  return copy;
}

function withoutPayload(ev: Json, field: string): Json {
  return { ...ev, payload: without(ev.payload as Json, field) };
}

const VARIANTS: Record<MalformedCode, Variant[]> = {
  BAD_JSON: [
    {
      note: 'truncated JSON',
      build: (c) => ({ key: c.customerId, value: JSON.stringify(invoice(c)).slice(0, 57) }),
    },
    { note: 'empty value', build: (c) => ({ key: c.customerId, value: '' }) },
    { note: 'plain text', build: (c) => ({ key: c.customerId, value: 'not json at all' }) },
    {
      note: 'trailing comma',
      build: (c) => ({ key: c.customerId, value: `{"eventId":"bad-${c.seed}-${c.i}",}` }),
    },
    {
      note: 'single-quoted keys',
      build: (c) => ({ key: c.customerId, value: `{'eventId': 'bad-${c.seed}-${c.i}'}` }),
    },
    { note: 'lone brace', build: (c) => ({ key: c.customerId, value: '{' }) },
  ],
  NOT_AN_OBJECT: [
    { note: 'a number', build: (c) => ({ key: c.customerId, value: '42' }) },
    { note: 'an array', build: (c) => ({ key: c.customerId, value: '[1]' }) },
    { note: 'a string', build: (c) => ({ key: c.customerId, value: '"x"' }) },
    { note: 'null', build: (c) => ({ key: c.customerId, value: 'null' }) },
    { note: 'a boolean', build: (c) => ({ key: c.customerId, value: 'true' }) },
    {
      note: 'an array holding an event',
      build: (c) => ({ key: c.customerId, value: JSON.stringify([invoice(c)]) }),
    },
  ],
  UNKNOWN_TYPE: [
    { note: "type 'InvoiceDeleted'", build: (c) => msg(c, { ...invoice(c), type: 'InvoiceDeleted' }) },
    { note: "type 'PaymentRefunded'", build: (c) => msg(c, { ...payment(c), type: 'PaymentRefunded' }) },
    {
      note: "type 'invoiceIssued' (wrong case)",
      build: (c) => msg(c, { ...invoice(c), type: 'invoiceIssued' }),
    },
  ],
  UNSUPPORTED_VERSION: [
    { note: 'version 9', build: (c) => msg(c, { ...invoice(c), version: 9 }) },
    { note: 'version 2', build: (c) => msg(c, { ...payment(c), version: 2 }) },
    { note: 'version 0', build: (c) => msg(c, { ...invoice(c), version: 0 }) },
  ],
  MISSING_FIELD: [
    { note: 'eventId missing', build: (c) => msg(c, without(invoice(c), 'eventId')) },
    { note: 'payload.dueOn missing', build: (c) => msg(c, withoutPayload(invoice(c), 'dueOn')) },
    { note: 'occurredAt missing', build: (c) => msg(c, without(invoice(c), 'occurredAt')) },
    { note: 'payload.amount missing', build: (c) => msg(c, withoutPayload(payment(c), 'amount')) },
    { note: 'payload missing', build: (c) => msg(c, without(invoice(c), 'payload')) },
    { note: 'source missing', build: (c) => msg(c, without(payment(c), 'source')) },
    { note: 'payload.invoiceId missing', build: (c) => msg(c, withoutPayload(invoice(c), 'invoiceId')) },
    {
      note: 'CustomerOnboarded without name (new customer id)',
      build: (c) => onboarding(c, { name: undefined }),
    },
  ],
  BAD_FIELD: [
    { note: "occurredAt 'yesterday'", build: (c) => msg(c, { ...invoice(c), occurredAt: 'yesterday' }) },
    { note: "dueOn '2026-13-45'", build: (c) => msg(c, invoice(c, { dueOn: '2026-13-45' })) },
    { note: "issuedOn '2026-02-30'", build: (c) => msg(c, invoice(c, { issuedOn: '2026-02-30' })) },
    {
      note: 'invoiceId with spaces',
      build: (c) => msg(c, invoice(c, { invoiceId: `bad inv ${c.seed} ${c.i}` })),
    },
    {
      note: 'eventId with spaces',
      build: (c) => msg(c, { ...invoice(c), eventId: `bad-${c.seed}-${c.i} x` }),
    },
    {
      note: 'paymentId longer than 128 characters',
      build: (c) => msg(c, payment(c, { paymentId: `bad-pay-${c.seed}-${c.i}-`.padEnd(129, 'x') })),
    },
    { note: "receivedOn '01/03/2026'", build: (c) => msg(c, payment(c, { receivedOn: '01/03/2026' })) },
    { note: 'dueOn as a number', build: (c) => msg(c, invoice(c, { dueOn: 20260331 })) },
  ],
  BAD_AMOUNT: [
    { note: "amount '12,50'", build: (c) => msg(c, invoice(c, { amount: '12,50' })) },
    { note: "amount '-5.00'", build: (c) => msg(c, invoice(c, { amount: '-5.00' })) },
    { note: "amount '1.234' for EUR (3 decimals)", build: (c) => msg(c, invoice(c, { amount: '1.234' })) },
    { note: "amount '1e3'", build: (c) => msg(c, payment(c, { amount: '1e3' })) },
    { note: "amount '+10.00'", build: (c) => msg(c, payment(c, { amount: '+10.00' })) },
    { note: "amount 'abc'", build: (c) => msg(c, payment(c, { amount: 'abc' })) },
  ],
  UNKNOWN_CURRENCY: [
    { note: "InvoiceIssued in 'XYZ'", build: (c) => msg(c, invoice(c, { currency: 'XYZ' })) },
    { note: "PaymentReceived in 'XYZ'", build: (c) => msg(c, payment(c, { currency: 'XYZ' })) },
    {
      note: "CustomerOnboarded in 'XYZ' (new customer id)",
      build: (c) => onboarding(c, { currency: 'XYZ' }),
    },
  ],
  KEY_MISMATCH: [
    {
      note: 'key is another customer',
      build: (c) => ({ key: c.otherCustomerId, value: JSON.stringify(invoice(c)) }),
    },
    { note: 'key missing (null)', build: (c) => ({ key: null, value: JSON.stringify(payment(c)) }) },
  ],
  CURRENCY_MISMATCH: [
    {
      note: 'InvoiceIssued in USD for a EUR customer',
      build: (c) => msg(c, invoice(c, { currency: 'USD' })),
    },
    {
      note: 'PaymentReceived in GBP for a EUR customer',
      build: (c) => msg(c, payment(c, { currency: 'GBP' })),
    },
  ],
};

/**
 * A deterministic mix of invalid Kafka messages, each with exactly one defect, covering every
 * MALFORMED_CODES entry once `count >= 10` (codes cycle, then the order is shuffled).
 *
 * `customerIds` MUST be ids of customers onboarded in EUR (e.g. from
 * `customerIdsWithCurrency(opts, 'EUR')`): messages reuse them (with EUR payloads) so that the
 * only thing wrong is the intended defect, and CURRENCY_MISMATCH (a USD/GBP event for a EUR
 * customer) is the one case that needs that customer's onboarding to be detected. All other
 * messages can be rejected in isolation. Event ids start with 'bad-' and are unique per (seed, i);
 * malformed onboardings use fresh ids 'C-BAD-<seed>-<i>' so they never collide with real customers.
 */
export function generateMalformed(count: number, seed: number, customerIds: string[]): MalformedMessage[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer`);
  const s = normalizeSeed(seed);
  const rng = new Mulberry32(s ^ 0x5bd1e995);
  const ids = customerIds.length > 0 ? customerIds : ['C-000001'];
  const codes: MalformedCode[] = [];
  for (let i = 0; i < count; i++) codes.push(MALFORMED_CODES[i % MALFORMED_CODES.length]);
  for (let i = codes.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [codes[i], codes[j]] = [codes[j], codes[i]];
  }
  return codes.map((code, i) => {
    const customerId = rng.pick(ids);
    let otherCustomerId = rng.pick(ids);
    if (otherCustomerId === customerId) otherCustomerId = `${customerId}-OTHER`;
    const variant = rng.pick(VARIANTS[code]);
    const { key, value } = variant.build({ rng, seed: s, i, customerId, otherCustomerId });
    return { key, value, expectedCode: code, note: variant.note };
  });
}
