import { Controller, Get, Header, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import type { IngestStats } from '@credit-ledger/messaging';
import { PositionCache } from '@credit-ledger/projections';
import { RequireRole, Public } from '../auth/roles';
import { IngestionService } from '../ingestion.service';
import { LedgerJobs } from '../jobs/ledger-jobs.service';
import { APP_CONFIG, LEDGER_DATA_SOURCE } from '../tokens';

@Controller()
export class HealthController {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
    private readonly jobs: LedgerJobs,
    @Inject(PositionCache) private readonly positions: PositionCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Liveness and readiness in one: database reachable, Kafka reachable, the consumer in its group, how far the
   * projection is, and whether ingestion is moving. `degraded` names every reason in `reasons`.
   */
  @Get('health')
  @Public()
  async health() {
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
                (SELECT sequence::text FROM projection_checkpoints WHERE name = 'customer_positions') AS projected,
                (SELECT count(*)::int FROM parked_events) AS parked,
                (SELECT count(*)::int FROM rejected_events WHERE dead_lettered_at IS NULL) AS unsent`,
      );
      ledger = {
        headSequence: row.head,
        projectedSequence: row.projected,
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

  /** Prometheus text format. */
  @Get('metrics')
  @RequireRole('reader')
  @Header('content-type', 'text/plain; version=0.0.4')
  metrics(): string {
    const s = this.ingestion.consumer?.stats;
    const mem = process.memoryUsage();
    const c = this.positions.snapshot();
    const k = this.ingestion.monitor?.snapshot();
    const lagLines = (k?.partitions ?? []).map(
      (p) => `credit_ledger_ingest_lag{partition="${p.partition}"} ${p.lag}`,
    );
    const lines = [
      ['credit_ledger_messages_total', 'counter', 'Kafka messages consumed', s?.messages ?? 0],
      ['credit_ledger_events_appended_total', 'counter', 'Events appended to the ledger', s?.appended ?? 0],
      ['credit_ledger_events_duplicate_total', 'counter', 'Redelivered events ignored', s?.duplicates ?? 0],
      ['credit_ledger_events_rejected_total', 'counter', 'Events dead-lettered', s?.rejected ?? 0],
      ['credit_ledger_events_parked_total', 'counter', 'Events parked awaiting a dependency', s?.parked ?? 0],
      ['credit_ledger_ingest_batches_total', 'counter', 'Append transactions', s?.batches ?? 0],
      [
        'credit_ledger_poison_isolations_total',
        'counter',
        'Events the database refused, bisected out of their append and dead-lettered',
        s?.isolated ?? 0,
      ],
      [
        'credit_ledger_append_retries_total',
        'counter',
        'Appends retried after a transient failure',
        s?.retries ?? 0,
      ],
      ['credit_ledger_consumer_crashes_total', 'counter', 'Ingestion consumer crashes', s?.crashes ?? 0],
      [
        'credit_ledger_consumer_restarts_total',
        'counter',
        'Ingestion consumer rebuilt and back in its group after a crash',
        s?.restarts ?? 0,
      ],
      [
        'credit_ledger_consumer_running',
        'gauge',
        '1 while the ingestion consumer is in its group',
        s?.running ? 1 : 0,
      ],
      [
        'credit_ledger_kafka_reachable',
        'gauge',
        '1 when the last Kafka check answered',
        k?.reachable ? 1 : 0,
      ],
      [
        'credit_ledger_ingest_lag_total',
        'gauge',
        'Messages not yet ingested, all partitions',
        k?.totalLag ?? 0,
      ],
      [
        'credit_ledger_ingest_last_batch_ms',
        'gauge',
        'Duration of the last append batch',
        s?.lastBatchMs ?? 0,
      ],
      [
        'credit_ledger_last_sequence',
        'gauge',
        'Last global sequence appended here',
        Number(s?.lastSequence ?? 0),
      ],
      ['credit_ledger_position_cache_entries', 'gauge', 'Customer states in the position cache', c.entries],
      ['credit_ledger_position_cache_hits_total', 'counter', 'Position reads served from memory', c.hits],
      [
        'credit_ledger_position_cache_misses_total',
        'counter',
        'Position reads loaded from PostgreSQL',
        c.misses,
      ],
      [
        'credit_ledger_position_cache_invalidations_total',
        'counter',
        'Cached positions dropped because their customer was written',
        c.invalidations,
      ],
      [
        'credit_ledger_position_cache_evictions_total',
        'counter',
        'Cached positions dropped to stay within POSITION_CACHE_ENTRIES',
        c.evictions,
      ],
      ['process_resident_memory_bytes', 'gauge', 'Resident set size', mem.rss],
      ['nodejs_heap_used_bytes', 'gauge', 'V8 heap used', mem.heapUsed],
    ] as const;
    const perPartition = lagLines.length
      ? `\n# HELP credit_ledger_ingest_lag Messages not yet ingested, per partition\n# TYPE credit_ledger_ingest_lag gauge\n${lagLines.join('\n')}`
      : '';
    return (
      lines
        .map(([name, type, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${v}`)
        .join('\n') +
      perPartition +
      '\n'
    );
  }
}
