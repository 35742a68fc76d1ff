import { Command } from 'commander';
import { RejectedEventEntity, displayBytes } from '@credit-ledger/ledger-store';
import { openLedger } from './shared';

export function rejectedCommand(): Command {
  return new Command('rejected')
    .description('List rejected (dead-lettered) events, newest first, with the reason.')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--code <code>', 'only this reject code, e.g. BAD_AMOUNT')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { limit: string; code?: string; json?: boolean }) => {
      const ds = await openLedger(1);
      try {
        const rows = await ds.getRepository(RejectedEventEntity).find({
          where: opts.code ? { code: opts.code } : {},
          order: { id: 'DESC' },
          take: Number(opts.limit),
        });
        for (const r of rows) {
          // The original bytes as text when they are text, else base64 (a NUL byte, invalid UTF-8).
          if (opts.json)
            console.log(
              JSON.stringify({
                ...r,
                messageKey: displayBytes(r.messageKey),
                rawValue: displayBytes(r.rawValue),
              }),
            );
          else
            console.log(
              `${r.rejectedAt.toISOString()}  ${r.topic}/${r.partition}/${r.offset}  ${r.code}  ${r.reason}`,
            );
        }
        if (!opts.json) console.log(`${rows.length} shown`);
      } finally {
        await ds.destroy();
      }
    });
}
