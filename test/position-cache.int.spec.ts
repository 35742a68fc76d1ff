import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { deserializeState, parseEvent } from '@credit-ledger/domain';
import {
  InboundEvent,
  LedgerWriter,
  PolicyStore,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { CachedPosition, PositionCache, PositionLoader } from '@credit-ledger/projections';
import { TestDatabase, WireEvent, createTestDatabase } from '@credit-ledger/testing';
import { KEYS, LedgerHarness, waitUntil } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

const NOW = new Date('2026-03-15T12:00:00Z');

let offset = 0;
function inbound(events: WireEvent[]): InboundEvent[] {
  return events.map((w) => {
    const r = parseEvent(JSON.stringify(w), { key: w.customerId });
    if (!r.ok) throw new Error(r.reason);
    return { event: r.event, origin: originOf('other-process', 0, String(++offset), w.customerId) };
  });
}

const onboard = (id: string): WireEvent =>
  onboarded(id, '2026-01-02T09:00:00Z', {
    name: `Co ${id}`,
    currency: 'EUR',
    creditLimit: '10000.00',
  });

let invoices = 0;
const invoice = (id: string, amount: string): WireEvent =>
  wire(id, 'InvoiceIssued', '2026-03-01T09:00:00Z', {
    invoiceId: `INV-${++invoices}`,
    amount,
    currency: 'EUR',
    issuedOn: '2026-03-01',
    dueOn: '2026-03-31',
  });

/** A LedgerWriter on its own DataSource: another process, as far as the ledger app's cache can tell. */
async function otherProcess(url: string): Promise<{ writer: LedgerWriter; ds: DataSource }> {
  const ds = await createLedgerDataSource(url, { poolSize: 2 }).initialize();
  const policies = new PolicyStore(ds);
  await policies.load();
  return { writer: new LedgerWriter(ds, policies), ds };
}

/** What PositionQueries loads on a miss. */
function loaderOn(ds: DataSource): (id: string) => Promise<CachedPosition | null> {
  return async (id) => {
    const [row] = await ds.query(
      'SELECT state, last_sequence, stream_version FROM customer_positions WHERE customer_id = $1',
      [id],
    );
    if (!row) return null;
    return {
      state: deserializeState(row.state),
      lastSequence: row.last_sequence,
      streamVersion: row.stream_version,
    };
  };
}

describe('position cache in the ledger app', () => {
  let h: LedgerHarness;
  let other: { writer: LedgerWriter; ds: DataSource };
  const cache = (): PositionCache => h.app!.get(PositionCache);

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW });
    other = await otherProcess(h.db.url);
    await other.writer.append(inbound([onboard('C-1'), invoice('C-1', '1000.00'), onboard('C-2')]));
    // The seed's own eviction pass, so it cannot mark the first test's load stale (which would be correct).
    await h.app!.get(PositionCache).catchUp();
  });

  afterAll(async () => {
    await other?.ds.destroy();
    await h?.stop();
  });

  it('serves repeated reads from memory and shows another process’s append within a bounded wait', async () => {
    const first = await h.get('/customers/C-1');
    expect(first.status).toBe(200);
    expect(first.body.openReceivables).toBe('1000.00');
    const before = cache().snapshot();
    let again = await h.get('/customers/C-1');
    // The seed's own NOTIFY, sent after its commit, may still arrive and evict C-1 once: the next read is a hit.
    for (let i = 0; i < 5 && cache().snapshot().hits === before.hits; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await h.get('/customers/C-1');
    }
    expect(again.body).toEqual({ ...first.body, asOf: again.body.asOf });
    expect(cache().snapshot().hits).toBeGreaterThan(before.hits);

    // Another process appends: its NOTIFY (or the poll) evicts C-1 here.
    const r = await other.writer.append(inbound([invoice('C-1', '500.00')]));
    await waitUntil(
      async () => (await h.get('/customers/C-1')).body.openReceivables === '1500.00',
      5_000,
      () => `C-1 still cached at ${JSON.stringify(cache().snapshot())}`,
    );
    const now = await h.get('/customers/C-1');
    expect(now.body.ledgerSequence).toBe(r.lastSequence);
    // The cursor is a visibility horizon (a transaction id): it only moves forward.
    expect(BigInt(cache().snapshot().cursor)).toBeGreaterThanOrEqual(BigInt(before.cursor));

    // Served from the cache again, and counted in /metrics.
    const hits = cache().snapshot().hits;
    await h.get('/customers/C-1');
    expect(cache().snapshot().hits).toBe(hits + 1);
    const metrics = await h.get('/metrics');
    expect(metrics.body).toMatch(/^credit_ledger_position_cache_hits_total [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^credit_ledger_position_cache_invalidations_total [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^credit_ledger_position_cache_entries \d+$/m);
  });

  it('answers as-of reads from the ledger, not from the cache', async () => {
    const past = await h.get('/customers/C-1?asOf=2026-02-01');
    expect(past.status).toBe(200);
    expect(past.body.openReceivables).toBe('0.00');
  });
});

describe('position cache: read-your-writes in the ledger app', () => {
  let h: LedgerHarness;
  let other: { writer: LedgerWriter; ds: DataSource };
  const cache = (): PositionCache => h.app!.get(PositionCache);

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW, startApp: false });
    other = await otherProcess(h.db.url);
    await other.writer.append(inbound([onboard('C-7'), invoice('C-7', '100.00')]));
    // No LISTEN and no poll: only the app's own writer keeps the cache coherent, so nothing here is luck.
    await h.startApp({ clock: () => NOW, positionCache: { listen: false, pollMs: 3_600_000 } });
  });

  afterAll(async () => {
    await other?.ds.destroy();
    await h?.stop();
  });

  it('shows a control command’s effect on the next GET', async () => {
    for (let round = 0; round < 3; round++) {
      expect((await h.get('/customers/C-7')).body.status).toBe('active');
      expect((await h.get('/customers/C-7')).body.status).toBe('active'); // now cached
      // Blacklisting is a single-person command (a freeze waits for approvals).
      const block = await h.send(
        'POST',
        '/customers/C-7/blacklist',
        { reason: `review ${round}` },
        KEYS.finance,
      );
      expect(block.status).toBe(200);
      expect((await h.get('/customers/C-7')).body.status).toBe('blacklisted');
      // Lifting it is a request; it is in force (and seen) once the last approval lands.
      const lift = await h.send(
        'POST',
        '/customers/C-7/unblacklist',
        { reason: `cleared ${round}` },
        KEYS.finance,
      );
      expect(lift.status).toBe(202);
      expect((await h.get('/customers/C-7')).body.status).toBe('blacklisted');
      const approve = (key: string) => h.approveRequest('C-7', lift.body.requestId, key);
      expect((await approve(KEYS.sales)).body.status).toBe('pending');
      expect((await approve(KEYS.analyst)).body.status).toBe('done');
      expect((await h.get('/customers/C-7')).body.status).toBe('active');
    }
    expect(cache().snapshot().invalidations).toBeGreaterThanOrEqual(6);
  });

  it('shows an ingested Kafka batch on the next GET', async () => {
    expect((await h.get('/customers/C-7')).body.openReceivables).toBe('100.00');
    await h.publish([invoice('C-7', '25.00')]);
    await h.waitForIngestion();
    expect((await h.get('/customers/C-7')).body.openReceivables).toBe('125.00');
  });

  it('catches up with another process only through a pass (none runs by itself here)', async () => {
    await other.writer.append(inbound([invoice('C-7', '1.00')]));
    // Without LISTEN or poll the entry stays: proof that the reads above were served from memory.
    expect((await h.get('/customers/C-7')).body.openReceivables).toBe('125.00');
    await cache().catchUp();
    expect((await h.get('/customers/C-7')).body.openReceivables).toBe('126.00');
  });
});

describe('PositionCache against PostgreSQL', () => {
  let db: TestDatabase;
  let other: { writer: LedgerWriter; ds: DataSource };
  let ds: DataSource;
  const caches: PositionCache[] = [];
  const newCache = async (opts: ConstructorParameters<typeof PositionCache>[1]): Promise<PositionCache> => {
    const c = new PositionCache(ds, opts);
    caches.push(c);
    await c.start();
    return c;
  };
  const open = (p: CachedPosition | null): string => (p ? p.state.invoices.size.toString() : 'none');

  beforeAll(async () => {
    db = await createTestDatabase();
    other = await otherProcess(db.url);
    ds = await createLedgerDataSource(db.url, { poolSize: 4 }).initialize();
    await other.writer.append(inbound(['A', 'B', 'C', 'D', 'E', 'R'].map(onboard)));
  });

  afterEach(async () => {
    for (const c of caches.splice(0)) await c.stop();
  });

  afterAll(async () => {
    await ds?.destroy();
    await other?.ds.destroy();
    await db?.drop();
  });

  it('never caches a load that raced with an eviction of its customer', async () => {
    const cache = await newCache({ maxEntries: 10, listen: false, pollMs: 3_600_000 });
    const load = loaderOn(ds);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let loaded = false;
    // The load reads the old state, then stalls before returning it.
    const racing = cache.get('R', async (id) => {
      const v = await load(id);
      loaded = true;
      await gate;
      return v;
    });
    await waitUntil(() => loaded, 5_000);
    await other.writer.append(inbound([invoice('R', '10.00')]));
    await cache.catchUp(); // the pass evicts R while its load is in flight
    // A read meanwhile does not join the stale load: it loads afresh and sees the invoice.
    expect(open(await cache.get('R', load))).toBe('1');
    release();
    expect(open(await racing)).toBe('0'); // its caller gets what it read...
    const loads: string[] = [];
    const counting = (id: string) => (loads.push(id), load(id));
    expect(open(await cache.get('R', counting))).toBe('1'); // ...but it never replaced the fresh entry
    expect(loads).toEqual([]);

    // The same race against a local invalidation (this process's own writer).
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    cache.invalidate(['R']);
    let loaded2 = false;
    const racing2 = cache.get('R', async (id) => {
      const v = await load(id);
      loaded2 = true;
      await gate2;
      return v;
    });
    await waitUntil(() => loaded2, 5_000);
    await other.writer.append(inbound([invoice('R', '20.00')]));
    cache.invalidate(['R']);
    release2();
    expect(open(await racing2)).toBe('1');
    expect(open(await cache.get('R', counting))).toBe('2');
    expect(loads).toEqual(['R']);
  });

  it('loads the misses of one event-loop turn with one statement', async () => {
    const loader = new PositionLoader(ds);
    const spy = jest.spyOn(ds, 'query');
    try {
      const ids = ['A', 'B', 'nobody', 'C', 'A'];
      const got = await Promise.all(ids.map((id) => loader.load(id)));
      expect(spy).toHaveBeenCalledTimes(1);
      expect(got.map((p) => p?.state.customerId ?? null)).toEqual(['A', 'B', null, 'C', 'A']);
      expect(got[0]).toBe(got[4]);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps at most maxEntries, dropping the least recently used, and admits on a second miss when full', async () => {
    const cache = await newCache({ maxEntries: 3, listen: false, pollMs: 3_600_000 });
    const loads: string[] = [];
    const load = loaderOn(ds);
    const counting = (id: string) => (loads.push(id), load(id));
    const read = async (...ids: string[]) => {
      for (const id of ids) await cache.get(id, counting);
    };
    await read('A', 'B', 'C', 'A'); // A is now the most recent: B is the least
    await read('D'); // full and D never missed before: answered, not cached
    expect(cache.snapshot()).toMatchObject({ entries: 3, evictions: 0, notAdmitted: 1, hits: 1, misses: 4 });
    await read('D'); // missed again: admitted in place of B
    expect(cache.snapshot()).toMatchObject({ entries: 3, evictions: 1, notAdmitted: 1, hits: 1, misses: 5 });
    expect(loads).toEqual(['A', 'B', 'C', 'D', 'D']);
    await read('A', 'C', 'D'); // all cached
    await read('B', 'B'); // B was dropped: loaded twice, then it replaces the least recent (A)
    await read('C', 'D', 'B');
    expect(loads).toEqual(['A', 'B', 'C', 'D', 'D', 'B', 'B']);
    expect(cache.snapshot()).toMatchObject({ entries: 3, evictions: 2 });

    // A customer written while cached goes straight back in on its next load, even into a full cache.
    cache.invalidate(['C']);
    await read('E'); // the freed slot
    await read('C');
    expect(loads.slice(-2)).toEqual(['E', 'C']);
    expect(cache.snapshot()).toMatchObject({ entries: 3, evictions: 3 });
    await read('C');
    expect(loads.slice(-1)).toEqual(['C']);

    // Unknown customers are answered, never cached.
    expect(await cache.get('nobody', counting)).toBeNull();
    expect(await cache.get('nobody', counting)).toBeNull();
    expect(loads.filter((id) => id === 'nobody')).toHaveLength(2);
    expect(cache.snapshot().entries).toBe(3);
  });

  it('falls back to its poll when no notification is heard', async () => {
    const cache = await newCache({ maxEntries: 10, listen: false, pollMs: 50 });
    const load = loaderOn(ds);
    const before = open(await cache.get('E', load));
    await other.writer.append(inbound([invoice('E', '5.00')]));
    await waitUntil(async () => open(await cache.get('E', load)) !== before, 5_000);
    expect(open(await cache.get('E', load))).toBe(String(Number(before) + 1));
  });

  it('starts over after its LISTEN connection is lost, and keeps following notifications', async () => {
    const cache = await newCache({ maxEntries: 10, pollMs: 3_600_000 });
    const load = loaderOn(ds);
    await cache.get('D', load);
    expect(cache.snapshot().entries).toBe(1);
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query = 'LISTEN ledger_appended'`,
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    // Reconnected (onNotify(null)): everything was dropped, since notifications may have been missed.
    await waitUntil(
      () => cache.snapshot().entries === 0,
      10_000,
      () => JSON.stringify(cache.snapshot()),
    );
    const before = open(await cache.get('D', load));
    await other.writer.append(inbound([invoice('D', '7.00')]));
    await waitUntil(async () => open(await cache.get('D', load)) !== before, 5_000);
  });
});
