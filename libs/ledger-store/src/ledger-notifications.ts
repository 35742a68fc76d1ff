import { Client, Notification } from 'pg';
import type { PgClientConfig } from '@credit-ledger/config';

/**
 * PostgreSQL NOTIFY channels the writer signals in its append transaction (delivered only at commit, and
 * several notifications of one transaction on one channel arrive as one). They are wake-up calls, never
 * data: a listener that misses one (reconnecting) still catches up on its next poll.
 */
export const LEDGER_APPENDED_CHANNEL = 'ledger_appended';
export const ALERT_OUTBOX_CHANNEL = 'alert_outbox';
/** New rows in rejected_events, the dead-letter outbox. */
export const REJECTED_CHANNEL = 'rejected_events';
export type LedgerChannel =
  typeof LEDGER_APPENDED_CHANNEL | typeof ALERT_OUTBOX_CHANNEL | typeof REJECTED_CHANNEL;

/**
 * How the libraries log: a level, a sentence, and optional structured fields (e.g. the Kafka origin of the message
 * a line is about), which the apps' JSON logger writes as fields of the line.
 */
export type Log = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/**
 * One dedicated connection LISTENing on a channel; calls `onNotify` with the payload. If the connection drops
 * it reconnects with backoff and calls `onNotify(null)` once back, since notifications sent meanwhile are lost.
 */
export class LedgerNotifications {
  private client: Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(
    /** The DataSource's own connection settings (pgConfigOf), TLS and credentials included. */
    private readonly connection: PgClientConfig,
    private readonly channel: LedgerChannel,
    private readonly onNotify: (payload: string | null) => void,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client(this.connection);
    client.on('notification', (n: Notification) => {
      if (n.channel === this.channel) this.onNotify(n.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      // The channel is one of the constants above, never user input (LISTEN takes no parameters).
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failures > 0) {
      this.log('info', `listening on ${this.channel} again after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      this.onNotify(null);
    }
  }

  private lost(client: Client, err: Error): void {
    if (this.stopped || (this.client !== null && this.client !== client)) return;
    if (this.retryTimer) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.failures++;
    const wait = Math.min(30_000, 200 * 2 ** Math.min(this.failures, 8));
    this.log('warn', `LISTEN ${this.channel}: ${err.message}; reconnecting in ${wait} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, wait);
    this.retryTimer.unref();
  }
}
