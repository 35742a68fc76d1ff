import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { Kafka, Message } from 'kafkajs';
import { consumerConfig, kafkaFor, safeDisconnect, waitFor } from './helpers';

jest.setTimeout(60_000);

interface Tally {
  count: number;
  lastSeq: Map<string, number>;
  violations: number;
}

/** Consumes `topic` from the beginning with eachBatch, checking per-key sequence order. */
async function consumeAll(kafka: Kafka, topic: string, expected: number): Promise<Tally> {
  const tally: Tally = { count: 0, lastSeq: new Map(), violations: 0 };
  const consumer = kafka.consumer(consumerConfig(`${topic}-reader`));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const key = String(m.key);
          const seq = Number(String(m.value).split(':')[1]);
          const prev = tally.lastSeq.get(key) ?? -1;
          if (seq <= prev) tally.violations++;
          tally.lastSeq.set(key, seq);
          tally.count++;
        }
      },
    });
    await waitFor(() => tally.count >= expected, 50_000, `${expected} messages on ${topic}`);
  } finally {
    await safeDisconnect(consumer);
  }
  return tally;
}

function keyedMessages(total: number, keys: number): Message[] {
  const seq = new Array<number>(keys).fill(0);
  const out: Message[] = [];
  for (let i = 0; i < total; i++) {
    const k = (i * 7919) % keys;
    out.push({ key: `key-${k}`, value: `key-${k}:${seq[k]++}` });
  }
  return out;
}

describe('embedded broker: produce and consume', () => {
  let broker: EmbeddedKafkaBroker;

  beforeAll(async () => {
    broker = await startEmbeddedKafka();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('moves 100,000 keyed messages over 8 partitions with per-key order', async () => {
    const kafka = kafkaFor(broker, 'bulk');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bulk', numPartitions: 8 }] });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const messages = keyedMessages(100_000, 1_000);
    for (let i = 0; i < messages.length; i += 5_000) {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [{ topic: 'bulk', messages: messages.slice(i, i + 5_000) }],
      });
    }
    await producer.disconnect();
    const stats = broker.stats().topicDetails['bulk'];
    expect(stats.messages).toBe(100_000);
    expect(stats.highWatermarks.every((hw) => hw > 0)).toBe(true);

    const tally = await consumeAll(kafka, 'bulk', 100_000);
    expect(tally.count).toBe(100_000);
    expect(tally.violations).toBe(0);
    expect(tally.lastSeq.size).toBe(1_000);
    for (const last of tally.lastSeq.values()) expect(last).toBe(99);
  });

  it('supports the idempotent producer', async () => {
    const kafka = kafkaFor(broker, 'idem');
    broker.createTopic('idem', 4);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = keyedMessages(10_000, 100);
    for (let i = 0; i < messages.length; i += 1_000) {
      await producer.send({ topic: 'idem', acks: -1, messages: messages.slice(i, i + 1_000) });
    }
    await producer.disconnect();
    expect(broker.stats().topicDetails['idem'].messages).toBe(10_000);

    const tally = await consumeAll(kafka, 'idem', 10_000);
    expect(tally.count).toBe(10_000);
    expect(tally.violations).toBe(0);
  });

  it('delivers keys, values, headers and timestamps intact', async () => {
    const kafka = kafkaFor(broker, 'fields');
    broker.createTopic('fields', 1);
    const producer = kafka.producer();
    await producer.connect();
    const big = 'b'.repeat(50_000);
    await producer.send({
      topic: 'fields',
      messages: [
        {
          key: 'k1',
          value: 'v1',
          headers: { a: '1', b: Buffer.from([0, 1, 2]) },
          timestamp: '1700000000000',
        },
        { key: null, value: big },
        { key: 'tomb', value: null },
      ],
    });
    await producer.disconnect();
    const got: { key: string | null; value: string | null; headers: unknown; ts: string; offset: string }[] =
      [];
    const consumer = kafka.consumer(consumerConfig('fields-g'));
    await consumer.connect();
    await consumer.subscribe({ topic: 'fields', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message: m }) => {
        got.push({
          key: m.key ? String(m.key) : null,
          value: m.value ? String(m.value) : null,
          headers: m.headers,
          ts: m.timestamp,
          offset: m.offset,
        });
      },
    });
    await waitFor(() => got.length >= 3, 20_000, 'three messages');
    await safeDisconnect(consumer);
    expect(got[0]).toEqual({
      key: 'k1',
      value: 'v1',
      headers: { a: Buffer.from('1'), b: Buffer.from([0, 1, 2]) },
      ts: '1700000000000',
      offset: '0',
    });
    expect(got[1]).toMatchObject({ key: null, value: big, offset: '1' });
    expect(got[2]).toMatchObject({ key: 'tomb', value: null, offset: '2' });
  });
});
