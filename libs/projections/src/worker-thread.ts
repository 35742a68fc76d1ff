import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running module `name` of directory `dir` (the caller's __dirname). From TypeScript sources
 * (tests) the worker compiles itself with @swc-node/register; from dist it is JS.
 */
export function startWorkerThread(dir: string, name: string, workerData: unknown): Worker {
  const ts = __filename.endsWith('.ts');
  return new Worker(path.join(dir, `${name}.${ts ? 'ts' : 'js'}`), {
    workerData,
    execArgv: ts ? ['-r', '@swc-node/register'] : [],
  });
}
