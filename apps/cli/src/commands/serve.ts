import { Command } from 'commander';
import { startLedgerApp } from '../../../ledger/src/ledger-app';
import { createLogger } from '@credit-ledger/logging';
import { migrate } from '@credit-ledger/ledger-store';
import { config, ensureApiKeys } from './shared';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the ledger process: Kafka ingestion, projections and the HTTP API.')
    .option('--no-consume', 'serve the API only, without consuming billing events')
    .option('--no-migrate', 'do not apply pending migrations at start')
    .addHelpText(
      'after',
      '\nReads KAFKA_BROKERS, DATABASE_URL, PORT, API_KEYS and the other settings in the README.\n' +
        'Without API_KEYS it generates one key per role for this run and prints them once.',
    )
    .action(async (opts: { consume: boolean; migrate: boolean }) => {
      const cfg = config();
      // A server's output is log lines (JSON unless LOG_FORMAT=pretty), for the log shipper to read. These few
      // start-up milestones are written even under LOG_LEVEL=warn: scripts wait for "listening on".
      const log = createLogger({ ...cfg, logLevel: cfg.logLevel === 'debug' ? 'debug' : 'info' });
      if (opts.migrate) {
        const applied = await migrate(cfg.databaseUrl, cfg.databaseSecurity);
        if (applied.length) log.info({ migrations: applied }, `applied migrations: ${applied.join(', ')}`);
      }
      const generatedKeys = ensureApiKeys(cfg);
      if (generatedKeys) log.warn(`API_KEYS was unset; keys for this run: API_KEYS="${generatedKeys}"`);
      const { url } = await startLedgerApp({ config: cfg, hooks: { consume: opts.consume } });
      log.info({ url }, `credit-ledger API listening on ${url}`);
    });
}
