import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { describeFailure, pingDatabase } from '@credit-ledger/ledger-store';
import { IngestionService } from '../ingestion.service';
import { LedgerJobs } from '../jobs/ledger-jobs.service';
import { LEDGER_DATA_SOURCE } from '../tokens';

/** Longest a readiness probe waits on one dependency: probes time out in a few seconds. */
export const PROBE_TIMEOUT_MS = 1000;

/**
 * Readiness of each dependency, as @nestjs/terminus indicators. PostgreSQL and Redis are asked (SELECT 1, PING,
 * each bounded); Kafka is read from the lag monitor's last look, so a probe never costs a broker round trip.
 */
@Injectable()
export class DependencyIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    private readonly jobs: LedgerJobs,
    private readonly ingestion: IngestionService,
  ) {}

  async database(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    try {
      await pingDatabase(this.ds, PROBE_TIMEOUT_MS);
      return check.up();
    } catch (err) {
      return check.down({ message: describeFailure(err) });
    }
  }

  async redis(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('redis');
    try {
      await this.jobs.client().ping(PROBE_TIMEOUT_MS);
      return check.up();
    } catch (err) {
      return check.down({ message: describeFailure(err) });
    }
  }

  kafka(): HealthIndicatorResult {
    const check = this.indicators.check('kafka');
    const m = this.ingestion.monitor?.snapshot();
    // A process that does not consume (serve --no-consume) does not need Kafka to answer requests.
    if (!m) return check.up({ consuming: false });
    if (m.reachable) return check.up({ checkedAt: m.checkedAt, lag: m.totalLag });
    return check.down({
      message: m.checkedAt === null ? 'not checked yet' : m.error,
      checkedAt: m.checkedAt,
    });
  }
}
