import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  Admin,
  AdminConfig,
  Consumer,
  ConsumerConfig,
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

/**
 * kafkajs reports every failed connection attempt and retried request as an ERROR; the ledger says what matters
 * itself (consumer crashed, Kafka unreachable, rebuilt) and keeps trying, so kafkajs' lines are one level lower.
 */
const LEVELS: Record<number, 'debug' | 'info' | 'warn' | 'error'> = {
  [KafkaLogLevel.ERROR]: 'warn',
  [KafkaLogLevel.WARN]: 'debug',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

type LogFn = NonNullable<KafkaClientOptions['log']>;

/**
 * While a broker is away kafkajs logs the same failure every few hundred milliseconds. The first of a kind is
 * shown; repeats within `windowMs` are counted and reported with the next one after the window.
 */
export function quietRepeats(log: LogFn, windowMs = 10_000, now: () => number = Date.now): LogFn {
  const seen = new Map<string, { at: number; suppressed: number }>();
  return (level, message) => {
    const key = message.replace(/ \{.*$/, '');
    const prev = seen.get(key);
    const t = now();
    if (prev && t - prev.at < windowMs) {
      prev.suppressed++;
      return;
    }
    seen.set(key, { at: t, suppressed: 0 });
    if (seen.size > 200) seen.delete(seen.keys().next().value as string);
    const more = prev?.suppressed
      ? ` (and ${prev.suppressed} more like it in the last ${windowMs / 1000} s)`
      : '';
    log(level, message + more);
  };
}

/**
 * A metadata answer naming a topic the broker is still creating (just after start-up): kafkajs retries it, and a
 * failure that lasts surfaces as an error of its own, so the line is debug.
 */
function retriedAtStart(message: string, extra: Record<string, unknown>): boolean {
  return (
    message.startsWith('Response Metadata') &&
    typeof extra.error === 'string' &&
    /does not host this topic-partition|no leader for this topic-partition/.test(extra.error)
  );
}

/**
 * The one way the ledger makes Kafka clients (ingestion, dead letters, alert relay, demo, CLI, bench): it applies
 * the TLS and SASL settings, and a client's `connect()` that fails says which Kafka, how it authenticates and
 * which settings to check (a ConnectionError) instead of a bare kafkajs error.
 */
export function createKafka(opts: KafkaClientOptions): Kafka {
  const { security } = opts;
  const quiet = opts.log && quietRepeats(opts.log);
  const ssl = security.tls ? tlsClientOptions(security.tls) : undefined;
  const sasl: SASLOptions | undefined = security.sasl
    ? ({
        mechanism: security.sasl.mechanism,
        username: security.sasl.username,
        password: security.sasl.password.reveal(),
      } as SASLOptions)
    : undefined;
  const config: KafkaConfig = {
    clientId: opts.clientId,
    brokers: opts.brokers,
    ssl,
    sasl,
    logLevel: opts.log ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 10 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const detail = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
        quiet?.(
          retriedAtStart(message, extra) ? 'debug' : (LEVELS[level] ?? 'info'),
          `kafkajs: ${message}${detail}`,
        );
      },
  };
  return new ConnectionNamingKafka(
    config,
    async () => {
      if (ssl) await assertTlsAccepted(opts.brokers, ssl);
    },
    (err) => kafkaConnectionError(err, opts),
  );
}

/** A client's connect(), made to fail with a named error (and at once on a TLS failure). */
type Connectable = { connect(): Promise<void>; disconnect(): Promise<void> };

class ConnectionNamingKafka extends Kafka {
  constructor(
    config: KafkaConfig,
    private readonly preflight: () => Promise<void>,
    private readonly describe: (err: unknown) => ConnectionError,
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
      try {
        await this.preflight();
        await connect();
      } catch (err) {
        await client.disconnect().catch(() => undefined);
        throw this.describe(err);
      }
    };
    return client;
  }
}

/**
 * kafkajs retries a refused TLS handshake like a network blip (about 80 s with the retry settings above), but
 * a certificate that is not trusted will not become trusted. So before a client connects, one TLS connection
 * per bootstrap broker asks for ApiVersions: the first answer clears the way; if no broker answers and at least
 * one refused TLS (untrusted or misnamed certificate, a required client certificate missing, a plaintext
 * listener), that refusal is thrown. Brokers that are merely unreachable are left to kafkajs' retries.
 */
async function assertTlsAccepted(brokers: string[], ssl: tls.ConnectionOptions): Promise<void> {
  let refusal: Error | null = null;
  for (const broker of brokers) {
    const at = broker.lastIndexOf(':');
    const outcome = await tlsApiVersions(broker.slice(0, at), Number(broker.slice(at + 1)), ssl);
    if (outcome === 'answered') return;
    if (outcome !== 'unreachable') refusal ??= outcome;
  }
  if (refusal) throw refusal;
}

const PROBE_TIMEOUT_MS = 10_000;

/** ApiVersions v0 with correlation id 1 and client id "tls-check", framed: what every Kafka broker answers. */
const API_VERSIONS_REQUEST = (() => {
  const clientId = Buffer.from('tls-check');
  const body = Buffer.alloc(10 + clientId.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(1, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
})();

function tlsApiVersions(
  host: string,
  port: number,
  ssl: tls.ConnectionOptions,
): Promise<'answered' | 'unreachable' | Error> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl });
    const done = (outcome: 'answered' | 'unreachable' | Error): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done('unreachable'));
    socket.once('secureConnect', () => socket.write(API_VERSIONS_REQUEST));
    // Any bytes back mean the broker accepted the connection and our certificate (TLS 1.3 reports a refused
    // client certificate only after the handshake, as an alert instead of an answer).
    socket.once('data', () => done('answered'));
    socket.once('error', (err: Error) => {
      const tlsRefusal =
        isTlsFailure(err) || /before secure TLS connection was established/.test(err.message);
      done(tlsRefusal ? err : 'unreachable');
    });
    socket.once('close', () => done(new Error('the broker closed the TLS connection without answering')));
  });
}

/** Exponential backoff from 200 ms, capped. */
export function backoffMs(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 200 * 2 ** Math.min(attempt, 12));
}

/**
 * A refused login (SASL) or a refused TLS handshake, however wrapped (a ConnectionError keeps it as its cause):
 * retrying the same credentials or certificates never helps.
 */
export function isAuthenticationFailure(err: unknown): boolean {
  for (let e = err as { name?: unknown; cause?: unknown } | null; e; e = e.cause as typeof e) {
    if (e.name === 'KafkaJSSASLAuthenticationError' || isTlsFailure(e)) return true;
  }
  return false;
}

/**
 * Runs `connect` (topics, producers, consumers) until it succeeds, with backoff: Kafka being away when a process
 * starts is not fatal, it serves and reports degraded meanwhile. A refused login is: it rejects at once, since the
 * same credentials will never work. `stop()` ends the retries.
 */
export class KafkaConnector {
  private timer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly connect: () => Promise<void>,
    private readonly log: LogFn,
  ) {}

  /**
   * The first attempt, waited for at most `waitMs` (a refused login fails that fast); it and any later attempts
   * go on in the background, so a process never waits at start-up for a broker that is away.
   */
  async start(waitMs = 2000): Promise<void> {
    this.stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const first = this.attempt(true);
    await Promise.race([first, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    // A refusal after the wait: nobody is left to throw to, so it is logged and retried like any other failure.
    first.catch((err) => {
      this.log('error', `${this.what}: ${(err as Error).message}`);
      this.retry();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async attempt(first: boolean): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    try {
      await this.connect();
      if (!first) this.log('info', `${this.what}: Kafka reachable, connected`);
    } catch (err) {
      if (first && isAuthenticationFailure(err)) throw err;
      this.log('error', `${this.what}: Kafka is not reachable (${(err as Error).message})`);
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    const wait = backoffMs(this.attempts++, 30_000);
    this.log('info', `${this.what}: trying Kafka again in ${wait} ms`);
    this.timer = setTimeout(() => void this.attempt(false), wait);
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

/**
 * Connects an admin client once at start: a refused login or certificate throws a ConnectionError saying why; a
 * broker that cannot be reached yet is a warning.
 */
export async function checkKafka(opts: KafkaClientOptions, waitMs = 3000): Promise<string | null> {
  // A broker that is merely away is not a reason to refuse to start (the process connects when it comes, and says
  // so in /health); only a refused login or certificate is — and those answer fast, so the check waits briefly.
  const admin = createKafka(opts).admin();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), waitMs)));
  const connecting = admin.connect();
  try {
    if ((await Promise.race([connecting, late])) === 'late') {
      void connecting.then(() => admin.disconnect()).catch(() => undefined);
      return `Kafka ${opts.brokers.join(',')} did not answer within ${waitMs} ms; starting anyway, ingestion connects when it does`;
    }
  } catch (err) {
    if (isAuthenticationFailure(err)) throw err;
    return `${(err as Error).message}; starting anyway, ingestion connects when Kafka answers`;
  } finally {
    clearTimeout(timer);
  }
  await admin.disconnect();
  return null;
}
