import { generateHistory } from '@credit-ledger/testing';
import { LedgerHarness, waitUntil } from './support/ledger-harness';
import { spawnTsChild } from './support/child-process';

/**
 * Offsets are committed only after the append is durable: a consumer killed between the append and the commit
 * gets the same messages again on restart, and the ledger still holds each event exactly once.
 */
describe('offset commit after a durable append', () => {
  let h: LedgerHarness;
  afterAll(() => h?.stop());

  it('survives SIGKILL between append and commit with every event exactly once', async () => {
    h = await LedgerHarness.start({ startApp: false, env: { KAFKA_SESSION_TIMEOUT_MS: '6000' } });
    const history = generateHistory({ seed: 3, customers: 40, eventsPerCustomer: 10 });
    await h.publish(history);

    const { child, output } = spawnTsChild('ledger-child.ts', {
      KAFKA_BROKERS: h.config.kafkaBrokers.join(','),
      DATABASE_URL: h.config.databaseUrl,
      KAFKA_GROUP_ID: h.config.kafkaGroupId,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      PORT: '0',
      LOG_LEVEL: 'error',
      API_KEYS: '',
      INGEST_BATCH_SIZE: '50',
    });
    try {
      await waitUntil(
        () => /APPENDED \d+/.test(output()),
        60_000,
        () => `child output: ${output()}`,
      );
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    const appendedBeforeCrash = Number(/APPENDED (\d+)/.exec(output())![1]);
    const [{ n: rowsAfterCrash }] = await h.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'",
    );
    expect(rowsAfterCrash).toBeGreaterThanOrEqual(appendedBeforeCrash);
    expect(rowsAfterCrash).toBeLessThan(history.length);

    // Nothing past the crashed chunk was committed: the group's committed offsets cover fewer messages than the rows.
    const admin = h.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({
      groupId: h.config.kafkaGroupId,
      topics: [h.config.eventsTopic],
    });
    await admin.disconnect();
    const committed = offsets[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBeLessThan(rowsAfterCrash);

    // Restart in the same group: the stalled chunk is delivered again and deduplicated.
    await h.startApp();
    await waitUntil(
      async () =>
        (
          await h.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'",
          )
        )[0].n >= history.length,
      60_000,
      () => 'ledger to hold the whole history',
    );
    await waitUntil(
      () => h.ingestion.consumer!.stats.duplicates > 0,
      30_000,
      () => 'a redelivered duplicate',
    );
    const dupes = await h.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM (SELECT source, event_id FROM ledger_events GROUP BY 1, 2 HAVING count(*) > 1) d',
    );
    expect(dupes[0].n).toBe(0);
    const [{ n: finalRows }] = await h.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'",
    );
    expect(finalRows).toBe(history.length);
  });
});
