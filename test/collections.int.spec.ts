import { ALERT_TOPICS } from '@credit-ledger/domain';
import { JobsClient, type JobName } from '@credit-ledger/jobs';
import { onboarded, wire } from './support/wire';
import { jobsClient, startAlertStack, type AlertStack } from './support/worker-harness';
import { soundProfile } from '../libs/domain/test/builders';

function invoice(customerId: string, invoiceId: string, amount: string, issuedOn: string, dueOn: string) {
  return wire(customerId, 'InvoiceIssued', `${issuedOn}T09:00:00Z`, {
    invoiceId,
    amount,
    currency: 'EUR',
    issuedOn,
    dueOn,
  });
}

const customer = (id: string, extra: Record<string, unknown>) =>
  onboarded(
    id,
    '2026-01-02T09:00:00Z',
    { name: id, currency: 'EUR', creditLimit: '10000.00' },
    {
      ...soundProfile('EUR', '2026-01-02'),
      ...extra,
    },
  );

/**
 * Collection tasks through the real parts: Kafka → ledger → worker jobs → credit.tasks.collections, and
 * GET /collections/tasks. Every instant is the job's `at` (a controlled clock); expectations are hand-computed.
 */
describe('collections', () => {
  let s: AlertStack;
  let jobs: JobsClient;

  beforeAll(async () => {
    s = await startAlertStack();
    jobs = jobsClient(s.h.config);
  });

  afterAll(async () => {
    await jobs?.close();
    await s?.stop();
  });

  const run = async (name: JobName, at: string) => jobs.waitFor(await jobs.run(name, at), 30_000);
  const taskIds = () => s.collector.on(ALERT_TOPICS.collectionTasks).map((a) => a.value.alertId);
  const tasks = async (query: string) => {
    const res = await s.h.get(`/collections/tasks?${query}`);
    expect(res.status).toBe(200);
    return res.body as { items: Array<Record<string, unknown>>; total: number };
  };

  it('opens a task for the account owner at the pre-due reminder and on freeze; closes them when cleared', async () => {
    const { h, collector } = s;
    await h.publish([
      customer('C-OWN', { accountOwner: { id: 'u-ana', name: 'Ana' } }),
      invoice('C-OWN', 'INV-1', '1200.00', '2026-02-01', '2026-03-01'),
    ]);
    await h.waitForIngestion();

    // 2026-02-26 is 3 days before due: the default ladder's pre-due reminder, with a task for Ana.
    await run('overdue-scan', '2026-02-26T00:00:00.000Z');
    await collector.waitFor(
      () => taskIds().includes('task-opened:collection:C-OWN:INV-1:pre-due'),
      'pre-due task',
    );
    const notice = collector.on(ALERT_TOPICS.overdue).find((a) => a.value.customerId === 'C-OWN')!;
    expect(notice.value).toMatchObject({
      alertId: 'overdue:C-OWN:INV-1:pre-due',
      details: { step: 'pre-due', daysPastDue: -3, openAmount: '1200.00', ladder: 'default' },
    });
    const open = await tasks('owner=u-ana&status=open');
    expect(open.total).toBe(1);
    expect(open.items[0]).toMatchObject({
      taskId: 'collection:C-OWN:INV-1:pre-due',
      customerId: 'C-OWN',
      owner: 'u-ana',
      status: 'open',
      trigger: 'step',
      step: 'pre-due',
      ladder: 'default',
      invoiceIds: ['INV-1'],
      amountDue: '1200.00',
      currency: 'EUR',
      daysPastDue: -3,
      openedAt: '2026-02-26T00:00:00.000Z',
      closedAt: null,
      closeReason: null,
    });

    // 2026-04-01: 31 days past due, frozen; the freeze opens a task with what is due.
    await run('freeze-review', '2026-04-01T00:00:00.000Z');
    await collector.waitFor(
      () => taskIds().some((id) => id.startsWith('task-opened:collection:frozen:C-OWN')),
      'freeze task',
    );
    const frozen = (await tasks('owner=u-ana&status=open')).items.find((t) => t.trigger === 'freeze')!;
    expect(frozen).toMatchObject({
      step: null,
      invoiceIds: ['INV-1'],
      amountDue: '1200.00',
      daysPastDue: 31,
    });

    // Paid in full: the invoice's task closes with the payment; the freeze task when the customer is unfrozen.
    await h.publish([
      wire('C-OWN', 'PaymentReceived', '2026-04-02T09:00:00Z', {
        paymentId: 'P-1',
        amount: '1200.00',
        currency: 'EUR',
        receivedOn: '2026-04-02',
      }),
    ]);
    await h.waitForIngestion();
    await run('freeze-review', '2026-04-02T12:00:00.000Z');
    await collector.waitFor(
      () => taskIds().filter((id) => id.startsWith('task-closed:') && id.includes('C-OWN')).length === 2,
      'both tasks closed',
    );
    expect((await tasks('owner=u-ana&status=open')).total).toBe(0);
    const closed = await tasks('owner=u-ana&status=closed');
    expect(closed.items.map((t) => [t.trigger, t.closeReason])).toEqual([
      ['step', 'paid'],
      ['freeze', 'unfrozen'],
    ]);
    expect(closed.items[0].closedAt).toBe('2026-04-02T09:00:00.000Z');
    // Another owner sees none of it; a bad status is a 400 naming the field.
    expect((await tasks('owner=u-bob&status=all')).total).toBe(0);
    const bad = await h.get('/collections/tasks?status=done');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('status');
  });

  it('puts two segments on different ladders (policy: individuals gentle, channel partners firm)', async () => {
    const { h, collector } = s;
    const current = (await h.get('/policy')).body;
    const policy = {
      ...current.policy,
      version: current.policy.version + 1,
      collectionSegments: [
        { ladder: 'gentle', customerTypes: ['individual'] },
        { ladder: 'firm', customerTypes: ['channel'] },
      ],
    };
    expect((await h.adoptPolicy({ policy, note: 'ladders per segment' })).status).toBe(200);
    await h.publish([
      customer('C-IND', { customerType: 'individual' }),
      customer('C-CHN', { customerType: 'channel' }),
      invoice('C-IND', 'INV-I', '300.00', '2026-02-01', '2026-03-01'),
      invoice('C-CHN', 'INV-C', '500.00', '2026-02-01', '2026-03-01'),
    ]);
    await h.waitForIngestion();
    const steps = (c: string) =>
      collector
        .on(ALERT_TOPICS.overdue)
        .filter((a) => a.value.customerId === c)
        .map((a) => `${String(a.value.details.step)}@${String(a.value.details.daysPastDue)}`);
    // gentle: pre-due −3, reminder 3, formal-notice 30; firm: pre-due −7, reminder 1, formal-notice 7.
    for (const at of ['2026-02-22', '2026-02-26', '2026-03-02', '2026-03-04', '2026-03-08'])
      await run('overdue-scan', `${at}T00:00:00.000Z`);
    await collector.waitFor(
      () => steps('C-CHN').length === 3 && steps('C-IND').length === 2,
      'ladder notices',
    );
    expect(steps('C-CHN')).toEqual(['pre-due@-7', 'reminder@1', 'formal-notice@7']);
    expect(steps('C-IND')).toEqual(['pre-due@-3', 'reminder@3']);
    const open = await tasks('owner=collections&status=open');
    expect(
      open.items.map((t) => `${String(t.customerId)}:${String(t.ladder)}:${String(t.step)}`).sort(),
    ).toEqual(['C-CHN:firm:formal-notice', 'C-IND:gentle:reminder']);
  });
  it("looks a task's events up by its id through the partial index, its latest action included", async () => {
    const { Client } = await import('pg');
    const c = new Client({ connectionString: s.h.config.databaseUrl });
    await c.connect();
    try {
      const [index] = (
        await c.query(
          `SELECT indexdef FROM pg_indexes WHERE indexname = 'ledger_events_collection_task_events'`,
        )
      ).rows as Array<{ indexdef: string }>;
      for (const type of ['CollectionTaskOpened', 'CollectionTaskClosed', 'CollectionActionRecorded'])
        expect(index.indexdef).toContain(type);
      // the index it replaces is gone (it led with the same columns)
      expect(
        (await c.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'ledger_events_collection_tasks'`))
          .rowCount,
      ).toBe(0);
      // a task's latest action by its id (the lookup GET /collections/tasks makes per task; the table is small
      // here, so sequential scans are ruled out and the planner picks among the indexes)
      await c.query('BEGIN');
      await c.query('SET LOCAL enable_seqscan = off');
      const plan = (
        await c.query(
          `EXPLAIN SELECT a.occurred_at, a.payload FROM ledger_events a
            WHERE a.type = 'CollectionActionRecorded' AND a.payload->>'taskId' = $1
            ORDER BY a.sequence DESC LIMIT 1`,
          ['collection:x'],
        )
      ).rows
        .map((r: Record<string, string>) => r['QUERY PLAN'])
        .join('\n');
      await c.query('ROLLBACK');
      expect(plan).toContain('ledger_events_collection_task_events');
    } finally {
      await c.end();
    }
  });
});
