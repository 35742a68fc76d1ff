import { Logger } from '@nestjs/common';
import { describeKafkaSecurity, describeRedis, loadConfig } from '@credit-ledger/config';
import { startWorkerApp } from './worker-app';

async function main(): Promise<void> {
  const config = loadConfig();
  await startWorkerApp({ config });
  new Logger('Worker').log(
    `credit worker running (Redis ${describeRedis(config.redisUrl, config.redisSecurity)}, ` +
      `Kafka ${config.kafkaBrokers.join(',')} ${describeKafkaSecurity(config.kafkaSecurity)})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
