import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { CONTROL_SOURCE, evaluatePosition, parseEvent } from '@credit-ledger/domain';
import {
  APPEND_LOCK,
  CommitPosition,
  InboundEvent,
  LedgerReader,
  LedgerWriter,
  PolicyStore,
  StoredEvent,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { WireEvent, createTestDatabase, foldInMemory, generateHistory } from '@credit-ledger/testing';
import { PositionLoader, toPositionView } from '@credit-ledger/projections';
import { comparable } from './support/fold';

/**
 * Several writers append at once without a global lock; a reader follows the ledger in commit order below the
 * visibility horizon (docs/guarantees.md, "Order without a global lock"). Property: the reader sees every committed
 * event exactly once, each customer's events in stream order, and never an event before one it already passed.
 * A trigger in the test database sleeps a random few milliseconds inside each append, after its sequences are
 * reserved, so appends commit out of sequence order all the time.
 */
describe('commit order with concurrent writers', () => {
  jest.setTimeout(180_000);

  it('no reader skips or reorders a committed event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          writers: fc.integer({ min: 2, max: 4 }),
          customers: fc.integer({ min: 4, max: 16 }),
          chunk: fc.integer({ min: 1, max: 12 }),
          /** Chunks also delivered by a second writer at the same time (a partition changing owner). */
          overlap: fc.boolean(),
          pageSize: fc.integer({ min: 1, max: 9 }),
        }),
        async (p) => runSchedule(p),
      ),
      { numRuns: 4, endOnFailure: true },
    );
  });
});

interface Schedule {
  seed: number;
  writers: number;
  customers: number;
  chunk: number;
  overlap: boolean;
  pageSize: number;
}

const NOW = '2026-03-01T00:00:00.000Z';

async function runSchedule(p: Schedule): Promise<void> {
  const db = await createTestDatabase();
  const sources: DataSource[] = [];
  try {
    const admin = await createLedgerDataSource(db.url, { poolSize: 2 }).initialize();
    sources.push(admin);
    await admin.query(`
      CREATE FUNCTION jitter() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(random() * 0.012); RETURN NULL; END $$`);
    await admin.query(
      `CREATE TRIGGER jitter AFTER INSERT ON ledger_events FOR EACH STATEMENT EXECUTE FUNCTION jitter()`,
    );
    const history = generateHistory({
      seed: p.seed,
      customers: p.customers,
      eventsPerCustomer: 6,
      start: '2025-09-01',
      days: 150,
    });
    // Partition ownership: each customer's events go to one writer, in their order.
    const owned: InboundEvent[][] = Array.from({ length: p.writers }, () => []);
    const owner = new Map<string, number>();
    history.forEach((w, i) => {
      if (!owner.has(w.customerId)) owner.set(w.customerId, owner.size % p.writers);
      owned[owner.get(w.customerId)!].push(inboundOf(w, owner.get(w.customerId)!, i));
    });
    const writers: LedgerWriter[] = [];
    for (let i = 0; i < p.writers; i++) {
      const ds = await createLedgerDataSource(db.url, { poolSize: 2 }).initialize();
      sources.push(ds);
      const policies = new PolicyStore(ds);
      await policies.load();
      writers.push(new LedgerWriter(ds, policies));
    }

    let writing = true;
    const read: Array<StoredEvent & { position: CommitPosition }> = [];
    const reader = new LedgerReader(admin);
    let cursor: CommitPosition = { txId: '0', sequence: '0' };
    const follow = async (all: boolean, q: LedgerReader = reader): Promise<number> => {
      const page = await q.pageInCommitOrder(cursor, p.pageSize, { all });
      if (page.length) cursor = page[page.length - 1].position;
      read.push(...page);
      return page.length;
    };
    const following = (async () => {
      while (writing) if ((await follow(false)) === 0) await new Promise((r) => setTimeout(r, 3));
    })();

    await Promise.all(
      owned.map(async (events, w) => {
        for (let i = 0; i < events.length; i += p.chunk) {
          const chunk = events.slice(i, i + p.chunk);
          const second = p.overlap && i % (2 * p.chunk) === 0 ? writers[(w + 1) % p.writers] : null;
          await Promise.all([writers[w].append(chunk), second?.append(chunk)]);
        }
      }),
    );
    writing = false;
    await following;
    // The rest, as the rebuild's swap reads it: holding the append lock exclusively, every visible row is final.
    const qr = admin.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      await qr.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      while ((await follow(true, new LedgerReader(qr))) > 0);
      await qr.commitTransaction();
    } finally {
      await qr.release();
    }

    // Exactly once: what the reader saw is the ledger, each row once.
    const stored: Array<{ sequence: string }> = await admin.query(
      'SELECT sequence::text FROM ledger_events ORDER BY ledger_events.sequence',
    );
    const seen = read.map((e) => e.sequence);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(stored.map((r) => r.sequence));
    // In order: commit positions strictly rising, and each customer's stream versions 1, 2, 3… as read.
    for (let i = 1; i < read.length; i++) expect(before(read[i - 1].position, read[i].position)).toBe(true);
    const versions = new Map<string, number>();
    for (const e of read) {
      const v = (versions.get(e.event.customerId) ?? 0) + 1;
      expect(e.streamVersion).toBe(v);
      versions.set(e.event.customerId, v);
    }
    // Every billing event once, and the positions those appends left equal a fold of the history in memory.
    const billing = read.filter((e) => e.event.source !== CONTROL_SOURCE);
    expect(billing.map((e) => e.event.eventId).sort()).toEqual(history.map((w) => w.eventId).sort());
    const loader = new PositionLoader(admin);
    for (const [id, view] of foldInMemory(history, NOW)) {
      const { state } = (await loader.load(id))!;
      const stored = toPositionView(evaluatePosition(state, NOW), state.rating, {
        ledgerSequence: state.lastSequence,
        streamVersion: state.streamVersion,
      });
      expect(comparable(stored as unknown as Record<string, unknown>)).toEqual(view);
    }
  } finally {
    for (const ds of sources) await ds.destroy().catch(() => undefined);
    await db.drop();
  }
}

function before(a: CommitPosition, b: CommitPosition): boolean {
  const [at, bt] = [BigInt(a.txId), BigInt(b.txId)];
  return at < bt || (at === bt && BigInt(a.sequence) < BigInt(b.sequence));
}

function inboundOf(w: WireEvent, partition: number, offset: number): InboundEvent {
  const r = parseEvent(JSON.stringify(w), { key: w.customerId });
  if (!r.ok) throw new Error(r.reason);
  return { event: r.event, origin: originOf('billing', partition, String(offset), w.customerId) };
}
