import { Job, Queue, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { DataSource } from 'typeorm';
import {
  CHUNK_JOB,
  ChunkJobData,
  ChunkResult,
  JOB_DEFAULTS,
  MONTHLY_REPORT_JOB,
  MonthlyReportJobData,
  MonthlyReportResult,
  ScanJobData,
  ScanResult,
  isJobName,
} from '@credit-ledger/jobs';
import { ControlAppendResult, LedgerWriter } from '@credit-ledger/ledger-store';
import { MonthlyReports, monthBefore, monthBounds } from '@credit-ledger/projections';
import { CANDIDATES, ruleFor } from './job-rules';

export interface WorkerHooks {
  /** Test seam: runs after a chunk's control events committed, before the chunk job completes. */
  afterChunk?: (job: Job<ChunkJobData>, result: ControlAppendResult) => Promise<void>;
  /** Test seam: the worker's clock (a month's report is built only once the month has ended by it). */
  clock?: () => Date;
}

/**
 * Runs the credit jobs. A scan job lists its candidate customers, fans them out as chunk jobs (children, so
 * workers process chunks in parallel and the scan completes when all chunks have), then sums their results.
 * A chunk appends the rule's control events through the LedgerWriter: one transaction, idempotent ids, and the
 * rule re-evaluated under the append lock, so a chunk run twice (retry, concurrent scan) appends nothing new.
 */
export class CreditJobsProcessor {
  constructor(
    private readonly ds: DataSource,
    private readonly writer: LedgerWriter,
    private readonly queue: Queue,
    private readonly chunkSize: number,
    private readonly reports: MonthlyReports,
    private readonly hooks: WorkerHooks = {},
  ) {}

  process = async (job: Job, token?: string): Promise<ChunkResult | ScanResult | MonthlyReportResult> => {
    if (job.name === CHUNK_JOB) return this.chunk(job as Job<ChunkJobData>);
    if (job.name === MONTHLY_REPORT_JOB) return this.monthlyReport(job as Job<MonthlyReportJobData>);
    return this.scan(job as Job<ScanJobData>, token);
  };

  /**
   * The month-end report of the month before the run's scheduled instant (prevMillis, as for the scans), stored
   * unless one is stored already: a retry, a second worker or a late event after the month changes nothing stored.
   */
  private async monthlyReport(job: Job<MonthlyReportJobData>): Promise<MonthlyReportResult> {
    const at = job.data.at ?? new Date(job.opts.prevMillis ?? job.timestamp).toISOString();
    // On demand (POST /jobs/monthly-credit-report/run) the month is named; scheduled, it is the one before `at`.
    const month = job.data.month ?? monthBefore(at);
    const now = (this.hooks.clock?.() ?? new Date()).toISOString();
    // Not a retryable failure: the month is not over by this worker's clock (a run dated ahead of it).
    if (monthBounds(month).end >= now) throw new UnrecoverableError(`${month} has not ended at ${now}`);
    const { hash, built } = await this.reports.ensureStored(month);
    await job.updateProgress(100);
    return { month, hash, built };
  }

  private async scan(job: Job<ScanJobData>, token?: string): Promise<ScanResult> {
    const name = job.name;
    if (!isJobName(name)) throw new Error(`unknown job ${name}`);
    // Scheduled runs evaluate at their scheduled instant (prevMillis), not whenever a worker got to them.
    const at = job.data.at ?? new Date(job.opts.prevMillis ?? job.timestamp).toISOString();
    if (job.data.step !== 'waiting-children') {
      const rows: Array<{ customer_id: string }> = await this.ds.query(
        `SELECT customer_id FROM customer_positions WHERE ${CANDIDATES[name]} ORDER BY customer_id`,
      );
      const ids = rows.map((r) => r.customer_id);
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += this.chunkSize) chunks.push(ids.slice(i, i + this.chunkSize));
      // Stable child ids: a scan retried after a crash here enqueues the same chunks, not new ones.
      await this.queue.addBulk(
        chunks.map((customerIds, i) => ({
          name: CHUNK_JOB,
          data: {
            job: name,
            at,
            trigger: job.data.trigger ?? 'scheduled',
            customerIds,
          } satisfies ChunkJobData,
          opts: {
            ...JOB_DEFAULTS,
            jobId: `${job.id}-chunk-${i}`,
            parent: { id: job.id!, queue: job.queueQualifiedName },
            failParentOnFailure: true,
          },
        })),
      );
      await job.updateData({
        ...job.data,
        at,
        step: 'waiting-children',
        chunks: chunks.length,
        customers: ids.length,
      });
      await job.updateProgress({ phase: 'chunks', chunks: chunks.length, customers: ids.length });
      if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
    }
    const values = Object.values(await job.getChildrenValues<ChunkResult>());
    const result: ScanResult = {
      at,
      chunks: job.data.chunks ?? values.length,
      customers: values.reduce((n, v) => n + v.customers, 0),
      appended: values.reduce((n, v) => n + v.appended, 0),
    };
    await job.updateProgress(100);
    return result;
  }

  private async chunk(job: Job<ChunkJobData>): Promise<ChunkResult> {
    const { customerIds, at, trigger } = job.data;
    const result = await this.writer.appendControl(customerIds, ruleFor(job.data.job, at, trigger));
    await this.hooks.afterChunk?.(job, result);
    await job.updateProgress(100);
    return { customers: customerIds.length, evaluated: result.evaluated, appended: result.appended };
  }
}
