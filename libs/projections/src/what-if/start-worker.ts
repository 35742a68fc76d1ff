import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Runs the stored simulation `simulationId` in a worker thread; resolves when it ended (its outcome is recorded on
 * the run, or passed to `onError` when the thread itself fails). From TypeScript sources (tests) the worker compiles itself with @swc-node/register; from dist it is JS.
 */
export function startSimulationWorker(
  databaseUrl: string,
  simulationId: string,
  onError: (err: Error) => void,
): Promise<void> {
  const ts = __filename.endsWith('.ts');
  const file = path.join(__dirname, `simulation-worker.${ts ? 'ts' : 'js'}`);
  const worker = new Worker(file, {
    workerData: { databaseUrl, simulationId },
    execArgv: ts ? ['-r', '@swc-node/register'] : [],
  });
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.once('error', (err) => {
      onError(err);
      resolve();
    });
  });
}
