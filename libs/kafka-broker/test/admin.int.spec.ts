import { CompressionTypes, KafkaJSProtocolError } from 'kafkajs';
import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { consumerConfig, joined, kafkaFor, safeDisconnect, sleep, waitFor } from './helpers';

jest.setTimeout(60_000);

describe('embedded broker: admin, long-poll, compression', () => {
  let broker: EmbeddedKafkaBroker;
  const logLines: string[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedKafka({ log: (l) => logLines.push(l) });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('exposes its address', () => {
    expect(broker.host).toBe('127.0.0.1');
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.address).toBe(`127.0.0.1:${broker.port}`);
  });

  it('creates, lists, describes and deletes topics', async () => {
    const admin = kafkaFor(broker, 'admin-test').admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        topics: [
          { topic: 'admin-a', numPartitions: 4 },
          { topic: 'admin-b', numPartitions: 2 },
        ],
      });
      expect(created).toBe(true);
      expect(await admin.listTopics()).toEqual(expect.arrayContaining(['admin-a', 'admin-b']));

      const meta = await admin.fetchTopicMetadata({ topics: ['admin-a'] });
      expect(meta.topics).toHaveLength(1);
      expect(meta.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
      expect(meta.topics[0].partitions.every((p) => p.leader === 1)).toBe(true);

      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: broker.port }]);
      expect(cluster.controller).toBe(1);

      // Existing topic: kafkajs maps TOPIC_ALREADY_EXISTS to `false` when all topics exist...
      expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 4 }] })).toBe(false);
      // ...and throws the Kafka error when mixed with other failures.
      await expect(
        admin.createTopics({
          topics: [
            { topic: 'admin-a', numPartitions: 1 },
            { topic: 'bad name!', numPartitions: 1 },
          ],
        }),
      ).rejects.toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ type: 'TOPIC_ALREADY_EXISTS' })]),
      });

      const producer = kafkaFor(broker, 'admin-producer').producer();
      await producer.connect();
      await producer.send({
        topic: 'admin-b',
        messages: [
          { partition: 0, value: 'x' },
          { partition: 0, value: 'y' },
          { partition: 1, value: 'z' },
        ],
      });
      await producer.disconnect();
      const offsets = await admin.fetchTopicOffsets('admin-b');
      expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([
        { partition: 0, offset: '2', high: '2', low: '0' },
        { partition: 1, offset: '1', high: '1', low: '0' },
      ]);
      const s = broker.stats();
      expect(s.topicDetails['admin-b']).toMatchObject({ partitions: 2, messages: 3, highWatermarks: [2, 1] });

      await admin.deleteTopics({ topics: ['admin-b'] });
      expect(await admin.listTopics()).not.toContain('admin-b');
    } finally {
      await admin.disconnect();
    }
  });

  it('reports UNKNOWN_TOPIC_OR_PARTITION when auto-creation is disabled', async () => {
    const strict = await startEmbeddedKafka({ autoCreateTopics: false });
    const admin = kafkaFor(strict, 'strict', { retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await expect(admin.fetchTopicMetadata({ topics: ['missing'] })).rejects.toMatchObject({
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    } finally {
      await admin.disconnect();
      await strict.stop();
    }
  });

  it('auto-creates topics with defaultPartitions', async () => {
    const auto = await startEmbeddedKafka({ defaultPartitions: 3 });
    const producer = kafkaFor(auto, 'auto').producer();
    try {
      await producer.connect();
      await producer.send({ topic: 'auto-topic', messages: [{ value: 'v' }] });
      expect(auto.stats().topicDetails['auto-topic']).toMatchObject({ partitions: 3, messages: 1 });
    } finally {
      await producer.disconnect();
      await auto.stop();
    }
  });

  it('long-poll fetch delivers a message produced while the consumer waits', async () => {
    broker.createTopic('longpoll', 1);
    const kafka = kafkaFor(broker, 'longpoll');
    const consumer = kafka.consumer(consumerConfig('longpoll-g', { maxWaitTimeInMs: 2000 }));
    const producer = kafka.producer();
    const received: string[] = [];
    try {
      await Promise.all([consumer.connect(), producer.connect()]);
      await consumer.subscribe({ topic: 'longpoll', fromBeginning: true });
      const isJoined = joined(consumer);
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push(String(message.value));
        },
      });
      await isJoined;
      await sleep(300); // let the consumer park its fetch
      await producer.send({ topic: 'longpoll', messages: [{ value: 'wake-up' }] });
      await waitFor(() => received.length > 0, 20000, 'long-polled message');
      expect(received).toEqual(['wake-up']);
    } finally {
      await safeDisconnect(producer, consumer);
    }
  });

  it('rejects compressed batches with UNSUPPORTED_COMPRESSION_TYPE', async () => {
    broker.createTopic('gzip', 1);
    const producer = kafkaFor(broker, 'gzip').producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      const err = await producer
        .send({ topic: 'gzip', compression: CompressionTypes.GZIP, messages: [{ value: 'compressed' }] })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(KafkaJSProtocolError);
      expect(err).toMatchObject({ type: 'UNSUPPORTED_COMPRESSION_TYPE', code: 76 });
      expect(broker.stats().topicDetails['gzip'].messages).toBe(0);
      expect(logLines.some((l) => /WARN .*gzip.*compression codec 1 not supported/.test(l))).toBe(true);
    } finally {
      await producer.disconnect();
    }
  });
});
