import IORedis, { Redis, RedisOptions } from 'ioredis';
import {
  AppConfig,
  ConnectionCheck,
  ConnectionError,
  RedisSecurity,
  describeRedis,
  isTlsFailure,
  tlsClientOptions,
} from '@credit-ledger/config';

/** ioredis options for the configured user, password and TLS (what a `rediss://` URL alone cannot carry). */
export function redisSecurityOptions(security: RedisSecurity): RedisOptions {
  const options: RedisOptions = {};
  if (security.username !== null) options.username = security.username;
  if (security.password !== null) options.password = security.password.reveal();
  if (security.tls !== null) options.tls = tlsClientOptions(security.tls);
  return options;
}

/** A BullMQ-ready Redis connection (blocking commands must not give up: maxRetriesPerRequest null). */
export function redisConnection(url: string, security: RedisSecurity): Redis {
  const redis = new IORedis(url, { ...redisSecurityOptions(security), maxRetriesPerRequest: null });
  // ioredis reconnects by itself; without a listener every failed attempt is printed as "unhandled".
  redis.on('error', () => undefined);
  return redis;
}

/** Redis' refusals of a credential: a wrong password or user, none given, or an ACL that forbids the command. */
function isCredentialRefusal(err: unknown): boolean {
  return /^(WRONGPASS|NOAUTH|NOPERM)\b/.test((err as Error | null)?.message ?? '');
}

export function redisConnectionError(err: unknown, url: string, security: RedisSecurity): ConnectionError {
  const message = (err as Error | null)?.message ?? String(err);
  const [reason, hint] = isCredentialRefusal(err)
    ? [
        `authentication failed: ${message}`,
        'check the user and password in REDIS_URL, or REDIS_USERNAME and REDIS_PASSWORD',
      ]
    : isTlsFailure(err) || /TLS/.test(message)
      ? [
          `TLS failed: ${message}`,
          'check REDIS_TLS_CA (the CA of the server certificate) and that REDIS_URL is its TLS port',
        ]
      : [message, 'check REDIS_URL'];
  return new ConnectionError('Redis', describeRedis(url, security), reason, hint, { cause: err });
}

export type RedisCheck = { reachable: true } | { reachable: false; reason: string };

/**
 * Connects once, authenticates and pings, without retrying. A refused credential or certificate throws a
 * ConnectionError (retrying cannot fix it, so a process fails at start); a server that does not answer is
 * reported, for the caller to decide whether it can start without it.
 */
export async function checkRedis(
  url: string,
  security: RedisSecurity,
  timeoutMs = 2000,
): Promise<RedisCheck> {
  let failure: Error | null = null;
  const redis = new IORedis(url, {
    ...redisSecurityOptions(security),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
  });
  // connect() itself rejects with "Connection is closed."; the cause arrives as the first 'error' event.
  redis.on('error', (err: Error) => {
    failure ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    return { reachable: true };
  } catch (err) {
    const cause = failure ?? (err as Error);
    if (isCredentialRefusal(cause) || isTlsFailure(cause)) throw redisConnectionError(cause, url, security);
    return { reachable: false, reason: cause.message };
  } finally {
    // QUIT lets the server close a healthy connection; disconnect() would keep a 2 s destroy timer alive.
    if (redis.status === 'ready') await redis.quit().catch(() => undefined);
    else redis.disconnect();
  }
}

/**
 * The Redis check of a process' start (see checkConnections): a refused credential or certificate throws; a
 * server that does not answer is a warning saying what waits for it.
 */
export function redisStartupCheck(
  config: Pick<AppConfig, 'redisUrl' | 'redisSecurity'>,
  waiting: string,
): ConnectionCheck {
  return async () => {
    const check = await checkRedis(config.redisUrl, config.redisSecurity);
    if (check.reachable) return null;
    return `Redis ${describeRedis(config.redisUrl, config.redisSecurity)} not reachable (${check.reason}): ${waiting}`;
  };
}
