import { DataSource } from 'typeorm';
import { CONTROL_SOURCE } from '@credit-ledger/domain';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { RebuildPhase, rebuildProjections, verifyProjections } from '@credit-ledger/projections';
import { generateHistory } from '@credit-ledger/testing';
import { comparable, foldInMemory } from './support/fold';
import { LedgerHarness } from './support/ledger-harness';

const NOW = new Date('2026-01-10T00:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rebuild while a producer keeps publishing into a running ledger', () => {
  it('swaps in projections equal to a fresh fold, with every event exactly once', async () => {
    const history = generateHistory({
      seed: 11,
      customers: 150,
      eventsPerCustomer: 12,
      start: '2025-01-01',
      days: 365,
    });
    const h = await LedgerHarness.start({ clock: () => NOW, env: { INGEST_BATCH_SIZE: '50' } });
    const ds: DataSource = await createLedgerDataSource(h.config.databaseUrl, { poolSize: 3 }).initialize();
    try {
      const head = async (): Promise<bigint> =>
        BigInt(
          (await h.query<{ s: string }>('SELECT COALESCE(max(sequence), 0)::text AS s FROM ledger_events'))[0]
            .s,
        );
      const warm = Math.floor(history.length * 0.4);
      await h.publish(history.slice(0, warm));
      await h.waitForIngestion();

      // The producer publishes the rest in small chunks for the whole rebuild.
      let rebuilding = true;
      const producer = (async () => {
        for (let i = warm; i < history.length; i += 40) {
          await h.publish(history.slice(i, i + 40));
          await sleep(rebuilding ? 25 : 0);
        }
      })();
      const phases = new Set<RebuildPhase>();
      const headAtStart = await head();
      const result = await rebuildProjections(ds, {
        pageSize: 60,
        writeBatch: 5,
        lockedCatchUpBelow: 30,
        onProgress: (p) => phases.add(p.phase),
      });
      rebuilding = false;
      // Appends went on during the rebuild, and the swap caught up with them.
      expect(BigInt(result.headSequence)).toBeGreaterThan(headAtStart);
      expect(phases).toEqual(new Set(['replay', 'catch-up', 'swap']));
      await producer;
      await h.waitForIngestion();

      // Billing events exactly once (the control events the rules derive come on top, from CONTROL_SOURCE).
      const [counts] = await h.query<{ n: number; keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (source, event_id))::int AS keys FROM ledger_events WHERE source <> $1`,
        [CONTROL_SOURCE],
      );
      expect(counts).toEqual({ n: history.length, keys: history.length });
      // The checkpoint records where the swapped-in projections were complete (appends keep them current after).
      const [cp] = await h.query<{ cp: string }>(
        `SELECT sequence::text AS cp FROM projection_checkpoints WHERE name = 'customer_positions'`,
      );
      expect(cp.cp).toBe(result.headSequence);
      // The live tables keep their migration-given index names after the swap.
      const indexes = await h.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename IN ('customer_positions', 'grade_history') ORDER BY 1`,
      );
      expect(indexes.map((i) => i.indexname)).toEqual(
        expect.arrayContaining(['customer_positions_grade', 'customer_positions_pkey', 'grade_history_pkey']),
      );
      expect(
        await h.query(`SELECT tablename FROM pg_tables WHERE tablename ~ '_(rebuild|retired)$'`),
      ).toEqual([]);
      // And their storage parameters (fillfactor, autovacuum), which LIKE does not copy.
      const [options] = await h.query<{ reloptions: string[] }>(
        `SELECT reloptions FROM pg_class WHERE relname = 'customer_positions'`,
      );
      expect(options.reloptions).toEqual(expect.arrayContaining(['fillfactor=80']));

      const expected = foldInMemory(history, NOW.toISOString());
      for (const [id, view] of expected) {
        const { status, body } = await h.get(`/customers/${id}`);
        expect(status).toBe(200);
        expect(comparable(body)).toEqual(view);
      }
      expect((await verifyProjections(ds)).differences).toEqual([]);
    } finally {
      await ds.destroy();
      await h.stop();
    }
  });
});
