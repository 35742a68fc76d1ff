import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { ROOT } from './proc';

export interface MachineInfo {
  cores: number;
  memoryGiB: number;
  node: string;
  cpuModel: string;
  platform: string;
  postgres: string | null;
  /** 1/5/15-minute load average when the run ended: other work on the machine skews the figures. */
  loadAverage: number[];
}

export function machineInfo(postgres: string | null): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    postgres,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** `git rev-parse HEAD`, and whether tracked files differ from it (the measured code is then HEAD + edits). */
export function gitCommit(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    return { commit, dirty: status.length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}
