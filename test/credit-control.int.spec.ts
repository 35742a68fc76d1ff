import { KEYS, LedgerHarness, TRIAL_COVERS_ALL } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

/**
 * The credit-control workflows through the HTTP API on real PostgreSQL: every step is a command that appends
 * control events to the customer's stream, with the acting principal recorded in the event. The approval
 * workflow itself (every kind, routing, four-eyes, reminders) is approvals.int.spec's; here the customers start
 * from approved limits.
 */
describe('credit control workflows', () => {
  let h: LedgerHarness;
  const now = new Date('2026-06-15T12:00:00Z');

  // With the sound test credit file: a credit band, so each limit is the credit extended.
  const onboard = (id: string, limit: string, currency = 'EUR') =>
    onboarded(id, '2026-06-01T09:00:00Z', { name: `Customer ${id}`, currency, creditLimit: limit });
  const order = (id: string, orderId: string, amount: string, at = '2026-06-10T09:00:00Z') =>
    wire(id, 'OrderPlaced', at, { orderId, amount, currency: 'EUR' });

  async function payloads(customerId: string, type: string): Promise<Array<Record<string, unknown>>> {
    const rows = await h.query<{ payload: Record<string, unknown> }>(
      'SELECT payload FROM ledger_events WHERE customer_id = $1 AND type = $2 ORDER BY sequence',
      [customerId, type],
    );
    return rows.map((r) => r.payload);
  }

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => now, policy: TRIAL_COVERS_ALL });
    await h.publish([
      onboard('C-LIM', '50000.00'),
      onboard('C-SMALL', '20000.00'),
      onboard('C-TMP', '10000.00'),
      onboard('C-HOLD', '1000.00'),
      order('C-HOLD', 'O-1', '2000.00'),
      order('C-HOLD', 'O-2', '3000.00'),
      onboard('C-BL', '100000.00'),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('a temporary limit counts in available credit and the order check until the review expires it', async () => {
    const grant = await h.send(
      'POST',
      '/customers/C-TMP/temporary-limit',
      { amount: '5000.00', expiresAt: '2026-06-20T00:00:00Z', reason: 'trade fair' },
      KEYS.finance,
    );
    expect(grant.status).toBe(202);
    // 10,000 + 5,000 routes to the lowest tier: a sales-manager and a finance-clerk.
    const approve = (key: string) => h.approveRequest('C-TMP', grant.body.requestId, key);
    expect((await approve(KEYS.sales)).body.status).toBe('pending');
    expect((await approve(KEYS.analyst)).body.status).toBe('done');
    expect((await h.get('/customers/C-TMP')).body).toMatchObject({
      creditLimit: '10000.00',
      temporaryLimit: '5000.00',
      available: '15000.00',
    });
    // 12,000 fits 10,000 + 5,000: not held.
    await h.publish([order('C-TMP', 'O-T', '12000.00', '2026-06-16T09:00:00Z')]);
    await h.waitForIngestion();
    expect((await h.get('/customers/C-TMP')).body).toMatchObject({
      openOrders: '12000.00',
      heldOrders: '0.00',
    });
    const review = await h.send('POST', '/control/review', { at: '2026-06-21T00:00:00Z' }, KEYS.admin);
    expect(review.status).toBe(200);
    expect(review.body.events).toEqual([
      expect.objectContaining({ customerId: 'C-TMP', type: 'TemporaryLimitExpired' }),
    ]);
    expect((await h.get('/customers/C-TMP')).body).toMatchObject({
      temporaryLimit: '0.00',
      available: '-2000.00',
    });
    // Idempotent: the same review again appends nothing.
    expect(
      (await h.send('POST', '/control/review', { at: '2026-06-21T00:00:00Z' }, KEYS.admin)).body.appended,
    ).toBe(0);
  });

  it('held orders are listed, released with a reason (override) or rejected', async () => {
    const held = await h.get('/orders/held');
    expect(held.body.items.filter((o: { customerId: string }) => o.customerId === 'C-HOLD')).toEqual([
      expect.objectContaining({ orderId: 'O-1', amount: '2000.00' }),
      expect.objectContaining({ orderId: 'O-2', amount: '3000.00' }),
    ]);
    const rel = await h.send(
      'POST',
      '/orders/O-1/release',
      { customerId: 'C-HOLD', reason: 'prepaid by wire' },
      KEYS.analyst,
    );
    expect(rel.status).toBe(200);
    const rej = await h.send(
      'POST',
      '/orders/O-2/reject',
      { customerId: 'C-HOLD', reason: 'over limit' },
      KEYS.finance,
    );
    expect(rej.status).toBe(200);
    expect((await h.get('/customers/C-HOLD')).body).toMatchObject({
      openOrders: '2000.00',
      heldOrders: '0.00',
    });
    expect((await payloads('C-HOLD', 'OrderReleased')).at(-1)).toEqual({
      orderId: 'O-1',
      releasedBy: 'carl',
      reason: 'prepaid by wire',
    });
    expect(await payloads('C-HOLD', 'OrderRejected')).toEqual([
      { orderId: 'O-2', by: 'fiona', reason: 'over limit' },
    ]);
    expect(
      (await h.send('POST', '/orders/O-2/release', { customerId: 'C-HOLD', reason: 'x' }, KEYS.analyst))
        .status,
    ).toBe(409);
    expect(
      (await h.send('POST', '/orders/O-1/release', { customerId: 'C-HOLD', reason: 'x' }, KEYS.admin)).status,
    ).toBe(403);
  });

  it("a blacklisted customer's orders are always held and cannot be released until unblacklisted", async () => {
    const bl = await h.send('POST', '/customers/C-BL/blacklist', { reason: 'fraud suspicion' }, KEYS.cfo);
    expect(bl.status).toBe(200);
    await h.publish([
      order('C-BL', 'O-B1', '10.00', '2026-06-11T09:00:00Z'),
      order('C-BL', 'O-B2', '20.00', '2026-06-12T09:00:00Z'),
    ]);
    await h.waitForIngestion();
    expect((await payloads('C-BL', 'OrderHeld')).map((p) => [p.orderId, p.reason])).toEqual([
      ['O-B1', 'blacklisted'],
      ['O-B2', 'blacklisted'],
    ]);
    const rel = await h.send(
      'POST',
      '/orders/O-B1/release',
      { customerId: 'C-BL', reason: 'please' },
      KEYS.cfo,
    );
    expect(rel.status).toBe(409);
    expect(rel.body.message).toMatch(/blacklisted/);
    expect(
      (
        await h.send(
          'POST',
          '/customers/C-BL/temporary-limit',
          { amount: '1', expiresAt: '2026-07-01', reason: 'x' },
          KEYS.cfo,
        )
      ).status,
    ).toBe(409);
    // Lifting it gives credit back: a manager's request, in force once approved (100,000.00: a finance-manager).
    const asked = await h.send(
      'POST',
      '/customers/C-BL/unblacklist',
      { reason: 'cleared by audit' },
      KEYS.finance,
    );
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ customerId: 'C-BL', status: 'pending' });
    expect((await payloads('C-BL', 'OrderReleased')).length).toBe(0);
    const un = await h.approveRequest('C-BL', asked.body.requestId, KEYS.finance2);
    expect(un.body.status).toBe('done');
    // Unblocking releases what fits the limit, after the completion that names the approver.
    expect(un.body.events.map((e: { type: string }) => e.type)).toEqual([
      'ApprovalGiven',
      'ApprovalCompleted',
      'CustomerUnblacklisted',
      'OrderReleased',
      'OrderReleased',
    ]);
    expect(await payloads('C-BL', 'CustomerUnblacklisted')).toEqual([
      { reason: 'cleared by audit', by: 'fred' },
    ]);
    expect(await payloads('C-BL', 'CustomerBlacklisted')).toEqual([
      { reason: 'fraud suspicion', by: 'cleo' },
    ]);
  });

  it('answers 400 naming the field, 404 for an unknown customer', async () => {
    const digits = await h.send(
      'POST',
      '/customers/C-LIM/limit-requests',
      { newLimit: '1.234', reason: 'x' },
      KEYS.analyst,
    );
    expect(digits.status).toBe(400);
    expect(digits.body.message).toMatch(/newLimit.*EUR allows 2/);
    const unknown = await h.send(
      'POST',
      '/customers/C-LIM/limit-requests',
      { newLimit: '1', reason: 'x', extra: 1 },
      KEYS.analyst,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown field.*extra/);
    const missing = await h.send('POST', '/customers/C-LIM/freeze', {}, KEYS.analyst);
    expect(missing.body.message).toBe('reason is required');
    const date = await h.send(
      'POST',
      '/customers/C-TMP/temporary-limit',
      { amount: '1', expiresAt: 'tomorrow', reason: 'x' },
      KEYS.finance,
    );
    expect(date.status).toBe(400);
    expect(date.body.message).toMatch(/^expiresAt must be/);
    expect((await h.send('POST', '/customers/NOPE/freeze', { reason: 'x' }, KEYS.analyst)).status).toBe(404);
  });
});

describe('credit repair', () => {
  let h: LedgerHarness;
  let now = new Date('2026-01-10T12:00:00Z');
  const C = 'C-REP';
  const inv = (n: number, month: string) =>
    wire(C, 'InvoiceIssued', `2026-${month}-01T09:00:00Z`, {
      invoiceId: `INV-${n}`,
      amount: '1000.00',
      currency: 'EUR',
      issuedOn: `2026-${month}-01`,
      dueOn: `2026-${month}-20`,
    });
  const pay = (n: number, month: string) =>
    wire(C, 'PaymentReceived', `2026-${month}-15T09:00:00Z`, {
      paymentId: `PAY-${n}`,
      amount: '1000.00',
      currency: 'EUR',
      receivedOn: `2026-${month}-15`,
      allocations: [{ invoiceId: `INV-${n}`, amount: '1000.00' }],
    });
  const limit = async () => (await h.get(`/customers/${C}`)).body.creditLimit;
  const review = async (at: string) => (await h.send('POST', '/control/review', { at }, KEYS.admin)).body;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => now, policy: TRIAL_COVERS_ALL });
    await h.publish([
      wire(C, 'CustomerOnboarded', '2026-01-02T09:00:00Z', {
        name: 'Repairable',
        currency: 'EUR',
        creditLimit: '100000.00',
      }),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('restores a limit the grade review cut, 50 % per on-time month after three on-time months', async () => {
    // Admin adopts a policy where grade cuts apply: every band keeps 100,000 except D, which here extends a
    // little credit (20,000) instead of none. The customer has no credit file: unassessed, D.
    const current = (await h.get('/policy')).body;
    const policy = {
      ...current.policy,
      version: current.policy.version + 1,
      reduceLimitToGradeDefault: true,
      bands: current.policy.bands.map((b: { grade: string; terms: object }) => ({
        ...b,
        terms: {
          ...b.terms,
          settlement: 'credit',
          defaultLimit: { default: b.grade === 'D' ? '20000.00' : '100000.00' },
        },
      })),
    };
    const adopted = await h.adoptPolicy({ policy, note: 'grade cuts on' });
    expect(adopted.status).toBe(200);
    expect((await h.get(`/customers/${C}`)).body.grade).toBe('D');

    expect((await review('2026-02-01T00:00:00Z')).events).toEqual([
      expect.objectContaining({ customerId: C, type: 'CreditLimitChanged' }),
    ]);
    expect(await limit()).toBe('20000.00');

    // March, April, May: an invoice each month paid before its due date.
    await h.publish([inv(3, '03'), pay(3, '03'), inv(4, '04'), pay(4, '04')]);
    await h.waitForIngestion();
    expect((await review('2026-05-01T00:00:00Z')).appended).toBe(0); // two months are not three
    await h.publish([inv(5, '05'), pay(5, '05')]);
    await h.waitForIngestion();
    await review('2026-06-01T00:00:00Z');
    expect(await limit()).toBe('60000.00'); // 20,000 + 50 % of the 80,000 cut
    expect((await review('2026-06-02T00:00:00Z')).appended).toBe(0);
    await h.publish([inv(6, '06'), pay(6, '06')]);
    await h.waitForIngestion();
    await review('2026-07-01T00:00:00Z');
    expect(await limit()).toBe('100000.00');
    const changes = await h.query<{ payload: { cause: string; creditLimit: string; by: string } }>(
      `SELECT payload FROM ledger_events WHERE customer_id = $1 AND type = 'CreditLimitChanged' ORDER BY sequence`,
      [C],
    );
    expect(changes.map((r) => [r.payload.cause, r.payload.creditLimit, r.payload.by])).toEqual([
      ['review', '2000000', 'system'],
      ['repair', '6000000', 'system'],
      ['repair', '10000000', 'system'],
    ]);
    expect((await review('2026-08-01T00:00:00Z')).appended).toBe(0);
    now = new Date('2026-08-01T00:00:00Z');
  });
});
