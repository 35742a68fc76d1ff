import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { postgresClientConfig } from '@credit-ledger/config';

export interface CopyBaseline {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSec: number;
}

const COLUMNS =
  'sequence, customer_id, stream_version, source, event_id, type, version, occurred_at, recorded_at, payload, metadata';

/**
 * The physical limit beside the ingest figure: the same rows the ledger appended (its first `rows` events,
 * exported with COPY TO into memory first, so the export is not timed) are loaded with `COPY … FROM STDIN`
 * in one transaction, into a table with the same columns and no index, constraint or trigger (`indexed` false),
 * or into one made `LIKE ledger_events INCLUDING ALL`: the ledger's primary key, idempotency and stream-version
 * keys, its other indexes and the commit-order column — what every append must maintain too (`indexed` true).
 */
export async function runCopyBaseline(
  databaseUrl: string,
  rows: number,
  indexed = false,
): Promise<CopyBaseline> {
  const db = new Client(postgresClientConfig(databaseUrl));
  await db.connect();
  try {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const out = db.query(
      copyTo(
        `COPY (SELECT ${COLUMNS} FROM ledger_events ORDER BY sequence LIMIT ${Math.floor(rows)}) TO STDOUT`,
      ),
    );
    for await (const chunk of out) {
      const b = chunk as Buffer;
      chunks.push(b);
      bytes += b.length;
    }
    await db.query('DROP TABLE IF EXISTS bench_copy_baseline');
    await db.query(
      indexed
        ? 'CREATE TABLE bench_copy_baseline (LIKE ledger_events INCLUDING ALL)'
        : `CREATE TABLE bench_copy_baseline (sequence bigint, customer_id text, stream_version integer, source text,
         event_id text, type text, version smallint, occurred_at timestamptz, recorded_at timestamptz,
         payload jsonb, metadata jsonb)`,
    );
    await db.query('CHECKPOINT');
    const t0 = process.hrtime.bigint();
    await db.query('BEGIN');
    await pipeline(
      Readable.from(chunks),
      db.query(copyFrom(`COPY bench_copy_baseline (${COLUMNS}) FROM STDIN`)),
    );
    await db.query('COMMIT');
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const count = await db.query('SELECT count(*)::int AS n FROM bench_copy_baseline');
    const n = (count.rows[0] as { n: number }).n;
    await db.query('DROP TABLE bench_copy_baseline');
    return { rows: n, bytes, seconds: Math.round(seconds * 100) / 100, rowsPerSec: Math.round(n / seconds) };
  } finally {
    await db.end();
  }
}
