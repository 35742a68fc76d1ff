import { LedgerEvent, fromStored } from '@credit-ledger/domain';
import type { Queryable } from './policy-store';

/** A place in the ledger's commit order: the writing transaction's id (xid8), then the sequence within it. */
export interface CommitPosition {
  txId: string;
  sequence: string;
}

export interface StoredEvent {
  sequence: string;
  streamVersion: number;
  event: LedgerEvent;
}

interface Row {
  sequence: string;
  stream_version: number;
  event_id: string;
  type: string;
  version: number;
  customer_id: string;
  /** ISO-8601 UTC with milliseconds, formatted by PostgreSQL (a Date round trip costs more per row). */
  occurred_at: string;
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
      occurredAt: r.occurred_at,
      source: r.source,
      payload: r.payload,
    }),
  };
}

const COLUMNS = `sequence, stream_version, event_id, type, version, customer_id,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, source, payload`;

/** Customers with `from <= customer_id < before` (text order of the database); a null end is open. */
export interface CustomerRange {
  from: string | null;
  before: string | null;
}

/** Reads the ledger back in sequence order, per customer or globally. */
export class LedgerReader {
  /** A DataSource, or a QueryRunner to read inside a transaction (the rebuild's final catch-up). */
  constructor(private readonly ds: Queryable) {}

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

  /**
   * A page of the ledger in commit order — (transaction id, sequence) — after `after`, of events with a sequence
   * above `aboveSequence`. By default only rows below the visibility horizon pg_snapshot_xmin(pg_current_snapshot()):
   * every transaction with a lower id has ended, so no event can still appear before the page's end, and a reader
   * that carries on from its last position never skips or reorders one (docs/guarantees.md). `all` reads every
   * visible row instead, for a caller holding APPEND_LOCK exclusively (no append is in progress).
   */
  async pageInCommitOrder(
    after: CommitPosition,
    limit: number,
    opts: { aboveSequence?: string; all?: boolean } = {},
  ): Promise<Array<StoredEvent & { position: CommitPosition }>> {
    const rows: Array<Row & { tx_id: string }> = await this.ds.query(
      `SELECT ${COLUMNS}, tx_id::text AS tx_id FROM ledger_events
       WHERE (tx_id, sequence) > ($1::xid8, $2::bigint) AND sequence > $3::bigint
         AND ($4::boolean OR tx_id < pg_snapshot_xmin(pg_current_snapshot()))
       ORDER BY tx_id, sequence LIMIT $5`,
      [after.txId, after.sequence, opts.aboveSequence ?? '0', opts.all ?? false, limit],
    );
    return rows.map((r) => ({ ...toStored(r), position: { txId: r.tx_id, sequence: r.sequence } }));
  }

  /**
   * A page of the ledger in (customer, stream version) order after `after`, optionally only events with
   * sequence <= `untilSequence`: each customer's stream arrives whole and in order, one page at a time, so
   * replay and rebuild fold customer by customer without holding the ledger in memory (served by the
   * unique (customer_id, stream_version) index). `range` keeps to the customers from `from` (inclusive) to
   * `before` (exclusive), either end open when null: a parallel rebuild's share, one index range.
   */
  async pageByCustomer(
    after: { customerId: string; streamVersion: number } | null,
    limit: number,
    opts: { customerId?: string; untilSequence?: string; range?: CustomerRange } = {},
  ): Promise<StoredEvent[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM ledger_events
       WHERE ($1::text IS NULL OR (customer_id, stream_version) > ($1::text, $2::int))
         AND ($3::text IS NULL OR customer_id = $3) AND ($4::bigint IS NULL OR sequence <= $4)
         AND ($6::text IS NULL OR customer_id >= $6) AND ($7::text IS NULL OR customer_id < $7)
       ORDER BY customer_id, stream_version LIMIT $5`,
      [
        after?.customerId ?? null,
        after?.streamVersion ?? 0,
        opts.customerId ?? null,
        opts.untilSequence ?? null,
        limit,
        opts.range?.from ?? null,
        opts.range?.before ?? null,
      ],
    );
    return rows.map(toStored);
  }

  async headSequence(): Promise<string> {
    const [row] = await this.ds.query('SELECT COALESCE(MAX(sequence), 0)::text AS head FROM ledger_events');
    return row.head as string;
  }
}
