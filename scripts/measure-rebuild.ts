/**
 * One-off: seeds a fresh database with a generated ledger through the LedgerWriter, then measures
 * `rebuildProjections` and `verifyProjections` on it. Usage:
 *   node -r @swc-node/register scripts/measure-rebuild.ts [events=200000]
 * The benchmark suite calls rebuildProjections(ds, opts) the same way.
 */
import 'reflect-metadata';
import { parseEvent } from '@credit-ledger/domain';
import {
  InboundEvent,
  LedgerWriter,
  PolicyStore,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { rebuildProjections, verifyProjections } from '@credit-ledger/projections';
import { createTestDatabase, generateEvents } from '@credit-ledger/testing';

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 200_000);
  const perCustomer = 20;
  const db = await createTestDatabase();
  const ds = await createLedgerDataSource(db.url, { poolSize: 4 }).initialize();
  try {
    const policies = new PolicyStore(ds);
    await policies.load();
    const writer = new LedgerWriter(ds, policies);
    let t = Date.now();
    let batch: InboundEvent[] = [];
    let n = 0;
    for (const w of generateEvents({
      seed: 7,
      customers: events / perCustomer,
      eventsPerCustomer: perCustomer,
    })) {
      const p = parseEvent(w);
      if (!p.ok) throw new Error(p.reason);
      batch.push({
        event: p.event,
        origin: originOf('seed', 0, String(n++), w.customerId),
      });
      if (batch.length === 5000) {
        await writer.append(batch);
        batch = [];
      }
    }
    await writer.append(batch);
    const [{ total }] = await ds.query('SELECT count(*)::int AS total FROM ledger_events');
    console.log(`seeded ${total} ledger events (${n} billing) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const r = await rebuildProjections(ds);
    console.log(
      `rebuild: ${r.events} events, ${r.customers} customers, ${r.gradeChanges} grade changes in ${r.seconds.toFixed(1)} s = ${r.eventsPerSecond} events/s`,
    );
    t = Date.now();
    const v = await verifyProjections(ds);
    const secs = (Date.now() - t) / 1000;
    console.log(
      `replay verification: ${v.events} events in ${secs.toFixed(1)} s = ${Math.round(v.events / secs)} events/s, ${v.differences.length} differences`,
    );
  } finally {
    await ds.destroy();
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
