import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@credit-ledger/config';
import { ALL_ALERT_TOPICS } from '@credit-ledger/domain';
import { CREDIT_JOBS_QUEUE, JobsClient, schedulesOf } from '@credit-ledger/jobs';
import { LedgerWriter, PolicyStore, type Log } from '@credit-ledger/ledger-store';
import { MonthlyReports } from '@credit-ledger/projections';
import { PersonalDataKeys, PersonalDataReader, loadMasterKeyring } from '@credit-ledger/personal-data';
import {
  ALERT_OUTBOX,
  AlertMailer,
  KafkaConnector,
  OutboxRelay,
  createKafka,
  ensureTopics,
} from '@credit-ledger/messaging';
import { CreditJobsProcessor, WorkerHooks } from './credit-jobs.processor';
import { JOBS_CLIENT, WORKER_CONFIG, WORKER_DATA_SOURCE, WORKER_HOOKS } from './tokens';
import { WorkerMetrics } from './worker-metrics';

export interface WorkerRunOptions extends WorkerHooks {
  /** false: process jobs without installing the schedules (tests trigger runs themselves). */
  schedules?: boolean;
  /** false: no outbox relay in this process. */
  relay?: boolean;
}

/** The worker process: BullMQ worker on credit-jobs, the job schedulers, and the alert outbox relay. */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private worker: Worker | null = null;
  private producer: Producer | null = null;
  relay: OutboxRelay | null = null;
  private connector: KafkaConnector | null = null;
  private mailer: AlertMailer | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(PolicyStore) private readonly policies: PolicyStore,
    @Inject(JOBS_CLIENT) readonly jobs: JobsClient,
    @Inject(WORKER_HOOKS) private readonly opts: WorkerRunOptions,
    private readonly metrics: WorkerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const cfg = this.config.jobs;
    if (this.opts.schedules !== false) await this.jobs.upsertSchedules(schedulesOf(cfg));
    const processor = new CreditJobsProcessor(
      this.ds,
      this.writer,
      this.jobs.queue,
      cfg.chunkSize,
      new MonthlyReports(this.ds, this.policies),
      this.opts,
    );
    this.worker = new Worker(CREDIT_JOBS_QUEUE, processor.process, {
      connection: this.jobs.queue.opts.connection,
      prefix: cfg.queuePrefix,
      concurrency: cfg.concurrency,
      lockDuration: cfg.lockMs,
      stalledInterval: cfg.lockMs,
    });
    this.worker.on('completed', (job) => this.metrics.finished(job, 'completed'));
    this.worker.on('failed', (job, err) => {
      this.metrics.finished(job, 'failed');
      this.logger.warn(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`);
    });
    this.worker.on('error', (err) => this.logger.error(`worker: ${err.message}`));
    if (this.opts.relay !== false) await this.startRelay();
    this.startMailer();
    this.logger.log(
      `processing ${CREDIT_JOBS_QUEUE} (prefix ${cfg.queuePrefix}, concurrency ${cfg.concurrency})`,
    );
  }

  private async startRelay(): Promise<void> {
    const log: Log = (level, message, fields) => {
      this.logger[level === 'info' ? 'log' : level](fields ? { ...fields, msg: message } : message);
    };
    const kafka = createKafka({
      brokers: this.config.kafkaBrokers,
      clientId: `${this.config.kafkaClientId}-alerts`,
      security: this.config.kafkaSecurity,
      log,
    });
    // Idempotent producer: a produce retried over a dropped connection is not written twice.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.producer = producer;
    const relay = new OutboxRelay(this.ds, producer, ALERT_OUTBOX, {
      batchSize: this.config.jobs.outboxBatchSize,
      pollMs: this.config.jobs.outboxPollMs,
      log,
    });
    this.relay = relay;
    // Alerts wait in the outbox while Kafka is away; jobs run meanwhile.
    this.connector = new KafkaConnector(
      'alert relay',
      async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          await ensureTopics(admin, [...ALL_ALERT_TOPICS]);
        } finally {
          await admin.disconnect();
        }
        await producer.connect();
        relay.start();
      },
      log,
    );
    await this.connector.start();
  }

  /** Alert e-mail over SMTP when SMTP_URL is set: addresses opened from the credit file (role notifier). */
  private startMailer(): void {
    const mail = this.config.alertMail;
    if (mail === null) return;
    const reader = new PersonalDataReader(this.ds, new PersonalDataKeys(loadMasterKeyring()));
    this.mailer = new AlertMailer(this.ds, reader, {
      smtpUrl: mail.smtpUrl.reveal(),
      from: mail.from,
      financeTo: mail.financeTo,
      pollMs: this.config.jobs.outboxPollMs,
      retryMs: mail.retryMs,
      maxAttempts: mail.maxAttempts,
      windowMs: mail.windowMs,
      batchSize: this.config.jobs.outboxBatchSize,
      log: (level, message) => this.logger[level === 'info' ? 'log' : level](message),
    });
    this.mailer.start();
    this.logger.log(`mailing alerts from ${mail.from}`);
  }

  async onApplicationShutdown(): Promise<void> {
    // Active jobs finish first (worker.close waits for them); then the relay, then the connections.
    await this.worker?.close();
    await this.mailer?.stop();
    this.connector?.stop();
    await this.relay?.stop();
    await this.producer?.disconnect().catch(() => undefined);
    await this.jobs.close();
    await this.ds.destroy();
  }
}
