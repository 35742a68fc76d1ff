/**
 * Preloaded into the ledger process by the bench (`node -r dist/bench/cpu-profile-preload.js …`) when
 * `--profile` is given: starts the V8 CPU profiler at once and writes a `.cpuprofile` (the format of
 * `node --cpu-prof`, open it in Chrome DevTools or speedscope) to $BENCH_CPU_PROFILE when the bench sends
 * `{ cmd: 'stop-profile' }` over the IPC channel. `--cpu-prof` itself only writes at a clean exit, which
 * Nest's signal-driven shutdown does not give (and Nest's shutdown hooks claim SIGUSR2 too).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_CPU_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () => {
    session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => {
      session.post('Profiler.start');
    });
  });
  process.on('message', (m: { cmd?: string }) => {
    if (m?.cmd !== 'stop-profile') return;
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
      console.log(`cpu profile written: ${err ? err.message : file}`);
    });
  });
  // The IPC channel must not keep the process alive on its own.
  process.channel?.unref();
}
