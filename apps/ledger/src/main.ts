import { Logger } from '@nestjs/common';
import { loadConfig } from '@credit-ledger/config';
import { startLedgerApp } from './ledger-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const { url } = await startLedgerApp({ config });
  new Logger('Ledger').log(
    `API on ${url} (Kafka ${config.kafkaBrokers.join(',')}, topic ${config.eventsTopic})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
