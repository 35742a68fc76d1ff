import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { consumerConfig, kafkaFor, safeDisconnect, sleep, waitFor } from './helpers';

jest.setTimeout(60_000);

describe('embedded broker: dataDir persistence', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-broker-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reloads topics, messages and committed offsets from disk', async () => {
    const first = await startEmbeddedKafka({ dataDir: dir });
    const kafka1 = kafkaFor(first, 'persist-1');
    const admin1 = kafka1.admin();
    await admin1.connect();
    await admin1.createTopics({ topics: [{ topic: 'persisted', numPartitions: 3 }] });
    const producer = kafka1.producer();
    await producer.connect();
    const messages = Array.from({ length: 3_000 }, (_, i) => ({ key: `k${i % 17}`, value: `p-${i}` }));
    await producer.sendBatch({ topicMessages: [{ topic: 'persisted', messages }] });
    await producer.disconnect();
    const before = await admin1.fetchTopicOffsets('persisted');
    // Simple (non-member) commit, as used by admin tooling.
    await admin1.setOffsets({
      groupId: 'persist-g',
      topic: 'persisted',
      partitions: before.map((p) => ({
        partition: p.partition,
        offset: String(Math.floor(Number(p.high) / 2)),
      })),
    });
    await admin1.disconnect();
    await first.stop();

    const second = await startEmbeddedKafka({ dataDir: dir });
    const kafka2 = kafkaFor(second, 'persist-2');
    const admin2 = kafka2.admin();
    await admin2.connect();
    try {
      expect(await admin2.listTopics()).toContain('persisted');
      const after = await admin2.fetchTopicOffsets('persisted');
      const byPartition = (xs: typeof before) => xs.map((p) => [p.partition, p.high]).sort();
      expect(byPartition(after)).toEqual(byPartition(before));
      const committed = await admin2.fetchOffsets({ groupId: 'persist-g', topics: ['persisted'] });
      const expectedRemaining = before.reduce(
        (a, p) => a + Number(p.high) - Math.floor(Number(p.high) / 2),
        0,
      );

      // A full re-read from the beginning returns every message...
      const all = new Set<string>();
      const reader = kafka2.consumer(consumerConfig('persist-reader'));
      await reader.connect();
      await reader.subscribe({ topic: 'persisted', fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          all.add(String(message.value));
        },
      });
      await waitFor(() => all.size === 3_000, 20_000, `3000 persisted messages (have ${all.size})`);
      await reader.disconnect();

      // ...and the group resumes from its persisted offsets.
      expect(committed[0].partitions.every((p) => Number(p.offset) > 0)).toBe(true);
      const resumed: string[] = [];
      const consumer = kafka2.consumer(consumerConfig('persist-g'));
      await consumer.connect();
      await consumer.subscribe({ topic: 'persisted', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          resumed.push(String(message.value));
        },
      });
      await waitFor(() => resumed.length >= expectedRemaining, 20_000, 'resumed messages');
      await sleep(300);
      await safeDisconnect(consumer);
      expect(resumed).toHaveLength(expectedRemaining);

      // Appending after a reload continues the offsets.
      const producer2 = kafka2.producer();
      await producer2.connect();
      await producer2.send({ topic: 'persisted', messages: [{ partition: 0, value: 'after-reload' }] });
      await producer2.disconnect();
      const final = await admin2.fetchTopicOffsets('persisted');
      const p0 = (xs: typeof before) => Number(xs.find((p) => p.partition === 0)?.high);
      expect(p0(final)).toBe(p0(before) + 1);
    } finally {
      await admin2.disconnect();
      await second.stop();
    }
  });
});
