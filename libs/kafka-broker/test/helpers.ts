import { Consumer, ConsumerConfig, Kafka, KafkaConfig, logLevel } from 'kafkajs';
import { EmbeddedKafkaBroker } from '@credit-ledger/kafka-broker';

export function kafkaFor(
  broker: EmbeddedKafkaBroker,
  clientId: string,
  extra: Partial<KafkaConfig> = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 10 },
    ...extra,
  });
}

/** Fast-cycling consumer settings suitable for tests. */
export function consumerConfig(groupId: string, extra: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return {
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 20 },
    ...extra,
  };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once the consumer has joined a group generation (GROUP_JOIN event). */
export function joined(consumer: Consumer): Promise<void> {
  return new Promise((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
}

export async function safeDisconnect(...clients: { disconnect(): Promise<void> }[]): Promise<void> {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
}
