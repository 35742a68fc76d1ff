import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, WriteStream } from 'node:fs';

/**
 * One `credit-ledger <command>` child process the chaos run starts, kills (SIGKILL, no goodbye) and starts again,
 * its output appended to a log file.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    private readonly bin: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    readonly logFile: string,
    private readonly ready: RegExp,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  /** Starts it and resolves once its output matches `ready` (rejects if it exits or takes over `timeoutMs`). */
  start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [this.bin, ...this.args], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.log.write(`\n--- ${new Date().toISOString()} start ${this.name} (pid ${child.pid}) ---\n`);
    return new Promise((resolve, reject) => {
      let seen = '';
      let isReady = false;
      const timer = setTimeout(
        () => reject(new Error(`${this.name} not ready after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onData = (d: Buffer): void => {
        this.log.write(d);
        if (isReady) return;
        seen += d.toString();
        if (this.ready.test(seen)) {
          isReady = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        this.log.write(`--- ${this.name} exited (code ${code}, signal ${signal}) ---\n`);
        clearTimeout(timer);
        if (!isReady)
          reject(new Error(`${this.name} exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
  }

  /** SIGKILL: the process gets no chance to commit, flush or leave its group. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await new Promise((r) => this.log.end(r));
  }
}
