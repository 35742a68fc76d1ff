import { BrokerContext } from './context';
import { GroupCoordinator } from './group/group-coordinator';
import { OffsetStore } from './group/offset-store';
import { TopicStore } from './log/topic-store';
import { BrokerSaslOptions, SaslAuthority } from './security/sasl-server';
import { KafkaServer } from './server';

/** A TLS listener (Kafka's SSL / SASL_SSL). */
export interface BrokerTlsOptions {
  /** PEM server certificate (with its chain) and private key. */
  cert: string | Buffer;
  key: string | Buffer;
  /** PEM CA: clients must present a certificate it signed (mutual TLS, Kafka's `ssl.client.auth=required`). */
  clientCa?: string | Buffer;
}

export type BrokerSecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export interface EmbeddedKafkaOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 (default) picks an ephemeral port. */
  port?: number;
  /** Persist logs, topics and committed offsets under this directory and reload them on start. */
  dataDir?: string;
  /** Create unknown topics on metadata requests (default true). */
  autoCreateTopics?: boolean;
  /** Partitions for auto-created topics (default 1). */
  defaultPartitions?: number;
  /** Node id advertised in metadata (default 1). */
  brokerId?: number;
  /** Receives informational and warning lines. Without it, only warnings are printed (to stderr). */
  log?: (line: string) => void;
  /** Serve over TLS. */
  tls?: BrokerTlsOptions;
  /** Require SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) before any other request. */
  sasl?: BrokerSaslOptions;
}

export interface FaultInjector {
  /** Destroys every open client socket now. */
  dropConnections(): void;
  /** Closes the listener for `ms` milliseconds (clients get ECONNREFUSED), then reopens it on the same port. */
  refuseConnections(ms: number): void;
  /** Delays every response by `ms` milliseconds (0 to stop). */
  delayResponses(ms: number): void;
}

export interface TopicStats {
  partitions: number;
  messages: number;
  bytes: number;
  highWatermarks: number[];
}

export interface BrokerStats {
  topics: number;
  partitions: number;
  messages: number;
  bytes: number;
  groups: number;
  members: number;
  connections: number;
  topicDetails: Record<string, TopicStats>;
}

export interface EmbeddedKafkaBroker {
  readonly host: string;
  readonly port: number;
  /** "host:port", ready for kafkajs `brokers: [address]`. */
  readonly address: string;
  /** The listener's security, in Kafka's words. */
  readonly securityProtocol: BrokerSecurityProtocol;
  readonly faults: FaultInjector;
  createTopic(name: string, partitions: number): void;
  stop(): Promise<void>;
  /** Stops listening, drops connections, resets group membership (offsets kept) and listens again on the same port. */
  restart(): Promise<void>;
  stats(): BrokerStats;
}

class Broker implements EmbeddedKafkaBroker, BrokerContext {
  readonly host: string;
  readonly brokerId: number;
  readonly clusterId = 'embedded-kafka-cluster';
  readonly topics: TopicStore;
  readonly coordinator: GroupCoordinator;
  readonly offsetStore: OffsetStore;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly faults: FaultInjector;
  readonly securityProtocol: BrokerSecurityProtocol;
  private readonly server: KafkaServer;
  private readonly logLine: (line: string) => void;
  private readonly hasLogger: boolean;
  private producerIdSeq: number;
  private refuseTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(opts: EmbeddedKafkaOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.brokerId = opts.brokerId ?? 1;
    this.autoCreateTopics = opts.autoCreateTopics ?? true;
    this.defaultPartitions = Math.max(1, opts.defaultPartitions ?? 1);
    this.hasLogger = !!opts.log;
    this.logLine = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    const dataDir = opts.dataDir ?? null;
    this.topics = new TopicStore(dataDir);
    this.offsetStore = new OffsetStore(dataDir);
    this.coordinator = new GroupCoordinator(this.offsetStore, (l) => this.info(l));
    // Producer ids unique across restarts of a persisted broker without storing a counter.
    this.producerIdSeq = (Date.now() % 1_000_000_000) * 1000;
    this.securityProtocol =
      `${opts.sasl ? 'SASL_' : ''}${opts.tls ? 'SSL' : 'PLAINTEXT'}` as BrokerSecurityProtocol;
    this.server = new KafkaServer(this.host, () => this, {
      tls: opts.tls
        ? {
            cert: opts.tls.cert,
            key: opts.tls.key,
            ca: opts.tls.clientCa,
            requestCert: opts.tls.clientCa !== undefined,
            rejectUnauthorized: opts.tls.clientCa !== undefined,
          }
        : null,
      sasl: opts.sasl ? new SaslAuthority(opts.sasl) : null,
    });
    this.faults = {
      dropConnections: () => {
        this.info('fault: dropping all connections');
        this.server.dropConnections();
      },
      refuseConnections: (ms: number) => {
        this.info(`fault: refusing connections for ${ms} ms`);
        if (this.refuseTimer) clearTimeout(this.refuseTimer);
        void this.server.closeListener();
        this.refuseTimer = setTimeout(() => {
          this.refuseTimer = null;
          if (this.stopped) return;
          this.server.listen(this.port).catch((err: Error) => this.warn(`re-listen failed: ${err.message}`));
        }, ms);
      },
      delayResponses: (ms: number) => {
        this.info(`fault: delaying responses by ${ms} ms`);
        this.server.responseDelayMs = Math.max(0, ms);
      },
    };
  }

  private requestedPort = 0;

  get port(): number {
    return this.server.port || this.requestedPort;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  info(line: string): void {
    if (this.hasLogger) this.logLine(line);
  }

  warn(line: string): void {
    this.logLine(`WARN ${line}`);
  }

  nextProducerId(): number {
    return ++this.producerIdSeq;
  }

  async start(port: number): Promise<void> {
    this.requestedPort = await this.server.listen(port);
  }

  createTopic(name: string, partitions: number): void {
    if (this.topics.has(name)) throw new Error(`Topic '${name}' already exists`);
    this.topics.create(name, Math.max(1, partitions));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.server.dropConnections();
    await this.server.closeListener();
    this.coordinator.close();
    this.offsetStore.flush();
    this.topics.close();
    this.info('broker stopped');
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error('broker is stopped');
    const port = this.port;
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = null;
    await this.server.closeListener();
    this.server.dropConnections();
    this.coordinator.reset();
    this.offsetStore.flush();
    await this.server.listen(port);
    this.info(`broker restarted on ${this.address}`);
  }

  stats(): BrokerStats {
    const topicDetails: Record<string, TopicStats> = {};
    let partitions = 0;
    let messages = 0;
    let bytes = 0;
    for (const t of this.topics.all()) {
      const s: TopicStats = { partitions: t.partitions.length, messages: 0, bytes: 0, highWatermarks: [] };
      for (const p of t.partitions) {
        s.messages += p.log.messageCount;
        s.bytes += p.log.byteSize;
        s.highWatermarks.push(p.log.highWatermark);
      }
      partitions += s.partitions;
      messages += s.messages;
      bytes += s.bytes;
      topicDetails[t.name] = s;
    }
    const g = this.coordinator.stats();
    return {
      topics: Object.keys(topicDetails).length,
      partitions,
      messages,
      bytes,
      groups: g.groups,
      members: g.members,
      connections: this.server.connectionCount,
      topicDetails,
    };
  }
}

/** Starts an in-process broker speaking the Kafka wire protocol on TCP. */
export async function startEmbeddedKafka(opts: EmbeddedKafkaOptions = {}): Promise<EmbeddedKafkaBroker> {
  const broker = new Broker(opts);
  try {
    await broker.start(opts.port ?? 0);
  } catch (err) {
    await broker.stop();
    throw err;
  }
  broker.info(
    `broker ${broker.brokerId} started on ${broker.address} (${broker.securityProtocol})` +
      (opts.dataDir ? ` (data dir ${opts.dataDir})` : ''),
  );
  return broker;
}
