/** The BullMQ queue of the credit worker and the jobs it runs. */
export const CREDIT_JOBS_QUEUE = 'credit-jobs';

/** Jobs an operator can run; each is also on a schedule (a BullMQ job scheduler with the same id). */
export const JOB_NAMES = [
  'overdue-scan',
  'freeze-review',
  'dormant-limit-review',
  'rerate-customers',
  'credit-control-review',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/**
 * The month-end credit report (seed 000: 财务团队每月底自动生成信用报告): not a customer scan, a job of its own on
 * the same queue and schedule mechanism. Each run stores the report of the month before its scheduled instant.
 */
export const MONTHLY_REPORT_JOB = 'monthly-credit-report';

/** Every job with a schedule: the scans, and the month-end report. */
export const SCHEDULED_JOBS = [...JOB_NAMES, MONTHLY_REPORT_JOB] as const;
export type ScheduledJob = (typeof SCHEDULED_JOBS)[number];

export interface MonthlyReportJobData {
  /** The instant the run stands for (default: its scheduled instant); the report is of the month before it. */
  at?: string;
  /** A run on demand names its month (YYYY-MM) instead of standing for an instant. */
  month?: string;
  trigger?: JobTrigger;
}

export interface MonthlyReportResult {
  month: string;
  hash: string;
  /** false: a report of that month was stored already and is left as it is. */
  built: boolean;
}

/** Child job of every scan: one chunk of customers. */
export const CHUNK_JOB = 'customers-chunk';

export function isJobName(v: unknown): v is JobName {
  return typeof v === 'string' && (JOB_NAMES as readonly string[]).includes(v);
}

export type JobTrigger = 'scheduled' | 'manual';

/** Data of a scan job. `at` is the instant the rules evaluate (default: the scheduled time, or now on demand). */
export interface ScanJobData {
  at?: string;
  trigger?: JobTrigger;
  /** Set once the chunks are enqueued, so a retry or resumption does not fan out again. */
  step?: 'waiting-children';
  chunks?: number;
  customers?: number;
}

export interface ChunkJobData {
  job: JobName;
  at: string;
  trigger: JobTrigger;
  customerIds: string[];
}

export interface ChunkResult {
  customers: number;
  evaluated: number;
  appended: number;
}

export interface ScanResult {
  at: string;
  chunks: number;
  customers: number;
  appended: number;
}

/** Retries with exponential backoff; failed jobs are kept (the newest 1,000) for `jobs failed` and GET /jobs. */
export const JOB_DEFAULTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
} as const;
