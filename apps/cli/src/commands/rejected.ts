import { Command } from 'commander';
import { RejectedEventEntity, displayBytes } from '@credit-ledger/ledger-store';
import { PERSONAL_OPTION, openLedger, personalView } from './shared';

export function rejectedCommand(): Command {
  return new Command('rejected')
    .description('List rejected (dead-lettered) events, newest first, with the reason.')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--code <code>', 'only this reject code, e.g. BAD_AMOUNT')
    .option('--json', 'one JSON object per line')
    .option(...PERSONAL_OPTION)
    .action(async (opts: { limit: string; code?: string; json?: boolean; personal?: boolean }) => {
      const ds = await openLedger(1);
      try {
        const rows = await ds.getRepository(RejectedEventEntity).find({
          where: opts.code ? { code: opts.code } : {},
          order: { id: 'DESC' },
          take: Number(opts.limit),
        });
        // The original bytes as text when they are text, else base64 (a NUL byte, invalid UTF-8); personal
        // values in them and in reasons were sealed at ingestion.
        const shown = await personalView(
          ds,
          rows.map((r) => ({
            ...r,
            messageKey: displayBytes(r.messageKey),
            rawValue: displayBytes(r.rawValue),
            rejectedAt: r.rejectedAt.toISOString(),
          })),
          opts,
          'rejected',
        );
        for (const r of shown) {
          if (opts.json) console.log(JSON.stringify(r));
          else console.log(`${r.rejectedAt}  ${r.topic}/${r.partition}/${r.offset}  ${r.code}  ${r.reason}`);
        }
        if (!opts.json) console.log(`${rows.length} shown`);
      } finally {
        await ds.destroy();
      }
    });
}
