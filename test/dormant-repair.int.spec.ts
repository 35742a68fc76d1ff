import { JobsClient, type JobName } from '@credit-ledger/jobs';
import { KEYS, LedgerHarness, TRIAL_COVERS_ALL } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';
import {
  cleanRedis,
  jobsClient,
  startWorker,
  uniqueQueuePrefix,
  workerConfig,
} from './support/worker-harness';

const C = 'C-DORM';

/**
 * A dormant limit is submitted, not flagged (seed 004), and the cut it leads to is repaired by on-time months
 * (seed 000 FAQ2): Kafka → ledger → worker jobs (at a controlled instant) → the approval API, with the ledger's
 * clock moved by the test. Expectations are hand-computed.
 */
describe('dormant limit → system request → approvals → lowered → repaired', () => {
  let h: LedgerHarness;
  let jobs: JobsClient;
  let stopWorker: () => Promise<void> = async () => undefined;
  let now = new Date('2025-07-10T00:00:00Z');
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    h = await LedgerHarness.start({
      clock: () => now,
      env: { QUEUE_PREFIX: prefix },
      policy: TRIAL_COVERS_ALL,
    });
    const w = await startWorker(workerConfig(h.config));
    stopWorker = () => w.app.close();
    jobs = jobsClient(h.config);
  });

  afterAll(async () => {
    await stopWorker();
    await jobs?.close();
    await h?.stop();
    await cleanRedis(h.config.redisUrl, prefix);
  });

  const run = async (name: JobName, at: string) => jobs.waitFor(await jobs.run(name, at), 30_000);
  const limit = async () => (await h.get(`/customers/${C}`)).body.creditLimit as string;
  const invoice = (n: number, issuedOn: string, dueOn: string) =>
    wire(C, 'InvoiceIssued', `${issuedOn}T09:00:00Z`, {
      invoiceId: `INV-${n}`,
      amount: '1000.00',
      currency: 'EUR',
      issuedOn,
      dueOn,
    });
  const pay = (n: number, on: string) =>
    wire(C, 'PaymentReceived', `${on}T10:00:00Z`, {
      paymentId: `PAY-${n}`,
      amount: '1000.00',
      currency: 'EUR',
      receivedOn: on,
      allocations: [{ invoiceId: `INV-${n}`, amount: '1000.00' }],
    });

  it('submits the dormant limit, lowers it on the tier approvals, and restores half the cut after three on-time months', async () => {
    // The policy: a dormant limit goes to 40 % of itself (a share, so the expectation does not hang on the grade).
    const current = (await h.get('/policy')).body;
    const policy = {
      ...current.policy,
      version: current.policy.version + 1,
      dormantLimitReduction: { to: 'share', sharePct: 40 },
    };
    expect((await h.adoptPolicy({ policy, note: 'dormant to 40 %' })).status).toBe(200);
    await h.publish([
      onboarded(C, '2025-01-02T09:00:00Z', { name: 'Dormant Co', currency: 'EUR', creditLimit: '50000.00' }),
      invoice(1, '2025-01-10', '2025-02-09'),
      pay(1, '2025-02-01'),
    ]);
    await h.waitForIngestion();

    // Last use 2025-01-10; six calendar months later (2025-07-10) it is dormant: flagged and submitted by system,
    // 50,000.00 → 20,000.00, a new limit up to 50,000 needing a sales manager and a credit analyst.
    await run('dormant-limit-review', '2025-07-09T23:00:00.000Z');
    expect((await h.get(`/customers/${C}/limit-requests`)).body.items).toEqual([]);
    await run('dormant-limit-review', '2025-07-10T00:00:00.000Z');
    const [request] = (await h.get(`/customers/${C}/limit-requests`)).body.items;
    expect(request).toMatchObject({
      requestId: 'dormant-2025-01-10',
      status: 'pending',
      requestedBy: 'system',
      newLimit: '20000.00',
      currentLimit: '50000.00',
      required: ['sales-manager', 'finance-clerk'],
      missing: ['sales-manager', 'finance-clerk'],
      requestedAt: '2025-07-10T00:00:00.000Z',
      expiresAt: null, // reminded and escalated, not expired (docs/approvals.md)
    });
    await run('dormant-limit-review', '2025-07-11T00:00:00.000Z'); // once per dormancy
    expect((await h.get(`/customers/${C}/limit-requests`)).body.items).toHaveLength(1);

    // The normal tiers: the sales manager, then the credit analyst; the limit is lowered on the last.
    now = new Date('2025-07-11T09:00:00Z');
    const approve = (key: string) =>
      h.send('POST', `/customers/${C}/limit-requests/dormant-2025-01-10/approve`, undefined, key);
    expect((await approve(KEYS.sales)).status).toBeLessThan(300);
    expect(await limit()).toBe('50000.00');
    expect((await approve(KEYS.analyst)).status).toBeLessThan(300);
    expect(await limit()).toBe('20000.00');

    // August, September, October 2025: an invoice each month paid before its due date.
    await h.publish([
      invoice(2, '2025-08-01', '2025-08-20'),
      pay(2, '2025-08-10'),
      invoice(3, '2025-09-01', '2025-09-20'),
      pay(3, '2025-09-10'),
      invoice(4, '2025-10-01', '2025-10-20'),
      pay(4, '2025-10-10'),
    ]);
    await h.waitForIngestion();
    await run('credit-control-review', '2025-10-31T23:00:00.000Z'); // October not over yet
    expect(await limit()).toBe('20000.00');
    await run('credit-control-review', '2025-11-01T00:15:00.000Z');
    // 20,000.00 + 50 % of the 30,000.00 cut = 35,000.00, earned by the three months.
    expect(await limit()).toBe('35000.00');
    const changes = (await h.get(`/customers/${C}/timeline?limit=100`)).body.items as Array<{
      type: string;
      payload: Record<string, unknown>;
    }>;
    expect(
      changes
        .filter((e) => e.type === 'CreditLimitChanged')
        .map((e) => [e.payload.cause, e.payload.creditLimit, e.payload.by, e.payload.earnedBy ?? null]),
    ).toEqual([
      ['request', '2000000', 'carl', null],
      ['repair', '3500000', 'system', ['2025-08', '2025-09', '2025-10']],
    ]);
  });
});
