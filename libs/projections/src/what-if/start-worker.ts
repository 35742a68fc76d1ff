import { startWorkerThread } from '../worker-thread';

/**
 * Runs the stored simulation `simulationId` in a worker thread; resolves when it ended (its outcome is recorded on
 * the run, or passed to `onError` when the thread itself fails).
 */
export function startSimulationWorker(
  databaseUrl: string,
  simulationId: string,
  onError: (err: Error) => void,
): Promise<void> {
  const worker = startWorkerThread(__dirname, 'simulation-worker', { databaseUrl, simulationId });
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.once('error', (err) => {
      onError(err);
      resolve();
    });
  });
}
