import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { JobsClient } from '@credit-ledger/jobs';
import { describeFailure, pingDatabase } from '@credit-ledger/ledger-store';
import { JOBS_CLIENT, WORKER_DATA_SOURCE } from './tokens';
import { WorkerMetrics } from './worker-metrics';

const PROBE_TIMEOUT_MS = 1000;

/**
 * The worker's probes and metrics on WORKER_PORT (no API key: meant for the orchestrator and Prometheus inside
 * the cluster). Ready means it can take jobs: PostgreSQL and Redis answer. Kafka is left out: the alert relay
 * waits in the outbox while the broker is away, and jobs still run.
 */
@Controller()
export class WorkerProbesController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(WORKER_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(JOBS_CLIENT) private readonly jobs: JobsClient,
    private readonly metrics: WorkerMetrics,
  ) {}

  @Get('health/live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.checks.check([]);
  }

  @Get('health/ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.checks.check([
        () => this.attempt('database', () => pingDatabase(this.ds, PROBE_TIMEOUT_MS)),
        () => this.attempt('redis', () => this.jobs.ping(PROBE_TIMEOUT_MS)),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  @Get('metrics')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }

  private async attempt(key: string, ping: () => Promise<void>) {
    const check = this.indicators.check(key);
    try {
      await ping();
      return check.up();
    } catch (err) {
      return check.down({ message: describeFailure(err) });
    }
  }
}
