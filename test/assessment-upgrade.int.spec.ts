import { DataSource } from 'typeorm';
import { FIVE_FACTOR_GRADE_POLICY, parseEvent } from '@credit-ledger/domain';
import {
  InboundEvent,
  LedgerWriter,
  PolicyStore,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { AssessmentPolicy1765000000000 } from '../libs/ledger-store/src/migrations/1765000000000-AssessmentPolicy';
import { rebuildProjections, verifyProjections } from '@credit-ledger/projections';
import { TestDatabase, createTestDatabase, generateHistory } from '@credit-ledger/testing';
import { regradeAll } from '../apps/cli/src/commands/policy';

const MID = '2025-07-01T00:00:00.000Z';

/**
 * A ledger created before the assessment model graded with the five-factor policy. After the upgrade its grades
 * still replay byte for byte under the version that gave them, the migration adopts the assessment default for
 * what comes next, and `policy regrade` records the move in the ledger.
 */
describe('upgrading a five-factor ledger to the assessment model', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const history = generateHistory({
    seed: 12,
    customers: 20,
    eventsPerCustomer: 14,
    start: '2025-01-01',
    days: 365,
  });
  const inbound = (events: typeof history): InboundEvent[] =>
    events.map((w, i) => {
      const parsed = parseEvent(w, { key: w.customerId });
      if (!parsed.ok) throw new Error(parsed.reason);
      return {
        event: parsed.event,
        origin: originOf('upgrade', 0, String(i), w.customerId, JSON.stringify(w)),
      };
    });

  const migrate = async (): Promise<void> => {
    const qr = ds.createQueryRunner();
    await qr.startTransaction();
    await new AssessmentPolicy1765000000000().up(qr);
    await qr.commitTransaction();
    await qr.release();
  };

  let fiveFactorGrades = 0;
  let headBefore = '';
  let regraded = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createLedgerDataSource(db.url, { poolSize: 3 }).initialize();
    // Version 1 as such a ledger stored it: the five-factor default, without a model.
    const { model: _model, ...stored } = FIVE_FACTOR_GRADE_POLICY;
    await ds.query('UPDATE grade_policies SET policy = $1 WHERE version = 1', [JSON.stringify(stored)]);
    const before = new PolicyStore(ds);
    await before.load();
    const first = await new LedgerWriter(ds, before).append(
      inbound(history.filter((e) => e.occurredAt < MID)),
    );
    expect(first.rejected).toEqual([]);
    [{ n: fiveFactorGrades, head: headBefore }] = await ds.query(
      `SELECT (SELECT count(*)::int FROM grade_history) AS n, (SELECT max(sequence)::text FROM ledger_events) AS head`,
    );
    // The upgrade: the migration (run twice: the second finds the assessment model in force and does nothing),
    // then the recorded re-grade and the rest of the year.
    await migrate();
    await migrate();
    regraded = (await regradeAll(ds)).rerated;
    const after = new PolicyStore(ds);
    await after.load();
    const second = await new LedgerWriter(ds, after).append(
      inbound(history.filter((e) => e.occurredAt >= MID)),
    );
    expect(second.rejected).toEqual([]);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('adopts the assessment default from the next sequence, once', async () => {
    const versions: Array<{ version: number; model: string | null; from: string; created_by: string }> =
      await ds.query(
        `SELECT version, policy->>'model' AS model, effective_from_sequence::text AS from, created_by
         FROM grade_policies ORDER BY version`,
      );
    expect(versions).toEqual([
      { version: 1, model: null, from: '1', created_by: 'migration' },
      { version: 2, model: 'assessment', from: String(BigInt(headBefore) + 1n), created_by: 'migration' },
    ]);
  });

  it('keeps the five-factor grades and records the re-grade and later grades under the assessment model', async () => {
    expect(fiveFactorGrades).toBeGreaterThan(20);
    expect(regraded).toBeGreaterThan(0);
    const models: Array<{ v: number; terms: boolean; factors: number; n: number }> = await ds.query(
      `SELECT policy_version AS v, rating ? 'terms' AS terms, jsonb_array_length(rating->'factors') AS factors,
              count(*)::int AS n
       FROM grade_history GROUP BY 1, 2, 3 ORDER BY 1`,
    );
    expect(models.map(({ n: _n, ...m }) => m)).toEqual([
      { v: 1, terms: false, factors: 5 },
      { v: 2, terms: true, factors: 15 },
    ]);
    expect(models[0].n).toBe(fiveFactorGrades);
    const rerated: Array<{ n: number }> = await ds.query(
      `SELECT count(*)::int AS n FROM grade_history WHERE event_type = 'CustomerRerated' AND policy_version = 2`,
    );
    expect(rerated[0].n).toBe(regraded);
  });

  it('replays every grade of both models byte for byte, and a rebuild gives the same bytes', async () => {
    const r = await verifyProjections(ds);
    expect(r.differences).toEqual([]);
    expect(r.customers).toBe(20);
    const states = await ds.query('SELECT customer_id, state FROM customer_positions ORDER BY customer_id');
    await rebuildProjections(ds);
    expect(await ds.query('SELECT customer_id, state FROM customer_positions ORDER BY customer_id')).toEqual(
      states,
    );
  });
});
