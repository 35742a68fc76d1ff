import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { emptyIngestStats, type IngestStats, type KafkaHealth } from '@credit-ledger/messaging';
import { PositionCache, type PositionCacheStats } from '@credit-ledger/projections';
import { IngestionService } from '../ingestion.service';
import { IdleCompaction } from './idle-compaction';

/** Seconds, from 1 ms to 10 s: an append transaction and an API request both live in this range. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The ledger process's Prometheus registry (prom-client): Node process metrics, histograms observed as things
 * happen (append latency and batch size, API latency per route) and the ingestion, Kafka and position-cache
 * figures read from their owners at each scrape. One registry per app, so several apps in one process (tests)
 * do not share series. Other modules add their metrics with `metrics.registry`.
 */
@Injectable()
export class LedgerMetrics {
  readonly registry = new Registry();

  readonly appendSeconds = new Histogram({
    name: 'credit_ledger_append_duration_seconds',
    help: 'Duration of one append transaction to the ledger (ingest: a Kafka chunk; control: a command or review)',
    labelNames: ['kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly appendBatchEvents = new Histogram({
    name: 'credit_ledger_append_batch_events',
    help: 'Kafka messages (events and rejections) in one ingestion append transaction',
    buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000],
    registers: [this.registry],
  });

  readonly httpSeconds = new Histogram({
    name: 'credit_ledger_http_request_duration_seconds',
    help: 'API latency per route (the route pattern, e.g. /customers/:id), method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor(private readonly modules: ModuleRef) {
    collectDefaultMetrics({ register: this.registry });
    this.mirrorIngestion();
    this.mirrorKafka();
    this.mirrorPositionCache();
    this.counter(
      'credit_ledger_idle_compactions_total',
      'Full collections run once the process went quiet, returning unused heap to the OS (IDLE_COMPACTION_MS)',
      () => this.modules.get(IdleCompaction, { strict: false }).policy?.compactions ?? 0,
    );
  }

  observeHttp(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private stats(): IngestStats | undefined {
    return this.modules.get(IngestionService, { strict: false }).consumer?.stats;
  }

  private kafka(): KafkaHealth | undefined {
    return this.modules.get(IngestionService, { strict: false }).monitor?.snapshot();
  }

  private cache(): PositionCacheStats {
    return this.modules.get(PositionCache, { strict: false }).snapshot();
  }

  /** The consumer keeps its own counts (health shows them too); each scrape copies them. */
  private mirrorIngestion(): void {
    const counters: Array<[string, string, (s: IngestStats) => number]> = [
      ['credit_ledger_messages_total', 'Kafka messages consumed', (s) => s.messages],
      ['credit_ledger_events_appended_total', 'Events appended to the ledger', (s) => s.appended],
      ['credit_ledger_events_duplicate_total', 'Redelivered events ignored', (s) => s.duplicates],
      ['credit_ledger_events_rejected_total', 'Events dead-lettered', (s) => s.rejected],
      ['credit_ledger_events_parked_total', 'Events parked awaiting a dependency', (s) => s.parked],
      ['credit_ledger_ingest_batches_total', 'Append transactions', (s) => s.batches],
      [
        'credit_ledger_poison_isolations_total',
        'Events the database refused, bisected out of their append and dead-lettered',
        (s) => s.isolated,
      ],
      ['credit_ledger_append_retries_total', 'Appends retried after a transient failure', (s) => s.retries],
      ['credit_ledger_consumer_crashes_total', 'Ingestion consumer crashes', (s) => s.crashes],
      [
        'credit_ledger_consumer_restarts_total',
        'Ingestion consumer rebuilt and back in its group after a crash',
        (s) => s.restarts,
      ],
    ];
    for (const [name, help, read] of counters) this.counter(name, help, () => read(this.stats() ?? ZERO));
    this.gauge('credit_ledger_consumer_running', '1 while the ingestion consumer is in its group', () =>
      this.stats()?.running ? 1 : 0,
    );
    this.gauge(
      'credit_ledger_ingest_last_batch_ms',
      'Duration of the last append batch',
      () => (this.stats() ?? ZERO).lastBatchMs,
    );
    this.gauge('credit_ledger_last_sequence', 'Last global sequence appended here', () =>
      Number((this.stats() ?? ZERO).lastSequence),
    );
  }

  /** From the lag monitor's last look at Kafka (no broker round trip per scrape). */
  private mirrorKafka(): void {
    this.gauge('credit_ledger_kafka_reachable', '1 when the last Kafka check answered', () =>
      this.kafka()?.reachable ? 1 : 0,
    );
    this.gauge('credit_ledger_ingest_lag_total', 'Messages not yet ingested, all partitions', () =>
      Number(this.kafka()?.totalLag ?? 0),
    );
    const kafka = (): KafkaHealth | undefined => this.kafka();
    new Gauge({
      name: 'credit_ledger_ingest_lag',
      help: 'Messages not yet ingested, per partition',
      labelNames: ['partition'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const p of kafka()?.partitions ?? [])
          this.set({ partition: String(p.partition) }, Number(p.lag));
      },
    });
  }

  private mirrorPositionCache(): void {
    this.gauge(
      'credit_ledger_position_cache_entries',
      'Customer states in the position cache',
      () => this.cache().entries,
    );
    this.counter(
      'credit_ledger_position_cache_hits_total',
      'Position reads served from memory',
      () => this.cache().hits,
    );
    this.counter(
      'credit_ledger_position_cache_misses_total',
      'Position reads loaded from PostgreSQL',
      () => this.cache().misses,
    );
    this.counter(
      'credit_ledger_position_cache_invalidations_total',
      'Cached positions dropped because their customer was written',
      () => this.cache().invalidations,
    );
    this.counter(
      'credit_ledger_position_cache_evictions_total',
      'Cached positions dropped to stay within POSITION_CACHE_ENTRIES',
      () => this.cache().evictions,
    );
    this.gauge(
      'nodejs_heap_used_bytes',
      'V8 heap used (as nodejs_heap_size_used_bytes; kept for dashboards)',
      () => process.memoryUsage().heapUsed,
    );
  }

  /** A counter whose total is kept elsewhere: each scrape sets it to that total. */
  private counter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  private gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}

const ZERO: IngestStats = emptyIngestStats();
