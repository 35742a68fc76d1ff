import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConnectionError, PgClientConfig, describePostgres, isTlsFailure } from '@credit-ledger/config';

/** What a DataSource made by createLedgerDataSource connects with, for the raw clients beside its pool (LISTEN). */
export function pgConfigOf(ds: DataSource): PgClientConfig {
  const options = ds.options as { url?: string; extra?: { ssl?: PgClientConfig['ssl'] } };
  if (!options.url) throw new Error('the DataSource has no url; create it with createLedgerDataSource');
  return { connectionString: options.url, ssl: options.extra?.ssl ?? false };
}

/**
 * A PgClientConfig that crosses a thread boundary: structured cloning copies no functions, and the only one in it is
 * the `checkServerIdentity` that sslmode require / verify-ca set to skip the host name check.
 */
export interface PortablePgConfig {
  connectionString: string;
  ssl: false | Record<string, unknown>;
  skipHostCheck: boolean;
}

export function portablePgConfig(config: PgClientConfig): PortablePgConfig {
  if (config.ssl === false)
    return { connectionString: config.connectionString, ssl: false, skipHostCheck: false };
  const { checkServerIdentity, ...ssl } = config.ssl;
  return { connectionString: config.connectionString, ssl, skipHostCheck: checkServerIdentity !== undefined };
}

export function pgConfigFromPortable(p: PortablePgConfig): PgClientConfig {
  if (p.ssl === false) return { connectionString: p.connectionString, ssl: false };
  return {
    connectionString: p.connectionString,
    ssl: p.skipHostCheck ? { ...p.ssl, checkServerIdentity: () => undefined } : p.ssl,
  };
}

/** A PostgreSQL connection failure named with the server, database, user and TLS — and the settings to check. */
export function postgresConnectionError(err: unknown, config: PgClientConfig): ConnectionError {
  if (err instanceof ConnectionError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const [reason, hint] =
    e.code === '28P01'
      ? [message, 'check the user and password in DATABASE_URL, or DATABASE_PASSWORD']
      : e.code === '28000'
        ? [
            message,
            'check DATABASE_SSL_MODE (the server may accept only TLS connections) and the user in DATABASE_URL',
          ]
        : isTlsFailure(err) || /SSL|TLS|certificate/i.test(message)
          ? [
              `TLS failed: ${message}`,
              'check DATABASE_SSL_MODE and DATABASE_SSL_CA (or sslmode / sslrootcert in DATABASE_URL)',
            ]
          : [message, 'check DATABASE_URL'];
  return new ConnectionError('PostgreSQL', describePostgres(config), reason, hint, { cause: err });
}

/** A connected raw client (not from the pool) for a URL and security settings; failures are ConnectionErrors. */
export async function connectPgClient(config: PgClientConfig): Promise<Client> {
  const client = new Client(config);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw postgresConnectionError(err, config);
  }
  return client;
}

/** Connects once and asks for nothing: the server, TLS and credentials are accepted, or a ConnectionError says why. */
export async function checkPostgres(config: PgClientConfig): Promise<null> {
  const client = await connectPgClient(config);
  await client.end();
  return null;
}
