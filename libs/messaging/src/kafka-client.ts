import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  Admin,
  AdminConfig,
  Consumer,
  ConsumerConfig,
  ISocketFactory,
  Kafka,
  KafkaConfig,
  logLevel as KafkaLogLevel,
  LogEntry,
  Producer,
  ProducerConfig,
  SASLOptions,
} from 'kafkajs';
import {
  ConnectionError,
  KafkaSecurity,
  describeKafkaSecurity,
  isTlsFailure,
  tlsClientOptions,
} from '@credit-ledger/config';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** TLS and SASL of the connection: the configured `kafkaSecurity`, or PLAINTEXT_KAFKA for the embedded broker. */
  security: KafkaSecurity;
  /** Where kafkajs' own log lines go; defaults to silence below WARN. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

const LEVELS: Record<number, 'debug' | 'info' | 'warn' | 'error'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * The one way the ledger makes Kafka clients (ingestion, dead letters, alert relay, demo, CLI, bench): it applies
 * the TLS and SASL settings, and a client's `connect()` that fails says which Kafka, how it authenticates and
 * which settings to check (a ConnectionError) instead of a bare kafkajs error.
 */
export function createKafka(opts: KafkaClientOptions): Kafka {
  const tlsFailures = new TlsFailures();
  const { security } = opts;
  const sasl: SASLOptions | undefined = security.sasl
    ? ({
        mechanism: security.sasl.mechanism,
        username: security.sasl.username,
        password: security.sasl.password.reveal(),
      } as SASLOptions)
    : undefined;
  return new ConnectionNamingKafka(
    {
      clientId: opts.clientId,
      brokers: opts.brokers,
      ssl: security.tls ? tlsClientOptions(security.tls) : undefined,
      sasl,
      socketFactory: tlsFailures.socketFactory,
      logLevel: opts.log ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
      retry: { initialRetryTime: 100, retries: 10 },
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...extra } = log;
          const detail = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
          opts.log?.(LEVELS[level] ?? 'info', `kafkajs: ${message}${detail}`);
        },
    },
    (err) => kafkaConnectionError(err, opts),
    tlsFailures,
  );
}

/** A client's connect(), made to fail with a named error (and at once on a TLS failure). */
type Connectable = { connect(): Promise<void>; disconnect(): Promise<void> };

class ConnectionNamingKafka extends Kafka {
  constructor(
    config: KafkaConfig,
    private readonly describe: (err: unknown) => ConnectionError,
    private readonly tlsFailures: TlsFailures,
  ) {
    super(config);
  }

  override producer(config?: ProducerConfig): Producer {
    return this.named(super.producer(config));
  }

  override consumer(config: ConsumerConfig): Consumer {
    return this.named(super.consumer(config));
  }

  override admin(config?: AdminConfig): Admin {
    return this.named(super.admin(config));
  }

  private named<T extends Connectable>(client: T): T {
    const connect = client.connect.bind(client);
    client.connect = async () => {
      const failed = this.tlsFailures.next();
      const attempt = connect();
      try {
        // kafkajs retries a refused TLS handshake like a network blip (about 80 s with our retry settings);
        // a certificate that is not trusted will not become trusted, so the first one ends the attempt.
        await Promise.race([attempt, failed.promise]);
      } catch (err) {
        attempt.catch(() => undefined);
        await client.disconnect().catch(() => undefined);
        throw this.describe(err);
      } finally {
        failed.cancel();
      }
    };
    return client;
  }
}

/**
 * kafkajs' socket factory (TLS when `ssl` is set, SNI for host names, keep-alive) that also reports TLS
 * failures to whoever waits on `next()`.
 */
class TlsFailures {
  private waiting = new Set<(err: Error) => void>();

  readonly socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    if (ssl) {
      socket.on('error', (err: Error) => {
        if (isTlsFailure(err) || /before secure TLS connection was established/.test(err.message)) {
          for (const reject of this.waiting) reject(err);
        }
      });
    }
    return socket;
  };

  next(): { promise: Promise<never>; cancel(): void } {
    let reject: (err: Error) => void = () => undefined;
    const promise = new Promise<never>((_, r) => {
      reject = r;
    });
    this.waiting.add(reject);
    return { promise, cancel: () => this.waiting.delete(reject) };
  }
}

function kafkaConnectionError(err: unknown, opts: KafkaClientOptions): ConnectionError {
  const e = err as { name?: string; type?: string; message?: string };
  const target = `${opts.brokers.join(',')} (${describeKafkaSecurity(opts.security)})`;
  const message = e.message ?? String(err);
  const [reason, hint] =
    e.name === 'KafkaJSSASLAuthenticationError'
      ? [message, 'check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM']
      : e.type === 'UNSUPPORTED_SASL_MECHANISM'
        ? [
            `the brokers do not offer this SASL mechanism (${message})`,
            'check KAFKA_SASL_MECHANISM and KAFKA_SECURITY_PROTOCOL',
          ]
        : isTlsFailure(err) || /TLS/.test(message)
          ? [
              `TLS failed: ${message}`,
              "check KAFKA_SSL_CA (the CA of the brokers' certificates), KAFKA_SSL_CERT / KAFKA_SSL_KEY, " +
                'and that KAFKA_BROKERS are TLS listeners',
            ]
          : [message, 'check KAFKA_BROKERS and that KAFKA_SECURITY_PROTOCOL matches those listeners'];
  return new ConnectionError('Kafka', target, reason, hint, { cause: err });
}
