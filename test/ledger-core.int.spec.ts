import { LedgerHarness, TRIAL_COVERS_ALL, KEYS } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

// The app's clock for "now" queries: aging is measured on this date.
const NOW = new Date('2026-03-15T12:00:00Z');

/**
 * A hand-computed customer, end to end: published through kafkajs to the embedded broker, appended to
 * PostgreSQL, read back through the HTTP API.
 */
describe('ledger core, end to end', () => {
  let h: LedgerHarness;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW, policy: TRIAL_COVERS_ALL });
    await h.publish([
      onboarded('C-1', '2026-01-02T09:00:00Z', {
        name: 'Acme GmbH',
        currency: 'EUR',
        creditLimit: '10000.00',
      }),
      wire('C-1', 'InvoiceIssued', '2026-01-05T09:00:00Z', {
        invoiceId: 'INV-1',
        amount: '4000.00',
        currency: 'EUR',
        issuedOn: '2026-01-05',
        dueOn: '2026-01-31',
      }),
      wire('C-1', 'InvoiceIssued', '2026-02-01T09:00:00Z', {
        invoiceId: 'INV-2',
        amount: '3000.00',
        currency: 'EUR',
        issuedOn: '2026-02-01',
        dueOn: '2026-02-28',
      }),
      wire('C-1', 'OrderPlaced', '2026-02-10T09:00:00Z', {
        orderId: 'O-1',
        amount: '1500.00',
        currency: 'EUR',
      }),
      // Unallocated: goes to the oldest open invoice, INV-1 (4000.00 -> 1500.00 open).
      wire('C-1', 'PaymentReceived', '2026-02-20T09:00:00Z', {
        paymentId: 'P-1',
        amount: '2500.00',
        currency: 'EUR',
        receivedOn: '2026-02-20',
      }),
      // INV-2: 3000.00 - 500.00 = 2500.00 open.
      wire('C-1', 'CreditNoteIssued', '2026-03-01T09:00:00Z', {
        creditNoteId: 'CN-1',
        invoiceId: 'INV-2',
        amount: '500.00',
        currency: 'EUR',
      }),
      onboarded('C-2', '2026-01-02T09:00:00Z', {
        name: 'Tiny KK',
        currency: 'JPY',
        creditLimit: '1000000',
      }),
      wire('C-2', 'OrderPlaced', '2026-02-10T09:00:00Z', {
        orderId: 'O-9',
        amount: '950000',
        currency: 'JPY',
      }),
    ]);
    await h.waitForIngestion();
  });

  afterAll(() => h.stop());

  it('reports exposure, available credit, utilisation, aging, the grade and its terms exactly', async () => {
    const { status, body } = await h.get('/customers/C-1');
    expect(status).toBe(200);
    // The grade is the rating at C-1's last event (03-01), by hand. History: INV-1 1500.00 open 29 days past due
    // (credit 50) and INV-2 2500.00 open 1 day (85): floor((1500 × 50 + 2500 × 85) / 4000) = 71 × 30 = 2130;
    // two overdue occurrences 80 × 25 = 2000; volume 7000 of 50000 -> floor(sqrt(1400)) = 37 × 20 = 740; 58 days
    // of 730 -> 7 × 15 = 105; no complaint 1000: 5975. Share: 2 observed -> 66, 55 days since INV-1 -> 30: 30 %.
    // Profile (the sound test file): 7800. floor((30 × 5975 + 70 × 7800 + 5000) / 10000) = floor(73.0) = 73: C.
    expect(body).toMatchObject({
      customerId: 'C-1',
      currency: 'EUR',
      creditLimit: '10000.00',
      openReceivables: '4000.00', // 1500.00 + 2500.00
      // Frozen since INV-2's event (INV-1 was then 1 day past due: seed 004 freezes at once), so O-1 was held.
      openOrders: '0.00',
      heldOrders: '1500.00',
      exposure: '4000.00',
      available: '6000.00',
      utilisation: '0.4000',
      // INV-1 due 01-31 is 43 days past due on 03-15; INV-2 due 02-28 is 15 days past due.
      aging: { current: '0.00', d1_30: '2500.00', d31_60: '1500.00', d61_90: '0.00', d90plus: '0.00' },
      overdueAmount: '4000.00',
      score: 73,
      grade: 'C',
      status: 'frozen', // INV-1 and INV-2 still past due
      // C: small credit, closer monitoring (seed 000): the limit counts, 30 days, monthly review.
      terms: {
        band: 'C',
        settlement: 'credit',
        cashOnly: false,
        maxPaymentTermsDays: 30,
        defaultLimit: '10000.00',
        reviewIntervalDays: 30,
        approval: 'standard',
        effectiveLimit: '10000.00',
      },
      asOf: NOW.toISOString(),
      streamVersion: 9, // six billing events, CustomerFrozen, the collection task it opens, OrderHeld
    });
    expect(body.rating.segment).toBe('enterprise');
    expect(body.rating.factors.map((f: { factor: string }) => f.factor)).toEqual([
      'blend',
      'collection',
      'overdueOccurrences',
      'volume',
      'tenure',
      'complaints',
      'yearsInBusiness',
      'registeredCapital',
      'taxRegistration',
      'industryRisk',
      'currentRatio',
      'debtToAsset',
      'netMargin',
      'externalScore',
      'litigation',
    ]);
    expect(body.rating.factors[0]).toMatchObject({
      normalised: 30,
      raw: { historyPoints: '59.75', profilePoints: '78.00' },
    });
  });

  it('uses the currency exponent for amounts (JPY has none)', async () => {
    const { body } = await h.get('/customers/C-2');
    expect(body).toMatchObject({
      currency: 'JPY',
      creditLimit: '1000000',
      exposure: '950000',
      available: '50000',
      utilisation: '0.9500',
    });
  });

  it('evaluates the position as of a past moment', async () => {
    // Before the payment and the credit note: both invoices fully open; aging measured on 2026-02-15.
    const { status, body } = await h.get('/customers/C-1?asOf=2026-02-15T00:00:00Z');
    expect(status).toBe(200);
    // Graded at 02-10 (the order): INV-1 4000.00 10 days late (70 × 30 = 2100), one occurrence (90 × 25 = 2250),
    // volume 37 × 20 = 740, 39 days (5 × 15 = 75), 1000: 6165 at a share of min(33, 36 days -> 20) = 20 %;
    // floor((20 × 6165 + 80 × 7800 + 5000) / 10000) = floor(75.2) = 75: C, a credit band — but the customer was
    // frozen (INV-1 past due since 02-01), so the order was held.
    expect(body).toMatchObject({
      openReceivables: '7000.00',
      openOrders: '0.00',
      heldOrders: '1500.00',
      exposure: '7000.00',
      available: '3000.00',
      score: 75,
      grade: 'C',
      status: 'frozen',
      utilisation: '0.7000',
      aging: { current: '3000.00', d1_30: '4000.00', d31_60: '0.00' }, // INV-1 15 days past due
      asOf: '2026-02-15T00:00:00.000Z',
      streamVersion: 7, // onboarding, INV-1, INV-2, CustomerFrozen, its collection task, O-1, OrderHeld
    });
    const before = await h.get('/customers/C-1?asOf=2025-12-31');
    expect(before.status).toBe(404);
    expect(before.body.message).toContain('no ledger events as of');
  });

  it('lists customers sorted by utilisation with filters', async () => {
    const { status, body } = await h.get('/customers?sort=utilisation&limit=10');
    expect(status).toBe(200);
    expect(body.total).toBe(2);
    expect(body.items.map((c: { customerId: string }) => c.customerId)).toEqual(['C-2', 'C-1']);
    const bad = await h.get('/customers?sort=colour');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('sort must be one of');
  });

  it('answers 404, 400, 401 and 403 with JSON that says what is wrong', async () => {
    const missing = await h.get('/customers/NOPE-1');
    expect(missing).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'customer NOPE-1 is not in the ledger' },
    });
    const badAsOf = await h.get('/customers/C-1?asOf=yesterday');
    expect(badAsOf.status).toBe(400);
    expect(badAsOf.body.message).toContain('asOf must be an ISO-8601');
    expect((await h.get('/customers/C-1', null)).status).toBe(401);
    expect((await h.get('/customers/C-1', 'wrong-key-0123456789')).status).toBe(401);
    expect((await h.get('/health', null)).status).toBe(200);
    expect(KEYS.reader).toBeTruthy();
  });

  it('reports health and metrics', async () => {
    const health = await h.get('/health', null);
    expect(health.body).toMatchObject({ status: 'ok', database: 'up', ingestion: 'running' });
    expect(health.body.ledger.headSequence).toBe(health.body.ledger.projectedSequence);
    const metrics = await h.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('credit_ledger_events_appended_total 8');
  });

  it('keeps the ledger append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    await expect(h.query(`UPDATE ledger_events SET type = 'X'`)).rejects.toThrow(/append-only/);
    await expect(h.query(`DELETE FROM ledger_events`)).rejects.toThrow(/append-only/);
    await expect(h.query(`TRUNCATE ledger_events`)).rejects.toThrow(/append-only/);
    const [{ n }] = await h.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'",
    );
    expect(n).toBe(8);
  });

  it('stores money as integer minor units with the currency', async () => {
    const rows = await h.query<{ payload: { amount: string; currency: string } }>(
      `SELECT payload FROM ledger_events WHERE type = 'InvoiceIssued' ORDER BY sequence`,
    );
    expect(rows.map((r) => [r.payload.amount, r.payload.currency])).toEqual([
      ['400000', 'EUR'],
      ['300000', 'EUR'],
    ]);
  });
});
