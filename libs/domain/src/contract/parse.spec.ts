import { parseEvent, type ParseResult } from './parse';
import { CURRENT_VERSIONS, UPCASTER_DEFINITIONS, createUpcasterRegistry } from './upcasters';

const base = {
  eventId: 'evt-1',
  type: 'InvoiceIssued',
  version: 1,
  customerId: 'C-1',
  occurredAt: '2026-03-01T10:00:00Z',
  source: 'billing-eu',
};
const invoicePayload = {
  invoiceId: 'INV-1',
  amount: '1250.00',
  currency: 'EUR',
  issuedOn: '2026-03-01',
  dueOn: '2026-03-31',
};

function invoice(payload: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) {
  return { ...base, ...envelope, payload: { ...invoicePayload, ...payload } };
}

function failure(r: ParseResult): { code: string; reason: string } {
  if (r.ok) throw new Error('expected a failure');
  return { code: r.code, reason: r.reason };
}

describe('parseEvent: valid events', () => {
  it('parses an invoice, amounts to minor units and occurredAt normalised', () => {
    const r = parseEvent(JSON.stringify(invoice({ orderId: 'ORD-7' })));
    expect(r).toEqual({
      ok: true,
      event: {
        eventId: 'evt-1',
        type: 'InvoiceIssued',
        version: 2, // v1 on the wire, upcast to the current version
        customerId: 'C-1',
        occurredAt: '2026-03-01T10:00:00.000Z',
        source: 'billing-eu',
        payload: {
          invoiceId: 'INV-1',
          amount: 125000n, // 1250.00 EUR
          currency: 'EUR',
          issuedOn: '2026-03-01',
          dueOn: '2026-03-31',
          paymentTermsDays: 30,
          orderId: 'ORD-7',
        },
      },
    });
  });

  it('accepts a Buffer and an already parsed object, and checks the message key', () => {
    const json = JSON.stringify(invoice());
    expect(parseEvent(Buffer.from(json, 'utf8'), { key: 'C-1' }).ok).toBe(true);
    expect(parseEvent(invoice(), { key: 'C-1' }).ok).toBe(true);
    expect(parseEvent(invoice()).ok).toBe(true); // key not given: not checked
  });

  it('parses every type', () => {
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['CustomerOnboarded', { name: 'Acme', currency: 'EUR' }, { name: 'Acme', currency: 'EUR' }],
      [
        'CustomerOnboarded',
        { name: 'Acme', currency: 'EUR', creditLimit: '0' },
        { name: 'Acme', currency: 'EUR', creditLimit: 0n },
      ],
      [
        'CreditNoteIssued',
        { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '10', currency: 'EUR' },
        { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: 1000n, currency: 'EUR' },
      ],
      [
        'PaymentReceived',
        {
          paymentId: 'PAY-1',
          amount: '100.00',
          currency: 'EUR',
          receivedOn: '2026-03-02',
          allocations: [{ invoiceId: 'INV-1', amount: '60.5' }],
        },
        {
          paymentId: 'PAY-1',
          amount: 10000n,
          currency: 'EUR',
          receivedOn: '2026-03-02',
          allocations: [{ invoiceId: 'INV-1', amount: 6050n }],
        },
      ],
      [
        'PaymentReceived',
        { paymentId: 'PAY-2', amount: '1', currency: 'JPY', receivedOn: '2026-03-02', allocations: [] },
        { paymentId: 'PAY-2', amount: 1n, currency: 'JPY', receivedOn: '2026-03-02' },
      ],
      [
        'PaymentReversed',
        { paymentId: 'PAY-1', reason: 'bounced' },
        { paymentId: 'PAY-1', reason: 'bounced' },
      ],
      [
        'OrderPlaced',
        { orderId: 'ORD-1', amount: '0.001', currency: 'KWD' },
        { orderId: 'ORD-1', amount: 1n, currency: 'KWD' },
      ],
      ['OrderCancelled', { orderId: 'ORD-1' }, { orderId: 'ORD-1' }],
      ['DisputeOpened', { invoiceId: 'INV-1', reason: 'damaged' }, { invoiceId: 'INV-1', reason: 'damaged' }],
      ['DisputeResolved', { invoiceId: 'INV-1' }, { invoiceId: 'INV-1' }],
      ['InvoiceWrittenOff', { invoiceId: 'a.b_c:d/e-F9' }, { invoiceId: 'a.b_c:d/e-F9' }],
    ];
    for (const [type, payload, expected] of cases) {
      const r = parseEvent({ ...base, type, payload });
      expect(r.ok ? r.event.payload : r).toEqual(expected);
    }
  });

  it('treats null optional fields as absent', () => {
    const r = parseEvent(invoice({ orderId: null }));
    expect(r.ok && 'orderId' in r.event.payload).toBe(false);
  });
});

describe('parseEvent: currency exponents', () => {
  it('rejects "1.5" JPY and "1.234" EUR, accepts "1.234" KWD', () => {
    expect(failure(parseEvent(invoice({ amount: '1.5', currency: 'JPY' })))).toEqual({
      code: 'BAD_AMOUNT',
      reason: 'payload.amount: "1.5" has 1 decimal but JPY allows 0',
    });
    expect(failure(parseEvent(invoice({ amount: '1.234' })))).toEqual({
      code: 'BAD_AMOUNT',
      reason: 'payload.amount: "1.234" has 3 decimals but EUR allows 2',
    });
    const kwd = parseEvent(invoice({ amount: '1.234', currency: 'KWD' }));
    expect(kwd.ok && kwd.event.type === 'InvoiceIssued' && kwd.event.payload.amount).toBe(1234n);
  });
});

describe('parseEvent: every reject code', () => {
  const cases: [string, unknown, { key?: string | null }, string, string][] = [
    ['bad JSON', '{"eventId":', {}, 'BAD_JSON', 'message is not valid JSON: '],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), {}, 'BAD_ENCODING', 'message is not valid UTF-8'],
    ['array', '[]', {}, 'NOT_AN_OBJECT', 'event must be a JSON object, got an array'],
    ['number', '42', {}, 'NOT_AN_OBJECT', 'event must be a JSON object, got number 42'],
    ['null', 'null', {}, 'NOT_AN_OBJECT', 'event must be a JSON object, got null'],
    ['missing type', { ...base, type: undefined }, {}, 'MISSING_FIELD', 'missing field type'],
    [
      'unknown type',
      invoice({}, { type: 'InvoiceCreated' }),
      {},
      'UNKNOWN_TYPE',
      'type: "InvoiceCreated" is not',
    ],
    ['missing version', invoice({}, { version: undefined }), {}, 'MISSING_FIELD', 'missing field version'],
    [
      'string version',
      invoice({}, { version: '1' }),
      {},
      'BAD_FIELD',
      'version: expected an integer, got "1"',
    ],
    [
      'version 3',
      invoice({}, { version: 3 }),
      {},
      'UNSUPPORTED_VERSION',
      'InvoiceIssued version 3 is not supported',
    ],
    [
      'version 0',
      invoice({}, { version: 0 }),
      {},
      'UNSUPPORTED_VERSION',
      'InvoiceIssued version 0 is not supported',
    ],
    ['missing dueOn', invoice({ dueOn: undefined }), {}, 'MISSING_FIELD', 'missing field payload.dueOn'],
    ['missing eventId', invoice({}, { eventId: undefined }), {}, 'MISSING_FIELD', 'missing field eventId'],
    ['missing payload', { ...base }, {}, 'MISSING_FIELD', 'missing field payload'],
    [
      'payload not object',
      { ...base, payload: 'x' },
      {},
      'BAD_FIELD',
      'payload: expected an object, got "x"',
    ],
    [
      'bad id',
      invoice({ invoiceId: 'INV 1' }),
      {},
      'BAD_FIELD',
      'payload.invoiceId: "INV 1" is not a valid id',
    ],
    ['long id', invoice({ invoiceId: 'x'.repeat(129) }), {}, 'BAD_FIELD', 'payload.invoiceId: "xxxx'],
    [
      'numeric id',
      invoice({}, { customerId: 7 }),
      {},
      'BAD_FIELD',
      'customerId: expected a string id, got number 7',
    ],
    [
      'bad date',
      invoice({ dueOn: '2026-02-30' }),
      {},
      'BAD_FIELD',
      'payload.dueOn: "2026-02-30" is not a date',
    ],
    [
      'dueOn before issuedOn',
      invoice({ dueOn: '2026-02-28' }),
      {},
      'BAD_FIELD',
      'payload.dueOn: 2026-02-28 is before payload.issuedOn 2026-03-01',
    ],
    [
      'no zone',
      invoice({}, { occurredAt: '2026-03-01T10:00:00' }),
      {},
      'BAD_FIELD',
      'occurredAt: "2026-03-01T10',
    ],
    [
      'date only',
      invoice({}, { occurredAt: '2026-03-01' }),
      {},
      'BAD_FIELD',
      'occurredAt: "2026-03-01" is not',
    ],
    ['empty source', invoice({}, { source: ' ' }), {}, 'BAD_FIELD', 'source: must not be empty'],
    [
      'long source',
      invoice({}, { source: 's'.repeat(129) }),
      {},
      'BAD_FIELD',
      'source: is 129 characters long',
    ],
    ['extra field', invoice({ note: 'x' }), {}, 'BAD_FIELD', 'unexpected field payload.note'],
    ['extra envelope', invoice({}, { meta: {} }), {}, 'BAD_FIELD', 'unexpected field meta'],
    [
      'comma amount',
      invoice({ amount: '12,50' }),
      {},
      'BAD_AMOUNT',
      'payload.amount: "12,50" is not a decimal amount',
    ],
    [
      'numeric amount',
      invoice({ amount: 12.5 }),
      {},
      'BAD_AMOUNT',
      'payload.amount: expected a decimal string',
    ],
    ['zero amount', invoice({ amount: '0.00' }), {}, 'BAD_AMOUNT', 'payload.amount: must be greater than 0'],
    [
      'negative',
      invoice({ amount: '-5.00' }),
      {},
      'BAD_AMOUNT',
      'payload.amount: "-5.00" is not a decimal amount',
    ],
    [
      'exponent',
      invoice({ amount: '1e3' }),
      {},
      'BAD_AMOUNT',
      'payload.amount: "1e3" is not a decimal amount',
    ],
    [
      'unknown currency',
      invoice({ currency: 'XYZ' }),
      {},
      'UNKNOWN_CURRENCY',
      'payload.currency: "XYZ" is not',
    ],
    ['lowercase currency', invoice({ currency: 'eur' }), {}, 'UNKNOWN_CURRENCY', 'payload.currency: "eur"'],
    [
      'key differs',
      invoice(),
      { key: 'C-2' },
      'KEY_MISMATCH',
      'message key "C-2" differs from customerId "C-1"',
    ],
    [
      'key missing',
      invoice(),
      { key: null },
      'KEY_MISMATCH',
      'message has no key; the key must be the customerId',
    ],
  ];
  it.each(cases)('%s', (_name, raw, opts, code, reasonStart) => {
    const f = failure(parseEvent(raw, opts));
    expect(f.code).toBe(code);
    expect(f.reason.startsWith(reasonStart)).toBe(true);
  });

  it('validates payment allocations', () => {
    const pay = (allocations: unknown) => ({
      ...base,
      type: 'PaymentReceived',
      payload: { paymentId: 'P-1', amount: '10', currency: 'EUR', receivedOn: '2026-03-01', allocations },
    });
    expect(failure(parseEvent(pay('INV-1')))).toEqual({
      code: 'BAD_FIELD',
      reason: 'payload.allocations: expected an array, got "INV-1"',
    });
    expect(failure(parseEvent(pay([{ invoiceId: 'INV-1' }])))).toEqual({
      code: 'MISSING_FIELD',
      reason: 'missing field payload.allocations[0].amount',
    });
    expect(failure(parseEvent(pay([{ invoiceId: 'INV-1', amount: '0' }])))).toEqual({
      code: 'BAD_AMOUNT',
      reason: 'payload.allocations[0].amount: must be greater than 0',
    });
    expect(
      failure(
        parseEvent(
          pay([
            { invoiceId: 'INV-1', amount: '1' },
            { invoiceId: 'INV-1', amount: '2' },
          ]),
        ),
      ),
    ).toEqual({
      code: 'BAD_FIELD',
      reason: 'payload.allocations[1].invoiceId: invoice INV-1 is allocated more than once',
    });
  });

  it('checks names and reasons', () => {
    const onboard = (name: unknown) => ({
      ...base,
      type: 'CustomerOnboarded',
      payload: { name, currency: 'EUR' },
    });
    expect(failure(parseEvent(onboard(''))).reason).toBe('payload.name: must not be empty');
    expect(failure(parseEvent(onboard('n'.repeat(513)))).reason).toBe(
      'payload.name: is 513 characters long, at most 512 allowed',
    );
    expect(parseEvent(onboard('n'.repeat(512))).ok).toBe(true);
    const limit = {
      ...base,
      type: 'CustomerOnboarded',
      payload: { name: 'A', currency: 'EUR', creditLimit: '-1' },
    };
    expect(failure(parseEvent(limit)).code).toBe('BAD_AMOUNT');
  });
});

describe('upcasters', () => {
  // A test-only history: InvoiceIssued v0 had `total` (decimal string) and `due` instead of amount/dueOn.
  const registry = createUpcasterRegistry(
    [
      ...UPCASTER_DEFINITIONS,
      {
        type: 'InvoiceIssued',
        fromVersion: 0,
        upcast: (raw) => {
          const p = raw.payload as Record<string, unknown>;
          if (typeof p.total !== 'string') throw new Error('v0 payload.total must be a string');
          const { total, due, ...rest } = p;
          return { ...raw, payload: { ...rest, amount: total, dueOn: due } };
        },
      },
    ],
    CURRENT_VERSIONS,
  );
  const v0 = {
    ...base,
    version: 0,
    payload: {
      invoiceId: 'INV-1',
      total: '10.00',
      currency: 'EUR',
      issuedOn: '2026-03-01',
      due: '2026-03-31',
    },
  };

  it('upgrades an old version before validation, step by step (v0 -> v1 -> v2)', () => {
    const r = parseEvent(v0, { upcasters: registry });
    expect(r.ok && r.event).toEqual({
      ...base,
      occurredAt: '2026-03-01T10:00:00.000Z',
      version: 2,
      payload: {
        invoiceId: 'INV-1',
        amount: 1000n,
        currency: 'EUR',
        issuedOn: '2026-03-01',
        dueOn: '2026-03-31',
        paymentTermsDays: 30,
      },
    });
  });

  it('validates the upcasted event and reports upcaster failures', () => {
    const bad = { ...v0, payload: { ...v0.payload, due: '2026-02-01' } };
    expect(failure(parseEvent(bad, { upcasters: registry })).code).toBe('BAD_FIELD');
    const broken = { ...v0, payload: { ...v0.payload, total: 10 } };
    expect(failure(parseEvent(broken, { upcasters: registry }))).toEqual({
      code: 'BAD_FIELD',
      reason: 'cannot upcast InvoiceIssued from version 0: v0 payload.total must be a string',
    });
  });

  it('without an upcaster the version is unsupported (production has no v0 step)', () => {
    expect(failure(parseEvent(v0))).toEqual({
      code: 'UNSUPPORTED_VERSION',
      reason: 'InvoiceIssued version 0 is not supported (current version is 2)',
    });
    expect(failure(parseEvent({ ...v0, type: 'OrderCancelled' }, { upcasters: registry })).code).toBe(
      'UNSUPPORTED_VERSION',
    );
  });

  it('chains steps up to a type-specific current version', () => {
    const chain = createUpcasterRegistry(
      [
        { type: 'OrderCancelled', fromVersion: 1, upcast: (raw) => ({ ...raw, step1: true }) },
        {
          type: 'OrderCancelled',
          fromVersion: 2,
          upcast: ({ step1, ...raw }) => (step1 === true ? raw : { broken: true }),
        },
      ],
      { OrderCancelled: 3 },
    );
    const r = parseEvent(
      { ...base, type: 'OrderCancelled', payload: { orderId: 'O-1' } },
      { upcasters: chain },
    );
    expect(r.ok && r.event.version).toBe(3);
  });
});

describe('InvoiceIssued v2 (paymentTermsDays)', () => {
  const v2 = (payload: Record<string, unknown> = {}) =>
    invoice({ paymentTermsDays: 30, ...payload }, { version: 2 });

  it('accepts v2 and upcasts v1 to the same event', () => {
    const a = parseEvent(v2());
    const b = parseEvent(invoice());
    expect(a.ok && a.event).toEqual(b.ok && b.event);
    expect(a.ok && a.event.type === 'InvoiceIssued' && a.event.payload.paymentTermsDays).toBe(30);
    const sameDay = parseEvent(invoice({ dueOn: '2026-03-01' }));
    expect(
      sameDay.ok && sameDay.event.type === 'InvoiceIssued' && sameDay.event.payload.paymentTermsDays,
    ).toBe(0);
  });

  it.each([
    ['missing', { paymentTermsDays: undefined }, 'MISSING_FIELD', 'missing field payload.paymentTermsDays'],
    ['negative', { paymentTermsDays: -1 }, 'BAD_FIELD', 'payload.paymentTermsDays: expected an integer'],
    ['fraction', { paymentTermsDays: 1.5 }, 'BAD_FIELD', 'payload.paymentTermsDays: expected an integer'],
    ['string', { paymentTermsDays: '30' }, 'BAD_FIELD', 'payload.paymentTermsDays: expected an integer'],
    [
      'inconsistent',
      { paymentTermsDays: 14 },
      'BAD_FIELD',
      'payload.paymentTermsDays: 14 disagrees with payload.issuedOn 2026-03-01 and payload.dueOn 2026-03-31 (30 days apart)',
    ],
  ])('rejects v2 with paymentTermsDays %s', (_name, payload, code, reasonStart) => {
    const f = failure(parseEvent(v2(payload)));
    expect(f.code).toBe(code);
    expect(f.reason.startsWith(reasonStart)).toBe(true);
  });

  it('rejects a v1 event that already carries the v2 field', () => {
    expect(failure(parseEvent(invoice({ paymentTermsDays: 30 })))).toEqual({
      code: 'BAD_FIELD',
      reason:
        'cannot upcast InvoiceIssued from version 1: payload.paymentTermsDays is not part of version 1 (send version 2)',
    });
  });
});

describe('parseEvent: bytes and text no ledger column can hold', () => {
  it('rejects a NUL byte in the message before JSON parsing, as text or as bytes', () => {
    expect(failure(parseEvent(Buffer.from([0x7b, 0x00, 0x7d])))).toEqual({
      code: 'BAD_ENCODING',
      reason: 'message contains a NUL byte at character 1',
    });
    expect(failure(parseEvent('{\u0000}'))).toEqual({
      code: 'BAD_ENCODING',
      reason: 'message contains a NUL byte at character 1',
    });
  });

  it('rejects a NUL escaped in any string, naming the field', () => {
    const onboard = {
      ...base,
      type: 'CustomerOnboarded',
      payload: { name: 'A\u0000B', currency: 'EUR' },
    };
    expect(failure(parseEvent(JSON.stringify(onboard)))).toEqual({
      code: 'BAD_ENCODING',
      reason: 'payload.name: contains a NUL character (U+0000) at position 1',
    });
    expect(failure(parseEvent(JSON.stringify(invoice({}, { source: 'bi\u0000x' }))))).toEqual({
      code: 'BAD_ENCODING',
      reason: 'source: contains a NUL character (U+0000) at position 2',
    });
    const dispute = { ...base, type: 'DisputeOpened', payload: { invoiceId: 'INV-1', reason: 'x\u0000' } };
    expect(failure(parseEvent(JSON.stringify(dispute))).code).toBe('BAD_ENCODING');
    // Even in a field the contract does not know: the reason would quote it.
    expect(failure(parseEvent(JSON.stringify(invoice({ ['n\u0000te']: 1 })))).reason).toBe(
      'payload: a field name contains a NUL character (U+0000) at position 1',
    );
  });

  it('rejects an unpaired surrogate (valid JSON, but no UTF-8 text or jsonb can hold it)', () => {
    const text = JSON.stringify(invoice()).replace('"billing-eu"', '"billing-\\ud800"');
    expect(failure(parseEvent(text))).toEqual({
      code: 'BAD_ENCODING',
      reason: 'source: contains an unpaired UTF-16 surrogate',
    });
    // A proper pair is fine.
    const pair = {
      ...base,
      type: 'CustomerOnboarded',
      payload: { name: 'Acme \ud83d\ude00', currency: 'EUR' },
    };
    expect(parseEvent(JSON.stringify(pair)).ok).toBe(true);
  });

  it("reserves the ledger's own source for its control events", () => {
    expect(failure(parseEvent(invoice({}, { source: 'credit-ledger' })))).toEqual({
      code: 'BAD_FIELD',
      reason: 'source: "credit-ledger" is reserved for the ledger\'s own control events',
    });
  });
});

describe('parseEvent: plausibility window and ranges', () => {
  const notAfter = '2026-03-02T10:00:00.000Z';

  it('accepts occurredAt up to notAfter and rejects a later one as FUTURE_EVENT', () => {
    expect(parseEvent(invoice({}, { occurredAt: '2026-03-02T10:00:00Z' }), { notAfter }).ok).toBe(true);
    expect(failure(parseEvent(invoice({}, { occurredAt: '9999-12-31T23:59:59Z' }), { notAfter }))).toEqual({
      code: 'FUTURE_EVENT',
      reason:
        "occurredAt: 9999-12-31T23:59:59.000Z is after 2026-03-02T10:00:00.000Z, the latest instant accepted now (the ledger's clock plus the tolerance)",
    });
    // Without a window (replay of stored events) nothing is checked.
    expect(parseEvent(invoice({}, { occurredAt: '9999-12-31T23:59:59Z' })).ok).toBe(true);
  });

  it('rejects an issue or receipt date after the window, but not a far due date', () => {
    expect(
      failure(parseEvent(invoice({ issuedOn: '2026-03-03', dueOn: '2026-04-02' }), { notAfter })),
    ).toEqual({
      code: 'FUTURE_EVENT',
      reason: 'payload.issuedOn: 2026-03-03 is after 2026-03-02, the latest date accepted now',
    });
    expect(parseEvent(invoice({ dueOn: '2035-12-31' }), { notAfter }).ok).toBe(true);
    const payment = {
      ...base,
      type: 'PaymentReceived',
      payload: { paymentId: 'P-1', amount: '1.00', currency: 'EUR', receivedOn: '2099-01-01' },
    };
    expect(failure(parseEvent(payment, { notAfter })).code).toBe('FUTURE_EVENT');
  });

  it('rejects an amount of 10^15 minor units or more as AMOUNT_OUT_OF_RANGE', () => {
    expect(failure(parseEvent(invoice({ amount: '9999999999999999.99' })))).toEqual({
      code: 'AMOUNT_OUT_OF_RANGE',
      reason: 'payload.amount: "9999999999999999.99" is above the largest amount accepted, 9999999999999.99',
    });
    expect(parseEvent(invoice({ amount: '9999999999999.99' })).ok).toBe(true);
  });
});

describe('the credit file: CustomerOnboarded v2, CustomerProfileUpdated, reports and complaints', () => {
  const event = (type: string, payload: Record<string, unknown>, version = 1) => ({
    ...base,
    type,
    version,
    payload,
  });
  const onboard = (extra: Record<string, unknown> = {}, version = 2) =>
    event(
      'CustomerOnboarded',
      { name: 'Acme GmbH', currency: 'EUR', creditLimit: '50000.00', ...extra },
      version,
    );
  const financials = {
    asOf: '2025-12-31',
    currency: 'EUR',
    totalAssets: '1000000.00',
    totalLiabilities: '450000.00',
    currentAssets: '600000.00',
    currentLiabilities: '300000.00',
    revenue: '2500000.00',
    netIncome: '-12500.50',
  };

  it('parses a full v2 onboarding: amounts to minor units, a loss keeps its sign', () => {
    const r = parseEvent(
      onboard({
        customerType: 'enterprise',
        customerSince: '2018-04-01',
        accountOwner: { id: 'S-1', name: 'Sam Seller', email: 'sam@example.com' },
        contactEmail: 'ap@acme.example',
        industry: 'C28.1',
        registration: {
          registeredCapital: '500000.00',
          currency: 'EUR',
          foundedOn: '2009-06-15',
          taxRegistered: true,
        },
        financials,
        litigationCount: 0,
      }),
    );
    expect(r.ok && r.event.payload).toEqual({
      name: 'Acme GmbH',
      currency: 'EUR',
      creditLimit: 5000000n,
      customerType: 'enterprise',
      customerSince: '2018-04-01',
      accountOwner: { id: 'S-1', name: 'Sam Seller', email: 'sam@example.com' },
      contactEmail: 'ap@acme.example',
      industry: 'C28.1',
      registration: {
        registeredCapital: 50000000n,
        currency: 'EUR',
        foundedOn: '2009-06-15',
        taxRegistered: true,
      },
      financials: {
        asOf: '2025-12-31',
        currency: 'EUR',
        totalAssets: 100000000n,
        totalLiabilities: 45000000n,
        currentAssets: 60000000n,
        currentLiabilities: 30000000n,
        revenue: 250000000n,
        netIncome: -1250050n,
      },
      litigationCount: 0,
    });
  });

  it('upcasts a v1 onboarding to v2 unchanged, and refuses a v1 message carrying a v2 field', () => {
    const v1 = parseEvent(onboard({}, 1));
    const v2 = parseEvent(onboard());
    expect(v1.ok && v1.event).toEqual(v2.ok && v2.event);
    expect(v1.ok && v1.event.version).toBe(2);
    expect(failure(parseEvent(onboard({ industry: 'C28' }, 1)))).toEqual({
      code: 'BAD_FIELD',
      reason:
        'cannot upcast CustomerOnboarded from version 1: payload.industry is not part of version 1 (send version 2)',
    });
  });

  it('parses a profile update, a report and a complaint', () => {
    const u = parseEvent(event('CustomerProfileUpdated', { customerType: 'channel', litigationCount: 3 }));
    expect(u.ok && u.event.payload).toEqual({ customerType: 'channel', litigationCount: 3 });
    const rep = parseEvent(
      event('ExternalCreditReportReceived', {
        agency: 'score-bureau',
        reportId: 'R-9',
        score: 640,
        reportedOn: '2026-02-28',
        validUntil: '2027-02-27',
      }),
    );
    expect(rep.ok && rep.event.payload).toEqual({
      agency: 'score-bureau',
      reportId: 'R-9',
      score: 640,
      reportedOn: '2026-02-28',
      validUntil: '2027-02-27',
    });
    const c = parseEvent(
      event('ComplaintRecorded', { complaintId: 'K-1', category: 'quality', severity: 'high' }),
    );
    expect(c.ok && c.event.payload).toEqual({ complaintId: 'K-1', category: 'quality', severity: 'high' });
  });

  const report = (p: Record<string, unknown>) =>
    event('ExternalCreditReportReceived', {
      agency: 'score-bureau',
      reportId: 'R-1',
      reportedOn: '2026-02-01',
      validUntil: '2026-12-31',
      ...p,
    });

  it.each([
    [
      'unknown customer type',
      onboard({ customerType: 'vip' }),
      'BAD_FIELD',
      'payload.customerType: expected one of enterprise, individual, channel, end-user',
    ],
    [
      'e-mail without domain',
      onboard({ contactEmail: 'ap@acme' }),
      'BAD_FIELD',
      'payload.contactEmail: "ap@acme" is not an e-mail address',
    ],
    [
      'owner without name',
      onboard({ accountOwner: { id: 'S-1' } }),
      'MISSING_FIELD',
      'missing field payload.accountOwner.name',
    ],
    [
      'lower-case industry',
      onboard({ industry: 'c28' }),
      'BAD_FIELD',
      'payload.industry: "c28" is not an industry code',
    ],
    [
      'capital without currency',
      onboard({ registration: { registeredCapital: '1.00' } }),
      'MISSING_FIELD',
      'missing field payload.registration.currency',
    ],
    [
      'capital in another currency',
      onboard({ registration: { registeredCapital: '1.00', currency: 'USD' } }),
      'CURRENCY_MISMATCH',
      'payload.registration.currency: USD differs from EUR',
    ],
    [
      'empty registration',
      onboard({ registration: {} }),
      'BAD_FIELD',
      'payload.registration: names none of its fields',
    ],
    [
      'founded in the future',
      onboard({ registration: { foundedOn: '2026-03-02' } }),
      'BAD_FIELD',
      "payload.registration.foundedOn: 2026-03-02 is after the event's date 2026-03-01",
    ],
    [
      'tax flag as text',
      onboard({ registration: { taxRegistered: 'yes' } }),
      'BAD_FIELD',
      'payload.registration.taxRegistered: expected true or false',
    ],
    [
      'current assets above total',
      onboard({ financials: { ...financials, currentAssets: '1000000.01' } }),
      'BAD_FIELD',
      'payload.financials.currentAssets: more than payload.financials.totalAssets',
    ],
    [
      'financials missing revenue',
      onboard({ financials: { ...financials, revenue: undefined } }),
      'MISSING_FIELD',
      'missing field payload.financials.revenue',
    ],
    [
      'negative assets',
      onboard({ financials: { ...financials, totalAssets: '-1.00' } }),
      'BAD_AMOUNT',
      'payload.financials.totalAssets: "-1.00" is not a decimal amount',
    ],
    [
      'loss with three decimals',
      onboard({ financials: { ...financials, netIncome: '-1.001' } }),
      'BAD_AMOUNT',
      'payload.financials.netIncome: "1.001" has 3 decimals but EUR allows 2',
    ],
    [
      'negative litigation',
      onboard({ litigationCount: -1 }),
      'BAD_FIELD',
      'payload.litigationCount: expected an integer from 0 to 100000',
    ],
    [
      'relationship from the future',
      onboard({ customerSince: '2027-01-01' }),
      'BAD_FIELD',
      "payload.customerSince: 2027-01-01 is after the event's date",
    ],
    [
      'empty update',
      event('CustomerProfileUpdated', {}),
      'MISSING_FIELD',
      'payload: names no field to update',
    ],
    [
      'update with a limit',
      event('CustomerProfileUpdated', { creditLimit: '1.00' }),
      'BAD_FIELD',
      'unexpected field payload.creditLimit',
    ],
    [
      'update in two currencies',
      event('CustomerProfileUpdated', {
        registration: { registeredCapital: '1', currency: 'JPY' },
        financials,
      }),
      'CURRENCY_MISMATCH',
      'payload.financials.currency: EUR differs from JPY',
    ],
    [
      'report without score or rating',
      report({}),
      'MISSING_FIELD',
      'missing field payload.score or payload.rating',
    ],
    [
      'report valid before it was made',
      report({ score: 1, validUntil: '2026-01-31' }),
      'BAD_FIELD',
      'payload.validUntil: 2026-01-31 is before payload.reportedOn 2026-02-01',
    ],
    ['fractional score', report({ score: 700.5 }), 'BAD_FIELD', 'payload.score: expected an integer'],
    ['rating with spaces', report({ rating: 'A A' }), 'BAD_FIELD', 'payload.rating: "A A" is not a rating'],
    [
      'complaint severity',
      event('ComplaintRecorded', { complaintId: 'K', category: 'x', severity: 'severe' }),
      'BAD_FIELD',
      'payload.severity: expected one of low, medium, high',
    ],
  ])('rejects %s', (_name, raw, code, reasonStart) => {
    const f = failure(parseEvent(raw));
    expect(f.code).toBe(code);
    expect(f.reason.startsWith(reasonStart)).toBe(true);
  });
});
