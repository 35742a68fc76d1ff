import { IdleCompactionPolicy, type CompactionProbe } from './idle-compaction';

/** A probe that replays a utilisation per tick and counts collections. */
function probe(utilisations: number[], slackMb = 200): CompactionProbe & { collected: number } {
  let i = 0;
  const p = {
    collected: 0,
    utilisation: () => utilisations[Math.min(i++, utilisations.length - 1)],
    heapSlack: () => slackMb * 1024 * 1024,
    collect: () => {
      p.collected++;
    },
  };
  return p;
}

function run(p: CompactionProbe, ticks: number, idleMs = 3000): IdleCompactionPolicy {
  const policy = new IdleCompactionPolicy(p, idleMs);
  for (let t = 0; t < ticks; t++) policy.tick();
  return policy;
}

describe('IdleCompactionPolicy', () => {
  it('given a busy burst, when the process stays quiet for idleMs, then it collects once', () => {
    const p = probe([0.9, 0.8, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01]);
    const policy = run(p, 10);
    expect(p.collected).toBe(1);
    expect(policy.compactions).toBe(1);
  });

  it('given quiet seconds shorter than idleMs between bursts, then it never collects', () => {
    const p = probe([0.9, 0.01, 0.01, 0.5, 0.01, 0.01, 0.7, 0.01, 0.01, 0.9]);
    run(p, 10);
    expect(p.collected).toBe(0);
  });

  it('given a second burst after a compaction, when quiet again, then it collects again', () => {
    const p = probe([0.9, 0.01, 0.01, 0.01, 0.01, 0.6, 0.01, 0.01, 0.01, 0.01]);
    run(p, 10);
    expect(p.collected).toBe(2);
  });

  it('given little unused heap, when quiet, then it does not collect', () => {
    const p = probe([0.9, 0.01, 0.01, 0.01, 0.01, 0.01], 8);
    run(p, 6);
    expect(p.collected).toBe(0);
  });
});
