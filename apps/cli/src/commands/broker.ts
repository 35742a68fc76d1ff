import { Command } from 'commander';
import { startEmbeddedKafka } from '@credit-ledger/kafka-broker';

export function brokerCommand(): Command {
  return new Command('broker')
    .description(
      'Run the embedded Kafka-protocol broker (tests and no-Docker quick start; NOT for production).',
    )
    .option('-p, --port <port>', 'TCP port on 127.0.0.1', '9092')
    .option('--data-dir <dir>', 'persist topics, messages and committed offsets in this directory')
    .option('--partitions <n>', 'partitions of auto-created topics', '6')
    .addHelpText('after', '\nPoint clients at it with KAFKA_BROKERS=127.0.0.1:<port>. Ctrl-C stops it.')
    .action(async (opts: { port: string; dataDir?: string; partitions: string }) => {
      const broker = await startEmbeddedKafka({
        port: Number(opts.port),
        dataDir: opts.dataDir,
        defaultPartitions: Number(opts.partitions),
      });
      console.log(`embedded Kafka-protocol broker listening on ${broker.address}`);
      const stop = async () => {
        await broker.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}
