import { AppConfig, ConnectionError, loadConfig } from '@credit-ledger/config';
import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { createKafka, ensureTopics, publishEvents } from '@credit-ledger/messaging';
import { TestCertificates, generateEvents, makeTestCertificates } from '@credit-ledger/testing';
import { publishDemo } from '../apps/cli/src/commands/demo';
import { kafkaFor } from '../apps/cli/src/commands/shared';
import { waitUntil } from './support/ledger-harness';

/**
 * The ledger's own Kafka clients (createKafka, configured from the environment like a deployment) against the
 * embedded broker with a SASL_SSL listener: each SASL mechanism, the CA and a client certificate from files,
 * and the clear refusals a wrong password or an untrusted certificate must give.
 */
jest.setTimeout(60_000);

const PASSWORD = 'ledger-kafka-secret';
let certs: TestCertificates;
let broker: EmbeddedKafkaBroker;
let mtlsBroker: EmbeddedKafkaBroker;

beforeAll(async () => {
  certs = makeTestCertificates();
  const tls = { cert: certs.server.cert, key: certs.server.key };
  broker = await startEmbeddedKafka({ tls, sasl: { users: { ledger: PASSWORD } }, log: () => undefined });
  mtlsBroker = await startEmbeddedKafka({ tls: { ...tls, clientCa: certs.ca }, log: () => undefined });
});

afterAll(async () => {
  await broker?.stop();
  await mtlsBroker?.stop();
  certs?.remove();
});

function saslSslConfig(mechanism: string, password = PASSWORD, caFile = certs.caFile): AppConfig {
  return loadConfig({
    KAFKA_BROKERS: broker.address,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: 'ledger',
    KAFKA_SASL_PASSWORD: password,
    KAFKA_SSL_CA_FILE: caFile,
  });
}

/** Publishes through the project's publisher and reads the messages back with a consumer group. */
async function publishAndConsume(cfg: AppConfig, topic: string): Promise<number> {
  const kafka = createKafka({
    brokers: cfg.kafkaBrokers,
    clientId: 'security-test',
    security: cfg.kafkaSecurity,
  });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [topic]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const sent = await publishEvents(
    producer,
    topic,
    generateEvents({ seed: 7, customers: 3, eventsPerCustomer: 4 }),
  );
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-readers`, maxWaitTimeInMs: 100 });
  let received = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void received++ });
    await waitUntil(
      () => received >= sent,
      20_000,
      () => `received ${received} of ${sent}`,
    );
  } finally {
    await consumer.disconnect();
  }
  return received;
}

describe('Kafka over SASL_SSL through createKafka', () => {
  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])(
    '%s: admin, producer and consumer group connect',
    async (m) => {
      const cfg = saslSslConfig(m);
      expect(await publishAndConsume(cfg, `sasl-${m}`)).toBe(12);
    },
  );

  it('the CLI demo publisher authenticates with the configured settings', async () => {
    const cfg = { ...saslSslConfig('scram-sha-512'), eventsTopic: 'demo-secured' };
    jest.spyOn(console, 'error').mockImplementation(() => undefined); // the progress bar
    const sent = await publishDemo(cfg, { customers: 2, eventsPerCustomer: 3, days: 30, seed: 1 });
    const admin = kafkaFor(cfg).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('demo-secured');
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(sent);
  });

  it('a wrong password fails at connect with a message naming Kafka, the user and what to check', async () => {
    const cfg = saslSslConfig('scram-sha-256', 'not-the-password');
    const admin = createKafka({
      brokers: cfg.kafkaBrokers,
      clientId: 'wrong',
      security: cfg.kafkaSecurity,
    }).admin();
    const refused = admin.connect();
    await expect(refused).rejects.toBeInstanceOf(ConnectionError);
    await expect(refused).rejects.toThrow(
      `Kafka ${broker.address} (SASL_SSL, SCRAM-SHA-256 as ledger): SASL SCRAM SHA256 authentication failed: ` +
        'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256 ' +
        '(check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM)',
    );
    await expect(refused).rejects.not.toThrow('not-the-password');
  });

  it('a broker certificate from another CA fails at connect, without waiting out the retries', async () => {
    const cfg = saslSslConfig('plain', PASSWORD, certs.otherCaFile);
    const producer = createKafka({
      brokers: cfg.kafkaBrokers,
      clientId: 'ca',
      security: cfg.kafkaSecurity,
    }).producer();
    await expect(producer.connect()).rejects.toThrow(
      new RegExp(
        `^Kafka ${broker.address} \\(SASL_SSL, PLAIN as ledger\\): TLS failed: .*certificate.*check KAFKA_SSL_CA`,
      ),
    );
  });
});

describe('Kafka over mutual TLS through createKafka', () => {
  it('connects with the client certificate and key from files, and is refused without them', async () => {
    const cfg = loadConfig({
      KAFKA_BROKERS: mtlsBroker.address,
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_FILE: certs.caFile,
      KAFKA_SSL_CERT_FILE: certs.client.certFile,
      KAFKA_SSL_KEY_FILE: certs.client.keyFile,
    });
    expect(await publishAndConsume(cfg, 'mtls-events')).toBe(12);
    const anonymous = loadConfig({
      KAFKA_BROKERS: mtlsBroker.address,
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_FILE: certs.caFile,
    });
    const admin = createKafka({
      brokers: [mtlsBroker.address],
      clientId: 'anon',
      security: anonymous.kafkaSecurity,
    }).admin();
    await expect(admin.connect()).rejects.toThrow(
      new RegExp(`^Kafka ${mtlsBroker.address} \\(SSL\\): TLS failed`),
    );
  });
});
