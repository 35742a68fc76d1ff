/**
 * Runs the worker in a child process for the crash test. After the first chunk whose control events committed
 * it prints CHUNK and stalls (the job stays active), so the parent can SIGKILL it mid-job.
 */
import { loadConfig } from '@credit-ledger/config';
import { startWorkerApp } from '../../apps/worker/src/worker-app';
import { runChild, stallOnFirst } from './child-process';

runChild(async () => {
  const stall = stallOnFirst('CHUNK'); // never completes
  await startWorkerApp({
    config: loadConfig(),
    run: { schedules: false, relay: false, afterChunk: (_job, result) => stall(result.appended) },
  });
});
