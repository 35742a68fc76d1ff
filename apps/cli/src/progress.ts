import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(done: number): void;
  /** For work whose size grows while it runs (e.g. a rebuild catching up with live ingestion). */
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar with rate and ETA on a terminal; on a pipe/CI, a plain line every few seconds instead so logs
 * stay readable.
 */
export function progressBar(label: string, total: number, unit = 'events'): Progress {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        format: `${label} |{bar}| {percentage}% {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      update: (done) =>
        bar.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) }),
      setTotal: (t) => bar.setTotal(t),
      stop: () => bar.stop(),
    };
  }
  let lastPrint = 0;
  let last = 0;
  const line = (done: number): void => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    console.error(`${label}: ${done}/${total} ${unit} (${Math.round(done / secs)}/s)`);
  };
  return {
    setTotal: (t) => {
      total = t;
    },
    update: (done) => {
      last = done;
      if (Date.now() - lastPrint > 3000) {
        lastPrint = Date.now();
        line(done);
      }
    },
    stop: () => line(last),
  };
}
