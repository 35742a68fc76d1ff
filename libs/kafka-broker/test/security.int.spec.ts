import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, KafkaConfig, SASLOptions, logLevel } from 'kafkajs';
import {
  BrokerSaslMechanism,
  EmbeddedKafkaBroker,
  EmbeddedKafkaOptions,
  startEmbeddedKafka,
} from '@credit-ledger/kafka-broker';
import { TestCertificates, makeTestCertificates } from '../../testing/src/tls-certificates';
import { consumerConfig, safeDisconnect, waitFor } from './helpers';
import { RawClient } from './raw-client';

jest.setTimeout(60_000);

const USERS = { ledger: 'correct horse battery staple', 'bill,ing=ops': 'p,a=ss\u00e9' };

let certs: TestCertificates;
const lines: string[] = [];
const brokers: EmbeddedKafkaBroker[] = [];

beforeAll(() => {
  certs = makeTestCertificates();
});

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

afterAll(() => certs.remove());

async function broker(opts: EmbeddedKafkaOptions): Promise<EmbeddedKafkaBroker> {
  const b = await startEmbeddedKafka({ log: (l) => lines.push(l), ...opts });
  brokers.push(b);
  return b;
}

/** kafkajs as the ledger would use it, failing fast: the refusals under test must not hide behind retries. */
function client(b: EmbeddedKafkaBroker, extra: Partial<KafkaConfig>): Kafka {
  return new Kafka({
    clientId: 'security-test',
    brokers: [b.address],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 0 },
    ...extra,
  });
}

function sasl(mechanism: BrokerSaslMechanism, username: string, password: string): SASLOptions {
  return { mechanism: mechanism.toLowerCase(), username, password } as SASLOptions;
}

/** Admin, producer and consumer group over the connection: a message makes the round trip. */
async function roundTrip(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer(consumerConfig(`${topic}-group`));
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `hello ${topic}` }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await waitFor(() => seen.length > 0, 20_000, `a message on ${topic}`);
    return seen;
  } finally {
    await safeDisconnect(consumer, producer, admin);
  }
}

describe.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('SASL %s', (mechanism) => {
  it('authenticates the real kafkajs client, over plaintext and over TLS', async () => {
    const plain = await broker({ sasl: { users: USERS } });
    expect(plain.securityProtocol).toBe('SASL_PLAINTEXT');
    const topic = `t-${mechanism.toLowerCase()}`;
    expect(await roundTrip(client(plain, { sasl: sasl(mechanism, 'ledger', USERS.ledger) }), topic)).toEqual([
      `hello ${topic}`,
    ]);
    const secured = await broker({
      sasl: { users: USERS },
      tls: { cert: certs.server.cert, key: certs.server.key },
    });
    expect(secured.securityProtocol).toBe('SASL_SSL');
    // A user name with ',' and '=' travels SCRAM-escaped (=2C, =3D); a non-ASCII password as UTF-8.
    const kafka = client(secured, {
      ssl: { ca: certs.ca },
      sasl: sasl(mechanism, 'bill,ing=ops', USERS['bill,ing=ops']),
    });
    expect(await roundTrip(kafka, `${topic}-tls`)).toEqual([`hello ${topic}-tls`]);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringContaining(`authenticated as bill,ing=ops (${mechanism})`)]),
    );
  });

  it('refuses a wrong password, and an unknown user, with Kafka’s clear error', async () => {
    const b = await broker({ sasl: { users: USERS } });
    for (const [user, password] of [
      ['ledger', 'wrong password'],
      ['nobody', USERS.ledger],
    ]) {
      const admin = client(b, { sasl: sasl(mechanism, user, password) }).admin();
      const refused = admin.connect();
      await expect(refused).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
      await expect(refused).rejects.toThrow(
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
      );
      await admin.disconnect();
    }
    expect(lines.some((l) => l.startsWith('failed authentication with'))).toBe(true);
  });
});

describe('SASL listener', () => {
  it('refuses a mechanism it does not offer', async () => {
    const b = await broker({ sasl: { users: USERS, mechanisms: ['SCRAM-SHA-512'] } });
    const admin = client(b, { sasl: sasl('PLAIN', 'ledger', USERS.ledger) }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL mechanism/);
    await admin.disconnect();
  });

  it('answers nothing but ApiVersions and SASL before authentication, and closes a failed exchange', async () => {
    const b = await broker({ sasl: { users: USERS } });
    // ApiVersions advertises SaslHandshake v1 and SaslAuthenticate v0-1.
    let raw = await RawClient.connect(b.port);
    raw.send(RawClient.request(18, 0, 1, () => undefined));
    const versions = await raw.next();
    versions.int32();
    expect(versions.int16()).toBe(0);
    const apis = versions.array((d) => [d.int16(), d.int16(), d.int16()]);
    expect(apis).toEqual(
      expect.arrayContaining([
        [17, 1, 1],
        [36, 0, 1],
      ]),
    );
    // Metadata before authenticating: the connection is closed, as in Kafka.
    raw.send(RawClient.request(3, 4, 2, (e) => e.int32(-1).boolean(false)));
    await expect(raw.next()).rejects.toThrow('connection closed');
    // SaslAuthenticate without a handshake: ILLEGAL_SASL_STATE (34), then closed.
    raw = await RawClient.connect(b.port);
    raw.send(RawClient.request(36, 1, 3, (e) => e.bytes(Buffer.from('\0ledger\0x'))));
    const illegal = await raw.next();
    expect(illegal.int32()).toBe(3);
    expect(illegal.int16()).toBe(34);
    await expect(raw.next()).rejects.toThrow('connection closed');
    // PLAIN with a wrong password: SASL_AUTHENTICATION_FAILED (58) with Kafka's message, then closed.
    raw = await RawClient.connect(b.port);
    raw.send(
      RawClient.request(17, 1, 4, (e) => e.string('PLAIN')),
      RawClient.request(36, 1, 5, (e) => e.bytes(Buffer.from('\0ledger\0guess'))),
    );
    const handshake = await raw.next();
    expect([handshake.int32(), handshake.int16()]).toEqual([4, 0]);
    expect(handshake.array((d) => d.string())).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    const failed = await raw.next();
    expect([failed.int32(), failed.int16()]).toEqual([5, 58]);
    expect(failed.nullableString()).toBe(
      'Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN',
    );
    await expect(raw.next()).rejects.toThrow('connection closed');
  });

  it('refuses SASL on a listener without it', async () => {
    const b = await broker({});
    const admin = client(b, { sasl: sasl('SCRAM-SHA-256', 'ledger', USERS.ledger) }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL mechanism/);
    await admin.disconnect();
  });
});

describe('TLS listener', () => {
  it('serves a client that trusts its CA, and refuses one that does not', async () => {
    const b = await broker({ tls: { cert: certs.server.cert, key: certs.server.key } });
    expect(b.securityProtocol).toBe('SSL');
    expect(await roundTrip(client(b, { ssl: { ca: certs.ca } }), 'tls-ok')).toEqual(['hello tls-ok']);
    const distrustful = client(b, { ssl: { ca: certs.otherCa } }).admin();
    await expect(distrustful.connect()).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    await distrustful.disconnect();
  });

  it('requires a client certificate signed by its client CA (mutual TLS)', async () => {
    const b = await broker({ tls: { cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca } });
    const anonymous = client(b, { ssl: { ca: certs.ca } }).admin();
    await expect(anonymous.connect()).rejects.toThrow();
    await anonymous.disconnect();
    const kafka = client(b, { ssl: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key } });
    expect(await roundTrip(kafka, 'mtls')).toEqual(['hello mtls']);
    expect(lines.some((l) => /TLS handshake with \/\S+ failed/.test(l))).toBe(true);
  });

  it('keeps TLS and SASL across restart() and refused connections', async () => {
    const b = await broker({
      sasl: { users: USERS, mechanisms: ['SCRAM-SHA-256'] },
      tls: { cert: certs.server.cert, key: certs.server.key },
    });
    const kafka = new Kafka({
      clientId: 'restart-test',
      brokers: [b.address],
      logLevel: logLevel.NOTHING,
      ssl: { ca: certs.ca },
      sasl: sasl('SCRAM-SHA-256', 'ledger', USERS.ledger),
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 20 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'survives', numPartitions: 1 }] });
    await admin.disconnect();
    await b.restart();
    b.faults.refuseConnections(300);
    // A new connection during and after the refusal handshakes TLS and authenticates again.
    const again = kafka.admin();
    await again.connect();
    expect(await again.listTopics()).toContain('survives');
    await again.disconnect();
  });
});

describe('standalone broker', () => {
  it('serves SASL_SSL from --tls-cert, --tls-key, --sasl-users and --sasl-mechanisms', async () => {
    const users = path.join(certs.dir, 'users.txt');
    writeFileSync(users, `# name:password\nledger:${USERS.ledger}\nops:with:colons\n`);
    const main = path.join(__dirname, '../src/main.ts');
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        main,
        '--port',
        '0',
        '--quiet',
        '--tls-cert',
        certs.server.certFile,
        '--tls-key',
        certs.server.keyFile,
        '--sasl-users',
        users,
        '--sasl-mechanisms',
        'scram-sha-256',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitFor(
        () => /listening on \S+ \(SASL_SSL\)/.test(output) || child.exitCode !== null,
        30_000,
        'the broker',
      );
      const address = /listening on (\S+) \(SASL_SSL\)/.exec(output)?.[1];
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      const kafka = (mechanism: BrokerSaslMechanism, user: string, password: string): Kafka =>
        new Kafka({
          clientId: 'standalone',
          brokers: [address as string],
          logLevel: logLevel.NOTHING,
          ssl: { ca: certs.ca },
          sasl: sasl(mechanism, user, password),
          retry: { retries: 0 },
        });
      const admin = kafka('SCRAM-SHA-256', 'ops', 'with:colons').admin();
      await admin.connect();
      expect(await admin.listTopics()).toEqual([]);
      await admin.disconnect();
      const plain = kafka('PLAIN', 'ledger', USERS.ledger).admin();
      await expect(plain.connect()).rejects.toThrow(/SASL mechanism/);
      await plain.disconnect();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
