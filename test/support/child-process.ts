import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export interface TsChild {
  child: ChildProcess;
  /** Everything the child wrote so far, stdout and stderr interleaved. */
  output: () => string;
  /** What the child wrote to stdout alone (its log lines). */
  stdout: () => string;
}

/** Parent side: runs the TypeScript entry test/support/`entry` (with `args`) in a child node with `@swc-node/register`. */
export function spawnTsChild(entry: string, env: Record<string, string>, args: string[] = []): TsChild {
  let out = '';
  let stdout = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, entry), ...args], {
    env: { ...process.env, ...env, SWC_NODE_PROJECT: path.join(__dirname, '..', '..', 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d) => (out += d.toString()));
  return { child, output: () => out, stdout: () => stdout };
}

/** Child side: runs `start`, prints READY once it resolves, and exits 1 on failure. */
export function runChild(start: () => Promise<void>): void {
  (async () => {
    await start();
    process.stdout.write('READY\n');
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * Child side: a hook that, the first time it sees a non-zero count, prints `${label} ${count}` and never
 * resolves, so the parent can SIGKILL the child at exactly that point.
 */
export function stallOnFirst(label: string): (count: number) => Promise<void> {
  let stalled = false;
  return async (count) => {
    if (stalled || count === 0) return;
    stalled = true;
    process.stdout.write(`${label} ${count}\n`);
    await new Promise(() => undefined); // never resolves
  };
}
