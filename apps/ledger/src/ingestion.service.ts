import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { LedgerWriter, type Log } from '@credit-ledger/ledger-store';
import {
  BillingEventsConsumer,
  IngestOptions,
  KafkaConnector,
  LagMonitor,
  OutboxRelay,
  ParkedEventSweeper,
  createKafka,
  deadLetterOutbox,
  ensureTopics,
} from '@credit-ledger/messaging';
import { APP_CONFIG, INGEST_HOOKS, LEDGER_DATA_SOURCE } from './tokens';

export interface IngestHooks {
  afterAppend?: IngestOptions['afterAppend'];
  /** Set false to serve the API without consuming (e.g. a read replica). */
  consume?: boolean;
  /** The ledger's clock for the plausibility window (tests). */
  now?: () => Date;
}

/**
 * Owns the Kafka side of the ledger process: topics, the ingestion consumer, the dead-letter relay, the parked-event
 * sweeper and the lag monitor. Kafka being away at start-up is not fatal: the process serves, reports `degraded`,
 * and connects when the broker comes (only a refused login stops start-up).
 */
@Injectable()
export class IngestionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ingestion');
  private kafka: Kafka | null = null;
  private producer: Producer | null = null;
  consumer: BillingEventsConsumer | null = null;
  deadLetters: OutboxRelay | null = null;
  monitor: LagMonitor | null = null;
  private sweeper: ParkedEventSweeper | null = null;
  private connector: KafkaConnector | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(INGEST_HOOKS) private readonly hooks: IngestHooks,
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  /** Fields (the Kafka origin of the message a line is about) become fields of the JSON line. */
  private readonly log: Log = (level, message, fields) => {
    this.logger[level === 'info' ? 'log' : level](fields ? { ...fields, msg: message } : message);
  };

  async onApplicationBootstrap(): Promise<void> {
    if (this.hooks.consume === false) return;
    const c = this.config;
    this.kafka = createKafka({
      brokers: c.kafkaBrokers,
      clientId: c.kafkaClientId,
      security: c.kafkaSecurity,
      log: this.log,
    });
    // Dead letters leave through the rejected_events outbox; the idempotent producer never writes one twice on a
    // retried produce (a relay crash between send and mark can still repeat one: letters carry x-letter-id).
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.deadLetters = new OutboxRelay(this.ds, this.producer, deadLetterOutbox(c.dlqTopic), {
      batchSize: 500,
      pollMs: 1000,
      log: this.log,
    });
    this.consumer = new BillingEventsConsumer(this.kafka, this.writer, {
      topic: c.eventsTopic,
      groupId: c.kafkaGroupId,
      sessionTimeoutMs: c.kafkaSessionTimeoutMs,
      batchSize: c.ingestBatchSize,
      appendConcurrency: c.ingestAppendConcurrency,
      futureToleranceMs: c.futureEventToleranceMs,
      now: this.hooks.now,
      log: this.log,
      afterAppend: this.hooks.afterAppend,
    });
    this.monitor = new LagMonitor(
      this.kafka,
      c.eventsTopic,
      c.kafkaGroupId,
      c.kafkaHealthIntervalMs,
      this.log,
    );
    this.sweeper = new ParkedEventSweeper(this.writer, c.parkTimeoutMs, c.parkSweepIntervalMs, this.log);
    this.sweeper.start();
    this.monitor.start();
    this.connector = new KafkaConnector('ingestion', () => this.connect(), this.log);
    await this.connector.start();
  }

  /** Topics, the dead-letter producer, then the relay and the consumer (which heals itself from then on). */
  private async connect(): Promise<void> {
    const admin = this.kafka!.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [this.config.eventsTopic, this.config.dlqTopic]);
    } finally {
      await admin.disconnect();
    }
    await this.producer!.connect();
    this.deadLetters!.start();
    await this.consumer!.start();
  }

  sweepParkedNow(): Promise<number> {
    return this.sweeper ? this.sweeper.sweepOnce() : Promise.resolve(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.connector?.stop();
    await this.sweeper?.stop();
    await this.monitor?.stop();
    await this.consumer?.stop();
    await this.deadLetters?.stop();
    await this.producer?.disconnect().catch(() => undefined);
    // The pool closes last, once nothing can append any more.
    await this.ds.destroy();
  }
}
