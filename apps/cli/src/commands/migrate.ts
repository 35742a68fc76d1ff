import { Command } from 'commander';
import { migrate } from '@credit-ledger/ledger-store';
import { config } from './shared';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Create the database if missing and apply pending schema migrations.')
    .addHelpText('after', '\nUses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/credit_ledger).')
    .action(async () => {
      const cfg = config();
      const ran = await migrate(cfg.databaseUrl, cfg.databaseSecurity);
      console.log(ran.length ? `applied: ${ran.join(', ')}` : 'schema is up to date');
    });
}
