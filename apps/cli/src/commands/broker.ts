import { Command } from 'commander';
import { listenerSecurity, startEmbeddedKafka } from '@credit-ledger/kafka-broker';

interface BrokerOptions {
  port: string;
  dataDir?: string;
  partitions: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  saslUsers?: string;
  saslMechanisms?: string;
}

export function brokerCommand(): Command {
  return new Command('broker')
    .description(
      'Run the embedded Kafka-protocol broker (tests and no-Docker quick start; NOT for production).',
    )
    .option('-p, --port <port>', 'TCP port on 127.0.0.1', '9092')
    .option('--data-dir <dir>', 'persist topics, messages and committed offsets in this directory')
    .option('--partitions <n>', 'partitions of auto-created topics', '6')
    .option('--tls-cert <file>', 'serve TLS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--tls-client-ca <file>', 'require client certificates signed by this PEM CA (mutual TLS)')
    .option('--sasl-users <file>', 'require SASL; one name:password per line')
    .option('--sasl-mechanisms <list>', 'default PLAIN,SCRAM-SHA-256,SCRAM-SHA-512')
    .addHelpText(
      'after',
      '\nPoint clients at it with KAFKA_BROKERS=127.0.0.1:<port>. Ctrl-C stops it.\n' +
        'To rehearse a SASL_SSL deployment locally:\n' +
        '  credit-ledger broker --tls-cert server.pem --tls-key server.key --sasl-users users.txt\n' +
        '  KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=ledger \\\n' +
        '    KAFKA_SASL_PASSWORD_FILE=ledger.pw KAFKA_SSL_CA_FILE=ca.pem credit-ledger serve',
    )
    .action(async (opts: BrokerOptions) => {
      const broker = await startEmbeddedKafka({
        ...listenerSecurity(opts),
        port: Number(opts.port),
        dataDir: opts.dataDir,
        defaultPartitions: Number(opts.partitions),
      });
      console.log(
        `embedded Kafka-protocol broker listening on ${broker.address} (${broker.securityProtocol})`,
      );
      const stop = async () => {
        await broker.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}
