import { Command } from 'commander';
import { VerifyResult, verifyProjections } from '@credit-ledger/projections';
import { progressBar } from '../progress';
import { cliInstant } from '../table';
import { PERSONAL_OPTION, openLedger, personalView } from './shared';

export function renderVerification(r: VerifyResult): string {
  const lines = r.differences.map((d) => `DIFF ${d.customerId} [${d.kind}] ${d.detail}`);
  const notCompared = r.statesNotCompared
    ? `; ${r.statesNotCompared} current states not compared (cut by --until or moved on)`
    : '';
  lines.push(
    `${r.differences.length ? `${r.differences.length} difference(s)` : 'OK'}: replayed ${r.customers} customers, ` +
      `${r.events} events, ${r.gradeChanges} grade changes up to ledger sequence ${r.headSequence}${notCompared}`,
  );
  return lines.join('\n');
}

export function replayCommand(): Command {
  return new Command('replay')
    .description(
      'Re-compute every customer (or one) from the ledger, each event rated with the policy version in force at ' +
        'its sequence, and compare with the stored projection: state bytes and grade history. Exits 1 on any difference.',
    )
    .option('--customer <id>', 'only this customer')
    .option('--until <time>', 'replay each stream only up to this moment (compares grade history up to it)')
    .option('--json', 'print the result as JSON')
    .option(...PERSONAL_OPTION)
    .addHelpText('after', '\nExample: credit-ledger replay --customer C-000001 --until 2026-06-30')
    .action(async (opts: { customer?: string; until?: string; json?: boolean; personal?: boolean }) => {
      const until = opts.until === undefined ? undefined : cliInstant(opts.until, '--until');
      const ds = await openLedger(2);
      const bar = opts.customer || opts.json ? null : progressBar('replaying', 0);
      try {
        let result: VerifyResult;
        try {
          result = await verifyProjections(ds, {
            customerId: opts.customer,
            until,
            onProgress: (done, total) => {
              bar?.setTotal(total);
              bar?.update(done);
            },
          });
        } finally {
          bar?.stop();
        }
        // Differences quote state fields, personal ones (sealed) among them.
        const shown = await personalView(
          ds,
          result,
          opts,
          `replay${opts.customer ? ` --customer ${opts.customer}` : ''}`,
        );
        console.log(opts.json ? JSON.stringify(shown, null, 2) : renderVerification(shown));
        if (result.differences.length) process.exitCode = 1;
      } finally {
        await ds.destroy();
      }
    });
}
