import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { TcpProxy } from '@credit-ledger/testing';
import { LedgerHarness, waitUntil } from './support/ledger-harness';
import {
  cleanRedis,
  jobsClient,
  startWorker,
  uniqueQueuePrefix,
  workerConfig,
} from './support/worker-harness';

/**
 * Liveness and readiness the way Kubernetes and load balancers read them, with each dependency taken away in
 * turn: PostgreSQL and Redis behind TCP proxies that are cut (as when their host drops off the network), the
 * broker refusing connections. Liveness stays 200 throughout (restarting the ledger would not bring a database
 * back); readiness answers 503 naming the dependency, and 200 again once it is back.
 */
describe('health probes', () => {
  let h: LedgerHarness;
  const postgres = new TcpProxy('127.0.0.1', 5432);
  const redis = new TcpProxy('127.0.0.1', 6379);

  const live = () => h.get('/health/live', null);
  const ready = () => h.get('/health/ready', null);
  const readyAgain = () =>
    waitUntil(
      async () => (await ready()).status === 200,
      30_000,
      () => 'readiness never came back',
    );

  beforeAll(async () => {
    await postgres.start();
    await redis.start();
    h = await LedgerHarness.start({
      databaseUrl: (url) => {
        const viaProxy = new URL(url);
        viaProxy.port = String(postgres.port);
        return viaProxy.toString();
      },
      env: {
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        QUEUE_PREFIX: `probes-test-${process.pid}`,
        KAFKA_HEALTH_INTERVAL_MS: '100',
      },
    });
  });

  afterAll(async () => {
    await h?.stop();
    await postgres.close();
    await redis.close();
  });

  it('answers live and ready without credentials, in the terminus shape', async () => {
    await readyAgain();
    expect(await live()).toEqual({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } });
    const r = await ready();
    expect(r.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' }, kafka: { status: 'up' } },
      error: {},
    });
  });

  it('turns unready while PostgreSQL is cut off, stays live, and is ready again when it is back', async () => {
    await readyAgain();
    await postgres.close();
    try {
      const r = await ready();
      expect(r.status).toBe(503);
      expect(r.body.status).toBe('error');
      expect(Object.keys(r.body.error)).toEqual(['database']);
      expect(r.body.details.redis.status).toBe('up');
      expect((await live()).status).toBe(200);
      // The detailed report says the same, as a 200 naming the reason.
      const detail = await h.get('/health', null);
      expect(detail.status).toBe(200);
      expect(detail.body.database).toBe('down');
    } finally {
      await postgres.start(postgres.port);
    }
    await readyAgain();
  });

  it('turns unready while Redis is cut off, stays live, and is ready again when it is back', async () => {
    await readyAgain();
    await redis.close();
    try {
      const r = await ready();
      expect(r.status).toBe(503);
      expect(Object.keys(r.body.error)).toEqual(['redis']);
      expect(r.body.error.redis.message).toMatch(/Redis/);
      expect((await live()).status).toBe(200);
    } finally {
      await redis.start(redis.port);
    }
    await readyAgain();
  });

  it('turns unready while the broker refuses connections, from the lag monitor (no broker call per probe)', async () => {
    await readyAgain();
    h.broker.faults.refuseConnections(4000);
    h.broker.faults.dropConnections();
    await waitUntil(
      async () => (await ready()).status === 503,
      10_000,
      () => 'readiness never noticed Kafka',
    );
    const r = await ready();
    expect(Object.keys(r.body.error)).toEqual(['kafka']);
    expect(r.body.error.kafka.checkedAt).toEqual(expect.any(String));
    expect((await live()).status).toBe(200);
    await readyAgain();
    // The consumer rejoins too (readiness does not wait for it: a rebalance is not an outage).
    await waitUntil(() => h.ingestion.consumer?.stats.running === true, 30_000);
  });
});

/**
 * The worker's probes and metrics on WORKER_PORT: live throughout, ready only while PostgreSQL and Redis answer,
 * and a job it ran counted in its Prometheus metrics.
 */
describe('worker probes', () => {
  let h: LedgerHarness;
  let worker: { app: { close(): Promise<void> }; url: string | null } | null = null;
  const redis = new TcpProxy('127.0.0.1', 6379);
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    await redis.start();
    h = await LedgerHarness.start({ env: { QUEUE_PREFIX: prefix } });
    worker = await startWorker(
      workerConfig(h.config, { WORKER_PORT: '0', REDIS_URL: `redis://127.0.0.1:${redis.port}` }),
    );
  });

  afterAll(async () => {
    await worker?.app.close();
    await h?.stop();
    await redis.close();
    await cleanRedis(h.config.redisUrl, prefix);
  });

  const get = async (path: string) => {
    const res = await fetch(worker!.url + path);
    const text = await res.text();
    return {
      status: res.status,
      text,
      body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null,
    };
  };

  it('is live and ready, counts the jobs it ran, and turns unready while Redis is cut off', async () => {
    expect((await get('/health/live')).status).toBe(200);
    await waitUntil(async () => (await get('/health/ready')).status === 200, 20_000);
    const client = jobsClient(h.config);
    try {
      await client.waitFor(await client.run('overdue-scan'), 30_000);
    } finally {
      await client.close();
    }
    await waitUntil(
      async () =>
        /credit_worker_jobs_total\{name="overdue-scan",outcome="completed"\} 1/.test(
          (await get('/metrics')).text,
        ),
      10_000,
    );
    const families = parsePrometheusTextFormat((await get('/metrics')).text).map((f) => f.name);
    expect(families).toEqual(
      expect.arrayContaining(['credit_worker_job_duration_seconds', 'process_cpu_user_seconds_total']),
    );

    await redis.close();
    try {
      const r = await get('/health/ready');
      expect(r.status).toBe(503);
      expect(Object.keys(r.body.error)).toEqual(['redis']);
      expect(r.body.details.database.status).toBe('up');
      expect((await get('/health/live')).status).toBe(200);
    } finally {
      await redis.start(redis.port);
    }
    await waitUntil(async () => (await get('/health/ready')).status === 200, 30_000);
  });
});
