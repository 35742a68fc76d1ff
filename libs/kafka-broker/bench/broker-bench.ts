import { Kafka, logLevel, Message } from 'kafkajs';
import { startEmbeddedKafka } from '../src';

export interface BrokerBenchOptions {
  messages: number;
  partitions?: number;
  valueBytes?: number;
  /** Messages per sendBatch call (default 5,000). */
  chunk?: number;
}

export interface BrokerBenchResult {
  produceMsgsPerSec: number;
  consumeMsgsPerSec: number;
  messages: number;
}

/**
 * Starts an embedded broker, produces `messages` keyed messages with kafkajs sendBatch (acks -1)
 * and consumes them back with eachBatch, measuring both phases end to end over TCP.
 */
export async function runBrokerBench(opts: BrokerBenchOptions): Promise<BrokerBenchResult> {
  const partitions = opts.partitions ?? 8;
  const valueBytes = opts.valueBytes ?? 100;
  const chunk = opts.chunk ?? 5_000;
  const total = opts.messages;
  const broker = await startEmbeddedKafka();
  const kafka = new Kafka({ clientId: 'broker-bench', brokers: [broker.address], logLevel: logLevel.ERROR });
  const topic = 'bench';
  try {
    broker.createTopic(topic, partitions);
    const filler = 'x'.repeat(Math.max(0, valueBytes - 16));
    const producer = kafka.producer();
    await producer.connect();
    const t0 = process.hrtime.bigint();
    for (let sent = 0; sent < total;) {
      const n = Math.min(chunk, total - sent);
      const messages: Message[] = new Array<Message>(n);
      for (let i = 0; i < n; i++) {
        const id = sent + i;
        messages[i] = { key: `k${id % 10_000}`, value: `${id}:${filler}` };
      }
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
      sent += n;
    }
    const produceSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'bench-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    let t1 = 0n;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (t1 === 0n) t1 = process.hrtime.bigint();
    });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommitInterval: 1000,
        eachBatch: async ({ batch }) => {
          consumed += batch.messages.length;
          if (consumed >= total) resolve();
        },
      });
    });
    const start = process.hrtime.bigint();
    await done;
    // Measured from the group join (join/rebalance time excluded) to the last delivered batch.
    const consumeSecs = Number(process.hrtime.bigint() - (t1 || start)) / 1e9;
    await consumer.disconnect();
    return {
      produceMsgsPerSec: Math.round(total / produceSecs),
      consumeMsgsPerSec: Math.round(total / Math.max(consumeSecs, 1e-6)),
      messages: total,
    };
  } finally {
    await broker.stop();
  }
}

if (require.main === module) {
  const messages = Number(process.argv[2] ?? 1_000_000);
  const partitions = Number(process.argv[3] ?? 8);
  const valueBytes = Number(process.argv[4] ?? 100);
  runBrokerBench({ messages, partitions, valueBytes })
    .then((r) => {
      console.table([
        { phase: 'produce (sendBatch, acks -1)', 'msgs/s': r.produceMsgsPerSec },
        { phase: 'consume (eachBatch)', 'msgs/s': r.consumeMsgsPerSec },
      ]);
      console.log(`${r.messages} messages, ${partitions} partitions, ${valueBytes}-byte values`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
