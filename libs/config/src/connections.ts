import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from './config-error';
import { Secret, fileOrEnvSetting, secretSetting } from './secrets';

/**
 * How the processes reach Kafka, Redis and PostgreSQL when they are not on a trusted local network: TLS (with
 * the system's CAs or a given one, optionally a client certificate) and credentials. Each service keeps its own
 * vocabulary (Kafka's `security.protocol` and SASL mechanisms, Redis' `rediss://`, libpq's `sslmode`), so the
 * settings read like that service's documentation. Every contradiction is a ConfigError at start, never a
 * silent fallback to plaintext.
 */

/** PEM documents for a TLS client. `ca` null: the system's trusted CAs. `cert` + `key`: a client certificate. */
export interface TlsMaterial {
  ca: string | null;
  cert: string | null;
  key: Secret | null;
}

/** TLS with the system's CAs and no client certificate. */
export const SYSTEM_TLS: TlsMaterial = Object.freeze({ ca: null, cert: null, key: null });

function pemSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  kind: 'certificate' | 'private key',
): string | null {
  const value = fileOrEnvSetting(env, name);
  if (value === null) return null;
  const begin = kind === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (!begin.test(value)) {
    throw new ConfigError(
      `${name} must hold a PEM ${kind} (-----BEGIN ...); to give a file path, set ${name}_FILE instead`,
    );
  }
  return value;
}

/** `<prefix>_CA`, `<prefix>_CERT`, `<prefix>_KEY` (each also as `_FILE`); null when none is set. */
function tlsMaterial(env: NodeJS.ProcessEnv, prefix: string): TlsMaterial | null {
  const ca = pemSetting(env, `${prefix}_CA`, 'certificate');
  const cert = pemSetting(env, `${prefix}_CERT`, 'certificate');
  const keyPem = pemSetting(env, `${prefix}_KEY`, 'private key');
  if ((cert === null) !== (keyPem === null)) {
    throw new ConfigError(`${prefix}_CERT and ${prefix}_KEY go together (a client certificate and its key)`);
  }
  if (ca === null && cert === null) return null;
  return { ca, cert, key: keyPem === null ? null : new Secret(keyPem) };
}

/** Which of the named variables (or their `_FILE` forms) are set, for error messages. */
function setVariables(env: NodeJS.ProcessEnv, names: string[]): string[] {
  return names.filter((n) => !!env[n] || !!env[`${n}_FILE`]);
}

/** Node TLS options for a client from PEM material (no `ca`: Node's bundled, i.e. system-trusted, CAs). */
export function tlsClientOptions(material: TlsMaterial): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (material.ca !== null) options.ca = material.ca;
  if (material.cert !== null) options.cert = material.cert;
  if (material.key !== null) options.key = material.key.reveal();
  return options;
}

// ---------------------------------------------------------------------------------------------------- Kafka

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  password: Secret;
}

/** Kafka's `security.protocol` with what it needs: TLS material for SSL, credentials for SASL. */
export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  tls: TlsMaterial | null;
  sasl: KafkaSasl | null;
}

export const PLAINTEXT_KAFKA: KafkaSecurity = Object.freeze({ protocol: 'PLAINTEXT', tls: null, sasl: null });

const KAFKA_SSL_VARS = ['KAFKA_SSL_CA', 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY'];
const KAFKA_SASL_VARS = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'];

export function loadKafkaSecurity(env: NodeJS.ProcessEnv): KafkaSecurity {
  const raw = env.KAFKA_SECURITY_PROTOCOL || 'PLAINTEXT';
  const protocol = raw.toUpperCase() as KafkaSecurityProtocol;
  if (!KAFKA_SECURITY_PROTOCOLS.includes(protocol)) {
    throw new ConfigError(
      `KAFKA_SECURITY_PROTOCOL must be ${KAFKA_SECURITY_PROTOCOLS.join(', ')}, got "${raw}"`,
    );
  }
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const strayTls = usesTls ? [] : setVariables(env, KAFKA_SSL_VARS);
  if (strayTls.length) {
    throw new ConfigError(
      `${strayTls.join(', ')} set but KAFKA_SECURITY_PROTOCOL is ${protocol}: use SSL or SASL_SSL to connect over TLS`,
    );
  }
  const straySasl = usesSasl ? [] : setVariables(env, KAFKA_SASL_VARS);
  if (straySasl.length) {
    throw new ConfigError(
      `${straySasl.join(', ')} set but KAFKA_SECURITY_PROTOCOL is ${protocol}: use SASL_SSL to authenticate`,
    );
  }
  return {
    protocol,
    tls: usesTls ? (tlsMaterial(env, 'KAFKA_SSL') ?? SYSTEM_TLS) : null,
    sasl: usesSasl ? kafkaSasl(env, protocol) : null,
  };
}

function kafkaSasl(env: NodeJS.ProcessEnv, protocol: KafkaSecurityProtocol): KafkaSasl {
  const rawMechanism = env.KAFKA_SASL_MECHANISM ?? '';
  const mechanism = rawMechanism.toLowerCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) {
    throw new ConfigError(
      `KAFKA_SECURITY_PROTOCOL ${protocol} needs KAFKA_SASL_MECHANISM ${SASL_MECHANISMS.join(', ')}` +
        (rawMechanism ? `, got "${rawMechanism}"` : ''),
    );
  }
  const username = env.KAFKA_SASL_USERNAME ?? '';
  const password = secretSetting(env, 'KAFKA_SASL_PASSWORD');
  if (username === '' || password === null) {
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM ${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`,
    );
  }
  return { mechanism, username, password };
}

/** "SASL_SSL, SCRAM-SHA-512 as ledger": how a Kafka client authenticates, for messages (never the password). */
export function describeKafkaSecurity(s: KafkaSecurity): string {
  return s.sasl ? `${s.protocol}, ${s.sasl.mechanism.toUpperCase()} as ${s.sasl.username}` : s.protocol;
}

// ---------------------------------------------------------------------------------------------------- Redis

/** Credentials and TLS for Redis. User and password come from REDIS_URL or the variables, never both. */
export interface RedisSecurity {
  username: string | null;
  password: Secret | null;
  /** Set exactly when REDIS_URL is `rediss://`. */
  tls: TlsMaterial | null;
}

export const NO_REDIS_SECURITY: RedisSecurity = Object.freeze({ username: null, password: null, tls: null });

function parseRedisUrl(raw: string): URL {
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    throw new ConfigError('REDIS_URL must be redis://[user:password@]host:port[/db] or rediss://… for TLS');
  }
  return url;
}

export function loadRedisSecurity(env: NodeJS.ProcessEnv, redisUrl: string): RedisSecurity {
  const url = parseRedisUrl(redisUrl);
  const tls = url.protocol === 'rediss:';
  const material = tlsMaterial(env, 'REDIS_TLS');
  if (material && !tls) {
    const set = setVariables(env, ['REDIS_TLS_CA', 'REDIS_TLS_CERT', 'REDIS_TLS_KEY']);
    throw new ConfigError(
      `${set.join(', ')} set but REDIS_URL is redis://: use rediss:// to connect over TLS`,
    );
  }
  const envUser = env.REDIS_USERNAME || null;
  const envPassword = secretSetting(env, 'REDIS_PASSWORD');
  if (envUser !== null && url.username) {
    throw new ConfigError('REDIS_USERNAME is set and REDIS_URL names a user too: give the user once');
  }
  if (envPassword !== null && url.password) {
    throw new ConfigError(
      'REDIS_PASSWORD is set and REDIS_URL carries a password too: give the password once',
    );
  }
  const urlPassword = url.password ? new Secret(decodeURIComponent(url.password)) : null;
  return {
    username: envUser ?? (url.username ? decodeURIComponent(url.username) : null),
    password: envPassword ?? urlPassword,
    tls: tls ? (material ?? SYSTEM_TLS) : null,
  };
}

/** "rediss://127.0.0.1:6380 as worker": where and as whom, for messages (never the password). */
export function describeRedis(redisUrl: string, s: RedisSecurity): string {
  let where = '(REDIS_URL)';
  try {
    const url = new URL(redisUrl);
    where = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    /* keep the placeholder: an unparseable URL may hold a credential */
  }
  return s.username ? `${where} as ${s.username}` : where;
}

// ---------------------------------------------------------------------------------------------------- PostgreSQL

/**
 * libpq's sslmode values that do not fall back to plaintext. `require` encrypts without checking the server
 * (checks it against the CA when one is given, like libpq); `verify-ca` checks the chain; `verify-full` also
 * the host name — the one for production.
 */
export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

export interface PostgresSecurity {
  /** null: the URL's `sslmode`, else disable. */
  sslMode: PostgresSslMode | null;
  tls: TlsMaterial | null;
  /** The password when it is not in DATABASE_URL. */
  password: Secret | null;
}

export const NO_POSTGRES_SECURITY: PostgresSecurity = Object.freeze({
  sslMode: null,
  tls: null,
  password: null,
});

function sslModeOf(raw: string, from: string): PostgresSslMode {
  if ((POSTGRES_SSL_MODES as readonly string[]).includes(raw)) return raw as PostgresSslMode;
  if (raw === 'prefer' || raw === 'allow') {
    throw new ConfigError(
      `${from} sslmode=${raw} may fall back to plaintext, which the ledger never does: use disable, require, verify-ca or verify-full`,
    );
  }
  throw new ConfigError(`${from} sslmode must be ${POSTGRES_SSL_MODES.join(', ')}, got "${raw}"`);
}

export function loadPostgresSecurity(env: NodeJS.ProcessEnv): PostgresSecurity {
  const rawMode = env.DATABASE_SSL_MODE || null;
  return {
    sslMode: rawMode === null ? null : sslModeOf(rawMode, 'DATABASE_SSL_MODE'),
    tls: tlsMaterial(env, 'DATABASE_SSL'),
    password: secretSetting(env, 'DATABASE_PASSWORD'),
  };
}

/** What node-postgres (directly or through TypeORM) is given: the URL, with the password, and the TLS options. */
export interface PgClientConfig {
  connectionString: string;
  ssl: false | ConnectionOptions;
}

/** libpq's TLS parameters of a URL (file paths), which are read here rather than by node-postgres. */
const URL_SSL_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl'];

function readUrlFile(param: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `DATABASE_URL ${param}=${path}: cannot read it (${(err as NodeJS.ErrnoException).code})`,
    );
  }
}

/** One of the two sources of a setting, never both: two answers would leave the reader guessing which won. */
function once<T>(what: string, fromUrl: T | null, fromEnv: T | null): T | null {
  if (fromUrl !== null && fromEnv !== null) {
    throw new ConfigError(`${what} is given both in DATABASE_URL and by a variable: give it once`);
  }
  return fromUrl ?? fromEnv;
}

/**
 * The node-postgres configuration for a URL and the security settings. The URL's own TLS parameters are taken
 * out and applied with libpq's meaning (node-postgres would read `sslmode=require` as verify-full and would
 * let them override an explicit `ssl`), and a separate password goes into the URL because node-postgres
 * prefers the URL's (empty) password to an explicit one.
 */
export function postgresClientConfig(
  databaseUrl: string,
  security: PostgresSecurity = NO_POSTGRES_SECURITY,
): PgClientConfig {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError('DATABASE_URL must be a postgres://user[:password]@host:port/database URL');
  }
  const params = url.searchParams;
  const unknown = [...params.keys()].filter(
    (k) => (k.startsWith('ssl') || k === 'uselibpqcompat') && !URL_SSL_PARAMS.includes(k),
  );
  if (unknown.length) throw new ConfigError(`DATABASE_URL parameter ${unknown.join(', ')} is not supported`);
  const legacySsl = params.get('ssl');
  const urlMode = params.has('sslmode')
    ? sslModeOf(params.get('sslmode') ?? '', 'DATABASE_URL')
    : legacySsl === null
      ? null
      : ['true', '1'].includes(legacySsl)
        ? 'verify-full'
        : 'disable';
  const file = (param: string): string | null => {
    const path = params.get(param);
    return path ? readUrlFile(param, path) : null;
  };
  const envTls = security.tls ?? { ca: null, cert: null, key: null };
  const urlKey = file('sslkey');
  const material: TlsMaterial = {
    ca: once('the CA (sslrootcert / DATABASE_SSL_CA)', file('sslrootcert'), envTls.ca),
    cert: once('the client certificate (sslcert / DATABASE_SSL_CERT)', file('sslcert'), envTls.cert),
    key: once(
      'the client key (sslkey / DATABASE_SSL_KEY)',
      urlKey === null ? null : new Secret(urlKey),
      envTls.key,
    ),
  };
  const mode = once('sslmode (DATABASE_SSL_MODE)', urlMode, security.sslMode) ?? 'disable';
  if (security.password !== null) {
    if (url.password)
      throw new ConfigError('DATABASE_PASSWORD is set and DATABASE_URL carries a password too');
    url.password = encodeURIComponent(security.password.reveal());
  }
  for (const p of URL_SSL_PARAMS) params.delete(p);
  return { connectionString: url.toString(), ssl: pgSsl(mode, material) };
}

function pgSsl(mode: PostgresSslMode, material: TlsMaterial): false | ConnectionOptions {
  const given = material.ca !== null || material.cert !== null;
  if (mode === 'disable') {
    if (given)
      throw new ConfigError('a CA or client certificate is given for PostgreSQL but sslmode is disable');
    return false;
  }
  const options = tlsClientOptions(material);
  switch (mode) {
    case 'require':
      // libpq: with a CA, require checks the chain like verify-ca; without one it only encrypts.
      return material.ca === null
        ? { ...options, rejectUnauthorized: false }
        : { ...options, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-ca':
      if (material.ca === null) {
        throw new ConfigError(
          'sslmode verify-ca needs the CA (DATABASE_SSL_CA or sslrootcert); with a public CA use verify-full',
        );
      }
      return { ...options, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...options, rejectUnauthorized: true };
  }
}

/** "127.0.0.1:5432/credit_ledger as ledger (verify-full)": where and as whom, for messages (never the password). */
export function describePostgres(config: PgClientConfig): string {
  try {
    const url = new URL(config.connectionString);
    const user = url.username ? ` as ${decodeURIComponent(url.username)}` : '';
    const tls = config.ssl === false ? 'no TLS' : 'TLS';
    return `${url.host || 'local socket'}${url.pathname}${user} (${tls})`;
  } catch {
    return '(DATABASE_URL)';
  }
}
