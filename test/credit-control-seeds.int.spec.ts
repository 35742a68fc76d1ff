import { ALERT_TOPICS } from '@credit-ledger/domain';
import { JobsClient } from '@credit-ledger/jobs';
import { KEYS, LedgerHarness, TRIAL_COVERS_ALL } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';
import { AlertCollector, jobsClient, startAlertStack } from './support/worker-harness';

/**
 * The seed rules of credit control end to end (Kafka → ledger → outbox → worker relay → alert topics, jobs on
 * BullMQ/Redis, PostgreSQL): cash-only grades and cash orders (seed 000), the immediate and the amount-based
 * freeze (seed 004) under the freeze review's injected clock, and invoices that went around the credit check.
 */
describe('credit control as the seeds do', () => {
  let h: LedgerHarness;
  let collector: AlertCollector;
  let jobs: JobsClient;
  let stop: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    ({ h, collector, stop } = await startAlertStack({}, TRIAL_COVERS_ALL));
    jobs = jobsClient(h.config);
  });

  afterAll(async () => {
    await jobs?.close();
    await stop?.();
  });

  const order = (id: string, orderId: string, amount: string, at: string, paymentMethod?: string) =>
    wire(id, 'OrderPlaced', at, {
      orderId,
      amount,
      currency: 'EUR',
      ...(paymentMethod === undefined ? {} : { paymentMethod }),
    });
  const invoice = (
    id: string,
    inv: string,
    amount: string,
    issuedOn: string,
    dueOn: string,
    orderId?: string,
  ) =>
    wire(id, 'InvoiceIssued', `${issuedOn}T09:00:00Z`, {
      invoiceId: inv,
      amount,
      currency: 'EUR',
      issuedOn,
      dueOn,
      ...(orderId === undefined ? {} : { orderId }),
    });
  const alertsOf = (topic: string, customerId: string) =>
    collector.on(topic).filter((a) => a.key === customerId);

  it("holds a grade-D customer's credit order (cash-only), not its cash order", async () => {
    // No credit file: unassessed, grade D, cash only — the 50,000.00 limit is kept but extends no credit.
    await h.publish([
      onboarded('C-D', '2026-01-02T09:00:00Z', { name: 'Dee', currency: 'EUR', creditLimit: '50000.00' }, {}),
      order('C-D', 'SO-1', '40000.00', '2026-01-03T09:00:00Z'),
      order('C-D', 'SO-2', '40000.00', '2026-01-03T10:00:00Z', 'cash'),
    ]);
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.orderHeld, 'C-D').length >= 1, 'SO-1 held');
    await h.waitForIngestion();
    expect(alertsOf(ALERT_TOPICS.orderHeld, 'C-D').map((a) => a.value)).toMatchObject([
      {
        alertId: 'order-held:C-D:SO-1',
        type: 'OrderHeld',
        details: { orderId: 'SO-1', reason: 'cash-only', exposure: '0.00', currency: 'EUR' },
      },
    ]);
    expect((await h.get('/customers/C-D')).body).toMatchObject({
      grade: 'D',
      creditLimit: '50000.00',
      openOrders: '0.00', // the cash order is not credit
      heldOrders: '40000.00',
      exposure: '0.00',
    });
    const held = await h.get('/orders/held');
    expect(held.body.items.filter((o: { customerId: string }) => o.customerId === 'C-D')).toEqual([
      {
        customerId: 'C-D',
        name: 'Dee',
        orderId: 'SO-1',
        amount: '40000.00',
        currency: 'EUR',
        status: 'active',
        reason: 'cash-only',
      },
    ]);
  });

  it('freezes within one freeze review of the due date, holds credit orders, unfreezes on payment', async () => {
    await h.publish([
      onboarded('C-F', '2026-01-02T09:00:00Z', { name: 'Eff', currency: 'EUR', creditLimit: '10000.00' }),
      invoice('C-F', 'I-F1', '500.00', '2026-02-01', '2026-03-01'),
    ]);
    await h.waitForIngestion();
    // The review before midnight of the due date: not past due yet. The next one (15 minutes later): 1 day.
    expect(
      await jobs.waitFor(await jobs.run('freeze-review', '2026-03-01T23:45:00.000Z'), 30_000),
    ).toMatchObject({ appended: 0 });
    await jobs.waitFor(await jobs.run('freeze-review', '2026-03-02T00:00:00.000Z'), 30_000);
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.frozen, 'C-F').length >= 1, 'C-F frozen');
    expect(alertsOf(ALERT_TOPICS.frozen, 'C-F')[0].value).toMatchObject({
      type: 'CustomerFrozen',
      occurredAt: '2026-03-02T00:00:00.000Z',
      details: {
        cause: 'overdue',
        by: 'system',
        invoiceIds: ['I-F1'],
        overdueAmount: '500.00',
        reason: '1 invoice(s) more than 0 days past due',
      },
    });
    await h.publish([
      order('C-F', 'SO-F1', '100.00', '2026-03-02T09:00:00Z'),
      order('C-F', 'SO-F2', '100.00', '2026-03-02T10:00:00Z', 'cash'),
      wire('C-F', 'PaymentReceived', '2026-03-03T09:00:00Z', {
        paymentId: 'P-F1',
        amount: '500.00',
        currency: 'EUR',
        receivedOn: '2026-03-03',
      }),
    ]);
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.frozen, 'C-F').length >= 2, 'C-F unfrozen');
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.orderHeld, 'C-F').length >= 2, 'SO-F1 released');
    expect(
      alertsOf(ALERT_TOPICS.orderHeld, 'C-F').map((a) => [a.value.type, a.value.details.orderId]),
    ).toEqual([
      ['OrderHeld', 'SO-F1'],
      ['OrderReleased', 'SO-F1'],
    ]);
    expect(alertsOf(ALERT_TOPICS.orderHeld, 'C-F')[0].value.details.reason).toBe('frozen');
    expect(alertsOf(ALERT_TOPICS.frozen, 'C-F')[1].value).toMatchObject({
      type: 'CustomerUnfrozen',
      details: { by: 'system' },
    });
    await h.waitForIngestion();
    expect((await h.get('/customers/C-F')).body).toMatchObject({
      status: 'active',
      openReceivables: '0.00',
      openOrders: '100.00',
      heldOrders: '0.00',
    });
  });

  it('freezes on the overdue amount above 10,000.00 at the next event, which finds the customer overdue', async () => {
    await h.publish([
      onboarded('C-A', '2026-01-02T09:00:00Z', { name: 'Amy', currency: 'EUR', creditLimit: '50000.00' }),
      invoice('C-A', 'I-A1', '6000.00', '2026-02-01', '2026-03-01'),
      invoice('C-A', 'I-A2', '4000.01', '2026-02-02', '2026-03-01'),
      // No review has run: the order's own event evaluates the freeze first, then holds the order.
      order('C-A', 'SO-A1', '10.00', '2026-03-02T09:00:00Z'),
    ]);
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.frozen, 'C-A').length >= 1, 'C-A frozen');
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.orderHeld, 'C-A').length >= 1, 'SO-A1 held');
    expect(alertsOf(ALERT_TOPICS.frozen, 'C-A')[0].value).toMatchObject({
      occurredAt: '2026-03-02T09:00:00.000Z',
      details: {
        cause: 'overdue-amount',
        overdueAmount: '10000.01',
        invoiceIds: ['I-A1', 'I-A2'],
        reason: 'overdue amount 10000.01 EUR above 10000.00 EUR',
      },
    });
    expect(alertsOf(ALERT_TOPICS.orderHeld, 'C-A')[0].value.details).toMatchObject({
      orderId: 'SO-A1',
      reason: 'frozen',
    });
  });

  it('records an invoice to a blacklisted customer and alerts the bypass; terms beyond the grade alert too', async () => {
    await h.publish([
      onboarded('C-B', '2026-01-02T09:00:00Z', { name: 'Bea', currency: 'EUR', creditLimit: '10000.00' }),
      onboarded('C-T', '2026-01-02T09:00:00Z', { name: 'Tom', currency: 'EUR', creditLimit: '10000.00' }),
    ]);
    await h.waitForIngestion();
    expect((await h.send('POST', '/customers/C-B/blacklist', { reason: 'fraud' }, KEYS.cfo)).status).toBe(
      200,
    );
    await h.publish([
      invoice('C-B', 'I-B1', '1200.00', '2026-02-01', '2026-03-01'),
      // C grade: at most 30 days; 45 are offered.
      invoice('C-T', 'I-T1', '300.00', '2026-02-01', '2026-03-18'),
    ]);
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.bypass, 'C-B').length >= 1, 'C-B bypass');
    await collector.waitFor(() => alertsOf(ALERT_TOPICS.bypass, 'C-T').length >= 1, 'C-T terms');
    expect(alertsOf(ALERT_TOPICS.bypass, 'C-B').map((a) => a.value)).toMatchObject([
      {
        alertId: 'bypass:C-B:I-B1',
        type: 'CreditBypassDetected',
        details: {
          invoiceId: 'I-B1',
          source: 'test-billing',
          orderId: null,
          reason: 'blacklisted',
          amount: '1200.00',
          exposure: '1200.00',
          effectiveLimit: '10000.00',
          currency: 'EUR',
        },
      },
    ]);
    expect(alertsOf(ALERT_TOPICS.bypass, 'C-T').map((a) => a.value)).toMatchObject([
      {
        alertId: 'terms-exceed:C-T:I-T1',
        type: 'TermsExceedGrade',
        details: {
          invoiceId: 'I-T1',
          source: 'test-billing',
          grade: 'C',
          paymentTermsDays: 45,
          maxPaymentTermsDays: 30,
          amount: '300.00',
        },
      },
    ]);
    await h.waitForIngestion();
    // The ledger records reality: the receivable is there, and the timeline shows the derived event after it.
    expect((await h.get('/customers/C-B')).body.openReceivables).toBe('1200.00');
    const types = (await h.get('/customers/C-B/timeline')).body.items.map((e: { type: string }) => e.type);
    expect(types.slice(-2)).toEqual(['InvoiceIssued', 'CreditBypassDetected']);
  });

  it('lists every exception with who, when, why and the amount, as JSON and CSV', async () => {
    await h.publish([
      onboarded('C-R', '2026-01-02T09:00:00Z', { name: 'Rae', currency: 'EUR', creditLimit: '100.00' }),
      order('C-R', 'SO-R1', '500.00', '2026-01-03T09:00:00Z'), // over the limit: held
    ]);
    await h.waitForIngestion();
    const ok = async (path: string, body: Record<string, unknown>, key: string) => {
      const r = await h.send('POST', path, body, key);
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    // Within the release cap one finance-clerk releases at once; the rest are requests (docs/approvals.md): under
    // 50,000 a sales-manager and a finance-clerk other than the requester approve.
    await ok('/orders/SO-R1/release', { customerId: 'C-R', reason: 'prepaid by wire' }, KEYS.analyst);
    const requested = async (
      path: string,
      body: Record<string, unknown>,
      key: string,
      approvers: string[],
    ) => {
      const r = await h.send('POST', path, body, key);
      if (r.status !== 202) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      for (const k of approvers) await ok(`/customers/C-R/limit-requests/${r.body.requestId}/approve`, {}, k);
    };
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await requested(
      '/customers/C-R/temporary-limit',
      { amount: '400.00', expiresAt, reason: 'trade fair' },
      KEYS.finance,
      [KEYS.sales, KEYS.analyst2],
    );
    await requested('/customers/C-R/freeze', { reason: 'site visit' }, KEYS.analyst, [
      KEYS.sales,
      KEYS.analyst2,
    ]);
    await requested('/customers/C-R/unfreeze', { reason: 'visit done' }, KEYS.analyst2, [
      KEYS.sales,
      KEYS.analyst,
    ]);

    const r = await h.get('/reports/exceptions?from=2026-01-01');
    expect(r.status).toBe(200);
    expect(r.body.from).toBe('2026-01-01T00:00:00.000Z');
    const of = (id: string) =>
      r.body.items
        .filter((x: { customerId: string }) => x.customerId === id)
        .map((x: Record<string, unknown>) => [
          x.kind,
          x.type,
          x.by,
          x.reason,
          x.amount,
          x.currency,
          x.reference,
        ]);
    // `by` is the approver who completed each request (the request and all approvers are in ApprovalCompleted).
    expect(of('C-R')).toEqual([
      ['manual-release', 'OrderReleased', 'carl', 'prepaid by wire', '500.00', 'EUR', 'SO-R1'],
      ['temporary-limit', 'TemporaryLimitGranted', 'cora', 'trade fair', '400.00', 'EUR', null],
      ['manual-freeze', 'CustomerFrozen', 'cora', 'site visit', null, 'EUR', null],
      ['manual-unfreeze', 'CustomerUnfrozen', 'carl', 'visit done', null, 'EUR', null],
    ]);
    expect(of('C-B')).toEqual([
      ['blacklist', 'CustomerBlacklisted', 'cleo', 'fraud', null, 'EUR', null],
      ['bypass', 'CreditBypassDetected', 'test-billing', 'blacklisted', '1200.00', 'EUR', 'I-B1'],
    ]);
    expect(of('C-T')).toEqual([
      [
        'terms-exceed',
        'TermsExceedGrade',
        'test-billing',
        "45 days' terms, grade C offers at most 30",
        '300.00',
        'EUR',
        'I-T1',
      ],
    ]);
    // The rules at work are not exceptions: system freezes, automatic releases (C-F, C-A) are left out.
    expect(of('C-F')).toEqual([]);
    expect(of('C-A')).toEqual([]);
    const bypass = r.body.items.find((x: { kind: string }) => x.kind === 'bypass');
    expect(bypass.occurredAt).toBe('2026-02-01T09:00:00.000Z');

    // A window that ends before the bypass leaves it out; CSV carries the same rows.
    const early = await h.get('/reports/exceptions?from=2026-01-01&to=2026-01-31');
    expect(early.body.items.filter((x: { kind: string }) => x.kind === 'bypass')).toEqual([]);
    const csv = await h.send('GET', '/reports/exceptions?from=2026-01-01', undefined, KEYS.reader, {
      accept: 'text/csv',
    });
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('sequence,occurredAt,customerId,kind,type,by,reason,amount,currency,reference');
    expect(lines).toHaveLength(r.body.items.length + 1);
    expect(lines.find((l) => l.includes('manual-release'))).toMatch(
      /^\d+,[^,]+,C-R,manual-release,OrderReleased,carl,prepaid by wire,500\.00,EUR,SO-R1$/,
    );
    const bad = await h.get('/reports/exceptions?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('from');
    const reversed = await h.get('/reports/exceptions?from=2026-03-01&to=2026-02-01');
    expect(reversed.status).toBe(400);
  });
});
