import { Kafka, logLevel } from 'kafkajs';
import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { TestDatabase, createTestDatabase } from '@credit-ledger/testing';
import { spawnTsChild, type TsChild } from './support/child-process';
import { KEYS, TEST_API_KEYS, waitUntil } from './support/ledger-harness';

async function stop(c: TsChild | null): Promise<void> {
  if (!c || c.child.exitCode !== null) return;
  const exited = new Promise((resolve) => c.child.once('exit', resolve));
  c.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (c.child.exitCode === null) c.child.kill('SIGKILL');
}

/** Production logs are JSON lines (request id, Kafka origin, no start-up chatter); `up` logs for a terminal. */
describe('logs', () => {
  let broker: EmbeddedKafkaBroker;
  let db: TestDatabase;
  let child: TsChild | null = null;

  beforeAll(async () => {
    broker = await startEmbeddedKafka({ defaultPartitions: 2 });
    db = await createTestDatabase();
  });

  afterEach(async () => {
    await stop(child);
    child = null;
  });

  afterAll(async () => {
    await broker?.stop();
    await db?.drop();
  });

  it('are JSON lines from `serve`, with a request id per request and the Kafka origin on ingestion lines', async () => {
    child = spawnTsChild(
      'cli-child.ts',
      {
        KAFKA_BROKERS: broker.address,
        DATABASE_URL: db.url,
        PORT: '0',
        API_KEYS: TEST_API_KEYS,
        LOG_LEVEL: 'info',
        LOG_FORMAT: '',
        KAFKA_GROUP_ID: 'logging-test',
        QUEUE_PREFIX: `logging-test-${process.pid}`,
      },
      ['serve'],
    );
    const c = child;
    await waitUntil(
      () => /listening on/.test(c.stdout()),
      60_000,
      () => c.output(),
    );
    const lines = () =>
      c
        .stdout()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l));
    const url = lines().find((l) => l.url)!.url as string;

    const traced = await fetch(`${url}/customers/NOPE-1`, {
      headers: { authorization: `Bearer ${KEYS.reader}`, 'x-request-id': 'req-logging-1' },
    });
    expect(traced.status).toBe(404);
    expect(traced.headers.get('x-request-id')).toBe('req-logging-1');
    const fresh = await fetch(`${url}/customers/NOPE-2`, {
      headers: { authorization: `Bearer ${KEYS.reader}` },
    });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Probes are not logged.
    expect((await fetch(`${url}/health/live`)).status).toBe(200);

    const kafka = new Kafka({
      clientId: 'logging-test',
      brokers: [broker.address],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'billing.events', messages: [{ key: 'L-1', value: 'not json at all' }] });
    await producer.disconnect();
    await waitUntil(
      () => /rejected 1 event/.test(c.stdout()),
      30_000,
      () => c.output(),
    );

    const all = lines(); // every stdout line parses as JSON
    expect(all.every((l) => typeof l.pid === 'number' && typeof l.time === 'string' && l.level)).toBe(true);
    expect(all.find((l) => l.req?.id === 'req-logging-1')).toMatchObject({
      level: 'info',
      msg: 'request completed',
      req: { method: 'GET', url: '/customers/NOPE-1' },
      res: { statusCode: 404 },
    });
    expect(JSON.stringify(all)).not.toContain(KEYS.reader);
    expect(all.some((l) => l.req?.url === '/health/live')).toBe(false);
    const rejected = all.find((l) => /rejected 1 event/.test(l.msg));
    expect(rejected).toMatchObject({
      level: 'warn',
      kafka: { topic: 'billing.events', partition: expect.any(Number), offset: '0' },
      rejected: [{ topic: 'billing.events', offset: '0', code: 'BAD_JSON' }],
    });
    // Quiet by default: Nest's start-up lines (each route mapped, modules loaded) are debug.
    expect(all.filter((l) => /Mapped \{|dependencies initialized/.test(l.msg))).toEqual([]);
  });

  const up = (logLevel: string) =>
    spawnTsChild(
      'cli-child.ts',
      {
        KAFKA_BROKERS: '',
        DATABASE_URL: db.url,
        PORT: '0',
        LOG_LEVEL: logLevel,
        LOG_FORMAT: '',
        KAFKA_GROUP_ID: `logging-test-up-${logLevel}`,
        QUEUE_PREFIX: `logging-test-up-${process.pid}`,
      },
      ['up', '--kafka-port', '0', '--customers', '0', '--no-worker'],
    );
  // Nest's route table and module lines.
  const START_UP = /RouterExplorer|RoutesResolver|InstanceLoader|Mapped \{/;

  it('are pretty text from `up`: its URLs and a short summary, no route table', async () => {
    child = up('info');
    const c = child;
    await waitUntil(
      () => /credit-ledger is up/.test(c.stdout()),
      60_000,
      () => c.output(),
    );
    await waitUntil(
      () => /INFO/.test(c.stdout()),
      30_000,
      () => c.output(),
    );
    const lines = c.stdout().split('\n');
    expect(lines.some((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: ingesting billing\.events/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    expect(lines.filter((l) => START_UP.test(l))).toEqual([]);
    expect(c.stdout()).toMatch(/workspace http:\/\/127\.0\.0\.1:\d+\/app/);
  });

  it('are verbose from `up` with LOG_LEVEL=debug: the route table is there', async () => {
    child = up('debug');
    const c = child;
    await waitUntil(
      () => /credit-ledger is up/.test(c.stdout()),
      60_000,
      () => c.output(),
    );
    expect(c.stdout()).toMatch(/Mapped \{\/customers\/:id, GET\} route/);
  });
});
