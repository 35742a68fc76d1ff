import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { DataSource, QueryRunner } from 'typeorm';
import { CustomerState, deserializeState } from '@credit-ledger/domain';
import {
  ADVISORY_LOCKS,
  APPEND_LOCK,
  CommitPosition,
  CustomerRange,
  LedgerReader,
  POSITIONS_CHECKPOINT,
  PolicyStore,
  Query,
  Queryable,
  RecordedGradeChange,
  StoredEvent,
  insertGradeChanges,
  pgConfigOf,
  portablePgConfig,
  settledHead,
  upsertPositions,
} from '@credit-ledger/ledger-store';
import { replayStream } from '../as-of-replay';
import { startWorkerThread } from '../worker-thread';
import {
  RebuildWorkerData,
  RebuildWorkerMessage,
  ReplayCounts,
  ReplayShare,
  SHADOW,
  replayCustomers,
} from './replay-customers';

/** Held for the whole rebuild (session lock) so two rebuilds never share the shadow tables. */
const REBUILD_LOCK = ADVISORY_LOCKS.rebuild;

/** The projections a rebuild replaces; the shadow table of each is `${table}${SHADOW}`, same DDL. */
const TABLES = ['customer_positions', 'grade_history'] as const;
const RETIRED = '_retired';

/** Catch-up pages folded outside the lock before the swap takes over (see the catch-up loop). */
const MAX_CATCH_UP_PASSES = 50;

export type RebuildPhase = 'replay' | 'catch-up' | 'swap';

export interface RebuildProgress {
  phase: RebuildPhase;
  /** Events folded so far. */
  events: number;
  /** Events known to exist so far (grows while ingestion keeps appending). */
  total: number;
  customers: number;
}

export interface RebuildOptions {
  /** Ledger rows per read (default 5000). */
  pageSize?: number;
  /** Customers per write batch (default 500). */
  writeBatch?: number;
  /** Stop catching up outside the lock once fewer than this many events are behind (default 2000). */
  lockedCatchUpBelow?: number;
  /**
   * Worker threads replaying the customers' streams (phase 1), each a contiguous range of customer ids with
   * its own connections (default REBUILD_WORKERS, else min(4, available parallelism)). 1 folds in this thread.
   */
  workers?: number;
  /** Fewer workers when the ledger has fewer than this many events per worker (default 50,000). */
  minEventsPerWorker?: number;
  onProgress?: (p: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  customers: number;
  gradeChanges: number;
  /** The ledger sequence the swapped-in projections are complete up to (the new checkpoint). */
  headSequence: string;
  /** Events folded under the append lock, i.e. how long appends waited. */
  lockedEvents: number;
  /** Worker threads the replay ran in (1: in this thread). */
  workers: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * Rebuilds customer_positions and grade_history from sequence 0 into fresh shadow tables while ingestion keeps
 * running, then swaps them in atomically:
 *
 * 1. replay: every customer's stream up to the settled head H (no sequence <= H can still commit), customer by
 *    customer (one stream in memory), split by customer id ranges across worker threads;
 * 2. catch-up: the events with a sequence above H, in commit order below the visibility horizon (never skipping
 *    one that commits late with a lower sequence), onto the shadow rows, until few are left;
 * 3. swap: one transaction takes the writer's append lock exclusively (appends wait), folds the last events,
 *    renames the tables (and their indexes) and sets the checkpoint. Appends resume against the rebuilt tables.
 *
 * Each event is rated with the policy in force at its sequence, exactly as the writer did.
 */
export async function rebuildProjections(ds: DataSource, opts: RebuildOptions = {}): Promise<RebuildResult> {
  const pageSize = opts.pageSize ?? 5000;
  const writeBatch = opts.writeBatch ?? 500;
  const lockedBelow = opts.lockedCatchUpBelow ?? 2000;
  const minPerWorker = Math.max(1, opts.minEventsPerWorker ?? 50_000);
  const maxWorkers = opts.workers ?? rebuildWorkers();
  const started = Date.now();
  const progress: RebuildProgress = { phase: 'replay', events: 0, total: 0, customers: 0 };
  const report = (): void => opts.onProgress?.({ ...progress });
  let gradeChanges = 0;

  const session = ds.createQueryRunner();
  await session.connect();
  try {
    const [{ locked }] = await session.query('SELECT pg_try_advisory_lock($1) AS locked', [REBUILD_LOCK]);
    if (!locked) throw new Error('another rebuild is running');
    const policies = new PolicyStore(ds);
    await policies.load();
    const q: Query = (sql, params) => ds.query(sql, params);
    for (const t of TABLES) {
      await q(`DROP TABLE IF EXISTS ${t}${SHADOW}`);
      await q(`CREATE TABLE ${t}${SHADOW} (LIKE ${t} INCLUDING ALL)`);
      // LIKE copies no storage parameters (fillfactor, autovacuum): the swapped-in table keeps the live one's.
      const [{ options }] = (await q(
        `SELECT array_to_string(reloptions, ', ') AS options FROM pg_class WHERE oid = $1::regclass`,
        [t],
      )) as Array<{ options: string | null }>;
      if (options) await q(`ALTER TABLE ${t}${SHADOW} SET (${options})`);
    }

    // 1. replay up to the settled head: every sequence <= head is committed, and no append can add one.
    const reader = new LedgerReader(ds);
    const settled = await settledHead(ds);
    const floor = settled.sequence;
    let head = floor;
    // Rows of transactions below the settled horizon all have sequences <= floor: catch-up starts there.
    let cursor: CommitPosition = { txId: settled.horizon, sequence: '0' };
    const advance = (page: Array<StoredEvent & { position: CommitPosition }>): void => {
      cursor = page[page.length - 1].position;
      for (const e of page) if (BigInt(e.sequence) > BigInt(head)) head = e.sequence;
    };
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM ledger_events WHERE sequence <= $1', [
      head,
    ]);
    progress.total = n;
    report();
    const share = { untilSequence: head, pageSize, writeBatch };
    const fewer = Math.max(1, Math.min(maxWorkers, Math.floor(n / minPerWorker)));
    const replayed = await replayInParallel(ds, policies, share, fewer, (batch) => {
      progress.events += batch.events;
      progress.customers += batch.customers;
      report();
    });
    gradeChanges += replayed.gradeChanges;
    const workers = replayed.workers;

    // 2. catch up outside the lock while ingestion runs.
    progress.phase = 'catch-up';
    // Bounded: when ingestion appends as fast as the catch-up folds, full pages never stop coming; after that many
    // passes the swap folds what is left with appends held back (at most a few pages behind).
    for (let pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
      const page = await reader.pageInCommitOrder(cursor, pageSize, { aboveSequence: floor });
      progress.total += page.length;
      if (page.length === 0) break;
      gradeChanges += await foldOnto(ds, page, policies);
      advance(page);
      progress.events += page.length;
      report();
      if (page.length < lockedBelow) break;
    }

    // 3. the last events and the swap, with appends held back by the writer's own lock.
    progress.phase = 'swap';
    const before = progress.events;
    const qr = ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      await qr.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      const tx: Query = (sql, params) => qr.query(sql, params);
      await policies.load(qr);
      const lockedReader = new LedgerReader(qr);
      for (;;) {
        // No append is in progress: every visible row is final, past the horizon too.
        const page = await lockedReader.pageInCommitOrder(cursor, pageSize, {
          aboveSequence: floor,
          all: true,
        });
        if (page.length === 0) break;
        gradeChanges += await foldOnto(qr, page, policies);
        advance(page);
        progress.events += page.length;
        progress.total += page.length;
      }
      await swapTables(qr);
      await tx(`UPDATE projection_checkpoints SET sequence = $2, updated_at = now() WHERE name = $1`, [
        POSITIONS_CHECKPOINT,
        head,
      ]);
      await qr.commitTransaction();
    } catch (err) {
      await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
    report();
    for (const t of TABLES) await q(`DROP TABLE IF EXISTS ${t}${RETIRED}`);

    const seconds = (Date.now() - started) / 1000;
    const [{ customers }] = await ds.query('SELECT count(*)::int AS customers FROM customer_positions');
    return {
      events: progress.events,
      customers,
      gradeChanges,
      headSequence: head,
      lockedEvents: progress.events - before,
      workers,
      seconds,
      eventsPerSecond: Math.round(progress.events / Math.max(seconds, 0.001)),
    };
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK]).catch(() => undefined);
    await session.release();
  }
}

/** Folds a page of the global log onto the shadow rows of the customers it touches; returns the grade changes. */
async function foldOnto(db: Queryable, page: StoredEvent[], policies: PolicyStore): Promise<number> {
  const q: Query = (sql, params) => db.query(sql, params);
  await policies.refresh(db);
  const byCustomer = new Map<string, StoredEvent[]>();
  for (const e of page) {
    const list = byCustomer.get(e.event.customerId) ?? [];
    list.push(e);
    byCustomer.set(e.event.customerId, list);
  }
  const rows = (await q(
    `SELECT customer_id, state FROM customer_positions${SHADOW} WHERE customer_id = ANY($1)`,
    [[...byCustomer.keys()]],
  )) as Array<{ customer_id: string; state: string }>;
  const stored = new Map(rows.map((r) => [r.customer_id, deserializeState(r.state)]));
  const states: CustomerState[] = [];
  const changes: RecordedGradeChange[] = [];
  for (const [customerId, events] of byCustomer) {
    const r = replayStream(customerId, events, (s) => policies.inForceAt(s), stored.get(customerId));
    states.push(r.state);
    changes.push(...r.gradeChanges);
  }
  await upsertPositions(q, states, `customer_positions${SHADOW}`);
  await insertGradeChanges(q, changes, `grade_history${SHADOW}`);
  return changes.length;
}

/**
 * Renames live -> retired and shadow -> live, and gives the new tables' indexes (and so their constraints) the
 * live names, so later migrations that name an index still find it. Runs inside the swap transaction.
 */
async function swapTables(qr: QueryRunner): Promise<void> {
  for (const t of TABLES) {
    const live = await indexesOf(qr, t);
    const shadow = await indexesOf(qr, `${t}${SHADOW}`);
    await qr.query(`ALTER TABLE ${t} RENAME TO ${t}${RETIRED}`);
    await qr.query(`ALTER TABLE ${t}${SHADOW} RENAME TO ${t}`);
    for (const [shape, name] of live) {
      const replacement = shadow.get(shape);
      if (!replacement) throw new Error(`rebuild: shadow table of ${t} lacks an index like ${name}`);
      await qr.query(`ALTER INDEX ${name} RENAME TO ${retiredName(name)}`);
      await qr.query(`ALTER INDEX ${replacement} RENAME TO ${name}`);
    }
  }
}

/** Index shape (definition without its name and table) -> index name. */
async function indexesOf(qr: QueryRunner, table: string): Promise<Map<string, string>> {
  const rows: Array<{ indexname: string; indexdef: string }> = await qr.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`,
    [table],
  );
  return new Map(rows.map((r) => [r.indexdef.replace(/INDEX \S+ ON \S+/, 'INDEX ON'), r.indexname]));
}

function retiredName(name: string): string {
  return `${name.slice(0, 63 - RETIRED.length)}${RETIRED}`;
}

/** REBUILD_WORKERS, else min(4, available parallelism). */
export function rebuildWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.REBUILD_WORKERS;
  if (given === undefined || given === '') return Math.min(4, os.availableParallelism());
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`REBUILD_WORKERS must be a positive integer, not ${given}`);
  return n;
}

/**
 * Phase 1 over all customers: in this thread with one worker, else one worker thread per customer id range. A
 * failed share stops the others before the error surfaces: none may write to the shadow tables once the rebuild
 * lock is released. Each customer's stream is folded whole by one share, so the rows do not depend on the split.
 */
async function replayInParallel(
  ds: DataSource,
  policies: PolicyStore,
  share: Omit<ReplayShare, 'range'>,
  workers: number,
  onBatch: (batch: ReplayCounts) => void,
): Promise<ReplayCounts & { workers: number }> {
  const ranges = workers > 1 ? await customerRanges(ds, share.untilSequence, workers) : [];
  if (ranges.length < 2) {
    const range = { from: null, before: null };
    return { ...(await replayCustomers(ds, policies, { ...share, range }, onBatch)), workers: 1 };
  }
  const connection = portablePgConfig(pgConfigOf(ds));
  const threads = ranges.map((range) => {
    const data: RebuildWorkerData = { connection, share: { ...share, range } };
    return { range, worker: startWorkerThread(__dirname, 'rebuild-worker', data) };
  });
  try {
    const counts = await Promise.all(threads.map((t) => outcomeOf(t.worker, t.range, onBatch)));
    const sum = (k: keyof ReplayCounts): number => counts.reduce((a, c) => a + c[k], 0);
    return {
      events: sum('events'),
      customers: sum('customers'),
      gradeChanges: sum('gradeChanges'),
      workers: threads.length,
    };
  } finally {
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

function outcomeOf(
  worker: Worker,
  range: CustomerRange,
  onBatch: (batch: ReplayCounts) => void,
): Promise<ReplayCounts> {
  const share = `customers ${range.from ?? '(first)'} to ${range.before ?? '(last)'}`;
  return new Promise((resolve, reject) => {
    worker.on('message', (m: RebuildWorkerMessage) => {
      if (m.kind === 'batch') onBatch(m.counts);
      else if (m.kind === 'done') resolve(m.counts);
      else reject(new Error(`rebuild worker for ${share} failed: ${m.error}`));
    });
    worker.once('error', (err) => reject(new Error(`rebuild worker for ${share} failed: ${err.message}`)));
    worker.once('exit', (code) =>
      reject(new Error(`rebuild worker for ${share} exited (${code}) unfinished`)),
    );
  });
}

/**
 * Up to `n` contiguous customer id ranges holding about as many ledger rows each: quantiles of customer_id over a
 * block sample of the ledger (about 100,000 rows). Each range is one range of the (customer_id, stream_version)
 * index, so every worker reads only its own rows (hash buckets would have each worker scan the whole index).
 */
async function customerRanges(ds: DataSource, untilSequence: string, n: number): Promise<CustomerRange[]> {
  const [{ rows }] = (await ds.query(
    `SELECT GREATEST(reltuples, 0)::float8 AS rows FROM pg_class WHERE oid = 'ledger_events'::regclass`,
  )) as Array<{ rows: number }>;
  const percent = rows > 0 ? Math.min(100, Math.max(0.01, (100 * 100_000) / rows)) : 100;
  const fractions = Array.from({ length: n - 1 }, (_, i) => (i + 1) / n);
  const [{ bounds }] = (await ds.query(
    `SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY customer_id) AS bounds
     FROM ledger_events TABLESAMPLE SYSTEM ($2) WHERE sequence <= $3`,
    [fractions, percent, untilSequence],
  )) as Array<{ bounds: Array<string | null> | null }>;
  const cuts = [...new Set((bounds ?? []).filter((b): b is string => b !== null))];
  const ends = [null, ...cuts, null];
  return ends.slice(1).map((before, i) => ({ from: ends[i], before }));
}
