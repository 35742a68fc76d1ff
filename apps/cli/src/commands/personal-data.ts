import { Command } from 'commander';
import { PersonalDataKeys, PersonalDataReader, loadMasterKeyring } from '@credit-ledger/personal-data';
import { openLedger } from './shared';

/** Key rotation and the access log (docs/personal-data.md). Forgetting is an API command: it needs two admins. */
export function personalDataCommand(): Command {
  const cmd = new Command('personal-data').description(
    'Personal data: rewrap the data keys with the newest master key, read the access log.',
  );
  cmd
    .command('rotate-keys')
    .description(
      'Rewrap every data key not yet wrapped with the newest master key of PERSONAL_DATA_MASTER_KEY (list the ' +
        'new version beside the old ones, run this, then the old version may be removed). Sealed values are untouched.',
    )
    .addHelpText(
      'after',
      '\nExample: PERSONAL_DATA_MASTER_KEY="2:<new>,1:<old>" credit-ledger personal-data rotate-keys',
    )
    .action(async () => {
      const ring = loadMasterKeyring();
      const ds = await openLedger(1);
      try {
        const n = await ds.transaction((m) => new PersonalDataKeys(ring).rotate(m));
        console.log(`rewrapped ${n} data key(s) with master key version ${ring.current}`);
      } finally {
        await ds.destroy();
      }
    });
  cmd
    .command('access-log')
    .description('Who read which personal fields of which customer, when and for what; newest first.')
    .option('--customer <id>', "only this customer's reads")
    .option('--principal <name>', "only this principal's reads")
    .option('-n, --limit <n>', 'how many', '50')
    .action(async (opts: { customer?: string; principal?: string; limit: string }) => {
      const ds = await openLedger(1);
      try {
        const reader = new PersonalDataReader(ds, new PersonalDataKeys(loadMasterKeyring()));
        const entries = await reader.accessLog({
          customerId: opts.customer,
          principal: opts.principal,
          limit: Number(opts.limit),
        });
        for (const e of entries)
          console.log(
            `${e.readAt}  ${e.principal} (${e.role})  ${e.customerId}  ${e.outcome}  ${e.fields.join(',')}  ${e.purpose}`,
          );
        console.log(`${entries.length} shown`);
      } finally {
        await ds.destroy();
      }
    });
  return cmd;
}
