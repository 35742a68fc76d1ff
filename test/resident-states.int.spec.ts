import { DataSource } from 'typeorm';
import { parseEvent, serializeState } from '@credit-ledger/domain';
import {
  InboundEvent,
  LedgerWriter,
  PolicyStore,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { WireEvent, createTestDatabase, generateHistory } from '@credit-ledger/testing';

/**
 * The writer's resident states (docs/performance.md, "Resident states") are checked against the stored stream
 * version: when another writer appended to a customer in between (a partition changing owner, another instance),
 * the next append folds onto the stored state, never onto the one it held.
 */
describe('resident customer states', () => {
  jest.setTimeout(60_000);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    await db.drop();
  });

  const writerOn = async (): Promise<LedgerWriter> => {
    const ds = await createLedgerDataSource(db.url, { poolSize: 2 }).initialize();
    sources.push(ds);
    const policies = new PolicyStore(ds);
    await policies.load();
    return new LedgerWriter(ds, policies);
  };

  it('given a state held by one writer, when another appends to the customer, then the first reloads it', async () => {
    const [a, b] = [await writerOn(), await writerOn()];
    const history = generateHistory({
      seed: 7,
      customers: 1,
      eventsPerCustomer: 9,
      start: '2025-09-01',
      days: 120,
    });
    const events = history.map((w, i) => inboundOf(w, i));
    const customer = history[0].customerId;
    const storedState = async (): Promise<{ state: string; stream_version: number }> =>
      (
        await sources[0].query(
          'SELECT state, stream_version FROM customer_positions WHERE customer_id = $1',
          [customer],
        )
      )[0];

    await a.append(events.slice(0, 3));
    expect(a.resident.size).toBe(1);
    const heldBefore = a.resident.take([customer]).get(customer)!.state;
    expect(serializeState(heldBefore)).toBe((await storedState()).state);
    a.resident.put(heldBefore, 1000);

    // Another writer takes the customer's next events: a's state is now behind the stored stream version.
    await b.append(events.slice(3, 6));
    const afterB = await storedState();
    expect(afterB.stream_version).toBeGreaterThan(heldBefore.streamVersion);

    // One transaction: the stale state was replaced by the stored one before the fold, not found out by a
    // stream-version conflict and a rerun (which would also end right, so the attempts are counted).
    const attempts = jest.spyOn(sources[0], 'createQueryRunner');
    const r = await a.append(events.slice(6));
    expect(attempts).toHaveBeenCalledTimes(1);
    attempts.mockRestore();
    expect(r.appended).toBe(3);
    expect(r.rejected).toEqual([]);
    const stored = await storedState();
    const held = a.resident.take([customer]).get(customer)!.state;
    expect(held.streamVersion).toBe(stored.stream_version);
    expect(serializeState(held)).toBe(stored.state);

    // Stream versions 1…n without holes, each event once.
    const versions: Array<{ v: number }> = await sources[0].query(
      'SELECT stream_version AS v FROM ledger_events WHERE customer_id = $1 ORDER BY stream_version',
      [customer],
    );
    expect(versions.map((x) => x.v)).toEqual(versions.map((_, i) => i + 1));
    const billing: Array<{ n: number }> = await sources[0].query(
      `SELECT count(*)::int AS n FROM ledger_events WHERE customer_id = $1 AND source <> 'credit-ledger'`,
      [customer],
    );
    expect(billing[0].n).toBe(events.length);
  });
});

function inboundOf(w: WireEvent, offset: number): InboundEvent {
  const r = parseEvent(JSON.stringify(w), { key: w.customerId });
  if (!r.ok) throw new Error(r.reason);
  return { event: r.event, origin: originOf('billing', 0, String(offset), w.customerId) };
}
