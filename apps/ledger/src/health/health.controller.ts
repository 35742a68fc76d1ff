import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import type { IngestStats } from '@credit-ledger/messaging';
import { Public } from '../auth/roles';
import { IngestionService } from '../ingestion.service';
import { LedgerJobs } from '../jobs/ledger-jobs.service';
import { APP_CONFIG, LEDGER_DATA_SOURCE } from '../tokens';
import { HealthResponse } from './health.dto';
import { DependencyIndicators } from './indicators';

/**
 * Three views of health, none needing a key: `/health/live` (liveness: the process answers; never fails for a
 * dependency outage, so an orchestrator does not restart a ledger that is waiting for its database),
 * `/health/ready` (readiness: 503 while PostgreSQL, Redis or Kafka is unavailable, so no traffic is sent), and
 * `/health`, the detailed report operators read.
 */
@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
    private readonly jobs: LedgerJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly checks: HealthCheckService,
    private readonly dependencies: DependencyIndicators,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.checks.check([]);
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.checks.check([
        () => this.dependencies.database(),
        () => this.dependencies.redis(),
        () => this.dependencies.kafka(),
      ]);
    } catch (err) {
      // Terminus' own body ({ status: 'error', info, error, details }), not the API's error shape.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  /**
   * The detailed report: database reachable, Kafka reachable, the consumer in its group, how far the projection
   * is, and whether ingestion is moving. `degraded` names every reason in `reasons`; it stays 200 (readiness is
   * /health/ready).
   */
  @Get()
  @ApiOkResponse({ type: HealthResponse })
  async health(): Promise<HealthResponse> {
    const reasons: string[] = [];
    let database = 'up';
    let ledger: {
      headSequence: string;
      projectedSequence: string;
      parked: number;
      deadLettersUnsent: number;
    } | null = null;
    try {
      const [row] = await this.ds.query(
        `SELECT (SELECT COALESCE(MAX(sequence), 0)::text FROM ledger_events) AS head,
                (SELECT count(*)::int FROM parked_events) AS parked,
                (SELECT count(*)::int FROM rejected_events WHERE dead_lettered_at IS NULL) AS unsent`,
      );
      ledger = {
        headSequence: row.head,
        // Positions are written in each append's own transaction: the projection is at the head by construction.
        projectedSequence: row.head,
        parked: row.parked,
        deadLettersUnsent: row.unsent,
      };
    } catch {
      database = 'down';
      reasons.push('the database does not answer');
    }
    const consumer = this.ingestion.consumer;
    const ingestion = consumer ? (consumer.stats.running ? 'running' : 'stopped') : 'disabled';
    if (ingestion === 'stopped')
      reasons.push('the ingestion consumer is not in its group (starting, or rejoining)');
    const kafka = this.kafkaHealth(reasons);
    // Queue depth of the worker; null when Redis does not answer (the ledger itself does not need it).
    const jobs = await this.jobs.client().depth();
    return {
      status: reasons.length ? 'degraded' : 'ok',
      reasons,
      database,
      ingestion,
      kafka,
      consumer: consumer && this.consumerHealth(consumer.stats),
      ledger,
      jobs,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  /** The lag monitor's last look at Kafka (null when this process does not consume). */
  private kafkaHealth(reasons: string[]) {
    const m = this.ingestion.monitor?.snapshot();
    if (!m) return null;
    if (m.checkedAt !== null && !m.reachable) reasons.push(`Kafka is not reachable: ${m.error}`);
    const stalledFor = m.progressAt === null ? null : Date.now() - Date.parse(m.progressAt);
    if (
      m.reachable &&
      BigInt(m.totalLag) > 0n &&
      stalledFor !== null &&
      stalledFor > this.config.ingestStallMs
    )
      reasons.push(`ingestion lag ${m.totalLag} has not moved for ${Math.round(stalledFor / 1000)} s`);
    return {
      reachable: m.reachable,
      checkedAt: m.checkedAt,
      error: m.error,
      lag: { total: m.totalLag, partitions: m.partitions },
      progressAt: m.progressAt,
    };
  }

  private consumerHealth(s: IngestStats) {
    const since = (iso: string | null): number | null =>
      iso === null ? null : Math.round((Date.now() - Date.parse(iso)) / 1000);
    return {
      crashes: s.crashes,
      restarts: s.restarts,
      isolated: s.isolated,
      retries: s.retries,
      lastAppendAt: s.lastAppendAt,
      lastCommitAt: s.lastCommitAt,
      secondsSinceLastAppend: since(s.lastAppendAt),
      secondsSinceLastCommit: since(s.lastCommitAt),
      lastError: s.lastError,
    };
  }
}
