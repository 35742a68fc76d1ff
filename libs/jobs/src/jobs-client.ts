import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppConfig, JobsConfig } from '@credit-ledger/config';
import {
  CREDIT_JOBS_QUEUE,
  JOB_DEFAULTS,
  SCHEDULED_JOBS,
  JobName,
  MONTHLY_REPORT_JOB,
  MonthlyReportJobData,
  ScanJobData,
  ScanResult,
  ScheduledJob,
} from './credit-jobs';
import { redisConnection } from './redis-connection';

export const JOB_STATES = [
  'waiting',
  'active',
  'waiting-children',
  'delayed',
  'prioritized',
  'completed',
  'failed',
] as const;

export interface FailedJobView {
  id: string;
  name: string;
  data: unknown;
  failedReason: string;
  attemptsMade: number;
  finishedOn: string | null;
}

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Cron of each scheduled job from the configuration. */
export function schedulesOf(cfg: JobsConfig): Record<ScheduledJob, string> {
  return {
    'monthly-credit-report': cfg.schedules.monthlyReport,
    'overdue-scan': cfg.schedules.overdueScan,
    'freeze-review': cfg.schedules.freezeReview,
    'dormant-limit-review': cfg.schedules.dormantLimitReview,
    'rerate-customers': cfg.schedules.rerateCustomers,
    'credit-control-review': cfg.schedules.creditControlReview,
  };
}

/** Producer side of the credit-jobs queue: schedules, on-demand runs, counts and failed jobs. */
export class JobsClient {
  readonly queue: Queue;
  private events: QueueEvents | null = null;
  private eventsConnection: Redis | null = null;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {
    this.queue = new Queue(CREDIT_JOBS_QUEUE, { connection, prefix, defaultJobOptions: JOB_DEFAULTS });
  }

  static fromConfig(config: Pick<AppConfig, 'redisUrl' | 'redisSecurity' | 'jobs'>): JobsClient {
    return new JobsClient(redisConnection(config.redisUrl, config.redisSecurity), config.jobs.queuePrefix);
  }

  /**
   * Idempotent: a scheduler per job with a stable id, so restarts never duplicate a schedule. In UTC: the scans
   * evaluate instants, and the month-end report's months are UTC months (the report's `monthBounds`).
   */
  async upsertSchedules(schedules: Record<ScheduledJob, string>): Promise<void> {
    for (const name of SCHEDULED_JOBS) {
      await this.queue.upsertJobScheduler(
        name,
        { pattern: schedules[name], tz: 'UTC' },
        { name, data: { trigger: 'scheduled' } satisfies ScanJobData, opts: JOB_DEFAULTS },
      );
    }
  }

  /** Enqueues a run now; the rules evaluate at `at` (default now). */
  async run(name: JobName, at?: string): Promise<Job<ScanJobData>> {
    const data: ScanJobData = { at: at ?? new Date().toISOString(), trigger: 'manual' };
    return this.queue.add(name, data);
  }

  /** Enqueues the month-end report of `month` now (stored once: a stored month is left as it is). */
  async runMonthlyReport(month: string, at?: string): Promise<Job<MonthlyReportJobData>> {
    const data: MonthlyReportJobData = { month, at: at ?? new Date().toISOString(), trigger: 'manual' };
    return this.queue.add(MONTHLY_REPORT_JOB, data);
  }

  async waitFor(job: Job, timeoutMs?: number): Promise<ScanResult> {
    if (!this.events) {
      // BullMQ leaves a connection it was given open: this one is ours to quit in close().
      this.eventsConnection = this.connection.duplicate();
      this.events = new QueueEvents(CREDIT_JOBS_QUEUE, {
        connection: this.eventsConnection,
        prefix: this.prefix,
      });
      await this.events.waitUntilReady();
    }
    return (await job.waitUntilFinished(this.events, timeoutMs)) as ScanResult;
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts(...JOB_STATES);
  }

  /** Waiting + active + delayed + failed, for /health; null when Redis does not answer within `timeoutMs`. */
  async depth(timeoutMs = 1000): Promise<QueueDepth | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      const c = await Promise.race([
        this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
        timeout,
      ]);
      return c === null
        ? null
        : { waiting: c.waiting, active: c.active, delayed: c.delayed, failed: c.failed };
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Whether Redis answers a PING within `timeoutMs` (readiness). The PING is sent only on a ready connection:
   * sent before, it would wait in ioredis' offline queue (BullMQ needs commands never to give up).
   */
  async ping(timeoutMs = 1000): Promise<void> {
    const redis = this.connection;
    let timer: NodeJS.Timeout | undefined;
    let onReady = (): void => undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${timeoutMs} ms (connection ${redis.status})`)),
        timeoutMs,
      );
    });
    try {
      // Connecting (first use, or between reconnect attempts): wait for it, within the same bound.
      if (redis.status !== 'ready') {
        await Promise.race([new Promise<void>((resolve) => redis.once('ready', (onReady = resolve))), late]);
      }
      await Promise.race([redis.ping(), late]);
    } finally {
      clearTimeout(timer);
      redis.off('ready', onReady);
    }
  }

  async failed(limit = 20): Promise<FailedJobView[]> {
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs.map((j) => ({
      id: j.id ?? '',
      name: j.name,
      data: j.data,
      failedReason: j.failedReason,
      attemptsMade: j.attemptsMade,
      finishedOn: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
    }));
  }

  async schedulers(): Promise<Array<{ id: string; pattern: string | null; next: string | null }>> {
    const list = await this.queue.getJobSchedulers();
    return list.map((s) => ({
      id: s.key,
      pattern: s.pattern ?? null,
      next: s.next ? new Date(s.next).toISOString() : null,
    }));
  }

  async close(): Promise<void> {
    await this.events?.close();
    await closeConnection(this.eventsConnection);
    await this.queue.close();
    await closeConnection(this.connection);
  }
}

/** QUIT a connection that is up; one that never got ready (e.g. a refused password) stops reconnecting. */
async function closeConnection(redis: Redis | null): Promise<void> {
  if (redis === null) return;
  if (redis.status === 'ready') await redis.quit().catch(() => undefined);
  else redis.disconnect();
}
