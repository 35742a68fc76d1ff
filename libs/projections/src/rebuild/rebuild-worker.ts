/**
 * One share of a parallel rebuild's replay in a worker thread: its own PostgreSQL connections and policy schedule,
 * the same fold as the main thread (replayCustomers). Started by rebuildProjections; never imported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PolicyStore, ledgerDataSourceFor, pgConfigFromPortable } from '@credit-ledger/ledger-store';
import { RebuildWorkerData, RebuildWorkerMessage, ReplayCounts, replayCustomers } from './replay-customers';

const post = (m: RebuildWorkerMessage): void => parentPort!.postMessage(m);

async function main(): Promise<ReplayCounts> {
  const { connection, share } = workerData as RebuildWorkerData;
  // Two connections: the next page is read while the last batch is written.
  const ds = await ledgerDataSourceFor(pgConfigFromPortable(connection), 2).initialize();
  try {
    const policies = new PolicyStore(ds);
    await policies.load();
    return await replayCustomers(ds, policies, share, (counts) => post({ kind: 'batch', counts }));
  } finally {
    await ds.destroy();
  }
}

main().then(
  (counts) => post({ kind: 'done', counts }),
  (err: Error) => post({ kind: 'failed', error: err?.message ?? String(err) }),
);
