import { DataSource } from 'typeorm';
import { BillingEvent, fromStored } from '@credit-ledger/domain';

export interface StoredEvent {
  sequence: string;
  streamVersion: number;
  event: BillingEvent;
}

interface Row {
  sequence: string;
  stream_version: number;
  event_id: string;
  type: string;
  version: number;
  customer_id: string;
  occurred_at: Date;
  source: string;
  payload: Record<string, unknown>;
}

function toStored(r: Row): StoredEvent {
  return {
    sequence: r.sequence,
    streamVersion: r.stream_version,
    event: fromStored({
      eventId: r.event_id,
      type: r.type,
      version: r.version,
      customerId: r.customer_id,
      occurredAt: r.occurred_at.toISOString(),
      source: r.source,
      payload: r.payload,
    }),
  };
}

const COLUMNS =
  'sequence, stream_version, event_id, type, version, customer_id, occurred_at, source, payload';

/** Reads the ledger back in sequence order, per customer or globally. */
export class LedgerReader {
  constructor(private readonly ds: DataSource) {}

  /** One customer's stream in order, optionally cut at an instant (occurredAt) and/or a sequence. */
  async stream(
    customerId: string,
    opts: { until?: string; untilSequence?: string } = {},
  ): Promise<StoredEvent[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM ledger_events
       WHERE customer_id = $1 AND ($2::timestamptz IS NULL OR occurred_at <= $2) AND ($3::bigint IS NULL OR sequence <= $3)
       ORDER BY sequence`,
      [customerId, opts.until ?? null, opts.untilSequence ?? null],
    );
    return rows.map(toStored);
  }

  /** A page of the global log after `afterSequence`, for projectors and rebuilds. */
  async page(afterSequence: string, limit: number): Promise<StoredEvent[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM ledger_events WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
      [afterSequence, limit],
    );
    return rows.map(toStored);
  }

  async headSequence(): Promise<string> {
    const [row] = await this.ds.query('SELECT COALESCE(MAX(sequence), 0)::text AS head FROM ledger_events');
    return row.head as string;
  }
}
