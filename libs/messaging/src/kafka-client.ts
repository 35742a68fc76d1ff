import { Kafka, logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
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

export function createKafka(opts: KafkaClientOptions): Kafka {
  const quiet = opts.log && quietRepeats(opts.log);
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: opts.log ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 10 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const detail = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
        quiet?.(LEVELS[level] ?? 'info', `kafkajs: ${message}${detail}`);
      },
  });
}

/** Exponential backoff from 200 ms, capped. */
export function backoffMs(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 200 * 2 ** Math.min(attempt, 12));
}

/** A refused login (SASL): retrying the same credentials never helps. */
export function isAuthenticationFailure(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'KafkaJSSASLAuthenticationError';
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
