import { Command } from 'commander';
import { RebuildResult, rebuildProjections } from '@credit-ledger/projections';
import { progressBar } from '../progress';
import { openLedger } from './shared';

export function rebuildCommand(): Command {
  return new Command('rebuild')
    .description(
      'Rebuild customer_positions and grade_history from sequence 0 into fresh tables while ingestion keeps ' +
        'running, catch up to the live head and swap them in atomically.',
    )
    .option('--page-size <n>', 'ledger rows per read', '5000')
    .option(
      '--workers <n>',
      'worker threads replaying customer ranges (default REBUILD_WORKERS, else up to 4)',
    )
    .addHelpText('after', '\nExample: credit-ledger rebuild   (then `credit-ledger replay` to verify)')
    .action(async (opts: { pageSize: string; workers?: string }) => {
      const ds = await openLedger(3);
      const bar = progressBar('rebuilding', 0);
      try {
        let r: RebuildResult;
        try {
          r = await rebuildProjections(ds, {
            pageSize: Number(opts.pageSize),
            workers: opts.workers === undefined ? undefined : positiveInteger('--workers', opts.workers),
            onProgress: (p) => {
              bar.setTotal(p.total);
              bar.update(p.events);
            },
          });
        } finally {
          bar.stop();
        }
        console.log(
          `rebuilt ${r.customers} customers from ${r.events} events (${r.gradeChanges} grade changes) up to sequence ` +
            `${r.headSequence} in ${r.seconds.toFixed(1)} s, ${r.eventsPerSecond} events/s (${r.workers} workers); ` +
            `${r.lockedEvents} events folded while appends waited`,
        );
      } finally {
        await ds.destroy();
      }
    });
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, not ${value}`);
  return n;
}
