import {
  CustomerState,
  GradePolicy,
  apply,
  decide,
  deserializeState,
  initialState,
  rate,
} from '@credit-ledger/domain';
import {
  LedgerReader,
  PolicyStore,
  StoredEvent,
  createLedgerDataSource,
  upsertPositions,
} from '@credit-ledger/ledger-store';

export interface FoldResult {
  events: number;
  customers: number;
  seconds: number;
  eventsPerSec: number;
  readSeconds: number;
  foldSeconds: number;
  writeSeconds: number;
}

const PAGE = 10_000;
const WRITE_CHUNK = 5_000;

/**
 * Stand-in for the projection rebuild until `credit-ledger rebuild` exists: reads the whole ledger from
 * sequence 0 with `LedgerReader.page` (the next page is fetched while the current one is folded), folds it
 * with the domain's `decide`/`apply` exactly like `replayStream`, and writes every customer state with
 * `upsertPositions` — inside a transaction that is rolled back, so the projection is left as it was.
 */
export async function runProjectionFold(databaseUrl: string): Promise<FoldResult> {
  const ds = createLedgerDataSource(databaseUrl, { poolSize: 2 });
  await ds.initialize();
  try {
    const policy = await new PolicyStore(ds).load();
    const reader = new LedgerReader(ds);
    const states = new Map<string, CustomerState>();
    let readNs = 0n;
    let foldNs = 0n;
    const t0 = process.hrtime.bigint();
    const fetch = async (after: string): Promise<StoredEvent[]> => {
      const r0 = process.hrtime.bigint();
      const page = await reader.page(after, PAGE);
      readNs += process.hrtime.bigint() - r0;
      return page;
    };
    let events = 0;
    let next = fetch('0');
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      next = fetch(page[page.length - 1].sequence);
      const f0 = process.hrtime.bigint();
      events += foldPage(states, page, policy);
      foldNs += process.hrtime.bigint() - f0;
    }
    const w0 = process.hrtime.bigint();
    const qr = ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const all = [...states.values()];
      for (let i = 0; i < all.length; i += WRITE_CHUNK) {
        await upsertPositions(qr.query.bind(qr), all.slice(i, i + WRITE_CHUNK));
      }
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
    const end = process.hrtime.bigint();
    const seconds = Number(end - t0) / 1e9;
    return {
      events,
      customers: states.size,
      seconds: r2(seconds),
      eventsPerSec: Math.round(events / seconds),
      // Reads overlap the fold, so read + fold + write can exceed the wall time.
      readSeconds: r2(Number(readNs) / 1e9),
      foldSeconds: r2(Number(foldNs) / 1e9),
      writeSeconds: r2(Number(end - w0) / 1e9),
    };
  } finally {
    await ds.destroy();
  }
}

function foldPage(states: Map<string, CustomerState>, page: StoredEvent[], policy: GradePolicy): number {
  let applied = 0;
  for (const e of page) {
    const id = e.event.customerId;
    let s = states.get(id);
    if (!s) {
      s = initialState(id);
      states.set(id, s);
    }
    if (decide(s, e.event).kind !== 'accept') continue;
    apply(s, { event: e.event, sequence: e.sequence, streamVersion: e.streamVersion }, policy);
    applied++;
  }
  return applied;
}

export interface RerateResult {
  customers: number;
  seconds: number;
  gradeChanges: number;
  loadSeconds: number;
  rateSeconds: number;
  writeSeconds: number;
}

const RERATE_CHUNK = 5_000;

/**
 * Stand-in for the re-rating job (it arrives with the workers issue): every customer state is loaded from
 * `customer_positions` in keyset-paged chunks, deserialised, rated with the domain `rate()` at one fixed
 * instant, and written back with `upsertPositions` inside a transaction that is rolled back.
 */
export async function runRerate(databaseUrl: string, at: string): Promise<RerateResult> {
  const ds = createLedgerDataSource(databaseUrl, { poolSize: 1 });
  await ds.initialize();
  const qr = ds.createQueryRunner();
  try {
    const policy = await new PolicyStore(ds).load();
    await qr.connect();
    await qr.startTransaction();
    let load = 0n;
    let rating = 0n;
    let write = 0n;
    let customers = 0;
    let gradeChanges = 0;
    let after = '';
    const t0 = process.hrtime.bigint();
    for (;;) {
      const l0 = process.hrtime.bigint();
      const rows: Array<{ customer_id: string; state: string }> = await qr.query(
        'SELECT customer_id, state FROM customer_positions WHERE customer_id > $1 ORDER BY customer_id LIMIT $2',
        [after, RERATE_CHUNK],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1].customer_id;
      const states = rows.map((r) => deserializeState(r.state));
      const r0 = process.hrtime.bigint();
      for (const s of states) {
        const r = rate(s, at, policy);
        if (s.rating?.grade !== r.grade) gradeChanges++;
        s.rating = r;
      }
      const w0 = process.hrtime.bigint();
      await upsertPositions(qr.query.bind(qr), states);
      const w1 = process.hrtime.bigint();
      load += r0 - l0;
      rating += w0 - r0;
      write += w1 - w0;
      customers += states.length;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return {
      customers,
      seconds: r2(seconds),
      gradeChanges,
      loadSeconds: r2(Number(load) / 1e9),
      rateSeconds: r2(Number(rating) / 1e9),
      writeSeconds: r2(Number(write) / 1e9),
    };
  } finally {
    if (qr.isTransactionActive) await qr.rollbackTransaction();
    await qr.release();
    await ds.destroy();
  }
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
