import { randomBytes } from 'node:crypto';
import { dropDatabase, migrate } from '@credit-ledger/ledger-store';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database per test suite, so suites run in parallel without sharing rows. */
export async function createTestDatabase(base = process.env.TEST_DATABASE_URL): Promise<TestDatabase> {
  const url = new URL(base ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/cl_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  await migrate(databaseUrl);
  return { url: databaseUrl, drop: () => dropDatabase(databaseUrl) };
}
