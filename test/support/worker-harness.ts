import { INestApplicationContext } from '@nestjs/common';
import IORedis from 'ioredis';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { AppConfig, loadConfig } from '@credit-ledger/config';
import { ALL_ALERT_TOPICS, AlertMessage } from '@credit-ledger/domain';
import { JobsClient } from '@credit-ledger/jobs';
import { startWorkerApp } from '../../apps/worker/src/worker-app';
import { WorkerRunOptions, WorkerService } from '../../apps/worker/src/worker.service';
import { LedgerHarness, waitUntil } from './ledger-harness';

/** A BullMQ key prefix of its own per suite, so suites running in parallel never share a queue. */
export function uniqueQueuePrefix(): string {
  return `cl-test-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Deletes every Redis key under the prefix (SCAN, not KEYS, to stay polite to a shared Redis). */
export async function cleanRedis(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The worker app in this process, on the harness's database, broker and queue prefix. */
export async function startWorker(
  config: AppConfig,
  run: WorkerRunOptions = {},
): Promise<{ app: INestApplicationContext; worker: WorkerService; url: string | null }> {
  return startWorkerApp({ config, run: { schedules: false, ...run }, host: '127.0.0.1' });
}

export function workerConfig(base: AppConfig, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    KAFKA_BROKERS: base.kafkaBrokers.join(','),
    DATABASE_URL: base.databaseUrl,
    QUEUE_PREFIX: base.jobs.queuePrefix,
    LOG_LEVEL: 'error',
    OUTBOX_POLL_MS: '100',
    ...env,
  });
}

export function jobsClient(config: AppConfig): JobsClient {
  return JobsClient.fromConfig(config);
}

export interface ReceivedAlert {
  topic: string;
  key: string;
  value: AlertMessage;
}

/** Reads every alert topic from the beginning, like a finance subscriber would. */
export class AlertCollector {
  readonly received: ReceivedAlert[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokerAddress: string): Promise<AlertCollector> {
    const kafka = new Kafka({
      clientId: 'alert-collector',
      brokers: [brokerAddress],
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, retries: 30 },
    });
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = ALL_ALERT_TOPICS.filter((t) => !existing.has(t));
    if (missing.length)
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3 })) });
    await admin.disconnect();
    const consumer = kafka.consumer({
      groupId: `collector-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 100,
    });
    const c = new AlertCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...ALL_ALERT_TOPICS], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        c.received.push({
          topic,
          key: message.key!.toString(),
          value: JSON.parse(message.value!.toString()) as AlertMessage,
        });
      },
    });
    return c;
  }

  on(topic: string): ReceivedAlert[] {
    return this.received.filter((a) => a.topic === topic);
  }

  async waitFor(pred: (all: ReceivedAlert[]) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      () => pred(this.received),
      timeoutMs,
      () => `${what}; received ${this.received.map((a) => a.value.alertId).join(', ')}`,
    );
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** A ledger harness, an in-process worker (alert relay included) on its own queue prefix, and a collector. */
export interface AlertStack {
  h: LedgerHarness;
  collector: AlertCollector;
  stop(): Promise<void>;
}

export async function startAlertStack(
  workerEnv: Record<string, string> = {},
  policy?: Record<string, unknown>,
): Promise<AlertStack> {
  const prefix = uniqueQueuePrefix();
  const h = await LedgerHarness.start({ env: { QUEUE_PREFIX: prefix }, policy });
  const w = await startWorker(workerConfig(h.config, workerEnv));
  const collector = await AlertCollector.start(h.broker.address);
  return {
    h,
    collector,
    stop: async () => {
      await w.app.close();
      await collector.stop();
      await h.stop();
      await cleanRedis(h.config.redisUrl, prefix);
    },
  };
}
