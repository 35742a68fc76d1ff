import { generateHistory, generateMalformed, customerIdsWithCurrency } from '@credit-ledger/testing';
import { LedgerHarness, waitUntil } from './support/ledger-harness';

/**
 * 1,000 malformed messages interleaved with valid ones: each lands in the DLQ topic and in rejected_events with
 * its reason, and every valid event is applied — the partition never blocks.
 */
describe('dead letters', () => {
  let h: LedgerHarness;
  afterAll(() => h?.stop());

  it('rejects each malformed message with its reason while the valid ones flow', async () => {
    h = await LedgerHarness.start();
    const valid = generateHistory({ seed: 11, customers: 60, eventsPerCustomer: 8 });
    const eurCustomers = customerIdsWithCurrency({ seed: 11, customers: 60, eventsPerCustomer: 8 }, 'EUR');
    const bad = generateMalformed(1000, 5, eurCustomers);
    expect(new Set(bad.map((b) => b.expectedCode)).size).toBeGreaterThanOrEqual(10);

    // Onboardings first, so a currency-mismatch message meets its customer already in the ledger.
    const onboarded = valid.filter((e) => e.type === 'CustomerOnboarded');
    await h.publish(onboarded);
    await h.waitForIngestion();
    const rest = valid.filter((e) => e.type !== 'CustomerOnboarded');
    const mixed: Array<{ key: string | null; value: string }> = [];
    for (let i = 0, j = 0; i < rest.length || j < bad.length;) {
      if (j < bad.length && (i >= rest.length || (i + j) % 3 === 0))
        mixed.push({ key: bad[j].key, value: bad[j++].value });
      else mixed.push({ key: rest[i].customerId, value: JSON.stringify(rest[i++]) });
    }
    await h.publishRaw(mixed);
    await h.waitForIngestion();

    const [{ n: appended }] = await h.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'",
    );
    expect(appended).toBe(valid.length);

    const rejected = await h.query<{ code: string; reason: string; raw_value: string }>(
      'SELECT code, reason, raw_value FROM rejected_events',
    );
    expect(rejected).toHaveLength(1000);
    // Some malformed values repeat (an empty value, say), so compare as multisets of (value, code).
    const pairs = (xs: Array<{ value: string; code: string }>) =>
      xs.map((x) => `${x.code}\u0000${x.value}`).sort();
    expect(pairs(rejected.map((r) => ({ value: r.raw_value, code: r.code })))).toEqual(
      pairs(bad.map((b) => ({ value: b.value, code: b.expectedCode }))),
    );
    for (const r of rejected) expect(r.reason.length).toBeGreaterThan(10);

    // The same 1,000, with reasons, on the dead-letter topic.
    const letters: Array<{ code: string; reason: string; value: string }> = [];
    const consumer = h.kafka.consumer({ groupId: 'dlq-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: h.config.dlqTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void letters.push(JSON.parse(message.value!.toString())),
    });
    try {
      await waitUntil(
        () => letters.length >= 1000,
        30_000,
        () => `${letters.length} dead letters`,
      );
    } finally {
      await consumer.disconnect();
    }
    expect(letters).toHaveLength(1000);
    expect(pairs(letters)).toEqual(pairs(bad.map((b) => ({ value: b.value, code: b.expectedCode }))));
    const reasonOf = new Map(rejected.map((r) => [`${r.code}\u0000${r.raw_value}`, r.reason]));
    for (const l of letters) expect(l.reason).toBe(reasonOf.get(`${l.code}\u0000${l.value}`));
  });
});
