import { Controller, Get, Header, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PositionCache } from '@credit-ledger/projections';
import { RequireRole, Public } from '../auth/roles';
import { IngestionService } from '../ingestion.service';
import { LedgerJobs } from '../jobs/ledger-jobs.service';
import { LEDGER_DATA_SOURCE } from '../tokens';

@Controller()
export class HealthController {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
    private readonly jobs: LedgerJobs,
    @Inject(PositionCache) private readonly positions: PositionCache,
  ) {}

  /** Liveness and readiness in one: database reachable, consumer running, how far the projection is. */
  @Get('health')
  @Public()
  async health() {
    let database = 'up';
    let ledger: { headSequence: string; projectedSequence: string; parked: number } | null = null;
    try {
      const [row] = await this.ds.query(
        `SELECT (SELECT COALESCE(MAX(sequence), 0)::text FROM ledger_events) AS head,
                (SELECT sequence::text FROM projection_checkpoints WHERE name = 'customer_positions') AS projected,
                (SELECT count(*)::int FROM parked_events) AS parked`,
      );
      ledger = { headSequence: row.head, projectedSequence: row.projected, parked: row.parked };
    } catch {
      database = 'down';
    }
    const consumer = this.ingestion.consumer;
    const ingestion = consumer ? (consumer.stats.running ? 'running' : 'stopped') : 'disabled';
    const status = database === 'up' && ingestion !== 'stopped' ? 'ok' : 'degraded';
    // Queue depth of the worker; null when Redis does not answer (the ledger itself does not need it).
    const jobs = await this.jobs.client().depth();
    return { status, database, ingestion, ledger, jobs, uptimeSeconds: Math.round(process.uptime()) };
  }

  /** Prometheus text format. */
  @Get('metrics')
  @RequireRole('reader')
  @Header('content-type', 'text/plain; version=0.0.4')
  metrics(): string {
    const s = this.ingestion.consumer?.stats;
    const mem = process.memoryUsage();
    const c = this.positions.snapshot();
    const lines = [
      ['credit_ledger_messages_total', 'counter', 'Kafka messages consumed', s?.messages ?? 0],
      ['credit_ledger_events_appended_total', 'counter', 'Events appended to the ledger', s?.appended ?? 0],
      ['credit_ledger_events_duplicate_total', 'counter', 'Redelivered events ignored', s?.duplicates ?? 0],
      ['credit_ledger_events_rejected_total', 'counter', 'Events dead-lettered', s?.rejected ?? 0],
      ['credit_ledger_events_parked_total', 'counter', 'Events parked awaiting a dependency', s?.parked ?? 0],
      ['credit_ledger_ingest_batches_total', 'counter', 'Append transactions', s?.batches ?? 0],
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
    return (
      lines
        .map(([name, type, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${v}`)
        .join('\n') + '\n'
    );
  }
}
