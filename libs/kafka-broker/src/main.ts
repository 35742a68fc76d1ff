import { EmbeddedKafkaOptions, startEmbeddedKafka } from './broker';
import { listenerSecurity } from './security/listener-files';

const USAGE = `Usage: node dist/libs/kafka-broker/src/main.js [options]

Embedded Kafka-protocol broker for tests and local development (not for production).

Options:
  --host HOST         interface to bind (default 127.0.0.1)
  --port N            TCP port (default 9092; 0 = ephemeral)
  --data-dir DIR      persist logs, topics and committed offsets in DIR and reload them on start
  --partitions N      partitions for auto-created topics (default 1)
  --no-auto-create    do not create unknown topics on metadata requests
  --quiet             only print warnings
  --tls-cert FILE     serve TLS with this PEM certificate (chain) ...
  --tls-key FILE      ... and its PEM private key (SSL, or SASL_SSL with --sasl-users)
  --tls-client-ca FILE  require client certificates signed by this PEM CA (mutual TLS)
  --sasl-users FILE   require SASL: one name:password per line (SASL_PLAINTEXT, or SASL_SSL with --tls-*)
  --sasl-mechanisms LIST  comma-separated, default PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
  -h, --help          show this help
`;

interface Args {
  host: string;
  port: number;
  dataDir?: string;
  partitions: number;
  autoCreate: boolean;
  quiet: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  saslUsers?: string;
  saslMechanisms?: string;
}

function parseArgs(argv: string[]): Args | null {
  const args: Args = { host: '127.0.0.1', port: 9092, partitions: 1, autoCreate: true, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${a}`);
      return v;
    };
    const int = (): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`invalid number for ${a}: ${v}`);
      return n;
    };
    switch (a) {
      case '-h':
      case '--help':
        return null;
      case '--host':
        args.host = value();
        break;
      case '--port':
        args.port = int();
        break;
      case '--data-dir':
        args.dataDir = value();
        break;
      case '--partitions':
        args.partitions = Math.max(1, int());
        break;
      case '--no-auto-create':
        args.autoCreate = false;
        break;
      case '--quiet':
        args.quiet = true;
        break;
      case '--tls-cert':
        args.tlsCert = value();
        break;
      case '--tls-key':
        args.tlsKey = value();
        break;
      case '--tls-client-ca':
        args.tlsClientCa = value();
        break;
      case '--sasl-users':
        args.saslUsers = value();
        break;
      case '--sasl-mechanisms':
        args.saslMechanisms = value();
        break;
      default:
        throw new Error(`unknown option: ${a}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  let args: Args | null;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!args) {
    process.stdout.write(USAGE);
    return;
  }
  const quiet = args.quiet;
  let security: Pick<EmbeddedKafkaOptions, 'tls' | 'sasl'>;
  try {
    security = listenerSecurity(args);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const broker = await startEmbeddedKafka({
    ...security,
    host: args.host,
    port: args.port,
    dataDir: args.dataDir,
    defaultPartitions: args.partitions,
    autoCreateTopics: args.autoCreate,
    log: (line) => {
      if (!quiet || line.startsWith('WARN')) console.log(`[${new Date().toISOString()}] ${line}`);
    },
  });
  console.log(`embedded Kafka-protocol broker listening on ${broker.address} (${broker.securityProtocol})`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down`);
    broker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main().catch((err: unknown) => {
  console.error(`failed to start broker: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
});
