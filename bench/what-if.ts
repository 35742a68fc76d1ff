import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { simulatePolicy } from '@credit-ledger/projections';
import { looserDraftPolicy } from '@credit-ledger/testing';

export interface WhatIfRun {
  customers: number;
  /** simulatePolicy over the current states (what `policy simulate` runs by default). */
  seconds: number;
  customersPerSec: number;
  changed: number;
  /** The same draft with --as-of: every stream replayed from the ledger first. */
  asOf: { seconds: number; events: number; eventsPerSec: number };
}

const DRAFT = looserDraftPolicy(999);

/** The what-if simulation over the idle bench ledger, in this process (the API runs the same in a worker thread). */
export async function measureWhatIf(databaseUrl: string): Promise<WhatIfRun> {
  const ds = await createLedgerDataSource(databaseUrl, { poolSize: 2 }).initialize();
  try {
    let t = Date.now();
    const now = await simulatePolicy(ds, DRAFT);
    const seconds = (Date.now() - t) / 1000;
    const [{ events }] = await ds.query('SELECT count(*)::int AS events FROM ledger_events');
    t = Date.now();
    await simulatePolicy(ds, DRAFT, { asOf: '2100-01-01T00:00:00.000Z' });
    const asOfSeconds = (Date.now() - t) / 1000;
    return {
      customers: now.result.customers,
      seconds,
      customersPerSec: Math.round(now.result.customers / seconds),
      changed: now.result.summary.changed,
      asOf: { seconds: asOfSeconds, events, eventsPerSec: Math.round(events / asOfSeconds) },
    };
  } finally {
    await ds.destroy();
  }
}
