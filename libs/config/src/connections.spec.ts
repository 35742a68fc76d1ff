import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from './app-config';
import {
  NO_POSTGRES_SECURITY,
  SYSTEM_TLS,
  describeKafkaSecurity,
  describePostgres,
  describeRedis,
  loadPostgresSecurity,
  postgresClientConfig,
} from './connections';
import { redactUrl } from './secrets';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHkey\n-----END PRIVATE KEY-----\n';

let dir: string;
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cl-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Kafka security settings', () => {
  it('defaults to PLAINTEXT with no TLS and no SASL', () => {
    expect(loadConfig({}).kafkaSecurity).toEqual({ protocol: 'PLAINTEXT', tls: null, sasl: null });
  });

  it('reads SASL_SSL with SCRAM, a password file and the system CAs; the password never prints', () => {
    const c = loadConfig({
      KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD_FILE: file('kafka-password', 's3cr3t-kafka\n'),
    });
    expect(c.kafkaSecurity.protocol).toBe('SASL_SSL');
    expect(c.kafkaSecurity.tls).toEqual(SYSTEM_TLS);
    expect(c.kafkaSecurity.sasl?.mechanism).toBe('scram-sha-512');
    expect(c.kafkaSecurity.sasl?.password.reveal()).toBe('s3cr3t-kafka');
    expect(describeKafkaSecurity(c.kafkaSecurity)).toBe('SASL_SSL, SCRAM-SHA-512 as ledger');
    expect(JSON.stringify(c)).not.toContain('s3cr3t-kafka');
    expect(inspect(c, { depth: 10 })).not.toContain('s3cr3t-kafka');
    expect(`${c.kafkaSecurity.sasl?.password}`).toBe('[secret]');
  });

  it('reads a CA and a client certificate for mutual TLS, inline or from files', () => {
    const c = loadConfig({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA: CA,
      KAFKA_SSL_CERT_FILE: file('kafka-cert.pem', CERT),
      KAFKA_SSL_KEY_FILE: file('kafka-key.pem', KEY),
    });
    expect(c.kafkaSecurity.tls?.ca).toBe(CA);
    expect(c.kafkaSecurity.tls?.cert).toBe(CERT.trimEnd());
    expect(c.kafkaSecurity.tls?.key?.reveal()).toBe(KEY.trimEnd());
    expect(JSON.stringify(c)).not.toContain('MIGHkey');
  });

  it('refuses contradictions instead of connecting in plaintext', () => {
    const bad = (env: NodeJS.ProcessEnv) => () => loadConfig(env);
    expect(bad({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toThrow(
      new ConfigError('KAFKA_SECURITY_PROTOCOL must be PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"'),
    );
    expect(
      bad({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toThrow(
      'KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT',
    );
    expect(bad({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SSL_CA: CA })).toThrow(
      'KAFKA_SSL_CA set but KAFKA_SECURITY_PROTOCOL is SASL_PLAINTEXT: use SSL or SASL_SSL',
    );
    expect(bad({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toThrow(
      /needs KAFKA_SASL_MECHANISM plain, scram-sha-256/,
    );
    expect(bad({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(
      'got "gssapi"',
    );
    expect(
      bad({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }),
    ).toThrow('needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    const both = { KAFKA_SASL_PASSWORD: 'a', KAFKA_SASL_PASSWORD_FILE: file('p', 'b') };
    expect(
      bad({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        ...both,
      }),
    ).toThrow('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
    const missing = path.join(dir, 'absent');
    expect(
      bad({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: missing,
      }),
    ).toThrow(`KAFKA_SASL_PASSWORD_FILE: cannot read ${missing} (ENOENT)`);
    expect(bad({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA: '/etc/ssl/ca.pem' })).toThrow(
      'KAFKA_SSL_CA must hold a PEM certificate (-----BEGIN ...); to give a file path, set KAFKA_SSL_CA_FILE instead',
    );
    expect(bad({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT: CERT })).toThrow(
      'KAFKA_SSL_CERT and KAFKA_SSL_KEY go together',
    );
    expect(bad({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: file('empty', '\n') })).toThrow(
      'is empty',
    );
  });
});

describe('Redis security settings', () => {
  it('takes user and password from the URL or from the variables, and TLS from rediss://', () => {
    const fromUrl = loadConfig({ REDIS_URL: 'rediss://worker:p%40ss@cache.internal:6380/2' }).redisSecurity;
    expect(fromUrl.username).toBe('worker');
    expect(fromUrl.password?.reveal()).toBe('p@ss');
    expect(fromUrl.tls).toEqual(SYSTEM_TLS);
    const fromEnv = loadConfig({
      REDIS_URL: 'rediss://cache.internal:6380',
      REDIS_USERNAME: 'worker',
      REDIS_PASSWORD_FILE: file('redis-password', 'from-file\n'),
      REDIS_TLS_CA: CA,
    }).redisSecurity;
    expect([fromEnv.username, fromEnv.password?.reveal(), fromEnv.tls?.ca]).toEqual([
      'worker',
      'from-file',
      CA,
    ]);
    expect(loadConfig({}).redisSecurity).toEqual({ username: null, password: null, tls: null });
    expect(describeRedis('rediss://worker:p%40ss@cache.internal:6380/2', fromUrl)).toBe(
      'rediss://cache.internal:6380/2 as worker',
    );
  });

  it('refuses a credential given twice, TLS material without rediss://, and other schemes', () => {
    const bad = (env: NodeJS.ProcessEnv) => () => loadConfig(env);
    expect(bad({ REDIS_URL: 'redis://:a@h:6379', REDIS_PASSWORD: 'b' })).toThrow('give the password once');
    expect(bad({ REDIS_URL: 'redis://u@h:6379', REDIS_USERNAME: 'v' })).toThrow('give the user once');
    expect(bad({ REDIS_URL: 'redis://h:6379', REDIS_TLS_CA: CA })).toThrow(
      'REDIS_TLS_CA set but REDIS_URL is redis://: use rediss:// to connect over TLS',
    );
    expect(bad({ REDIS_URL: 'http://h:6379' })).toThrow('REDIS_URL must be redis://');
  });
});

describe('PostgreSQL security settings', () => {
  const url = 'postgres://ledger@db.internal:5432/credit_ledger';

  it('leaves a plain URL alone and does not use TLS', () => {
    expect(postgresClientConfig(url)).toEqual({ connectionString: url, ssl: false });
    expect(loadPostgresSecurity({})).toEqual(NO_POSTGRES_SECURITY);
  });

  it('applies sslmode with libpq’s meaning and takes it out of the URL', () => {
    const require = postgresClientConfig(`${url}?sslmode=require&application_name=ledger`);
    expect(require).toEqual({
      connectionString: `${url}?application_name=ledger`,
      ssl: { rejectUnauthorized: false },
    });
    const caFile = file('pg-ca.pem', CA);
    const full = postgresClientConfig(`${url}?sslmode=verify-full&sslrootcert=${caFile}`);
    expect(full).toEqual({ connectionString: url, ssl: { ca: CA, rejectUnauthorized: true } });
    const ca = postgresClientConfig(url, {
      ...loadPostgresSecurity({ DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA: CA }),
    });
    expect(ca.ssl).toMatchObject({ ca: CA, rejectUnauthorized: true });
    expect((ca.ssl as { checkServerIdentity: () => undefined }).checkServerIdentity()).toBeUndefined();
    expect(postgresClientConfig(`${url}?ssl=true`).ssl).toEqual({ rejectUnauthorized: true });
    // require with a CA checks the chain, like libpq.
    expect(postgresClientConfig(`${url}?sslmode=require&sslrootcert=${caFile}`).ssl).toMatchObject({
      ca: CA,
      rejectUnauthorized: true,
    });
  });

  it('puts a separate password into the URL, encoded, and describes the connection without it', () => {
    const security = loadPostgresSecurity({
      DATABASE_PASSWORD_FILE: file('pg-password', 'p@ss:w/rd\n'),
      DATABASE_SSL_MODE: 'verify-full',
    });
    const config = postgresClientConfig(url, security);
    expect(config.connectionString).toBe('postgres://ledger:p%40ss%3Aw%2Frd@db.internal:5432/credit_ledger');
    expect(decodeURIComponent(new URL(config.connectionString).password)).toBe('p@ss:w/rd');
    expect(describePostgres(config)).toBe('db.internal:5432/credit_ledger as ledger (TLS)');
    expect(redactUrl(config.connectionString)).toBe('postgres://ledger:***@db.internal:5432/credit_ledger');
  });

  it('refuses plaintext fallbacks, a setting given twice, and TLS material with sslmode disable', () => {
    const bad = (env: NodeJS.ProcessEnv) => () => loadConfig(env);
    expect(bad({ DATABASE_URL: `${url}?sslmode=prefer` })).toThrow(
      'sslmode=prefer may fall back to plaintext',
    );
    expect(bad({ DATABASE_SSL_MODE: 'verify-ca' })).toThrow('sslmode verify-ca needs the CA');
    expect(bad({ DATABASE_URL: `${url}?sslmode=require`, DATABASE_SSL_MODE: 'require' })).toThrow(
      'sslmode (DATABASE_SSL_MODE) is given both in DATABASE_URL and by a variable',
    );
    expect(bad({ DATABASE_URL: 'postgres://u:pw@h/db', DATABASE_PASSWORD: 'x' })).toThrow(
      'DATABASE_PASSWORD is set and DATABASE_URL carries a password too',
    );
    expect(bad({ DATABASE_SSL_CA: CA })).toThrow('sslmode is disable');
    expect(bad({ DATABASE_URL: `${url}?sslnegotiation=direct` })).toThrow('sslnegotiation is not supported');
    expect(bad({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem` })).toThrow(
      'DATABASE_URL sslrootcert=/nonexistent/ca.pem: cannot read it (ENOENT)',
    );
    expect(bad({ DATABASE_SSL_MODE: 'strict' })).toThrow(
      'DATABASE_SSL_MODE sslmode must be disable, require',
    );
  });
});
