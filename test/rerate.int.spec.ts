import {
  CustomerState,
  DEFAULT_GRADE_POLICY,
  applyWithRules,
  initialState,
  parseEvent,
  rerate,
} from '@credit-ledger/domain';
import {
  InboundEvent,
  LedgerWriter,
  PolicyStore,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { generateHistory } from '@credit-ledger/testing';
import { LedgerHarness } from './support/ledger-harness';
import {
  cleanRedis,
  jobsClient,
  startWorker,
  uniqueQueuePrefix,
  workerConfig,
} from './support/worker-harness';

const CUSTOMERS = 10_000;
const AT = '2026-03-01T00:00:00.000Z';
/** Deadlines that catch a hang, not a speed target (npm run bench measures speed): generous on a shared machine. */
const JOB_DEADLINE_MS = 240_000;

/**
 * Re-rating a seeded ledger of 10,000 customers in parallel chunks: exactly the customers whose grade changes
 * (computed here with the pure domain) get a CustomerRerated event and a grade-changed alert.
 */
describe('re-rating every customer', () => {
  let h: LedgerHarness;
  const prefix = uniqueQueuePrefix();

  afterAll(async () => {
    await h?.stop();
    if (h) await cleanRedis(h.config.redisUrl, prefix);
  });

  it('re-rates 10,000 customers and records a change only where the grade moved', async () => {
    h = await LedgerHarness.start({ startApp: false, env: { QUEUE_PREFIX: prefix } });
    // A year of history ending 2025-12-31, re-rated two months later: aging and windows move grades.
    const history = generateHistory({
      seed: 11,
      customers: CUSTOMERS,
      eventsPerCustomer: 3,
      start: '2025-01-01',
    });

    // Seed through the writer directly (Kafka adds nothing here), and fold the same events in memory.
    const ds = await createLedgerDataSource(h.config.databaseUrl).initialize();
    const policies = new PolicyStore(ds);
    await policies.load();
    const writer = new LedgerWriter(ds, policies);
    const states = new Map<string, CustomerState>();
    let seq = 0;
    const inbound: InboundEvent[] = history.map((w, i) => {
      const r = parseEvent(JSON.stringify(w), { key: w.customerId });
      if (!r.ok) throw new Error(r.reason);
      const s = states.get(w.customerId) ?? initialState(w.customerId);
      states.set(w.customerId, s);
      applyWithRules(
        s,
        { event: r.event, sequence: String(++seq), streamVersion: s.streamVersion + 1 },
        DEFAULT_GRADE_POLICY,
        () => String(++seq),
      );
      return {
        event: r.event,
        origin: originOf('seed', 0, String(i), w.customerId),
      };
    });
    for (let i = 0; i < inbound.length; i += 5000) await writer.append(inbound.slice(i, i + 5000));
    await ds.destroy();
    const expected = [...states.values()]
      .filter((s) => rerate(s, AT, DEFAULT_GRADE_POLICY).length > 0)
      .map((s) => s.customerId)
      .sort();
    expect(states.size).toBe(CUSTOMERS);
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.length).toBeLessThan(CUSTOMERS);

    const w = await startWorker(workerConfig(h.config, { WORKER_CONCURRENCY: '4', JOB_CHUNK_SIZE: '1000' }), {
      relay: false,
    });
    const jobs = jobsClient(h.config);
    try {
      const job = await jobs.run('rerate-customers', AT);
      const result = await jobs.waitFor(job, JOB_DEADLINE_MS);
      expect(result).toEqual({ at: AT, chunks: 10, customers: CUSTOMERS, appended: expected.length });
      expect((await jobs.queue.getJob(job.id!))!.progress).toBe(100);

      const rerated = await h.query<{ customer_id: string }>(
        `SELECT customer_id FROM ledger_events WHERE type = 'CustomerRerated' ORDER BY customer_id`,
      );
      expect(rerated.map((r) => r.customer_id)).toEqual(expected);
      const alerts = await h.query<{ key: string }>(
        `SELECT key FROM alert_outbox WHERE payload->>'type' = 'CustomerRerated' ORDER BY key`,
      );
      expect(alerts.map((a) => a.key)).toEqual(expected);

      // Running it again at the same instant changes nothing.
      const again = await jobs.waitFor(await jobs.run('rerate-customers', AT), JOB_DEADLINE_MS);
      expect(again.appended).toBe(0);
    } finally {
      await jobs.close();
      await w.app.close();
    }
  }, 600_000);
});
