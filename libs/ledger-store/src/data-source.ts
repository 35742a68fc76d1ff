import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { PgClientConfig, PostgresSecurity, postgresClientConfig } from '@credit-ledger/config';
import { LEDGER_ENTITIES } from './entities';
import { LedgerCore1764100000000 } from './migrations/1764100000000-LedgerCore';
import { PolicyVersions1764500000000 } from './migrations/1764500000000-PolicyVersions';
import { AlertOutbox1764600000000 } from './migrations/1764600000000-AlertOutbox';
import { StateCompression1764700000000 } from './migrations/1764700000000-StateCompression';
import { RawBytesAndContentHash1764800000000 } from './migrations/1764800000000-RawBytesAndContentHash';
import { PolicySimulations1764900000000 } from './migrations/1764900000000-PolicySimulations';
import { PolicyProposals1765300000000 } from './migrations/1765300000000-PolicyProposals';
import { AssessmentPolicy1765000000000 } from './migrations/1765000000000-AssessmentPolicy';
import { ExceptionsIndex1765100000000 } from './migrations/1765100000000-ExceptionsIndex';
import { CollectionTasks1765200000000 } from './migrations/1765200000000-CollectionTasks';
import { AlertMails1765200000001 } from './migrations/1765200000001-AlertMails';
import { MonthlyReports1765400000000 } from './migrations/1765400000000-MonthlyReports';
import { CollectionActionsIndex1765450000000 } from './migrations/1765450000000-CollectionActionsIndex';
import { PersonalData1765500000000 } from './migrations/1765500000000-PersonalData';
import { CommitOrder1765600000000 } from './migrations/1765600000000-CommitOrder';
import { AutovacuumSettings1765600000001 } from './migrations/1765600000001-AutovacuumSettings';
import { connectPgClient, pgConfigOf, postgresConnectionError } from './postgres-connection';

export const LEDGER_MIGRATIONS = [
  LedgerCore1764100000000,
  PolicyVersions1764500000000,
  AlertOutbox1764600000000,
  StateCompression1764700000000,
  RawBytesAndContentHash1764800000000,
  PolicySimulations1764900000000,
  AssessmentPolicy1765000000000,
  ExceptionsIndex1765100000000,
  CollectionTasks1765200000000,
  AlertMails1765200000001,
  PolicyProposals1765300000000,
  MonthlyReports1765400000000,
  CollectionActionsIndex1765450000000,
  PersonalData1765500000000,
  CommitOrder1765600000000,
  AutovacuumSettings1765600000001,
];

/** A DataSource whose failure to connect names PostgreSQL, the server, user and TLS (a ConnectionError). */
class LedgerDataSource extends DataSource {
  override async initialize(): Promise<this> {
    try {
      return await super.initialize();
    } catch (err) {
      throw postgresConnectionError(err, pgConfigOf(this));
    }
  }
}

export interface LedgerDataSourceOptions {
  poolSize?: number;
  /** sslmode, CA, client certificate and a password kept out of the URL (the configured `databaseSecurity`). */
  security?: PostgresSecurity;
}

/** Schema changes go through migrations only; `synchronize` stays off so production is never surprised. */
export function createLedgerDataSource(databaseUrl: string, opts: LedgerDataSourceOptions = {}): DataSource {
  return ledgerDataSourceFor(postgresClientConfig(databaseUrl, opts.security), opts.poolSize);
}

/** The same DataSource from resolved client settings (pgConfigOf another one, e.g. in a worker thread). */
export function ledgerDataSourceFor(pg: PgClientConfig, poolSize?: number): DataSource {
  return new LedgerDataSource({
    type: 'postgres',
    url: pg.connectionString,
    entities: LEDGER_ENTITIES,
    migrations: LEDGER_MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // Failed statements reach their callers as errors, which log them once with context; TypeORM's own log
    // would print every parameter (customer data) of every refused statement, and poison isolation expects some.
    logging: false,
    // In `extra` (handed to node-postgres as is): TypeORM types its own `ssl` as server-side TLS options.
    extra: { max: poolSize ?? 10, ssl: pg.ssl },
  });
}

/** The database a URL names, and a URL to the maintenance database of the same server. */
function splitDatabaseUrl(databaseUrl: string): { name: string; adminUrl: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  // Identifiers cannot be bound as parameters; the name is checked against a strict pattern instead.
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must match [A-Za-z0-9_]+`);
  url.pathname = '/postgres';
  return { name, adminUrl: url.toString() };
}

async function withAdminClient<T>(admin: PgClientConfig, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connectPgClient(admin);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** CREATE DATABASE when it is missing, so `migrate` works on a fresh PostgreSQL. */
export async function ensureDatabase(databaseUrl: string, security?: PostgresSecurity): Promise<boolean> {
  const { name, adminUrl } = splitDatabaseUrl(databaseUrl);
  return withAdminClient(postgresClientConfig(adminUrl, security), async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  });
}

export async function dropDatabase(databaseUrl: string, security?: PostgresSecurity): Promise<void> {
  const { name, adminUrl } = splitDatabaseUrl(databaseUrl);
  await withAdminClient(postgresClientConfig(adminUrl, security), (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

export async function migrate(databaseUrl: string, security?: PostgresSecurity): Promise<string[]> {
  await ensureDatabase(databaseUrl, security);
  const ds = createLedgerDataSource(databaseUrl, { poolSize: 1, security });
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** `SELECT 1` within `timeoutMs` (readiness probes); rejects with the reason otherwise. */
export async function pingDatabase(ds: DataSource, timeoutMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`PostgreSQL did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([ds.query('SELECT 1'), late]);
  } finally {
    clearTimeout(timer);
  }
}
