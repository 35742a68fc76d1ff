/**
 * Summarises a `.cpuprofile`: self time by function and by area (package / library / runtime).
 * `node dist/bench/profile-summary.js bench/profiles/ingest.cpuprofile [top]`
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  ms: number;
  percent: number;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1];
  const lib = url.match(/dist\/(libs|apps)\/([^/]+)/);
  if (lib) return `${lib[1]}/${lib[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\//, '');
}

export function summarise(
  file: string,
  top = 25,
): { byFunction: ProfileLine[]; byArea: ProfileLine[]; totalMs: number } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const ar = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    const short = cf.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
    const name = `${cf.functionName || '(anonymous)'} ${short ? `${short}:${cf.lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    const a = area(cf.url, cf.functionName);
    ar.set(a, (ar.get(a) ?? 0) + us);
    total += us;
  }
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        percent: Math.round((us / total) * 1000) / 10,
      }));
  return { byFunction: lines(fn), byArea: lines(ar), totalMs: Math.round(total / 1000) };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: profile-summary <file.cpuprofile> [top]');
    process.exit(2);
  }
  const s = summarise(file, Number(process.argv[3] ?? 30));
  console.log(`total sampled: ${s.totalMs} ms`);
  console.log('\nself time by area');
  console.table(s.byArea);
  console.log('\nself time by function');
  console.table(s.byFunction);
}
