import { Command } from 'commander';
import { startWorkerApp } from '../../../worker/src/worker-app';
import { createLogger } from '@credit-ledger/logging';
import { config } from './shared';

export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Run the background worker: scheduled credit jobs (overdue scan, freeze review, dormant-limit review, ' +
        're-rating) on BullMQ, and the relay that publishes alerts from the outbox to Kafka.',
    )
    .addHelpText(
      'after',
      '\nReads REDIS_URL, DATABASE_URL, KAFKA_BROKERS, SCHEDULE_* and the other settings in the README.\n' +
        'Run several for parallel chunks; SIGTERM lets active jobs finish.',
    )
    .action(async () => {
      const cfg = config();
      await startWorkerApp({ config: cfg });
      // A start-up milestone, written even under LOG_LEVEL=warn.
      createLogger({ ...cfg, logLevel: 'info' }).info('credit-ledger worker running');
    });
}
