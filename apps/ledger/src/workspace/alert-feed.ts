import type { DataSource } from 'typeorm';
import { ALERT_OUTBOX_CHANNEL, LedgerNotifications, pgConfigOf } from '@credit-ledger/ledger-store';

export interface FeedAlert {
  id: string;
  topic: string;
  key: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

type Listener = (alerts: FeedAlert[]) => void;

/**
 * The alert outbox as a live feed for the workspace: one LISTEN connection (the NOTIFY the append transaction
 * sends at commit, the same wake-up the Kafka relay uses) while anybody watches; each wake-up reads the rows after
 * the last one seen and hands them to every watcher. Rows are read, never marked: the relay still owns delivery.
 */
export class AlertFeed {
  private readonly listeners = new Set<Listener>();
  private notifications: LedgerNotifications | null = null;
  private lastId = 0n;
  private reading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ds: DataSource,
    private readonly log: (message: string) => void,
  ) {}

  async subscribe(listener: Listener): Promise<() => void> {
    this.listeners.add(listener);
    if (!this.notifications) {
      const [row] = (await this.ds.query(
        'SELECT coalesce(max(id), 0)::text AS id FROM alert_outbox',
      )) as Array<{ id: string }>;
      this.lastId = BigInt(row.id);
      this.notifications = new LedgerNotifications(
        pgConfigOf(this.ds),
        ALERT_OUTBOX_CHANNEL,
        () => this.wake(),
        (_l, m) => this.log(m),
      );
      await this.notifications.start();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.stop();
    };
  }

  async stop(): Promise<void> {
    const n = this.notifications;
    this.notifications = null;
    await n?.stop();
  }

  /** Reads what is new; a wake-up during a read reads once more after it (nothing committed is skipped). */
  private wake(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read()
      .catch((err: Error) => this.log(`alert feed: ${err.message}`))
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async read(): Promise<void> {
    const rows = (await this.ds.query(
      `SELECT id::text AS id, topic, key, payload, created_at FROM alert_outbox WHERE id > $1 ORDER BY id LIMIT 500`,
      [this.lastId.toString()],
    )) as Array<{
      id: string;
      topic: string;
      key: string;
      payload: Record<string, unknown>;
      created_at: Date;
    }>;
    if (rows.length === 0) return;
    this.lastId = BigInt(rows[rows.length - 1].id);
    const alerts = rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      key: r.key,
      payload: r.payload,
      createdAt: r.created_at.toISOString(),
    }));
    for (const l of this.listeners) l(alerts);
    if (rows.length === 500) this.again = true;
  }
}
