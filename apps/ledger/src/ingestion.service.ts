import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { LedgerWriter } from '@credit-ledger/ledger-store';
import {
  BillingEventsConsumer,
  DeadLetterPublisher,
  IngestOptions,
  ParkedEventSweeper,
  createKafka,
  ensureTopics,
} from '@credit-ledger/messaging';
import { APP_CONFIG, INGEST_HOOKS, LEDGER_DATA_SOURCE } from './tokens';

export interface IngestHooks {
  afterAppend?: IngestOptions['afterAppend'];
  /** Set false to serve the API without consuming (e.g. a read replica). */
  consume?: boolean;
}

/** Owns the Kafka side of the ledger process: topics, the ingestion consumer, the DLQ producer, the sweeper. */
@Injectable()
export class IngestionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ingestion');
  private kafka: Kafka | null = null;
  private producer: Producer | null = null;
  consumer: BillingEventsConsumer | null = null;
  private sweeper: ParkedEventSweeper | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(INGEST_HOOKS) private readonly hooks: IngestHooks,
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.hooks.consume === false) return;
    const log: IngestOptions['log'] = (level, message) => {
      if (level === 'debug' && this.config.logLevel !== 'debug') return;
      this.logger[level === 'info' ? 'log' : level](message);
    };
    this.kafka = createKafka({
      brokers: this.config.kafkaBrokers,
      clientId: this.config.kafkaClientId,
      security: this.config.kafkaSecurity,
      log,
    });
    const admin = this.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [this.config.eventsTopic, this.config.dlqTopic]);
    await admin.disconnect();
    // Dead letters are at-least-once (a crash before the offset commit re-sends them); acks=-1 on each send.
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    const deadLetters = new DeadLetterPublisher(this.producer, this.config.dlqTopic);
    this.consumer = new BillingEventsConsumer(this.kafka, this.writer, deadLetters, {
      topic: this.config.eventsTopic,
      groupId: this.config.kafkaGroupId,
      sessionTimeoutMs: this.config.kafkaSessionTimeoutMs,
      batchSize: this.config.ingestBatchSize,
      log,
      afterAppend: this.hooks.afterAppend,
    });
    await this.consumer.start();
    this.sweeper = new ParkedEventSweeper(
      this.writer,
      deadLetters,
      this.config.parkTimeoutMs,
      this.config.parkSweepIntervalMs,
      log,
    );
    this.sweeper.start();
  }

  sweepParkedNow(): Promise<number> {
    return this.sweeper ? this.sweeper.sweepOnce() : Promise.resolve(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper?.stop();
    await this.consumer?.stop();
    await this.producer?.disconnect();
    // The pool closes last, once nothing can append any more.
    await this.ds.destroy();
  }
}
