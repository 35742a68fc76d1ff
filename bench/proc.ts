import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** Repository root (this file runs from dist/bench/). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'bin', 'credit-ledger.js');

/** A node child process with its output kept (last 64 KiB) for error messages. */
export class NodeChild {
  readonly proc: ChildProcess;
  private output = '';
  private exited: Promise<number | null>;

  constructor(
    readonly name: string,
    nodeArgs: string[],
    env: NodeJS.ProcessEnv,
    opts: { ipc?: boolean } = {},
  ) {
    this.proc = spawn(process.execPath, nodeArgs, {
      cwd: ROOT,
      env,
      stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer): void => {
      this.output = (this.output + b.toString('utf8')).slice(-65_536);
    };
    this.proc.stdout?.on('data', keep);
    this.proc.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  log(): string {
    return this.output;
  }

  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (this.proc.exitCode !== null) {
        throw new Error(`${this.name} exited (${this.proc.exitCode}) before ${pattern}:\n${this.output}`);
      }
      if (Date.now() > deadline)
        throw new Error(`${this.name}: no ${pattern} after ${timeoutMs} ms:\n${this.output}`);
      await sleep(50);
    }
  }

  send(message: object): void {
    this.proc.send?.(message);
  }

  signal(sig: NodeJS.Signals): void {
    if (this.proc.exitCode === null) this.proc.kill(sig);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Resident set size and its high-water mark, in MiB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number =>
      Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** User + system CPU seconds of a process so far, from /proc/<pid>/stat (Linux). */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (1-based 14, 15 in proc(5)), in clock ticks (100 Hz on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The embedded broker in its own process, on an ephemeral port. */
export async function startBrokerProcess(): Promise<{ child: NodeChild; address: string }> {
  const child = new NodeChild('broker', [CLI, 'broker', '--port', '0', '--partitions', '6'], process.env);
  const m = await child.waitFor(/listening on (\S+)/);
  return { child, address: m[1] };
}

/** CPU seconds used so far by every `postgres` process of this machine (server + backends), from /proc. */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    total += cpuSecondsOf(Number(pid)) ?? 0;
  }
  return total;
}
