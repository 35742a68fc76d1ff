import { createHash } from 'node:crypto';
import { canonicalJson } from '@credit-ledger/domain';
import {
  JOB_DEFAULTS,
  JobsClient,
  MONTHLY_REPORT_JOB,
  MonthlyReportResult,
  schedulesOf,
} from '@credit-ledger/jobs';
import { MonthlyReports } from '@credit-ledger/projections';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';
import {
  cleanRedis,
  jobsClient,
  startWorker,
  uniqueQueuePrefix,
  workerConfig,
} from './support/worker-harness';

/** The run the scheduler makes at 00:05 UTC on 1 June 2026 (its prevMillis), and the worker's clock then. */
const JUNE_RUN = Date.parse('2026-06-01T00:05:00.000Z');
const MAY_RUN = Date.parse('2026-05-01T00:05:00.000Z');
const JULY_RUN = Date.parse('2026-07-01T00:05:00.000Z');
const WORKER_NOW = new Date('2026-06-01T00:05:30.000Z');

const invoice = (id: string, invoiceId: string, amount: string, issuedOn: string, dueOn: string) =>
  wire(id, 'InvoiceIssued', `${issuedOn}T09:00:00Z`, {
    invoiceId,
    amount,
    currency: 'EUR',
    issuedOn,
    dueOn,
  });

/**
 * The month-end credit report built by the worker on its schedule (seed 000: 财务团队每月底自动生成信用报告): a BullMQ
 * job scheduler at 00:05 UTC on each 1st, whose run stores the report of the month just ended. The scheduler is
 * installed and inspected on real Redis; its runs are then enqueued as the scheduler enqueues them (name, data,
 * `prevMillis` = the scheduled instant) on a worker whose clock is 1 June 2026, 00:05:30.
 */
describe('scheduled month-end report', () => {
  let h: LedgerHarness;
  let jobs: JobsClient;
  let stopWorker: (() => Promise<void>) | null = null;
  const prefix = uniqueQueuePrefix();
  const inspectPrefix = uniqueQueuePrefix();

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => WORKER_NOW, env: { QUEUE_PREFIX: prefix } });
    await h.publish([
      onboarded('R-1', '2026-03-02T09:00:00Z', { name: 'R-1', currency: 'EUR', creditLimit: '10000.00' }),
      invoice('R-1', 'INV-1', '1000.00', '2026-04-01', '2026-04-30'),
      invoice('R-1', 'INV-2', '300.00', '2026-05-04', '2026-06-03'),
    ]);
    await h.waitForIngestion();
    jobs = jobsClient(h.config);
    const w = await startWorker(workerConfig(h.config), { relay: false, clock: () => WORKER_NOW });
    stopWorker = () => w.app.close();
  });

  afterAll(async () => {
    await stopWorker?.();
    await jobs?.close();
    await h?.stop();
    await cleanRedis(h.config.redisUrl, prefix);
    await cleanRedis(h.config.redisUrl, inspectPrefix);
  });

  /**
   * A run as the job scheduler enqueues it: the job's name and data, its id and prevMillis from the instant (a
   * suffix makes a second run of the same instant, as a second worker's or a re-added one).
   */
  const scheduledRun = async (millis: number, suffix = '') => {
    const job = await jobs.queue.add(
      MONTHLY_REPORT_JOB,
      { trigger: 'scheduled' },
      { ...JOB_DEFAULTS, jobId: `repeat:${MONTHLY_REPORT_JOB}:${millis}${suffix}`, prevMillis: millis },
    );
    return job;
  };
  const stored = async (month: string) =>
    (
      await h.query<{ hash: string; document: string; built_at: Date }>(
        'SELECT hash, document, built_at FROM monthly_credit_reports WHERE month = $1',
        [month],
      )
    )[0];

  it('is a job scheduler at 00:05 UTC on the 1st of each month, beside the scans', async () => {
    // On a queue of its own with no worker: the schedule and the delayed run it made are only looked at.
    const inspect = JobsClient.fromConfig(workerConfig(h.config, { QUEUE_PREFIX: inspectPrefix }));
    try {
      await inspect.upsertSchedules(schedulesOf(h.config.jobs));
      await inspect.upsertSchedules(schedulesOf(h.config.jobs)); // a restart: still one scheduler per job
      const schedulers = await inspect.queue.getJobSchedulers();
      const monthly = schedulers.filter((s) => s.key === MONTHLY_REPORT_JOB);
      expect(monthly).toHaveLength(1);
      expect(monthly[0]).toMatchObject({ pattern: '5 0 1 * *', tz: 'UTC' });
      // the next run: 00:05 UTC on the first day of the month after this one (by the real clock: BullMQ's)
      const today = new Date();
      const next = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1, 0, 5);
      expect(monthly[0].next).toBe(next);
      const delayed = (await inspect.queue.getDelayed()).filter((j) => j.name === MONTHLY_REPORT_JOB);
      expect(delayed.map((j) => [j.id, j.data, j.opts.prevMillis])).toEqual([
        [`repeat:${MONTHLY_REPORT_JOB}:${next}`, { trigger: 'scheduled' }, next],
      ]);
    } finally {
      await inspect.close();
    }
  });

  it('stores the report of the month just ended, the same document the API and a rebuild give', async () => {
    const job = await scheduledRun(JUNE_RUN);
    const result = (await jobs.waitFor(job, 30_000)) as unknown as MonthlyReportResult;
    expect(result).toMatchObject({ month: '2026-05', built: true });
    const row = await stored('2026-05');
    expect(row.hash).toBe(result.hash);
    expect(createHash('sha256').update(row.document).digest('hex')).toBe(row.hash);
    // what the API answers is the stored document
    const api = await h.get('/reports/monthly/2026-05');
    expect(canonicalJson(api.body)).toBe(row.document);
    // by hand, at the end of May: INV-1 1,000 is 31 days late, INV-2 300 current
    expect(api.body.kpis).toEqual([
      expect.objectContaining({ currency: 'EUR', openReceivables: '1300.00', overdue: '1000.00' }),
    ]);
    // and a build from the ledger gives the same bytes
    expect(canonicalJson(await h.app!.get(MonthlyReports).build('2026-05'))).toBe(row.document);
  });

  it('leaves a stored month as it is: a second run, after a late event of that month, stores nothing new', async () => {
    const before = await stored('2026-05');
    // a payment received on 28 May, reported late (after the report was stored)
    await h.publish([
      wire('R-1', 'PaymentReceived', '2026-05-28T09:00:00Z', {
        paymentId: 'PAY-LATE',
        amount: '1000.00',
        currency: 'EUR',
        receivedOn: '2026-05-28',
        allocations: [{ invoiceId: 'INV-1', amount: '1000.00' }],
      }),
    ]);
    await h.waitForIngestion();
    const rerun = (await jobs.waitFor(
      await scheduledRun(JUNE_RUN, '-again'),
      30_000,
    )) as unknown as MonthlyReportResult;
    expect(rerun).toEqual({ month: '2026-05', hash: before.hash, built: false });
    const after = await stored('2026-05');
    expect([after.hash, after.document, after.built_at.getTime()]).toEqual([
      before.hash,
      before.document,
      before.built_at.getTime(),
    ]);
    // a rebuild now would differ (the late payment): the stored month was not rebuilt differently
    expect(canonicalJson(await h.app!.get(MonthlyReports).build('2026-05'))).not.toBe(before.document);
  });

  it('stores a month once when two runs race for it', async () => {
    const [a, b] = await Promise.all([scheduledRun(MAY_RUN, '-a'), scheduledRun(MAY_RUN, '-b')]);
    const results = (await Promise.all([
      jobs.waitFor(a, 30_000),
      jobs.waitFor(b, 30_000),
    ])) as unknown as MonthlyReportResult[];
    expect(results.map((r) => r.month)).toEqual(['2026-04', '2026-04']);
    expect(results.filter((r) => r.built)).toHaveLength(1);
    expect(results[0].hash).toBe(results[1].hash);
    expect((await stored('2026-04')).hash).toBe(results[0].hash);
  });

  it('refuses, without retrying, a run for a month not over by the worker clock', async () => {
    const job = await scheduledRun(JULY_RUN);
    await expect(jobs.waitFor(job, 30_000)).rejects.toThrow(/2026-06 has not ended/);
    const failed = await jobs.queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(await stored('2026-06')).toBeUndefined();
  });
  it('builds a finished month on demand through the jobs API, stored once like the scheduled run', async () => {
    const runMonth = (body: Record<string, unknown>, name = MONTHLY_REPORT_JOB, key = KEYS.admin) =>
      h.send('POST', `/jobs/${name}/run`, body, key);
    const finished = async (jobId: string) =>
      (await jobs.waitFor((await jobs.queue.getJob(jobId))!, 30_000)) as unknown as MonthlyReportResult;

    // March has not been stored by any run: built now, by the worker, through the scheduled path
    const first = await runMonth({ month: '2026-03' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ name: MONTHLY_REPORT_JOB, month: '2026-03' });
    const built = await finished(first.body.jobId);
    expect(built).toMatchObject({ month: '2026-03', built: true });
    const row = await stored('2026-03');
    expect(row.hash).toBe(built.hash);
    expect(canonicalJson((await h.get('/reports/monthly/2026-03')).body)).toBe(row.document);

    // again: nothing rebuilt; and May, stored by the schedule (then a late May payment), is left as it is
    expect(await finished((await runMonth({ month: '2026-03' })).body.jobId)).toEqual({
      month: '2026-03',
      hash: row.hash,
      built: false,
    });
    expect((await stored('2026-03')).built_at.getTime()).toBe(row.built_at.getTime());
    const may = await stored('2026-05');
    expect(await finished((await runMonth({ month: '2026-05' })).body.jobId)).toEqual({
      month: '2026-05',
      hash: may.hash,
      built: false,
    });

    // refused with 400 naming the field: a month not over by the ledger's clock (1 June), malformed, missing
    const refusals = [
      await runMonth({ month: '2026-06' }),
      await runMonth({ month: '2026-13' }),
      await runMonth({ month: '2026-5' }),
      await runMonth({}),
      await runMonth({ month: '2026-03' }, 'overdue-scan'),
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    for (const r of refusals) expect(JSON.stringify(r.body)).toMatch(/month/);
    expect(JSON.stringify(refusals[0].body)).toMatch(/2026-06 has not ended/);
    expect(await stored('2026-06')).toBeUndefined();
    // running jobs is for admins
    expect((await runMonth({ month: '2026-03' }, MONTHLY_REPORT_JOB, KEYS.reader)).status).toBe(403);
  });
});
