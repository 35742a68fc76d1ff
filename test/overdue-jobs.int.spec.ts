import { ALERT_TOPICS } from '@credit-ledger/domain';
import { SCHEDULED_JOBS, JobsClient } from '@credit-ledger/jobs';
import { KEYS, LedgerHarness, waitUntil } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';
import {
  AlertCollector,
  cleanRedis,
  jobsClient,
  startWorker,
  uniqueQueuePrefix,
  workerConfig,
} from './support/worker-harness';
import { spawnTsChild } from './support/child-process';

const T1 = '2026-03-16T00:00:00.000Z';
const T2 = '2026-03-31T00:00:00.000Z';

function invoice(customerId: string, invoiceId: string, amount: string, issuedOn: string, dueOn: string) {
  return wire(customerId, 'InvoiceIssued', `${issuedOn}T09:00:00Z`, {
    invoiceId,
    amount,
    currency: 'EUR',
    issuedOn,
    dueOn,
  });
}

/**
 * Invoices cross their due dates under an injected clock (the job's `at`): the overdue scan issues exactly the
 * collections notices due, once each, even when the worker is SIGKILLed mid-job and when two scans run at once.
 */
describe('overdue scan', () => {
  let h: LedgerHarness;
  let jobs: JobsClient;
  let collector: AlertCollector;
  let stopWorker: (() => Promise<void>) | null = null;
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    h = await LedgerHarness.start({
      env: { QUEUE_PREFIX: prefix, JOB_CHUNK_SIZE: '2', JOB_LOCK_MS: '1500' },
    });
    const onboard = (id: string) =>
      onboarded(id, '2026-01-02T09:00:00Z', {
        name: id,
        currency: 'EUR',
        creditLimit: '10000.00',
      });
    await h.publish([
      onboard('C-1'),
      onboard('C-2'),
      onboard('C-3'),
      onboard('C-4'),
      onboard('C-5'),
      invoice('C-1', 'INV-1', '600.00', '2026-02-01', '2026-03-01'),
      invoice('C-1', 'INV-2', '400.00', '2026-02-08', '2026-03-10'),
      invoice('C-2', 'INV-3', '100.00', '2026-02-05', '2026-03-05'),
      wire('C-2', 'PaymentReceived', '2026-03-03T09:00:00Z', {
        paymentId: 'P-3',
        amount: '100.00',
        currency: 'EUR',
        receivedOn: '2026-03-03',
      }),
      invoice('C-3', 'INV-4', '250.00', '2026-02-20', '2026-03-20'),
      invoice('C-4', 'INV-5', '50.00', '2026-01-20', '2026-02-20'),
    ]);
    await h.waitForIngestion();
    jobs = jobsClient(h.config);
    collector = await AlertCollector.start(h.broker.address);
  });

  afterAll(async () => {
    await stopWorker?.();
    await collector?.stop();
    await jobs?.close();
    await h?.stop();
    await cleanRedis(h.config.redisUrl, prefix);
  });

  const overdueIds = () => collector.on(ALERT_TOPICS.overdue).map((a) => a.value.alertId);

  it('issues the notices due, once, after the worker is killed mid-job and restarted', async () => {
    const { child, output } = spawnTsChild('worker-child.ts', {
      KAFKA_BROKERS: h.broker.address,
      DATABASE_URL: h.config.databaseUrl,
      QUEUE_PREFIX: prefix,
      JOB_CHUNK_SIZE: '2',
      JOB_LOCK_MS: '1500',
      WORKER_CONCURRENCY: '1',
      LOG_LEVEL: 'error',
    });
    let job;
    try {
      await waitUntil(
        () => output().includes('READY'),
        60_000,
        () => `child: ${output()}`,
      );
      job = await jobs.run('overdue-scan', T1);
      await waitUntil(
        () => /CHUNK \d+/.test(output()),
        30_000,
        () => `child: ${output()}`,
      );
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // Candidates C-1, C-3, C-4 in chunks of 2: the first chunk (C-1, C-3) committed before the kill: two
    // notices, each with the collection task it opens.
    expect(Number(/CHUNK (\d+)/.exec(output())![1])).toBe(4);

    const w = await startWorker(workerConfig(h.config, { JOB_CHUNK_SIZE: '2', JOB_LOCK_MS: '1500' }));
    stopWorker = () => w.app.close();
    // The stalled chunk is taken over once its lock expires; the scan completes.
    const result = await jobs.waitFor(job, 30_000);
    expect(result).toMatchObject({ at: T1, chunks: 2, customers: 3 });
    await collector.waitFor(() => overdueIds().length >= 3, 'three overdue notices');
    expect(overdueIds().sort()).toEqual([
      'overdue:C-1:INV-1:formal-notice', // 15 days past due
      'overdue:C-1:INV-2:reminder', // 6
      'overdue:C-4:INV-5:formal-notice', // 24 (straight to the step reached); INV-4 not due, INV-3 paid
    ]);
    const notice = collector
      .on(ALERT_TOPICS.overdue)
      .find((a) => a.value.alertId.endsWith('INV-1:formal-notice'))!;
    expect(notice.key).toBe('C-1');
    expect(notice.value).toMatchObject({
      type: 'OverdueNoticeIssued',
      customerId: 'C-1',
      occurredAt: T1,
      details: {
        invoiceId: 'INV-1',
        step: 'formal-notice',
        daysPastDue: 15,
        openAmount: '600.00',
        currency: 'EUR',
      },
    });
  });

  it('issues each notice once when two scans run concurrently, and nothing on a re-run', async () => {
    const [a, b] = await Promise.all([jobs.run('overdue-scan', T2), jobs.run('overdue-scan', T2)]);
    await Promise.all([jobs.waitFor(a, 30_000), jobs.waitFor(b, 30_000)]);
    await collector.waitFor(() => overdueIds().length >= 7, 'seven overdue notices');
    // The API runs it once more (admin only); it finds nothing new.
    const res = await fetch(`${h.url}/jobs/overdue-scan/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ at: T2 }),
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const again = await jobs.waitFor((await jobs.queue.getJob(jobId))!, 30_000);
    expect(again.appended).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(overdueIds().sort()).toEqual([
      'overdue:C-1:INV-1:escalation', // 30 days at T2
      'overdue:C-1:INV-1:formal-notice',
      'overdue:C-1:INV-2:formal-notice', // 21
      'overdue:C-1:INV-2:reminder',
      'overdue:C-3:INV-4:reminder', // 11
      'overdue:C-4:INV-5:escalation', // 39
      'overdue:C-4:INV-5:formal-notice',
    ]);
    const [{ n }] = await h.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ledger_events WHERE type = 'OverdueNoticeIssued'`,
    );
    expect(n).toBe(7);
  });

  it('lets operators run jobs and see the queue through the API', async () => {
    const post = (name: string, key: string) =>
      fetch(`${h.url}/jobs/${name}/run`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    const unknown = await post('tidy-up', KEYS.admin);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      `unknown job "tidy-up"; jobs are: ${SCHEDULED_JOBS.join(', ')}`,
    );
    expect((await post('overdue-scan', KEYS.finance)).status).toBe(403);
    const list = await h.get('/jobs');
    expect(list.status).toBe(200);
    expect(list.body.counts.completed).toBeGreaterThanOrEqual(4);
    expect(list.body.failed).toEqual([]);
    const health = await h.get('/health', null);
    expect(health.body.jobs).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });
});
