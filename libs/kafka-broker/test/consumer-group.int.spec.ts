import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { Consumer } from 'kafkajs';
import { consumerConfig, kafkaFor, safeDisconnect, sleep, waitFor } from './helpers';

jest.setTimeout(90_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * A group member running in its own process so it can be SIGKILLed: no LeaveGroup is sent and
 * the broker has to notice via the session timeout. Reports each message over IPC *before*
 * kafkajs may commit it, so "reported" is a superset of "committed".
 */
const VICTIM_SOURCE = `
const { Kafka, logLevel } = require('kafkajs');
const [address, topic, groupId] = JSON.parse(process.env.VICTIM_ARGS);
const kafka = new Kafka({ clientId: 'victim', brokers: [address], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
consumer.on(consumer.events.GROUP_JOIN, (e) => process.send({ type: 'join', partitions: e.payload.memberAssignment[topic] || [] }));
(async () => {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => new Promise((resolve) => process.send({ type: 'msg', value: String(message.value) }, () => resolve())),
  });
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface VictimEvent {
  type: 'join' | 'msg';
  value?: string;
  partitions?: number[];
}

describe('embedded broker: consumer groups', () => {
  let broker: EmbeddedKafkaBroker;
  let victim: ChildProcess | null = null;

  beforeAll(async () => {
    broker = await startEmbeddedKafka();
  });
  afterAll(async () => {
    victim?.kill('SIGKILL');
    await broker.stop();
  });

  it('rebalances a 3-member group when one member is killed, without losing messages', async () => {
    const topic = 'group-kill';
    const groupId = 'group-kill-g';
    broker.createTopic(topic, 6);
    const kafka = kafkaFor(broker, 'group-test');
    const admin = kafka.admin();
    await admin.connect();

    const seen = new Map<string, number>();
    const survivorsSeen = new Set<string>();
    const note = (v: string): void => {
      seen.set(v, (seen.get(v) ?? 0) + 1);
    };
    const survivors: Consumer[] = [];
    for (let i = 0; i < 2; i++) {
      const c = kafkaFor(broker, `survivor-${i}`).consumer(consumerConfig(groupId));
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        eachMessage: async ({ message }) => {
          note(String(message.value));
          survivorsSeen.add(String(message.value));
        },
      });
      survivors.push(c);
    }

    let victimJoins = 0;
    let victimPartitions: number[] = [];
    let victimCount = 0;
    victim = spawn(process.execPath, ['-e', VICTIM_SOURCE], {
      cwd: REPO_ROOT,
      env: { ...process.env, VICTIM_ARGS: JSON.stringify([broker.address, topic, groupId]) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    victim.on('message', (m: VictimEvent) => {
      if (m.type === 'join') {
        victimJoins++;
        victimPartitions = m.partitions ?? [];
      } else if (m.value !== undefined) {
        victimCount++;
        note(m.value);
      }
    });

    try {
      const stableWithThree = async (): Promise<boolean> => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0].state === 'Stable' && groups[0].members.length === 3;
      };
      const deadline = Date.now() + 30_000;
      while (!(await stableWithThree()) || victimPartitions.length === 0) {
        if (Date.now() > deadline) throw new Error('group never became stable with 3 members');
        await sleep(100);
      }
      expect(victimJoins).toBeGreaterThan(0);

      const producer = kafka.producer();
      await producer.connect();
      const total = 6_000;
      let produced = 0;
      const produceChunk = async (n: number): Promise<void> => {
        const messages = [];
        for (let i = 0; i < n; i++, produced++)
          messages.push({ key: `k${produced % 97}`, value: `m-${produced}` });
        await producer.send({ topic, messages });
      };
      // Phase 1: everyone consumes.
      while (produced < 2_000) {
        await produceChunk(200);
        await sleep(20);
      }
      await waitFor(() => victimCount > 0, 20_000, 'victim to consume something');
      victim.kill('SIGKILL');
      // Phase 2: keep producing while the broker expires the dead member and rebalances.
      while (produced < total) {
        await produceChunk(200);
        await sleep(20);
      }
      await producer.disconnect();

      await waitFor(() => seen.size === total, 45_000, `all ${total} messages (have ${seen.size})`);
      const { groups } = await admin.describeGroups([groupId]);
      expect(groups[0].members).toHaveLength(2);
      // The survivors took over the victim's partitions: they consumed messages from all 6 partitions' tail.
      for (let i = total - 600; i < total; i++) expect(survivorsSeen.has(`m-${i}`)).toBe(true);
      const duplicates = [...seen.values()].reduce((a, n) => a + n - 1, 0);
      expect(duplicates).toBeGreaterThanOrEqual(0); // allowed (at-least-once), reported for information
    } finally {
      victim.kill('SIGKILL');
      await safeDisconnect(...survivors, admin);
    }
  });

  it('resumes from committed offsets after a consumer restart', async () => {
    const topic = 'resume';
    const groupId = 'resume-g';
    broker.createTopic(topic, 2);
    const kafka = kafkaFor(broker, 'resume');
    const producer = kafka.producer();
    await producer.connect();
    const all = Array.from({ length: 1_000 }, (_, i) => `r-${i}`);
    await producer.send({ topic, messages: all.map((value, i) => ({ key: `k${i % 10}`, value })) });
    await producer.disconnect();

    const committed = new Set<string>();
    /** partition -> the last offset the first consumer committed (successfully) for it. */
    const committedOffsets = new Map<number, number>();
    const first = kafka.consumer(consumerConfig(groupId));
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    await first.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        if (committed.size >= 500) return;
        const next = Number(message.offset) + 1;
        await first.commitOffsets([{ topic, partition, offset: String(next) }]);
        committedOffsets.set(partition, next);
        committed.add(String(message.value));
      },
    });
    await waitFor(() => committed.size >= 500, 20_000, '500 committed messages');
    await first.disconnect();

    // kafkajs shuffles the partitions of every Fetch request, so which partition is consumed first
    // varies: the 500 commits may all land on one partition (it holds 600 of the messages) and leave
    // the other with no committed offset, which OffsetFetch reports as -1 (as real Kafka does).
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const fetched = offsets[0].partitions
      .map((p) => ({ partition: p.partition, offset: Number(p.offset) }))
      .sort((a, b) => a.partition - b.partition);
    expect(fetched).toEqual([0, 1].map((p) => ({ partition: p, offset: committedOffsets.get(p) ?? -1 })));
    const committedTotal = fetched.reduce((a, p) => a + Math.max(p.offset, 0), 0);
    expect(committedTotal).toBe(500);

    const resumed = new Set<string>();
    const second = kafka.consumer(consumerConfig(groupId));
    await second.connect();
    await second.subscribe({ topic, fromBeginning: true });
    await second.run({
      eachMessage: async ({ message }) => {
        resumed.add(String(message.value));
      },
    });
    try {
      await waitFor(() => resumed.size >= 500, 20_000, 'the remaining 500 messages');
      await sleep(300);
      expect(resumed.size).toBe(500);
      for (const v of resumed) expect(committed.has(v)).toBe(false);
      expect(new Set([...committed, ...resumed]).size).toBe(1_000);
    } finally {
      await second.disconnect();
    }
  });
});
