/**
 * A simulation in a worker thread: its own small connection pool and CPU time away from the ledger's event loop,
 * so ingestion and the API never wait for it. Started by startSimulationWorker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '@credit-ledger/config';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { runStoredSimulation } from './simulate';
import { SimulationStore } from './simulation-store';

async function main(): Promise<void> {
  const { databaseUrl, simulationId } = workerData as { databaseUrl: string; simulationId: string };
  // TLS settings and secrets come from the environment the thread shares with the ledger (Secrets do not cross
  // a thread boundary); the URL is the ledger's own.
  const security = loadConfig().databaseSecurity;
  const ds = await createLedgerDataSource(databaseUrl, { poolSize: 2, security }).initialize();
  try {
    await runStoredSimulation(ds, new SimulationStore(ds), simulationId);
  } finally {
    await ds.destroy();
  }
}

main().then(
  () => parentPort?.postMessage({ done: true }),
  (err: Error) => parentPort?.postMessage({ done: true, error: err.message }),
);
