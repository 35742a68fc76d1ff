import { DataSource } from 'typeorm';
import { CONTROL_SOURCE } from '@credit-ledger/domain';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { verifyProjections } from '@credit-ledger/projections';
import { generateHistory } from '@credit-ledger/testing';
import { comparable, foldInMemory } from './support/fold';
import { KEYS, LedgerHarness } from './support/ledger-harness';

const NOW = new Date('2026-01-10T00:00:00Z');

/**
 * Two ledger instances in one consumer group on the embedded broker: the six partitions split between them and
 * both append at once (no global lock). Then one instance leaves mid-stream and the other takes its partitions
 * over from the committed offsets. Every billing event lands exactly once, and both instances serve the same
 * position for every customer — the one an in-memory fold of the history gives.
 */
describe('two ledger instances append in parallel', () => {
  let h: LedgerHarness;
  let ds: DataSource;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW, instances: 2, env: { INGEST_BATCH_SIZE: '40' } });
    ds = await createLedgerDataSource(h.db.url, { poolSize: 2 }).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await h?.stop();
  });

  const billingCounts = async () =>
    (
      await h.query<{ n: number; keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (source, event_id))::int AS keys FROM ledger_events
         WHERE source <> $1`,
        [CONTROL_SOURCE],
      )
    )[0];

  it('splits the partitions, appends exactly once, and both instances answer the same positions', async () => {
    const history = generateHistory({
      seed: 17,
      customers: 90,
      eventsPerCustomer: 10,
      start: '2025-03-01',
      days: 300,
    });
    await h.publish(history);
    await h.waitForIngestion();
    const [a, b] = h.instances.map((i) => i.consumer!.stats);
    expect(a.partitions + b.partitions).toBe(6);
    // Both appended: the work really was split.
    expect(a.appended).toBeGreaterThan(0);
    expect(b.appended).toBeGreaterThan(0);
    expect(await billingCounts()).toEqual({ n: history.length, keys: history.length });

    const expected = foldInMemory(history, NOW.toISOString());
    for (const [id, view] of expected) {
      const here = await h.get(`/customers/${id}`);
      const there = await fetch(`${h.peerUrls[0]}/customers/${id}`, {
        headers: { authorization: `Bearer ${KEYS.reader}` },
      });
      expect(here.status).toBe(200);
      expect(comparable(here.body)).toEqual(view);
      expect(comparable((await there.json()) as Record<string, unknown>)).toEqual(view);
    }
    expect((await verifyProjections(ds)).differences).toEqual([]);
  });

  it('one instance leaves mid-stream: the other takes its partitions over, still exactly once', async () => {
    const more = generateHistory({
      seed: 18,
      customers: 60,
      eventsPerCustomer: 8,
      start: '2025-03-01',
      days: 300,
      customerIdPrefix: 'L',
    });
    const half = Math.floor(more.length / 2);
    const before = await billingCounts();
    await h.publish(more.slice(0, half));
    const leaving = h.peers.splice(0, 1)[0];
    h.peerUrls.splice(0, 1);
    await Promise.all([leaving.close(), h.publish(more.slice(half))]);
    // What the instance that left had handled is counted no more: wait on the ledger itself.
    const deadline = Date.now() + 60_000;
    while ((await billingCounts()).keys < before.keys + more.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await billingCounts()).toEqual({ n: before.n + more.length, keys: before.keys + more.length });
    expect(h.ingestion.consumer!.stats.partitions).toBe(6);
    for (const [id, view] of foldInMemory(more, NOW.toISOString())) {
      expect(comparable((await h.get(`/customers/${id}`)).body)).toEqual(view);
    }
    expect((await verifyProjections(ds)).differences).toEqual([]);
  });
});
