/**
 * Runs the worker in a child process for the crash test. After the first chunk whose control events committed
 * it prints CHUNK and stalls (the job stays active), so the parent can SIGKILL it mid-job.
 */
import { loadConfig } from '@credit-ledger/config';
import { startWorkerApp } from '../../apps/worker/src/worker-app';

async function main(): Promise<void> {
  let stalled = false;
  await startWorkerApp({
    config: loadConfig(),
    run: {
      schedules: false,
      relay: false,
      afterChunk: async (_job, result) => {
        if (stalled || result.appended === 0) return;
        stalled = true;
        process.stdout.write(`CHUNK ${result.appended}\n`);
        await new Promise(() => undefined); // never completes
      },
    },
  });
  process.stdout.write('READY\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
