import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Partitioners } from 'kafkajs';
import {
  AppConfig,
  ConnectionError,
  ConnectionsRefused,
  loadConfig,
  postgresClientConfig,
} from '@credit-ledger/config';
import { ALERT_TOPICS, AlertMessage } from '@credit-ledger/domain';
import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import {
  LEDGER_APPENDED_CHANNEL,
  LedgerNotifications,
  checkPostgres,
  createLedgerDataSource,
  migrate,
  pgConfigOf,
} from '@credit-ledger/ledger-store';
import { createKafka, publishEvents } from '@credit-ledger/messaging';
import { TestCertificates, makeTestCertificates } from '@credit-ledger/testing';
import { startLedgerApp } from '../apps/ledger/src/ledger-app';
import { startWorkerApp } from '../apps/worker/src/worker-app';
import { waitUntil } from './support/ledger-harness';
import { SecuredRedis, TlsPostgres, startSecuredRedis, startTlsPostgres } from './support/secure-services';
import { onboarded, wire } from './support/wire';
import { uniqueQueuePrefix } from './support/worker-harness';

/**
 * PostgreSQL over TLS on a throwaway cluster of the test's own (ssl = on, `hostssl` only, SCRAM passwords,
 * a certificate from a CA made in the test; the shared cluster on 5432 is not touched), and then the whole
 * deployment with TLS and credentials on every connection: Kafka SASL_SSL with SCRAM-SHA-512, Redis over
 * rediss:// as an ACL user, PostgreSQL verify-full — the ledger ingests, the worker relays the alert and runs
 * a job, and the refusals name their connection.
 */
jest.setTimeout(120_000);

const PG_PASSWORD = 'ledger pg p@ss:word';
const KAFKA_PASSWORD = 'ledger-kafka-secret';
const REDIS_USER = { name: 'ledger', password: 'ledger-redis-secret', keyPattern: 'cl-test-*' };

let certs: TestCertificates;
let pg: TlsPostgres;
let broker: EmbeddedKafkaBroker;
let redis: SecuredRedis;
const secret = (name: string, value: string): string => {
  const file = path.join(certs.dir, name);
  writeFileSync(file, `${value}\n`);
  return file;
};

beforeAll(async () => {
  certs = makeTestCertificates();
  pg = await startTlsPostgres(certs);
  const admin = await pg.admin();
  try {
    await admin.query(`CREATE ROLE ledger LOGIN CREATEDB PASSWORD '${PG_PASSWORD}'`);
  } finally {
    await admin.end();
  }
  broker = await startEmbeddedKafka({
    tls: { cert: certs.server.cert, key: certs.server.key },
    sasl: { users: { ledger: KAFKA_PASSWORD }, mechanisms: ['SCRAM-SHA-512'] },
    defaultPartitions: 3,
    log: () => undefined,
  });
  redis = await startSecuredRedis({ password: 'redis-default-secret', user: REDIS_USER, certs });
});

afterAll(async () => {
  await redis?.stop();
  await broker?.stop();
  await pg?.stop();
  certs?.remove();
});

const pgUrl = (database: string, params = ''): string =>
  `postgres://ledger@127.0.0.1:${pg.port}/${database}${params}`;

describe('PostgreSQL over TLS', () => {
  it('migrates and connects with verify-full, the CA and a password file; pool and LISTEN connections are encrypted', async () => {
    const cfg = loadConfig({
      DATABASE_URL: pgUrl('cl_tls_pool'),
      DATABASE_SSL_MODE: 'verify-full',
      DATABASE_SSL_CA_FILE: certs.caFile,
      DATABASE_PASSWORD_FILE: secret('pg-password', PG_PASSWORD),
    });
    expect((await migrate(cfg.databaseUrl, cfg.databaseSecurity)).length).toBeGreaterThan(0);
    const ds = await createLedgerDataSource(cfg.databaseUrl, { security: cfg.databaseSecurity }).initialize();
    const heard: Array<string | null> = [];
    const listener = new LedgerNotifications(
      pgConfigOf(ds),
      LEDGER_APPENDED_CHANNEL,
      (p) => heard.push(p),
      () => undefined,
    );
    try {
      const [own] = await ds.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(own.ssl).toBe(true);
      await listener.start();
      await ds.query(`SELECT pg_notify('${LEDGER_APPENDED_CHANNEL}', 'over tls')`);
      await waitUntil(
        () => heard.includes('over tls'),
        10_000,
        () => `heard ${JSON.stringify(heard)}`,
      );
      const listening = await ds.query(
        `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.query LIKE 'LISTEN%'`,
      );
      expect(listening).toEqual([{ ssl: true }]);
      const plaintext = await ds.query(
        `SELECT count(*)::int AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.client_addr IS NOT NULL AND NOT s.ssl`,
      );
      expect(plaintext).toEqual([{ n: 0 }]);
    } finally {
      await listener.stop();
      await ds.destroy();
    }
  });

  it('takes libpq parameters in DATABASE_URL (sslmode, sslrootcert) and a password in the URL', async () => {
    const url = `postgres://ledger:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${pg.port}/postgres`;
    const cfg = loadConfig({
      DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caFile)}`,
    });
    expect(await checkPostgres(postgresClientConfig(cfg.databaseUrl, cfg.databaseSecurity))).toBeNull();
  });

  it('names PostgreSQL, where and as whom, and what to check when it refuses', async () => {
    const check = (env: NodeJS.ProcessEnv): Promise<null> => {
      const cfg = loadConfig(env);
      return checkPostgres(postgresClientConfig(cfg.databaseUrl, cfg.databaseSecurity));
    };
    const target = `127.0.0.1:${pg.port}/postgres as ledger`;
    const wrong = check({
      DATABASE_URL: pgUrl('postgres'),
      DATABASE_SSL_MODE: 'verify-full',
      DATABASE_SSL_CA_FILE: certs.caFile,
      DATABASE_PASSWORD: 'guess',
    });
    await expect(wrong).rejects.toBeInstanceOf(ConnectionError);
    await expect(wrong).rejects.toThrow(
      `PostgreSQL ${target} (TLS): password authentication failed for user "ledger" ` +
        '(check the user and password in DATABASE_URL, or DATABASE_PASSWORD)',
    );
    await expect(wrong).rejects.not.toThrow('guess');
    await expect(check({ DATABASE_URL: pgUrl('postgres'), DATABASE_PASSWORD: PG_PASSWORD })).rejects.toThrow(
      `PostgreSQL ${target} (no TLS): pg_hba.conf rejects connection for host "127.0.0.1", user "ledger", ` +
        'database "postgres", no encryption (check DATABASE_SSL_MODE',
    );
    await expect(
      check({
        DATABASE_URL: pgUrl('postgres'),
        DATABASE_SSL_MODE: 'verify-full',
        DATABASE_SSL_CA_FILE: certs.otherCaFile,
        DATABASE_PASSWORD: PG_PASSWORD,
      }),
    ).rejects.toThrow(
      new RegExp(
        `^PostgreSQL ${target} \\(TLS\\): TLS failed: .*certificate.*check DATABASE_SSL_MODE and DATABASE_SSL_CA`,
      ),
    );
    // The DataSource names the connection the same way (what every CLI command opens).
    const ds = createLedgerDataSource(pgUrl('postgres'), {
      security: loadConfig({ DATABASE_SSL_MODE: 'require', DATABASE_PASSWORD: 'guess' }).databaseSecurity,
    });
    await expect(ds.initialize()).rejects.toThrow(
      `PostgreSQL ${target} (TLS): password authentication failed`,
    );
  });
});

describe('a deployment with TLS and credentials on every connection', () => {
  let database = 0;
  /** Every connection secured, each secret from a file, as the deploying guide sets it up. */
  function secureEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      KAFKA_BROKERS: broker.address,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD_FILE: secret('kafka-password', KAFKA_PASSWORD),
      KAFKA_SSL_CA_FILE: certs.caFile,
      KAFKA_GROUP_ID: `secure-ledger-${database}`,
      DATABASE_URL: pgUrl(`cl_secure_${++database}`),
      DATABASE_SSL_MODE: 'verify-full',
      DATABASE_SSL_CA_FILE: certs.caFile,
      DATABASE_PASSWORD_FILE: secret('pg-password', PG_PASSWORD),
      REDIS_URL: `rediss://127.0.0.1:${redis.tlsPort}`,
      REDIS_USERNAME: REDIS_USER.name,
      REDIS_PASSWORD_FILE: secret('redis-password', REDIS_USER.password),
      REDIS_TLS_CA_FILE: certs.caFile,
      QUEUE_PREFIX: uniqueQueuePrefix(),
      PORT: '0',
      LOG_LEVEL: 'error',
      API_KEYS: 'reader:secure-reader-key-0123456789,admin:secure-admin-key-0123456789',
      OUTBOX_POLL_MS: '100',
      ...overrides,
    };
  }

  it('ingests, relays an alert and runs a job', async () => {
    const config: AppConfig = loadConfig(secureEnv());
    await migrate(config.databaseUrl, config.databaseSecurity);
    const { app, url } = await startLedgerApp({ config, host: '127.0.0.1' });
    const worker = await startWorkerApp({ config, run: { schedules: false } });
    const kafka = createKafka({
      brokers: config.kafkaBrokers,
      clientId: 'billing',
      security: config.kafkaSecurity,
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const alerts = kafka.consumer({ groupId: 'finance-alerts', maxWaitTimeInMs: 100 });
    const received: AlertMessage[] = [];
    try {
      await producer.connect();
      await publishEvents(producer, config.eventsTopic, [
        onboarded('C-TLS', '2026-01-02T09:00:00Z', {
          name: 'Secure GmbH',
          currency: 'EUR',
          creditLimit: '1000.00',
        }),
        wire('C-TLS', 'InvoiceIssued', '2026-02-01T09:00:00Z', {
          invoiceId: 'I-1',
          amount: '950.00',
          currency: 'EUR',
          issuedOn: '2026-02-01',
          dueOn: '2026-03-03',
        }),
      ]);
      await alerts.connect();
      await alerts.subscribe({ topic: ALERT_TOPICS.limitBreach, fromBeginning: true });
      await alerts.run({
        eachMessage: async ({ message }) => void received.push(JSON.parse(String(message.value))),
      });
      await waitUntil(
        () => received.length > 0,
        30_000,
        () => 'a limit-breach alert',
      );
      expect(received).toEqual([
        expect.objectContaining({
          type: 'LimitBreached',
          customerId: 'C-TLS',
          details: expect.objectContaining({ thresholdPct: 90 }),
        }),
      ]);
      const get = async (route: string, key = 'secure-reader-key-0123456789') => {
        const res = await fetch(url + route, { headers: { authorization: `Bearer ${key}` } });
        return { status: res.status, body: await res.json() };
      };
      expect((await get('/customers/C-TLS')).body).toMatchObject({ exposure: '950.00', available: '50.00' });
      const health = await get('/health');
      expect(health.body).toMatchObject({
        status: 'ok',
        database: 'up',
        ingestion: 'running',
        jobs: { failed: 0 },
      });
      const run = await fetch(`${url}/jobs/overdue-scan/run`, {
        method: 'POST',
        headers: { authorization: 'Bearer secure-admin-key-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ at: '2026-03-04T00:00:00Z' }),
      });
      expect(run.status).toBe(202);
      const { jobId } = (await run.json()) as { jobId: string };
      const job = await worker.worker.jobs.queue.getJob(jobId);
      // The ladder's first step (a reminder at 1 day past due) and the collection task it opens.
      expect(await worker.worker.jobs.waitFor(job!, 30_000)).toMatchObject({ appended: 2 });
    } finally {
      await alerts.disconnect();
      await producer.disconnect();
      await worker.app.close();
      await app.close();
    }
  });

  it('refuses to start with every wrong credential named at once, and no password in the message', async () => {
    const config = loadConfig(
      secureEnv({
        DATABASE_PASSWORD_FILE: secret('pg-wrong', 'not-the-pg-password'),
        KAFKA_SASL_PASSWORD_FILE: secret('kafka-wrong', 'not-the-kafka-password'),
        REDIS_PASSWORD_FILE: secret('redis-wrong', 'not-the-redis-password'),
      }),
    );
    const started = startWorkerApp({ config, run: { schedules: false } });
    await expect(started).rejects.toBeInstanceOf(ConnectionsRefused);
    const message = await started.then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message.split('\n')).toEqual([
      expect.stringMatching(
        /^PostgreSQL 127\.0\.0\.1:\d+\/cl_secure_\d+ as ledger \(TLS\): password authentication failed/,
      ),
      expect.stringMatching(/^Redis rediss:\/\/127\.0\.0\.1:\d+ as ledger: authentication failed: WRONGPASS/),
      expect.stringMatching(
        /^Kafka 127\.0\.0\.1:\d+ \(SASL_SSL, SCRAM-SHA-512 as ledger\): SASL SCRAM SHA512 authentication failed/,
      ),
    ]);
    expect(message).not.toMatch(/not-the-(pg|kafka|redis)-password/);
  });
});
