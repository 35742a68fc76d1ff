import { Command } from 'commander';
import { PLAINTEXT_KAFKA, describeRedis } from '@credit-ledger/config';
import { startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { migrate } from '@credit-ledger/ledger-store';
import { startLedgerApp } from '../../../ledger/src/ledger-app';
import { IngestionService } from '../../../ledger/src/ingestion.service';
import { startWorkerApp } from '../../../worker/src/worker-app';
import { progressBar } from '../progress';
import { publishDemo } from './demo';
import { config, ensureApiKeys } from './shared';

/**
 * The no-Docker quick start in one process: embedded Kafka-protocol broker (unless KAFKA_BROKERS is set),
 * migrations, the ledger, and a demo history, then it prints what to try.
 */
export function upCommand(): Command {
  return new Command('up')
    .description('Quick start without Docker: broker + migrations + ledger API + demo data, in one process.')
    .option('--kafka-port <port>', 'port for the embedded broker when KAFKA_BROKERS is unset', '9092')
    .option('-c, --customers <n>', 'demo customers to publish (0 for none)', '300')
    .option('--no-worker', 'do not start the background worker (jobs and alert relay; needs Redis)')
    .addHelpText(
      'after',
      "\nUses the machine's PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) and, if KAFKA_BROKERS is unset, starts\n" +
        'the embedded broker. ' +
        'API keys are generated and printed unless API_KEYS is set. Ctrl-C stops everything.',
    )
    .action(async (opts: { kafkaPort: string; customers: string; worker: boolean }) => {
      const cfg = config();
      // A terminal: coloured lines rather than JSON, unless LOG_FORMAT says otherwise.
      if (!process.env.LOG_FORMAT) cfg.logFormat = 'pretty';
      if (!process.env.KAFKA_BROKERS) {
        const broker = await startEmbeddedKafka({ port: Number(opts.kafkaPort), defaultPartitions: 6 });
        cfg.kafkaBrokers = [broker.address];
        // The embedded broker of the quick start is a plaintext listener on 127.0.0.1.
        cfg.kafkaSecurity = PLAINTEXT_KAFKA;
        console.log(
          `embedded Kafka-protocol broker on ${broker.address} (set KAFKA_BROKERS to use real Kafka)`,
        );
      }
      const applied = await migrate(cfg.databaseUrl, cfg.databaseSecurity);
      console.log(`database ready (${applied.length} migration(s) applied)`);
      const generatedKeys = ensureApiKeys(cfg);
      const { app, url } = await startLedgerApp({ config: cfg });
      console.log(`ledger API on ${url}`);
      if (opts.worker) {
        await startWorkerApp({ config: cfg });
        console.log(
          `worker running (BullMQ on ${describeRedis(cfg.redisUrl, cfg.redisSecurity)}; alerts to credit.alerts.*)`,
        );
      }
      const customers = Number(opts.customers);
      if (customers > 0) {
        const sent = await publishDemo(cfg, {
          customers,
          eventsPerCustomer: 12,
          days: 365,
          seed: 42,
        });
        const ingestion = app.get(IngestionService);
        const bar = progressBar('ingesting', sent);
        while ((ingestion.consumer?.stats.messages ?? 0) < sent) {
          bar.update(ingestion.consumer?.stats.messages ?? 0);
          await new Promise((r) => setTimeout(r, 200));
        }
        bar.update(sent);
        bar.stop();
      }
      // Print a generated key; never echo keys the operator supplied.
      const reader = generatedKeys
        ? cfg.apiKeys.find((k) => k.role === 'reader')!.key
        : '<a reader key from API_KEYS>';
      console.log(
        [
          '',
          `credit-ledger is up: API ${url}, workspace ${url}/app (sign in with a key below), API docs ${url}/docs`,
          'Try:',
          `  curl -s ${url}/health`,
          `  curl -s -H "Authorization: Bearer ${reader}" ${url}/customers/C-000001`,
          `  curl -s -H "Authorization: Bearer ${reader}" ${url}/customers/C-000001/file`,
          `  curl -s -H "Authorization: Bearer ${reader}" "${url}/customers?sort=utilisation&limit=10"`,
          `  curl -s -H "Authorization: Bearer ${reader}" "${url}/customers/C-000001?asOf=2026-06-30"`,
          ...(generatedKeys ? ['', `API keys for this run: API_KEYS="${generatedKeys}"`] : []),
          '',
          'Ctrl-C to stop.',
        ].join('\n'),
      );
    });
}
