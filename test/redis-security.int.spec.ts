import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'bullmq';
import { AppConfig, ConnectionError, loadConfig } from '@credit-ledger/config';
import { CREDIT_JOBS_QUEUE, JobsClient, ScanResult, checkRedis } from '@credit-ledger/jobs';
import {
  TestCertificates,
  TestDatabase,
  createTestDatabase,
  makeTestCertificates,
} from '@credit-ledger/testing';
import { startLedgerApp } from '../apps/ledger/src/ledger-app';
import { startWorkerApp } from '../apps/worker/src/worker-app';
import { SecuredRedis, freePort, startSecuredRedis } from './support/secure-services';
import { uniqueQueuePrefix } from './support/worker-harness';

/**
 * A second redis-server of the test's own with `requirepass`, an ACL user limited to the test's keys and a TLS
 * port: the jobs client and a BullMQ worker connect with the password in REDIS_URL, as the ACL user from
 * variables and a password file, over `rediss://`; wrong credentials and an untrusted certificate are refused
 * with a message naming Redis, and stop the worker and the ledger at start.
 */
jest.setTimeout(60_000);

const ADMIN_PASSWORD = 'redis-default-secret';
const USER = { name: 'ledger', password: 'ledger-redis-secret', keyPattern: 'cl-test-*' };

let certs: TestCertificates;
let redis: SecuredRedis;

beforeAll(async () => {
  certs = makeTestCertificates();
  redis = await startSecuredRedis({ password: ADMIN_PASSWORD, user: USER, certs });
});

afterAll(async () => {
  await redis?.stop();
  certs?.remove();
});

/** Runs a job on the configured Redis: the queue, a BullMQ worker (blocking commands) and QueueEvents. */
async function runJob(config: AppConfig): Promise<ScanResult> {
  const jobs = JobsClient.fromConfig(config);
  const worker = new Worker(
    CREDIT_JOBS_QUEUE,
    async (job) => ({ at: job.data.at, customers: 7, appended: 0 }),
    {
      connection: jobs.queue.opts.connection,
      prefix: config.jobs.queuePrefix,
    },
  );
  try {
    const job = await jobs.run('overdue-scan', '2026-03-31T00:00:00.000Z');
    return await jobs.waitFor(job, 20_000);
  } finally {
    await worker.close();
    await jobs.queue.obliterate({ force: true });
    await jobs.close();
  }
}

describe('Redis with credentials', () => {
  it('runs jobs with the password in REDIS_URL', async () => {
    const config = loadConfig({
      REDIS_URL: `redis://:${ADMIN_PASSWORD}@127.0.0.1:${redis.port}`,
      QUEUE_PREFIX: uniqueQueuePrefix(),
    });
    expect(await checkRedis(config.redisUrl, config.redisSecurity)).toEqual({ reachable: true });
    expect(await runJob(config)).toEqual({ at: '2026-03-31T00:00:00.000Z', customers: 7, appended: 0 });
  });

  it('runs jobs as an ACL user from REDIS_USERNAME and REDIS_PASSWORD_FILE, over rediss:// with the test CA', async () => {
    const passwordFile = path.join(certs.dir, 'redis-password');
    writeFileSync(passwordFile, `${USER.password}\n`);
    const config = loadConfig({
      REDIS_URL: `rediss://127.0.0.1:${redis.tlsPort}`,
      REDIS_USERNAME: USER.name,
      REDIS_PASSWORD_FILE: passwordFile,
      REDIS_TLS_CA_FILE: certs.caFile,
      QUEUE_PREFIX: uniqueQueuePrefix(),
    });
    expect(await runJob(config)).toMatchObject({ customers: 7 });
  });

  it('names Redis, the user and what to check when a credential or a certificate is refused', async () => {
    const check = (env: NodeJS.ProcessEnv) => {
      const c = loadConfig(env);
      return checkRedis(c.redisUrl, c.redisSecurity);
    };
    const wrong = check({ REDIS_URL: `redis://:not-it@127.0.0.1:${redis.port}` });
    await expect(wrong).rejects.toBeInstanceOf(ConnectionError);
    await expect(wrong).rejects.toThrow(
      `Redis redis://127.0.0.1:${redis.port}: authentication failed: WRONGPASS invalid username-password pair ` +
        'or user is disabled. (check the user and password in REDIS_URL, or REDIS_USERNAME and REDIS_PASSWORD)',
    );
    await expect(wrong).rejects.not.toThrow('not-it');
    await expect(
      check({
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        REDIS_USERNAME: USER.name,
        REDIS_PASSWORD: 'nope',
      }),
    ).rejects.toThrow(`Redis redis://127.0.0.1:${redis.port} as ledger: authentication failed: WRONGPASS`);
    await expect(check({ REDIS_URL: `redis://127.0.0.1:${redis.port}` })).rejects.toThrow(
      'authentication failed: NOAUTH Authentication required.',
    );
    await expect(
      check({
        REDIS_URL: `rediss://:${ADMIN_PASSWORD}@127.0.0.1:${redis.tlsPort}`,
        REDIS_TLS_CA_FILE: certs.otherCaFile,
      }),
    ).rejects.toThrow(
      new RegExp(`^Redis rediss://127.0.0.1:${redis.tlsPort}: TLS failed: .*certificate.*check REDIS_TLS_CA`),
    );
    // Nothing listening is not a credential problem: reported, for the caller to decide.
    const closed = await freePort();
    expect(await check({ REDIS_URL: `redis://127.0.0.1:${closed}` })).toEqual({
      reachable: false,
      reason: `connect ECONNREFUSED 127.0.0.1:${closed}`,
    });
  });
});

describe('a wrong Redis password at start', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  const config = (): AppConfig =>
    loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: `redis://:wrong@127.0.0.1:${redis.port}`,
      PORT: '0',
      LOG_LEVEL: 'error',
      API_KEYS: 'reader:reader-key-0123456789abcdef',
      QUEUE_PREFIX: uniqueQueuePrefix(),
    });

  it('stops the worker with the Redis error', async () => {
    await expect(
      startWorkerApp({ config: config(), run: { schedules: false, relay: false } }),
    ).rejects.toThrow(/^Redis redis:\/\/127\.0\.0\.1:\d+: authentication failed: WRONGPASS/);
  });

  it('stops the ledger with the Redis error', async () => {
    await expect(
      startLedgerApp({ config: config(), hooks: { consume: false }, host: '127.0.0.1' }),
    ).rejects.toThrow(/^Redis redis:\/\/127\.0\.0\.1:\d+: authentication failed: WRONGPASS/);
  });
});
