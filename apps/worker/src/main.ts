import { Logger } from '@nestjs/common';
import { loadConfig } from '@credit-ledger/config';
import { startWorkerApp } from './worker-app';

async function main(): Promise<void> {
  const config = loadConfig();
  await startWorkerApp({ config });
  new Logger('Worker').log(
    `credit worker running (Redis ${config.redisUrl}, Kafka ${config.kafkaBrokers.join(',')})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
