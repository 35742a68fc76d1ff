import { DataSource } from 'typeorm';
import { FIVE_FACTOR_GRADE_POLICY, parseEvent } from '@credit-ledger/domain';
import {
  ADVISORY_LOCKS,
  InboundEvent,
  LedgerWriter,
  PolicyStore,
  adoptPolicy,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { rebuildProjections } from '@credit-ledger/projections';
import { TestDatabase, createTestDatabase, generateHistory } from '@credit-ledger/testing';

/**
 * The replay split across worker threads by customer id range: the same rows as one thread, and a failing worker
 * fails the rebuild whole (live tables untouched, lock released).
 */
describe('parallel rebuild', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createLedgerDataSource(db.url, { poolSize: 4 }).initialize();
    const policies = new PolicyStore(ds);
    await policies.load();
    const writer = new LedgerWriter(ds, policies);
    const history = generateHistory({
      seed: 17,
      customers: 240,
      eventsPerCustomer: 14,
      start: '2025-01-01',
      days: 365,
    });
    const inbound: InboundEvent[] = history.map((w, i) => {
      const parsed = parseEvent(w, { key: w.customerId });
      if (!parsed.ok) throw new Error(parsed.reason);
      return {
        event: parsed.event,
        origin: originOf('parallel', 0, String(i), w.customerId, JSON.stringify(w)),
      };
    });
    // A policy version adopted half way, so the workers must each rate by the schedule, not the current policy.
    const half = Math.floor(inbound.length / 2);
    for (let i = 0; i < inbound.length; i += 200) {
      if (i === Math.floor(half / 200) * 200) {
        const version = policies.current().version + 1;
        await adoptPolicy(ds, { ...FIVE_FACTOR_GRADE_POLICY, version }, { createdBy: 'parallel-rebuild' });
        await policies.refresh();
      }
      const r = await writer.append(inbound.slice(i, i + 200));
      expect(r.rejected).toEqual([]);
    }
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** Every column but updated_at (the write's own clock), as text, in key order. */
  const snapshot = async (): Promise<{ positions: string[]; grades: string[] }> => ({
    positions: (
      (await ds.query(
        `SELECT (to_jsonb(p) - 'updated_at')::text AS row FROM customer_positions p ORDER BY customer_id`,
      )) as Array<{ row: string }>
    ).map((r) => r.row),
    grades: (
      (await ds.query(
        `SELECT to_jsonb(g)::text AS row FROM grade_history g ORDER BY customer_id, sequence`,
      )) as Array<{ row: string }>
    ).map((r) => r.row),
  });

  it('given a generated ledger, when rebuilt with 3 workers, then the tables equal a 1-worker rebuild', async () => {
    const single = await rebuildProjections(ds, { workers: 1, pageSize: 97, writeBatch: 7 });
    expect(single.workers).toBe(1);
    const one = await snapshot();
    expect(one.positions).toHaveLength(240);
    expect(one.grades.length).toBeGreaterThan(0);

    const progress: number[] = [];
    const parallel = await rebuildProjections(ds, {
      workers: 3,
      minEventsPerWorker: 1,
      pageSize: 97,
      writeBatch: 7,
      onProgress: (p) => progress.push(p.events),
    });
    expect(parallel.workers).toBe(3);
    expect(await snapshot()).toEqual(one);
    expect(parallel).toMatchObject({
      events: single.events,
      customers: single.customers,
      gradeChanges: single.gradeChanges,
      headSequence: single.headSequence,
    });
    // Progress from every worker adds up, never backwards.
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toBe(single.events);
  });

  it('given a corrupt ledger row, when a worker folds it, then the rebuild rejects and releases its lock', async () => {
    const before = await snapshot();
    const [victim] = (await ds.query(
      `SELECT sequence::text AS sequence, type FROM ledger_events WHERE customer_id = (
         SELECT customer_id FROM customer_positions ORDER BY customer_id OFFSET 200 LIMIT 1) LIMIT 1`,
    )) as Array<{ sequence: string; type: string }>;
    const setType = async (type: string): Promise<void> => {
      // The ledger refuses updates; this database is the test's own.
      await ds.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_no_update_delete');
      await ds.query('UPDATE ledger_events SET type = $2 WHERE sequence = $1', [victim.sequence, type]);
      await ds.query('ALTER TABLE ledger_events ENABLE TRIGGER ledger_events_no_update_delete');
    };
    await setType('NoSuchEvent');
    try {
      await expect(
        rebuildProjections(ds, { workers: 3, minEventsPerWorker: 1, pageSize: 97 }),
      ).rejects.toThrow(/rebuild worker for customers .+ failed: .*unknown type/);
    } finally {
      await setType(victim.type);
    }
    // The live tables are the ones before, and the rebuild lock is free again.
    expect(await snapshot()).toEqual(before);
    const session = ds.createQueryRunner();
    try {
      const [{ locked }] = await session.query('SELECT pg_try_advisory_lock($1) AS locked', [
        ADVISORY_LOCKS.rebuild,
      ]);
      expect(locked).toBe(true);
      await session.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCKS.rebuild]);
    } finally {
      await session.release();
    }
    const again = await rebuildProjections(ds, { workers: 3, minEventsPerWorker: 1 });
    expect(again.workers).toBe(3);
    expect(await snapshot()).toEqual(before);
  });
});
