import { Message, Producer } from 'kafkajs';
import { DataSource, QueryRunner } from 'typeorm';
import {
  ADVISORY_LOCKS,
  ALERT_OUTBOX_CHANNEL,
  LedgerChannel,
  LedgerNotifications,
  pgConfigOf,
} from '@credit-ledger/ledger-store';

/** A table whose unsent rows a relay publishes to Kafka, oldest first, then marks sent. */
export interface OutboxSource {
  /** For log lines: "alert relay", "dead-letter relay". */
  name: string;
  /** Advisory lock taken per round: one relay per source publishes at a time, so rows leave in order. */
  lockId: number;
  /** The writer's NOTIFY channel for new rows. */
  channel: LedgerChannel;
  /** Up to `limit` unsent rows in id order, each as the Kafka message to send. */
  unsent(qr: QueryRunner, limit: number): Promise<Array<{ id: string; topic: string; message: Message }>>;
  markSent(qr: QueryRunner, ids: string[]): Promise<void>;
  countUnsent(ds: DataSource): Promise<number>;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  payload: Record<string, unknown>;
}

/** alert_outbox: alerts written in the transaction of the event that raised them. */
export const ALERT_OUTBOX: OutboxSource = {
  name: 'alert relay',
  lockId: ADVISORY_LOCKS.alertRelay,
  channel: ALERT_OUTBOX_CHANNEL,
  async unsent(qr, limit) {
    const rows: OutboxRow[] = await qr.query(
      `SELECT id::text, topic, key, payload FROM alert_outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      message: { key: r.key, value: JSON.stringify(r.payload) },
    }));
  },
  async markSent(qr, ids) {
    await qr.query(`UPDATE alert_outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  },
  async countUnsent(ds) {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM alert_outbox WHERE sent_at IS NULL`);
    return n as number;
  },
};

export interface OutboxRelayOptions {
  batchSize: number;
  /** Fallback poll: the writer's NOTIFY on the outbox channel normally wakes the relay at once. */
  pollMs: number;
  /** LISTEN for the writer's outbox notifications (default true). */
  listen?: boolean;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Longest wait between attempts while Kafka is unreachable. */
  maxBackoffMs?: number;
}

/**
 * Publishes an outbox's unsent rows in id order (acks = all) and marks them sent in the same database transaction,
 * after Kafka acknowledged them. A crash between the two republishes the same rows on the next round: delivery is
 * at-least-once and consumers dedupe by the id each message carries (alertId; a dead letter's x-letter-id). While
 * Kafka is down the rows simply wait; the loop backs off exponentially and catches up when it is back.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private failures = 0;
  private woken = false;
  private notifications: LedgerNotifications | null = null;
  published = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly producer: Producer,
    private readonly source: OutboxSource,
    private readonly opts: OutboxRelayOptions,
  ) {}

  /** One round: publishes up to batchSize alerts; returns how many (0 when another relay holds the lock). */
  async relayOnce(): Promise<number> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const [{ locked }] = await qr.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        this.source.lockId,
      ]);
      if (!locked) {
        await qr.rollbackTransaction();
        return 0;
      }
      const rows = await this.source.unsent(qr, this.opts.batchSize);
      if (rows.length === 0) {
        await qr.rollbackTransaction();
        return 0;
      }
      const byTopic = new Map<string, Message[]>();
      for (const r of rows) {
        const list = byTopic.get(r.topic) ?? [];
        list.push(r.message);
        byTopic.set(r.topic, list);
      }
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await this.source.markSent(
        qr,
        rows.map((r) => r.id),
      );
      await qr.commitTransaction();
      this.published += rows.length;
      return rows.length;
    } catch (err) {
      await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  /** Publishes until the outbox is empty (tests, `jobs run --wait`). */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.relayOnce(); n > 0; n = await this.relayOnce()) total += n;
    return total;
  }

  unsent(): Promise<number> {
    return this.source.countUnsent(this.ds);
  }

  start(): void {
    this.stopped = false;
    if (this.opts.listen !== false) {
      this.notifications = new LedgerNotifications(
        pgConfigOf(this.ds),
        this.source.channel,
        () => this.wake(),
        this.opts.log,
      );
      void this.notifications.start();
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.notifications?.stop();
    this.notifications = null;
    if (this.running) await this.running;
  }

  /** A commit wrote alerts: run a round now, or right after the one in progress. */
  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.woken = true;
    } else if (this.timer && this.failures === 0) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.woken = false;
      this.running = this.tick().finally(() => (this.running = null));
    }, ms);
  }

  private async tick(): Promise<void> {
    let next = this.opts.pollMs;
    try {
      const n = await this.relayOnce();
      if (this.failures > 0)
        this.opts.log('info', `${this.source.name} recovered after ${this.failures} failed round(s)`);
      this.failures = 0;
      // A full batch means more are waiting: go again at once.
      if (n >= this.opts.batchSize || this.woken) next = 0;
    } catch (err) {
      this.failures++;
      next = Math.min(this.opts.maxBackoffMs ?? 30_000, 200 * 2 ** Math.min(this.failures, 10));
      this.opts.log('warn', `${this.source.name}: ${(err as Error).message}; retrying in ${next} ms`);
    }
    this.schedule(next);
  }
}
