import { generateHistory, WireEvent } from '@credit-ledger/testing';
import { LedgerHarness } from './support/ledger-harness';
import { comparable, foldInMemory } from './support/fold';

const NOW = new Date('2026-01-10T00:00:00Z');

/** Interleaves customers differently and duplicates every event, keeping each customer's own order. */
function shuffledWithDuplicates(events: WireEvent[], seed: number): WireEvent[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const perCustomer = new Map<string, WireEvent[]>();
  const pending = new Map<string, Array<{ e: WireEvent; due: number }>>();
  for (const e of events) {
    const list = perCustomer.get(e.customerId) ?? [];
    const copies = pending.get(e.customerId) ?? [];
    list.push(e);
    // The redelivered copy comes after its original: directly, or a few of the customer's events later.
    copies.push({ e, due: list.length + Math.floor(rnd() * 3) });
    while (copies.length && copies[0].due <= list.length) list.push(copies.shift()!.e);
    perCustomer.set(e.customerId, list);
    pending.set(e.customerId, copies);
  }
  for (const [id, copies] of pending) perCustomer.get(id)!.push(...copies.map((c) => c.e));
  const queues = [...perCustomer.values()];
  const out: WireEvent[] = [];
  while (queues.length) {
    const i = Math.floor(rnd() * queues.length);
    out.push(queues[i].shift()!);
    if (queues[i].length === 0) queues.splice(i, 1);
  }
  return out;
}

async function projectionOf(h: LedgerHarness, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const id of ids) {
    const { status, body } = await h.get(`/customers/${id}`);
    expect(status).toBe(200);
    out.set(id, comparable(body));
  }
  return out;
}

describe('ingesting a generated history', () => {
  const history = generateHistory({
    seed: 7,
    customers: 120,
    eventsPerCustomer: 10,
    start: '2025-01-01',
    days: 365,
  });
  const ids = [...new Set(history.map((e) => e.customerId))].sort();
  let inOrder: Map<string, Record<string, unknown>>;

  it('matches an in-memory fold of the same events, customer by customer', async () => {
    const h = await LedgerHarness.start({ clock: () => NOW });
    try {
      await h.publish(history);
      await h.waitForIngestion();
      inOrder = await projectionOf(h, ids);
      const expected = foldInMemory(history, NOW.toISOString());
      expect(inOrder.size).toBe(expected.size);
      for (const id of ids) expect(inOrder.get(id)).toEqual(expected.get(id));
      const [{ n }] = await h.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'",
      );
      expect(n).toBe(history.length);
    } finally {
      await h.stop();
    }
  });

  it('gives identical projections when every event arrives twice, in shuffled per-partition batches', async () => {
    const h = await LedgerHarness.start({ clock: () => NOW, env: { INGEST_BATCH_SIZE: '37' } });
    try {
      const noisy = shuffledWithDuplicates(history, 99);
      expect(noisy.length).toBe(history.length * 2);
      // Publish in uneven chunks so batch boundaries fall in different places than in the first run.
      for (let i = 0; i < noisy.length;) {
        const size = 1 + ((i * 7919) % 311);
        await h.publish(noisy.slice(i, i + size));
        i += size;
      }
      await h.waitForIngestion();
      const again = await projectionOf(h, ids);
      for (const id of ids) expect(again.get(id)).toEqual(inOrder.get(id));
      const [{ n }] = await h.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'",
      );
      expect(n).toBe(history.length);
      expect(h.ingestion.consumer!.stats.duplicates).toBe(history.length);
    } finally {
      await h.stop();
    }
  });
});
