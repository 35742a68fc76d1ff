import { generateEvents } from '.';
it('perf', () => {
  for (const [customers, take] of [[100_000, 200_000], [100_000, 1_000_000]]) {
    const t0 = Date.now();
    let n = 0;
    for (const _e of generateEvents({ seed: 2026, customers })) if (++n === take) break;
    console.log(customers, n, 'wall', Date.now() - t0);
  }
}, 120000);
