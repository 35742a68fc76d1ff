import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { verifyProjections } from '@credit-ledger/projections';
import { generateHistory } from '@credit-ledger/testing';
import { LedgerHarness, waitUntil } from './support/ledger-harness';
import { comparable, foldInMemory } from './support/fold';
import { wire } from './support/wire';

/**
 * Faults that used to stop ingestion until a person restarted the process (issue #11): the broker restarting under
 * the consumer (kafkajs gave up with "Specified group generation id is not valid"), and a database that keeps
 * failing appends. Ingestion recovers by itself each time, and /health says what is going on meanwhile.
 */
describe('self-healing ingestion and honest health', () => {
  let h: LedgerHarness;
  afterEach(() => h?.stop());

  it('resumes by itself after each of ten broker restarts during ingestion, every event exactly once', async () => {
    h = await LedgerHarness.start({
      env: { KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEALTH_INTERVAL_MS: '250', INGEST_BATCH_SIZE: '200' },
    });
    const events = generateHistory({
      seed: 77,
      customers: 120,
      eventsPerCustomer: 25,
      start: '2025-06-01',
      days: 300,
    });
    const AT = '2026-04-01T00:00:00.000Z';
    const chunks: (typeof events)[] = [];
    for (let i = 0; i < events.length; i += 150) chunks.push(events.slice(i, i + 150));
    let published = 0;
    // Upstream keeps publishing through the restarts (retrying a refused send, as a producer would).
    const publishing = (async () => {
      for (const chunk of chunks) {
        for (let attempt = 0; ; attempt++) {
          try {
            await h.publish(chunk);
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        published += chunk.length;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const progress: number[] = [];
    for (let i = 0; i < 10; i++) {
      // Each restart only after ingestion has visibly moved since the last one: it must recover by itself.
      const before = h.ingestion.consumer!.stats.messages;
      await waitUntil(
        () => h.ingestion.consumer!.stats.messages > before || published === events.length,
        60_000,
        () => `ingestion did not resume after restart ${i}: ${h.ingestion.consumer!.stats.lastError}`,
      );
      progress.push(h.ingestion.consumer!.stats.messages);
      await h.broker.restart();
      await new Promise((r) => setTimeout(r, 300));
    }
    await publishing;
    // Every distinct event in the ledger once (a send retried across a restart may have written one twice).
    await waitUntil(
      async () =>
        (
          await h.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'`,
          )
        )[0].n === events.length,
      120_000,
      () =>
        `ledger has not all ${events.length} events; consumer: ${JSON.stringify(h.ingestion.consumer!.stats)}`,
    );
    const [{ dups }] = await h.query<{ dups: number }>(
      `SELECT count(*)::int AS dups FROM (SELECT source, event_id FROM ledger_events GROUP BY 1, 2 HAVING count(*) > 1) d`,
    );
    expect(dups).toBe(0);
    expect(await h.query(`SELECT code FROM rejected_events`)).toEqual([]);
    // Positions equal an independent fold of the same events.
    const expected = foldInMemory(events, AT);
    for (const [id, view] of [...expected].slice(0, 40)) {
      const got = await h.get(`/customers/${id}?asOf=${AT}`);
      expect(comparable(got.body)).toEqual(comparable(view));
    }
    const s = h.ingestion.consumer!.stats;
    expect(s.running).toBe(true);
    if (s.crashes > 0) expect(s.restarts).toBeGreaterThan(0);
    await h.ingestion.monitor!.check();
    const health = await h.get('/health', null);
    expect(health.body).toMatchObject({ status: 'ok', ingestion: 'running', kafka: { reachable: true } });
    expect(health.body.kafka.lag.total).toBe('0');
    expect(health.body.kafka.lag.partitions).toHaveLength(6);
  });

  it('reports Kafka unreachable while it is away, and ok again once it is back', async () => {
    h = await LedgerHarness.start({ env: { KAFKA_HEALTH_INTERVAL_MS: '100' } });
    await waitUntil(async () => (await h.get('/health', null)).body.status === 'ok', 20_000);
    h.broker.faults.refuseConnections(3000);
    h.broker.faults.dropConnections();
    await waitUntil(
      async () => (await h.get('/health', null)).body.kafka.reachable === false,
      10_000,
      () => 'health never noticed Kafka was away',
    );
    const down = await h.get('/health', null);
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('degraded');
    expect(down.body.reasons).toContainEqual(expect.stringMatching(/^Kafka is not reachable: /));
    await waitUntil(
      async () => (await h.get('/health', null)).body.status === 'ok',
      60_000,
      () => 'never ok again',
    );
    const metrics = await h.get('/metrics');
    expect(metrics.body).toMatch(/^credit_ledger_kafka_reachable 1$/m);
    expect(metrics.body).toMatch(/^credit_ledger_ingest_lag\{partition="0"\} 0$/m);
  });

  it('starts while Kafka is away, says so, and ingests once the broker is back', async () => {
    h = await LedgerHarness.start({ startApp: false, env: { KAFKA_HEALTH_INTERVAL_MS: '100' } });
    await h.publish([
      wire('K-1', 'CustomerOnboarded', '2026-01-02T09:00:00Z', { name: 'Late Kafka', currency: 'EUR' }),
    ]);
    h.broker.faults.refuseConnections(12_000);
    const started = Date.now();
    await h.startApp(); // does not throw, does not wait for Kafka
    expect(Date.now() - started).toBeLessThan(12_000);
    await waitUntil(async () => (await h.get('/health', null)).body.kafka.checkedAt !== null, 10_000);
    const away = (await h.get('/health', null)).body;
    expect(away.status).toBe('degraded');
    expect(away.ingestion).toBe('stopped');
    await h.waitForIngestion(60_000);
    expect((await h.get('/customers/K-1')).body.name).toBe('Late Kafka');
  });

  it('retries appends the database keeps failing, shows the stall, and resumes with no event lost', async () => {
    h = await LedgerHarness.start({ env: { KAFKA_HEALTH_INTERVAL_MS: '100', INGEST_STALL_MS: '1500' } });
    const onboard = wire('S-1', 'CustomerOnboarded', '2026-01-02T09:00:00Z', {
      name: 'Stall Ltd',
      currency: 'EUR',
      creditLimit: '1000.00',
    });
    await h.publish([onboard]);
    await h.waitForIngestion();
    // The database fails every insert with a transient error (as a server running out of resources would).
    await h.query(`
      CREATE FUNCTION busy() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'server busy (test)' USING ERRCODE = '53000'; END $$`);
    await h.query(`CREATE TRIGGER busy BEFORE INSERT ON ledger_events FOR EACH ROW EXECUTE FUNCTION busy()`);
    const invoices = Array.from({ length: 5 }, (_, i) =>
      wire('S-1', 'InvoiceIssued', '2026-01-05T09:00:00Z', {
        invoiceId: `INV-${i}`,
        amount: '10.00',
        currency: 'EUR',
        issuedOn: '2026-01-05',
        dueOn: '2026-02-04',
      }),
    );
    await h.publish(invoices);
    await waitUntil(
      async () => {
        const b = (await h.get('/health', null)).body;
        return b.status === 'degraded' && b.reasons.some((r: string) => /has not moved for/.test(r));
      },
      20_000,
      () => 'health never reported the stall',
    );
    const stalled = (await h.get('/health', null)).body;
    expect(stalled.kafka.lag.total).toBe('5');
    expect(stalled.consumer.retries).toBeGreaterThan(0);
    expect(stalled.consumer.lastError).toMatch(/server busy \(test\) \(SQLSTATE 53000\)/);
    // Not poison: nothing was dead-lettered.
    expect(await h.query(`SELECT 1 FROM rejected_events`)).toEqual([]);

    await h.query(`DROP TRIGGER busy ON ledger_events`);
    await h.waitForIngestion(60_000);
    expect((await h.get('/customers/S-1')).body.openReceivables).toBe('50.00');
    await waitUntil(async () => (await h.get('/health', null)).body.status === 'ok', 20_000);

    // The failed appends used sequence numbers (PostgreSQL sequences are not transactional): the global sequence
    // has gaps, which nothing relies on; each customer's stream_version has none.
    const rows = await h.query<{ sequence: string; stream_version: number }>(
      `SELECT sequence::text, stream_version FROM ledger_events WHERE customer_id = 'S-1' ORDER BY sequence`,
    );
    expect(rows.map((r) => r.stream_version)).toEqual(rows.map((_, i) => i + 1));
    expect(Number(rows[rows.length - 1].sequence)).toBeGreaterThan(rows.length);
    const ds = await createLedgerDataSource(h.db.url, { poolSize: 2 }).initialize();
    try {
      // The auditor's replay finds nothing wrong with the gaps…
      expect((await verifyProjections(ds)).differences).toEqual([]);
      // …but a hole in a customer's stream (an event removed behind the triggers' back) is reported.
      await ds.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_no_update_delete');
      await ds.query(`DELETE FROM ledger_events WHERE customer_id = 'S-1' AND stream_version = 3`);
      await ds.query('ALTER TABLE ledger_events ENABLE TRIGGER ledger_events_no_update_delete');
      const tampered = await verifyProjections(ds);
      expect(tampered.differences).toContainEqual({
        customerId: 'S-1',
        kind: 'stream-gap',
        detail: expect.stringMatching(/^stream_version 4 at sequence \d+ where 3 was expected/),
      });
    } finally {
      await ds.destroy();
    }
  });
});
