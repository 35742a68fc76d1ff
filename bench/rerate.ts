/**
 * The real re-rating job, timed end to end: a `credit-ledger worker` child process (the same command operators
 * run) processes the BullMQ job `rerate-customers`, enqueued with `JobsClient.run` + `waitFor` (what
 * `credit-ledger jobs run rerate-customers --at T --wait` does), over the bench's live ledger.
 *
 * The worker gets its own queue namespace (`QUEUE_PREFIX`, unique per bench run) so it never takes jobs from,
 * or installs schedules into, another queue on the same Redis, and every schedule is set to a cron that cannot
 * fire during a bench run; `deleteQueueKeys` removes the namespace's keys afterwards.
 */
import { Job } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { AppConfig, loadConfig, postgresClientConfig } from '@credit-ledger/config';
import { normaliseInstant } from '@credit-ledger/domain';
import { CHUNK_JOB, JobsClient, ScanResult, redisSecurityOptions } from '@credit-ledger/jobs';
import { CLI, NodeChild, cpuSecondsOf } from './proc';

/** 00:00 UTC on 29 February: no schedule of the bench worker fires before 2028. */
const NEVER_DURING_BENCH = '0 0 29 2 *';

/** Env of a bench worker: its own queue namespace, schedules that do not fire during the run. */
export function benchQueueEnv(queuePrefix: string): NodeJS.ProcessEnv {
  return {
    QUEUE_PREFIX: queuePrefix,
    SCHEDULE_OVERDUE_SCAN: NEVER_DURING_BENCH,
    SCHEDULE_FREEZE_REVIEW: NEVER_DURING_BENCH,
    SCHEDULE_DORMANT_LIMIT_REVIEW: NEVER_DURING_BENCH,
    SCHEDULE_RERATE_CUSTOMERS: NEVER_DURING_BENCH,
    SCHEDULE_CREDIT_CONTROL_REVIEW: NEVER_DURING_BENCH,
  };
}

/** Deletes every Redis key of the queue namespace (`<prefix>:*`); returns how many there were. */
export async function deleteQueueKeys(
  cfg: Pick<AppConfig, 'redisUrl' | 'redisSecurity'>,
  queuePrefix: string,
): Promise<number> {
  if (!/^[A-Za-z0-9_.-]+$/.test(queuePrefix)) throw new Error(`unexpected queue prefix ${queuePrefix}`);
  const redis = new IORedis(cfg.redisUrl, {
    ...redisSecurityOptions(cfg.redisSecurity),
    maxRetriesPerRequest: 3,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

export interface RerateJobOptions {
  /** The ledger's env plus `benchQueueEnv` (DATABASE_URL, KAFKA_BROKERS, REDIS_URL, QUEUE_PREFIX, …). */
  env: NodeJS.ProcessEnv;
  /** Instant the rules evaluate at (the job's `--at`). */
  at: string;
  log: (line: string) => void;
  timeoutMs?: number;
}

export interface RerateJobRun {
  /** Customers the scan listed (every row of customer_positions) and the chunk jobs it fanned out. */
  customers: number;
  chunks: number;
  /** CustomerRerated control events the job appended (customers whose grade changed at `at`). */
  appended: number;
  /** Wall time from `JobsClient.run` to the scan job's completion (every chunk done). */
  seconds: number;
  /** `seconds` scaled linearly to 100,000 customers. */
  seconds100k: number;
  at: string;
  workerConcurrency: number;
  chunkSize: number;
  /**
   * CPU seconds over the same window: the worker process, and the PostgreSQL backends connected to the ledger's
   * database (the machine-wide sum is skewed by other sessions' backends that exit during the window).
   */
  workerCpuSeconds: number | null;
  postgresCpuSeconds: number;
  /** From the jobs' own timestamps: enqueue → first chunk queued (pick-up, candidate query, fan-out). */
  listSeconds: number;
  /** First chunk started → last chunk finished. */
  chunksSeconds: number;
  /** Per chunk job (preview load + rule, then the locked reload + write for the customers due). */
  chunkSecondsMean: number;
  chunkSecondsMax: number;
  /** Chunk attempts beyond the first (retries). */
  chunkRetries: number;
  /** CustomerRerated events counted in the ledger before and after (must differ by `appended`). */
  ledgerRerated: { before: number; after: number };
  /**
   * The same job again at the same instant: every customer is loaded and rated without the lock, none is
   * due, so nothing is locked or written (`appended` must be 0). `seconds - rerun.seconds` ≈ the locked part.
   */
  rerun: { seconds: number; appended: number; workerCpuSeconds: number | null; postgresCpuSeconds: number };
}

export async function measureRerateJob(o: RerateJobOptions): Promise<RerateJobRun> {
  const cfg = loadConfig(o.env);
  const at = normaliseInstant(o.at);
  if (at === null) throw new Error(`bad instant ${o.at}`);
  const timeoutMs = o.timeoutMs ?? 30 * 60_000;
  const db = new Client(postgresClientConfig(cfg.databaseUrl, cfg.databaseSecurity));
  await db.connect();
  const worker = new NodeChild('rerate worker', [CLI, 'worker'], o.env);
  const client = JobsClient.fromConfig(cfg);
  try {
    await worker.waitFor(/credit-ledger worker running/, 60_000);
    const exited = new Promise<never>((_, reject) =>
      worker.proc.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${worker.log()}`))),
    );
    exited.catch(() => undefined);
    const rerated = async (): Promise<number> =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ledger_events WHERE type = 'CustomerRerated'`,
        )
      ).rows[0].n;

    // CPU seconds of every backend of this database (the worker's pool, the idle ledger, this client), by pid.
    const backends = async (): Promise<Map<number, number>> => {
      const { rows } = await db.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
      );
      return new Map(rows.map((r) => [r.pid, cpuSecondsOf(r.pid) ?? 0]));
    };
    const backendsDelta = (from: Map<number, number>, to: Map<number, number>): number =>
      [...to].reduce((n, [pid, cpu]) => n + cpu - (from.get(pid) ?? 0), 0);

    const runOnce = async (): Promise<{
      result: ScanResult;
      jobId: string;
      t0: number;
      t1: number;
      cpu: number | null;
      pg: number;
    }> => {
      const cpu0 = cpuSecondsOf(worker.pid);
      const pg0 = await backends();
      const t0 = Date.now();
      const job = await client.run('rerate-customers', at);
      const result = await Promise.race([client.waitFor(job, timeoutMs), exited]);
      const t1 = Date.now();
      const cpu1 = cpuSecondsOf(worker.pid);
      return {
        result,
        jobId: job.id!,
        t0,
        t1,
        cpu: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
        pg: backendsDelta(pg0, await backends()),
      };
    };

    const before = await rerated();
    const first = await runOnce();
    const after = await rerated();
    const seconds = (first.t1 - first.t0) / 1000;
    o.log(
      `  ${first.result.customers} customers in ${first.result.chunks} chunks, ${first.result.appended} ` +
        `appended, ${r2(seconds)} s`,
    );

    // Breakdown from the chunk jobs' own timestamps (stable ids `<scan id>-chunk-<i>`).
    const chunkJobs = await Promise.all(
      Array.from({ length: first.result.chunks }, (_, i) => client.queue.getJob(`${first.jobId}-chunk-${i}`)),
    );
    const chunks = chunkJobs.filter((j): j is Job => j !== undefined && j.name === CHUNK_JOB);
    const durations = chunks.map((j) => ((j.finishedOn ?? 0) - (j.processedOn ?? 0)) / 1000);
    const minOf = (xs: number[]): number => (xs.length ? Math.min(...xs) : NaN);
    const maxOf = (xs: number[]): number => (xs.length ? Math.max(...xs) : NaN);
    const firstQueued = minOf(chunks.map((j) => j.timestamp));
    const firstStarted = minOf(chunks.map((j) => j.processedOn ?? Infinity));
    const lastFinished = maxOf(chunks.map((j) => j.finishedOn ?? 0));

    o.log('  the same job again at the same instant (nothing due: preview only)');
    const rerun = await runOnce();
    const rerunSeconds = (rerun.t1 - rerun.t0) / 1000;
    o.log(`  ${rerun.result.appended} appended, ${r2(rerunSeconds)} s`);

    const customers = first.result.customers;
    return {
      customers,
      chunks: first.result.chunks,
      appended: first.result.appended,
      seconds: r2(seconds),
      seconds100k: customers > 0 ? r2((seconds * 100_000) / customers) : NaN,
      at,
      workerConcurrency: cfg.jobs.concurrency,
      chunkSize: cfg.jobs.chunkSize,
      workerCpuSeconds: first.cpu === null ? null : r2(first.cpu),
      postgresCpuSeconds: r2(first.pg),
      listSeconds: r2((firstQueued - first.t0) / 1000),
      chunksSeconds: r2((lastFinished - firstStarted) / 1000),
      chunkSecondsMean: r2(durations.reduce((s, d) => s + d, 0) / Math.max(1, durations.length)),
      chunkSecondsMax: r2(maxOf(durations)),
      chunkRetries: chunks.reduce((n, j) => n + Math.max(0, j.attemptsMade - 1), 0),
      ledgerRerated: { before, after },
      rerun: {
        seconds: r2(rerunSeconds),
        appended: rerun.result.appended,
        workerCpuSeconds: rerun.cpu === null ? null : r2(rerun.cpu),
        postgresCpuSeconds: r2(rerun.pg),
      },
    };
  } finally {
    await client.close();
    await worker.stop();
    await db.end();
  }
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
