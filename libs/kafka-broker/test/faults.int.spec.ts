import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { consumerConfig, kafkaFor, safeDisconnect, sleep, waitFor } from './helpers';

jest.setTimeout(60_000);

async function startCollector(
  kafka: Kafka,
  topic: string,
  groupId: string,
  seen: Set<string>,
): Promise<Consumer> {
  const consumer = kafka.consumer(consumerConfig(groupId));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.add(String(message.value));
    },
  });
  return consumer;
}

async function produceRange(
  producer: Producer,
  topic: string,
  from: number,
  to: number,
  chunk = 250,
): Promise<void> {
  for (let i = from; i < to; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(to, i + chunk); j++) messages.push({ key: `k${j % 31}`, value: `v-${j}` });
    await producer.send({ topic, acks: -1, messages });
  }
}

describe('embedded broker: fault injection', () => {
  let broker: EmbeddedKafkaBroker;

  beforeAll(async () => {
    broker = await startEmbeddedKafka();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('recovers from dropped connections during produce and consume', async () => {
    const topic = 'drops';
    broker.createTopic(topic, 4);
    const kafka = kafkaFor(broker, 'drops');
    const seen = new Set<string>();
    const consumer = await startCollector(kafka, topic, 'drops-g', seen);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const total = 20_000;
      const sending = produceRange(producer, topic, 0, total, 500);
      await waitFor(() => broker.stats().messages > 3_000, 20_000, 'produce to start');
      broker.faults.dropConnections(); // mid-produce and mid-consume
      await waitFor(() => seen.size > 8_000, 30_000, 'consumption to progress');
      broker.faults.dropConnections();
      await sending;
      await waitFor(() => seen.size === total, 40_000, `all ${total} messages (have ${seen.size})`);
    } finally {
      await safeDisconnect(producer, consumer);
    }
  });

  it('recovers after refusing connections for a while, and with delayed responses', async () => {
    const topic = 'refuse';
    broker.createTopic(topic, 2);
    const kafka = kafkaFor(broker, 'refuse');
    const seen = new Set<string>();
    const consumer = await startCollector(kafka, topic, 'refuse-g', seen);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await produceRange(producer, topic, 0, 1_000);
      await waitFor(() => seen.size === 1_000, 20_000, 'first 1000');
      broker.faults.refuseConnections(1_500);
      broker.faults.dropConnections();
      await sleep(200);
      const sending = produceRange(producer, topic, 1_000, 2_000); // retries until the listener is back
      await sending;
      broker.faults.delayResponses(50);
      await produceRange(producer, topic, 2_000, 2_500);
      broker.faults.delayResponses(0);
      await waitFor(() => seen.size === 2_500, 30_000, `all 2500 messages (have ${seen.size})`);
    } finally {
      broker.faults.delayResponses(0);
      await safeDisconnect(producer, consumer);
    }
  });

  it('keeps data across broker.restart() and clients reconnect', async () => {
    const topic = 'restart';
    broker.createTopic(topic, 3);
    const kafka = kafkaFor(broker, 'restart');
    const seen = new Set<string>();
    const consumer = await startCollector(kafka, topic, 'restart-g', seen);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const port = broker.port;
      await produceRange(producer, topic, 0, 1_000);
      await waitFor(() => seen.size === 1_000, 20_000, 'first 1000');
      await broker.restart();
      expect(broker.port).toBe(port);
      expect(broker.stats().topicDetails[topic].messages).toBe(1_000);
      await produceRange(producer, topic, 1_000, 2_000);
      await waitFor(() => seen.size === 2_000, 40_000, `all 2000 messages (have ${seen.size})`);
      const admin = kafka.admin();
      await admin.connect();
      const { groups } = await admin.describeGroups(['restart-g']);
      await admin.disconnect();
      expect(groups[0].members).toHaveLength(1);
    } finally {
      await safeDisconnect(producer, consumer);
    }
  });
});
