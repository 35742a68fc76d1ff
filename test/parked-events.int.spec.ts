import { LedgerHarness } from './support/ledger-harness';
import { wire } from './support/wire';

/**
 * Out-of-order arrival never loses money: an event that refers to something not yet in the ledger (a payment
 * before its invoice) is parked, applied as soon as the dependency lands, and dead-lettered only if it never does.
 */
describe('parked events', () => {
  let h: LedgerHarness;
  afterAll(() => h?.stop());

  it('parks a payment that arrives before its invoice, then applies it', async () => {
    h = await LedgerHarness.start({
      clock: () => new Date('2026-02-01T00:00:00Z'),
      env: { PARK_TIMEOUT_MS: '1000', PARK_SWEEP_INTERVAL_MS: '3600000' },
    });
    await h.publish([
      wire('P-1', 'CustomerOnboarded', '2026-01-01T09:00:00Z', {
        name: 'Early Pay Ltd',
        currency: 'GBP',
        creditLimit: '5000.00',
      }),
      wire('P-1', 'PaymentReceived', '2026-01-03T09:00:00Z', {
        paymentId: 'PAY-1',
        amount: '300.00',
        currency: 'GBP',
        receivedOn: '2026-01-03',
        allocations: [{ invoiceId: 'INV-1', amount: '300.00' }],
      }),
    ]);
    await h.waitForIngestion();
    const parked = await h.query<{ code: string; reason: string }>('SELECT code, reason FROM parked_events');
    expect(parked).toEqual([{ code: 'UNKNOWN_INVOICE', reason: expect.stringContaining('INV-1') }]);
    expect((await h.get('/health', null)).body.ledger.parked).toBe(1);

    await h.publish([
      wire('P-1', 'InvoiceIssued', '2026-01-02T09:00:00Z', {
        invoiceId: 'INV-1',
        amount: '1000.00',
        currency: 'GBP',
        issuedOn: '2026-01-02',
        dueOn: '2026-01-30',
      }),
    ]);
    await h.waitForIngestion();
    expect(await h.query('SELECT * FROM parked_events')).toEqual([]);
    const { body } = await h.get('/customers/P-1');
    expect(body).toMatchObject({ openReceivables: '700.00', exposure: '700.00', streamVersion: 5 });
    const types = await h.query<{ type: string }>('SELECT type FROM ledger_events ORDER BY sequence');
    // Billing's invoice came without an order, so it is recorded with the bypass and terms checks it raised
    // (docs/credit-control.md); the parked payment follows its invoice.
    expect(types.map((t) => t.type)).toEqual([
      'CustomerOnboarded',
      'InvoiceIssued',
      'CreditBypassDetected',
      'TermsExceedGrade',
      'PaymentReceived',
    ]);
  });

  it('dead-letters a parked event whose dependency never arrives, after the timeout', async () => {
    await h.publish([
      wire('P-1', 'CreditNoteIssued', '2026-01-05T09:00:00Z', {
        creditNoteId: 'CN-9',
        invoiceId: 'INV-404',
        amount: '10.00',
        currency: 'GBP',
      }),
    ]);
    await h.waitForIngestion();
    expect(await h.query('SELECT event_id FROM parked_events')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await h.ingestion.sweepParkedNow()).toBe(1);
    expect(await h.query('SELECT * FROM parked_events')).toEqual([]);
    const rejected = await h.query<{ code: string; reason: string }>(
      'SELECT code, reason FROM rejected_events',
    );
    expect(rejected).toEqual([
      { code: 'UNKNOWN_INVOICE', reason: expect.stringMatching(/INV-404.*still missing/) },
    ]);
  });
});
