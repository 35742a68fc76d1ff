import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The worker's Prometheus registry (prom-client): Node process metrics and what its BullMQ worker did, per job
 * name (scans and their chunks).
 */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();

  private readonly jobs = new Counter({
    name: 'credit_worker_jobs_total',
    help: 'Jobs this worker finished, by job name and outcome (completed, failed)',
    labelNames: ['name', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly seconds = new Histogram({
    name: 'credit_worker_job_duration_seconds',
    help: 'Time from a job starting on this worker to its end, by job name',
    labelNames: ['name'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  finished(job: Job | undefined, outcome: 'completed' | 'failed'): void {
    if (!job) return;
    this.jobs.inc({ name: job.name, outcome });
    if (job.processedOn && job.finishedOn)
      this.seconds.observe({ name: job.name }, (job.finishedOn - job.processedOn) / 1000);
  }
}
