import { Command } from 'commander';
import { startLedgerApp } from '../../../ledger/src/ledger-app';
import { config } from './shared';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the ledger process: Kafka ingestion, projections and the HTTP API.')
    .option('--no-consume', 'serve the API only, without consuming billing events')
    .addHelpText(
      'after',
      '\nReads KAFKA_BROKERS, DATABASE_URL, PORT, API_KEYS and the other settings in the README.\n' +
        'Run `credit-ledger migrate` first on a new database.',
    )
    .action(async (opts: { consume: boolean }) => {
      const cfg = config();
      const { url } = await startLedgerApp({ config: cfg, hooks: { consume: opts.consume } });
      console.log(`credit-ledger API listening on ${url}`);
    });
}
