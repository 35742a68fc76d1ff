import { DEFAULT_GRADE_POLICY } from '@credit-ledger/domain';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

/**
 * The approval workflow through the HTTP API on real PostgreSQL and Kafka: every operation that changes a
 * customer's credit is a request in its stream, routed by amount and grade, approved by other principals, and
 * only then in force; the first application, reminders, escalation and expiry under a controlled clock.
 */
describe('approvals', () => {
  let h: LedgerHarness;
  const now = new Date('2026-06-15T12:00:00Z');
  const ONBOARDED_AT = '2026-06-01T09:00:00Z';

  // With the sound test credit file: grade C, a credit band with standard approval.
  const onboard = (id: string, limit: string, currency = 'EUR') =>
    onboarded(id, ONBOARDED_AT, { name: `Customer ${id}`, currency, creditLimit: limit });
  const order = (id: string, orderId: string, amount: string) =>
    wire(id, 'OrderPlaced', '2026-06-10T09:00:00Z', { orderId, amount, currency: 'EUR' });

  async function types(customerId: string): Promise<string[]> {
    const rows = await h.query<{ type: string }>(
      'SELECT type FROM ledger_events WHERE customer_id = $1 ORDER BY sequence',
      [customerId],
    );
    return rows.map((r) => r.type);
  }
  async function payloads(customerId: string, type: string): Promise<Array<Record<string, unknown>>> {
    const rows = await h.query<{ payload: Record<string, unknown> }>(
      'SELECT payload FROM ledger_events WHERE customer_id = $1 AND type = $2 ORDER BY sequence',
      [customerId, type],
    );
    return rows.map((r) => r.payload);
  }
  const position = async (id: string) => (await h.get(`/customers/${id}`)).body;
  const approve = (id: string, requestId: string, key: string) => h.approveRequest(id, requestId, key);
  const request = async (id: string, newLimit: string, key: string, requestId: string) => {
    const r = await h.send(
      'POST',
      `/customers/${id}/limit-requests`,
      { newLimit, reason: 'growth', requestId },
      key,
    );
    expect(r.status).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => now });
    await h.publish([
      onboard('C-NEW', '80000.00'),
      onboard('C-TRIAL', '4000.00'),
      onboarded('C-CASH', ONBOARDED_AT, { name: 'Cash Co', currency: 'EUR', creditLimit: '30000.00' }, {}),
      onboard('C-INC', '5000.00'),
      onboard('C-GM', '5000.00'),
      onboard('C-TMP', '5000.00'),
      onboard('C-FRZ', '5000.00'),
      onboard('C-UBL', '5000.00'),
      onboard('C-ORD', '100.00'),
      order('C-ORD', 'O-SMALL', '900.00'),
      order('C-ORD', 'O-BIG', '25000.00'),
      onboard('C-REM', '5000.00'),
      onboard('C-RACE', '5000.00'),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await h?.stop();
  });

  describe('the first application', () => {
    it('puts the trial limit in force at once and makes the rest an initial request by billing', async () => {
      expect((await position('C-NEW')).creditLimit).toBe('5000.00');
      expect(await types('C-NEW')).toEqual(['CustomerOnboarded', 'CreditLimitChanged', 'ApprovalRequested']);
      const [req] = (await h.get('/customers/C-NEW/limit-requests')).body.items;
      expect(req).toMatchObject({
        requestId: 'initial-C-NEW',
        kind: 'initial',
        status: 'pending',
        newLimit: '80000.00',
        currentLimit: '5000.00',
        requestedBy: 'billing',
        grade: 'C',
        required: ['finance-manager'],
        missing: ['finance-manager'],
      });
      // The inbox of a finance-manager shows it with the position and grade; a sales-manager's does not.
      const inbox = (await h.get('/approvals', KEYS.finance)).body.items;
      expect(inbox).toContainEqual(
        expect.objectContaining({
          customerId: 'C-NEW',
          requestId: 'initial-C-NEW',
          missing: ['finance-manager'],
          position: expect.objectContaining({ creditLimit: '5000.00', grade: 'C', status: 'active' }),
        }),
      );
      expect(
        (await h.get('/approvals', KEYS.sales)).body.items.map((i: { customerId: string }) => i.customerId),
      ).not.toContain('C-NEW');
      const r = await approve('C-NEW', 'initial-C-NEW', KEYS.finance);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('done');
      expect((await position('C-NEW')).creditLimit).toBe('80000.00');
      expect(await payloads('C-NEW', 'ApprovalCompleted')).toEqual([
        {
          requestId: 'initial-C-NEW',
          kind: 'initial',
          approvedBy: ['fiona'],
          approvedRoles: ['finance-manager'],
        },
      ]);
    });

    it('asks nothing when the requested limit is within the trial limit', async () => {
      expect((await position('C-TRIAL')).creditLimit).toBe('4000.00');
      expect(await types('C-TRIAL')).toEqual(['CustomerOnboarded']);
    });

    it('gives a cash-only grade no credit whatever the request', async () => {
      const p = await position('C-CASH');
      expect([p.creditLimit, p.grade, p.available]).toEqual(['5000.00', 'D', '0.00']);
      const r = await approve('C-CASH', 'initial-C-CASH', KEYS.sales);
      expect(r.status).toBe(200);
      const last = await approve('C-CASH', 'initial-C-CASH', KEYS.analyst);
      expect(last.status).toBe(409);
      expect(last.body.message).toMatch(/cash-only grade D: no credit/);
      const more = await h.send(
        'POST',
        '/customers/C-CASH/limit-requests',
        { newLimit: '60000.00', reason: 'x' },
        KEYS.sales,
      );
      expect(more.status).toBe(409);
      expect((await position('C-CASH')).available).toBe('0.00');
    });
  });

  describe('each kind', () => {
    it('increase: the lowest tier needs a sales-manager AND a finance-clerk, four-eyes, each principal once', async () => {
      await request('C-INC', '30000.00', KEYS.sales, 'INC-1');
      expect((await approve('C-INC', 'INC-1', KEYS.sales)).status).toBe(403); // the requester
      expect((await approve('C-INC', 'INC-1', KEYS.finance)).status).toBe(403); // not a role the tier names
      expect((await approve('C-INC', 'INC-1', KEYS.admin)).status).toBe(403); // admin never approves credit
      expect((await approve('C-INC', 'INC-1', KEYS.analyst)).body.status).toBe('pending');
      expect((await approve('C-INC', 'INC-1', KEYS.analyst)).status).toBe(409);
      expect((await approve('C-INC', 'INC-1', KEYS.analyst2)).status).toBe(403); // a second clerk fills nothing
      expect((await position('C-INC')).creditLimit).toBe('5000.00');
      expect((await approve('C-INC', 'INC-1', KEYS.sales2)).body.status).toBe('done');
      expect((await position('C-INC')).creditLimit).toBe('30000.00');
      expect(await payloads('C-INC', 'ApprovalCompleted')).toEqual([
        {
          requestId: 'INC-1',
          kind: 'increase',
          approvedBy: ['carl', 'sid'],
          approvedRoles: ['finance-clerk', 'sales-manager'],
        },
      ]);
    });

    it('decrease: goes through approval too', async () => {
      await request('C-INC', '1000.00', KEYS.finance, 'DEC-1');
      expect((await position('C-INC')).creditLimit).toBe('30000.00');
      await approve('C-INC', 'DEC-1', KEYS.sales);
      expect((await approve('C-INC', 'DEC-1', KEYS.analyst2)).body.status).toBe('done');
      expect((await position('C-INC')).creditLimit).toBe('1000.00');
    });

    it('above 200,000: the general-manager approves alone (or the cfo)', async () => {
      await request('C-GM', '250000.00', KEYS.finance, 'GM-1');
      expect((await approve('C-GM', 'GM-1', KEYS.finance2)).status).toBe(403);
      const r = await approve('C-GM', 'GM-1', KEYS.gm);
      expect(r.body.status).toBe('done');
      expect((await position('C-GM')).creditLimit).toBe('250000.00');
      expect((await payloads('C-GM', 'ApprovalGiven'))[0]).toEqual({
        requestId: 'GM-1',
        by: 'gina',
        role: 'general-manager',
      });
    });

    it('temporary: amount and expiry, routed by the limit plus the amount, in force only once approved', async () => {
      const r = await h.send(
        'POST',
        '/customers/C-TMP/temporary-limit',
        { amount: '1000000000.00', expiresAt: '2026-07-01T00:00:00Z', reason: 'fair' },
        KEYS.finance,
      );
      expect(r.status).toBe(202);
      expect(r.body.status).toBe('pending');
      expect((await position('C-TMP')).available).toBe('5000.00');
      const [req] = (await h.get('/customers/C-TMP/limit-requests')).body.items;
      expect(req).toMatchObject({
        kind: 'temporary',
        required: ['cfo|general-manager'],
        validUntil: '2026-07-01T00:00:00.000Z',
      });
      expect((await approve('C-TMP', req.requestId, KEYS.finance2)).status).toBe(403);
      expect((await approve('C-TMP', req.requestId, KEYS.cfo)).body.status).toBe('done');
      expect((await position('C-TMP')).available).toBe('1000005000.00');
      expect(await payloads('C-TMP', 'TemporaryLimitGranted')).toEqual([
        expect.objectContaining({
          amount: '100000000000',
          expiresAt: '2026-07-01T00:00:00.000Z',
          by: 'cleo',
        }),
      ]);
    });

    it('freeze and unfreeze: manual ones are requests; the freeze takes effect once approved', async () => {
      const f = await h.send('POST', '/customers/C-FRZ/freeze', { reason: 'dispute' }, KEYS.analyst);
      expect(f.status).toBe(202);
      expect((await position('C-FRZ')).status).toBe('active');
      expect((await approve('C-FRZ', f.body.requestId, KEYS.sales)).body.status).toBe('pending');
      expect((await position('C-FRZ')).status).toBe('active');
      expect((await approve('C-FRZ', f.body.requestId, KEYS.analyst2)).body.status).toBe('done');
      expect((await position('C-FRZ')).status).toBe('frozen');
      const u = await h.send('POST', '/customers/C-FRZ/unfreeze', { reason: 'settled' }, KEYS.sales);
      expect(u.status).toBe(202);
      await approve('C-FRZ', u.body.requestId, KEYS.analyst);
      expect((await position('C-FRZ')).status).toBe('frozen');
      expect((await approve('C-FRZ', u.body.requestId, KEYS.sales2)).body.status).toBe('done');
      expect((await position('C-FRZ')).status).toBe('active');
      expect((await payloads('C-FRZ', 'ApprovalRequested')).map((p) => p.kind)).toEqual([
        'freeze',
        'unfreeze',
      ]);
    });

    it('unblacklist: a manager asks; in force once approved, then held orders that fit are released', async () => {
      // Blacklisting only takes credit away: one manager, at once.
      expect((await h.send('POST', '/customers/C-UBL/blacklist', { reason: 'fraud' }, KEYS.cfo)).status).toBe(
        200,
      );
      await h.publish([order('C-UBL', 'O-UBL', '900.00')]);
      await h.waitForIngestion();
      const held = async () =>
        (await h.get('/orders/held')).body.items.map((o: { orderId: string }) => o.orderId);
      expect(await held()).toContain('O-UBL');
      expect((await h.send('POST', '/customers/C-UBL/unblacklist', { reason: 'x' }, KEYS.sales)).status).toBe(
        403,
      );
      const u = await h.send('POST', '/customers/C-UBL/unblacklist', { reason: 'cleared' }, KEYS.finance);
      expect(u.status).toBe(202);
      expect(u.body).toMatchObject({ customerId: 'C-UBL', status: 'pending' });
      const [req] = (await h.get('/customers/C-UBL/limit-requests')).body.items;
      expect(req).toMatchObject({
        requestId: u.body.requestId,
        kind: 'unblacklist',
        requestedBy: 'fiona',
        required: ['sales-manager', 'finance-clerk'],
      });
      expect(
        (await h.get('/approvals', KEYS.sales)).body.items.map((i: { requestId: string }) => i.requestId),
      ).toContain(u.body.requestId);
      expect((await approve('C-UBL', u.body.requestId, KEYS.finance)).status).toBe(403);
      expect((await approve('C-UBL', u.body.requestId, KEYS.sales)).body.status).toBe('pending');
      expect((await position('C-UBL')).status).toBe('blacklisted');
      expect(await held()).toContain('O-UBL');
      const done = await approve('C-UBL', u.body.requestId, KEYS.analyst);
      expect(done.body.status).toBe('done');
      expect(done.body.events.map((e: { type: string }) => e.type)).toEqual([
        'ApprovalGiven',
        'ApprovalCompleted',
        'CustomerUnblacklisted',
        'OrderReleased',
      ]);
      expect(await payloads('C-UBL', 'ApprovalCompleted')).toEqual([
        {
          requestId: u.body.requestId,
          kind: 'unblacklist',
          approvedBy: ['sam', 'carl'],
          approvedRoles: ['sales-manager', 'finance-clerk'],
        },
      ]);
      expect((await position('C-UBL')).status).toBe('active');
      expect(await held()).not.toContain('O-UBL');
    });

    it('order-release: one finance-clerk up to the cap; above it a request routed by the order amount', async () => {
      const small = await h.send(
        'POST',
        '/orders/O-SMALL/release',
        { customerId: 'C-ORD', reason: 'known' },
        KEYS.analyst,
      );
      expect(small.status).toBe(200);
      expect(small.body.status).toBe('done');
      const big = await h.send(
        'POST',
        '/orders/O-BIG/release',
        { customerId: 'C-ORD', reason: 'known' },
        KEYS.analyst,
      );
      expect([big.status, big.body.status]).toEqual([200, 'pending']);
      const [req] = (await h.get('/customers/C-ORD/limit-requests')).body.items;
      expect(req).toMatchObject({
        kind: 'order-release',
        orderId: 'O-BIG',
        required: ['sales-manager', 'finance-clerk'],
      });
      expect((await h.get('/orders/held')).body.items.map((o: { orderId: string }) => o.orderId)).toContain(
        'O-BIG',
      );
      await approve('C-ORD', big.body.requestId, KEYS.analyst2);
      expect((await approve('C-ORD', big.body.requestId, KEYS.sales)).body.status).toBe('done');
      expect(
        (await h.get('/orders/held')).body.items.map((o: { orderId: string }) => o.orderId),
      ).not.toContain('O-BIG');
      expect(await payloads('C-ORD', 'OrderReleased')).toEqual([
        expect.objectContaining({ orderId: 'O-SMALL', releasedBy: 'carl' }),
        expect.objectContaining({ orderId: 'O-BIG', releasedBy: 'sam' }),
      ]);
    });
  });

  it('reminds, escalates and only then expires, under a controlled clock', async () => {
    await request('C-REM', '20000.00', KEYS.finance, 'REM-1');
    const review = async (hours: number) => {
      const at = new Date(now.getTime() + hours * 3_600_000).toISOString();
      const r = await h.send('POST', '/control/review', { at }, KEYS.admin);
      expect(r.status).toBe(200);
      return r.body.events
        .filter((e: { customerId: string }) => e.customerId === 'C-REM')
        .map((e: { type: string }) => e.type);
    };
    expect(await review(23)).toEqual([]);
    expect(await review(24)).toEqual(['ApprovalReminderSent']);
    expect(await review(24)).toEqual([]); // idempotent
    expect(await review(48)).toEqual(['ApprovalReminderSent']);
    expect(await review(72)).toEqual(['ApprovalReminderSent']);
    expect(await review(96)).toEqual(['ApprovalEscalated']);
    const [req] = (await h.get('/customers/C-REM/limit-requests')).body.items;
    expect(req).toMatchObject({ status: 'pending', tier: 1, reminders: 3, required: ['finance-manager'] });
    for (const hours of [120, 144, 168]) expect(await review(hours)).toEqual(['ApprovalReminderSent']);
    expect(await review(192)).toEqual(['ApprovalEscalated']);
    for (const hours of [216, 240, 264]) expect(await review(hours)).toEqual(['ApprovalReminderSent']);
    expect(await review(288)).toEqual(['ApprovalExpired']);
    expect(await payloads('C-REM', 'ApprovalExpired')).toEqual([
      { requestId: 'REM-1', kind: 'increase', reminders: 9, missing: ['cfo|general-manager'] },
    ]);
    // Each reminder is an alert on credit.alerts.approval-reminder naming the missing roles.
    const alerts = await h.query<{
      topic: string;
      payload: { type: string; details: Record<string, unknown> };
    }>(
      `SELECT topic, payload FROM alert_outbox WHERE key = 'C-REM' AND topic = 'credit.alerts.approval-reminder' ORDER BY id`,
    );
    expect(alerts.map((a) => a.payload.type)).toEqual([
      ...Array(3).fill('ApprovalReminderSent'),
      'ApprovalEscalated',
      ...Array(3).fill('ApprovalReminderSent'),
      'ApprovalEscalated',
      ...Array(3).fill('ApprovalReminderSent'),
      'ApprovalExpired',
    ]);
    expect(alerts[0].payload.details).toMatchObject({
      reminder: 1,
      missing: ['sales-manager', 'finance-clerk'],
    });
    expect((await approve('C-REM', 'REM-1', KEYS.cfo)).status).toBe(409);
    expect((await position('C-REM')).creditLimit).toBe('5000.00');
  });

  it('20 concurrent approvals approve once', async () => {
    await request('C-RACE', '100000.00', KEYS.sales, 'RACE-1');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => approve('C-RACE', 'RACE-1', i % 2 ? KEYS.finance : KEYS.finance2)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
    expect(await payloads('C-RACE', 'ApprovalGiven')).toHaveLength(1);
    expect(await payloads('C-RACE', 'CreditLimitChanged')).toHaveLength(1);
    expect((await position('C-RACE')).creditLimit).toBe('100000.00');
  });
});

/** A top band with simplified approval (seed 004: AAA 启用简化的审批流程): one approver of the tier. */
describe('approvals for a simplified top band', () => {
  let h: LedgerHarness;
  beforeAll(async () => {
    // The sound test credit file scores 78: with A from 75 it lands in the top band, simplified by default.
    const bands = DEFAULT_GRADE_POLICY.bands.map((b, i) => ({ ...b, minScore: [75, 74, 70, 0][i] }));
    h = await LedgerHarness.start({ clock: () => new Date('2026-06-15T12:00:00Z'), policy: { bands } });
    await h.publish([
      onboarded('C-TOP', '2026-06-01T09:00:00Z', { name: 'Top', currency: 'EUR', creditLimit: '5000.00' }),
    ]);
    await h.waitForIngestion();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('needs one approver of the lowest sufficient tier', async () => {
    expect((await h.get('/customers/C-TOP')).body.grade).toBe('A');
    const r = await h.send(
      'POST',
      '/customers/C-TOP/limit-requests',
      { newLimit: '40000.00', reason: 'AAA', requestId: 'TOP-1' },
      KEYS.sales,
    );
    expect(r.status).toBe(201);
    const [req] = (await h.get('/customers/C-TOP/limit-requests')).body.items;
    expect(req).toMatchObject({ grade: 'A', required: ['sales-manager|finance-clerk'] });
    const a = await h.send('POST', '/customers/C-TOP/limit-requests/TOP-1/approve', undefined, KEYS.analyst);
    expect(a.body.status).toBe('done');
    expect((await h.get('/customers/C-TOP')).body.creditLimit).toBe('40000.00');
  });
});
