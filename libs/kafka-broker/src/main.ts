import { startEmbeddedKafka } from './broker';

const USAGE = `Usage: node dist/libs/kafka-broker/src/main.js [options]

Embedded Kafka-protocol broker for tests and local development (not for production).

Options:
  --host HOST         interface to bind (default 127.0.0.1)
  --port N            TCP port (default 9092; 0 = ephemeral)
  --data-dir DIR      persist logs, topics and committed offsets in DIR and reload them on start
  --partitions N      partitions for auto-created topics (default 1)
  --no-auto-create    do not create unknown topics on metadata requests
  --quiet             only print warnings
  -h, --help          show this help
`;

interface Args {
  host: string;
  port: number;
  dataDir?: string;
  partitions: number;
  autoCreate: boolean;
  quiet: boolean;
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
  const broker = await startEmbeddedKafka({
    host: args.host,
    port: args.port,
    dataDir: args.dataDir,
    defaultPartitions: args.partitions,
    autoCreateTopics: args.autoCreate,
    log: (line) => {
      if (!quiet || line.startsWith('WARN')) console.log(`[${new Date().toISOString()}] ${line}`);
    },
  });
  console.log(`embedded Kafka-protocol broker listening on ${broker.address}`);
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
