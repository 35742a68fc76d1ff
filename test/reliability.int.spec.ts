import { createHash } from 'node:crypto';
import { POISON_KINDS, generateHistory, interleavePoison } from '@credit-ledger/testing';
import { comparable, foldInMemory } from './support/fold';
import { LedgerHarness, KEYS } from './support/ledger-harness';
import { DeadLetterReader } from './support/dead-letter-reader';
import { wire } from './support/wire';

/**
 * No message may stop ingestion (issue #11): bytes no text column can hold, figures that would overflow a column,
 * a key re-sent with other content, an instant from the far future, and an event the database refuses for a
 * reason nobody foresaw. Each is dead-lettered with its reason — in rejected_events and on the DLQ topic, the
 * original bytes kept — while every valid event around it, on every partition, is applied.
 */
describe.each([1, 2])('reliability: poison never stops ingestion (%i ledger instance(s))', (instances) => {
  let h: LedgerHarness;
  let dlq: DeadLetterReader;

  beforeAll(async () => {
    // Two instances split the six partitions: every guarantee holds with appends running in parallel.
    h = await LedgerHarness.start({ instances });
    dlq = await DeadLetterReader.start(h.kafka, h.config.dlqTopic);
  });
  afterAll(async () => {
    await dlq?.stop();
    await h?.stop();
  });

  const onboard = (id: string, limit = '10000.00') =>
    wire(id, 'CustomerOnboarded', '2026-01-02T09:00:00Z', {
      name: `Customer ${id}`,
      currency: 'EUR',
      creditLimit: limit,
    });
  const invoice = (id: string, invoiceId: string, amount: string, eventId?: string) =>
    wire(
      id,
      'InvoiceIssued',
      '2026-01-05T09:00:00Z',
      { invoiceId, amount, currency: 'EUR', issuedOn: '2026-01-05', dueOn: '2026-02-04' },
      eventId,
    );
  const rejectedOf = (eventId: string) =>
    h.query<{ code: string; reason: string; content_hash: string | null }>(
      `SELECT code, reason, content_hash FROM rejected_events WHERE event_id = $1 ORDER BY id`,
      [eventId],
    );
  const ledgerCount = async (customerId: string) =>
    (
      await h.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ledger_events WHERE customer_id = $1 AND source <> 'credit-ledger'`,
        [customerId],
      )
    )[0].n;

  it('dead-letters NUL bytes, invalid UTF-8 and unpaired surrogates with the original bytes, and keeps going', async () => {
    await h.publish([onboard('N-1')]);
    const valid = invoice('N-1', 'INV-OK', '10.00');
    const bad: Array<{ key: Buffer | string | null; value: Buffer | string; why: RegExp }> = [
      {
        key: 'N-1',
        value: Buffer.from([0x7b, 0x00, 0x7d]),
        why: /^message contains a NUL byte at character 1$/,
      },
      {
        key: Buffer.from('N-\u00001'),
        value: JSON.stringify(invoice('N-1', 'INV-K', '1.00')),
        why: /^message key contains a NUL byte/,
      },
      {
        key: Buffer.from([0x4e, 0xff]),
        value: JSON.stringify(invoice('N-1', 'INV-K2', '1.00')),
        why: /^message key is not valid UTF-8$/,
      },
      { key: 'N-1', value: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), why: /^message is not valid UTF-8$/ },
      {
        key: 'N-2',
        value: JSON.stringify(
          wire('N-2', 'CustomerOnboarded', '2026-01-02T09:00:00Z', { name: 'A\u0000B', currency: 'EUR' }),
        ),
        why: /^payload\.name: contains a NUL character \(U\+0000\) at position 1$/,
      },
      {
        key: 'N-1',
        value: JSON.stringify({ ...invoice('N-1', 'INV-S', '1.00'), source: 'bi\u0000x' }),
        why: /^source: contains a NUL character/,
      },
      {
        key: 'N-1',
        value: JSON.stringify(
          wire('N-1', 'DisputeOpened', '2026-01-06T09:00:00Z', {
            invoiceId: 'INV-OK',
            reason: 'bad\u0000goods',
          }),
        ),
        why: /^payload\.reason: contains a NUL character/,
      },
      {
        key: 'N-1',
        value: JSON.stringify(invoice('N-1', 'INV-U', '1.00')).replace('"test-billing"', '"bill\\ud800"'),
        why: /^source: contains an unpaired UTF-16 surrogate$/,
      },
    ];
    await h.publishRaw([
      ...bad.map((b) => ({ key: b.key, value: b.value })),
      { key: 'N-1', value: JSON.stringify(valid) },
    ]);
    await h.waitForIngestion();

    expect(await ledgerCount('N-1')).toBe(2); // onboarding + INV-OK: nothing stalled
    const rows = await h.query<{
      code: string;
      reason: string;
      raw_value: Buffer;
      message_key: Buffer | null;
    }>(`SELECT code, reason, raw_value, message_key FROM rejected_events`);
    expect(rows).toHaveLength(bad.length);
    for (const b of bad) {
      // Byte for byte what was published, key and value.
      const r = rows.find(
        (x) => x.raw_value.equals(Buffer.from(b.value)) && x.message_key?.equals(Buffer.from(b.key!)),
      );
      expect(r).toMatchObject({ code: 'BAD_ENCODING', reason: expect.stringMatching(b.why) });
    }
    const letters = await dlq.waitFor(bad.length);
    const nul = letters.find(
      (l) => l.headers['x-reject-code'] === 'BAD_ENCODING' && l.letter.valueBase64 === 'ewB9',
    );
    expect(nul).toBeDefined();
    expect(nul!.letter.value).toBeNull();
    expect(nul!.headers).toMatchObject({
      'x-origin-topic': h.config.eventsTopic,
      'x-content-hash': createHash('sha256')
        .update(Buffer.from([0x7b, 0x00, 0x7d]))
        .digest('hex'),
    });
    const badKey = letters.find(
      (l) => l.letter.origin.keyBase64 === Buffer.from([0x4e, 0xff]).toString('base64'),
    );
    expect(badKey?.key?.equals(Buffer.from([0x4e, 0xff]))).toBe(true);
  });

  it('keeps every stored figure in range: out-of-range amounts rejected, utilisation capped', async () => {
    await h.publish([
      onboard('R-1', '1.00'),
      invoice('R-1', 'INV-BIG', '250000.00'), // 25,000,000 % of the limit: used to overflow utilisation_bp
      ...Array.from({ length: 10 }, (_, i) =>
        invoice('R-1', `INV-HUGE-${i}`, '9999999999999999.99', `huge-${i}`),
      ),
    ]);
    await h.publish(
      Array.from({ length: 101 }, (_, i) => invoice('R-2', `INV-MAX-${i}`, '9999999999999.99', `max-${i}`)),
    );
    await h.publish([onboard('R-2')]);
    await h.waitForIngestion();

    const r1 = await h.get('/customers/R-1');
    expect(r1.body).toMatchObject({ openReceivables: '250000.00', utilisation: '99999.9999' });
    const huge = await h.query<{ code: string; reason: string }>(
      `SELECT code, reason, event_id FROM rejected_events WHERE event_id LIKE 'huge-%'`,
    );
    expect(huge).toHaveLength(10);
    for (const r of huge) {
      expect(r).toEqual({
        event_id: expect.stringMatching(/^huge-\d$/),
        code: 'AMOUNT_OUT_OF_RANGE',
        reason:
          'payload.amount: "9999999999999999.99" is above the largest amount accepted, 9999999999999.99',
      });
    }
    // 100 invoices of the largest amount fit; the 101st would take the figure past 10^17 − 1 minor units.
    const r2 = await h.get('/customers/R-2');
    expect(r2.body.openReceivables).toBe('999999999999999.00');
    const over = await h.query<{ event_id: string; code: string; reason: string }>(
      `SELECT event_id, code, reason FROM rejected_events WHERE customer_id = 'R-2'`,
    );
    expect(over).toHaveLength(1);
    expect(over[0].code).toBe('AMOUNT_OUT_OF_RANGE');
    expect(over[0].reason).toMatch(
      /^payload\.amount: open receivables and orders of customer R-2 would be 1009999999999998\.99 EUR/,
    );
  });

  it('tells a redelivery from a key re-sent with other content (DUPLICATE_CONFLICT, both hashes named)', async () => {
    const original = invoice('D-1', 'INV-1', '100.00', 'dup-1');
    await h.publish([onboard('D-1'), original]);
    await h.waitForIngestion();
    const duplicatesBefore = h.ingested('duplicates');
    await h.publish([
      original, // exact redelivery
      { ...original, payload: { ...original.payload, amount: '100.01' } }, // one cent more
      invoice('D-1', 'INV-2', '100.00', 'dup-1'), // another invoice under the same key
    ]);
    await h.waitForIngestion();
    expect(h.ingested('duplicates') - duplicatesBefore).toBe(1);
    const conflicts = await rejectedOf('dup-1');
    expect(conflicts.map((c) => c.code)).toEqual(['DUPLICATE_CONFLICT', 'DUPLICATE_CONFLICT']);
    const [stored] = await h.query<{ content_hash: string }>(
      `SELECT content_hash FROM ledger_events WHERE event_id = 'dup-1'`,
    );
    expect(stored.content_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const c of conflicts) {
      expect(c.content_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(c.content_hash).not.toBe(stored.content_hash);
      expect(c.reason).toBe(
        `event test-billing/dup-1 was already received in the ledger with other content (content hash ${stored.content_hash}); ` +
          `this one has content hash ${c.content_hash}. A correction is a new event with its own eventId`,
      );
    }
    expect((await h.get('/customers/D-1')).body.openReceivables).toBe('100.00');
  });

  it('rejects an event from the far future, so it never becomes the rating clock', async () => {
    await h.publish([onboard('F-1'), invoice('F-1', 'INV-1', '10.00')]);
    await h.publish([
      wire(
        'F-1',
        'OrderPlaced',
        '9999-12-31T23:59:59Z',
        { orderId: 'O-FUTURE', amount: '1.00', currency: 'EUR' },
        'future-1',
      ),
    ]);
    await h.waitForIngestion();
    const [r] = await rejectedOf('future-1');
    expect(r.code).toBe('FUTURE_EVENT');
    expect(r.reason).toMatch(/^occurredAt: 9999-12-31T23:59:59\.000Z is after \d{4}-\d\d-\d\dT/);
    const f1 = await h.get('/customers/F-1');
    expect(f1.body.rating.ratedAt).toBe('2026-01-05T09:00:00.000Z');
  });

  it('bisects out an event the database refuses, appends the rest of the append, on every partition', async () => {
    // A fault nobody foresaw, injected in the database: any row of invoice POISON-1 is refused (a data exception).
    await h.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.payload->>'invoiceId' = 'POISON-1' OR NEW.payload->>'paymentId' = 'PAY-POISON' THEN
          RAISE EXCEPTION 'refused by a test trigger' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$`);
    await h.query(
      `CREATE TRIGGER refuse_poison BEFORE INSERT ON ledger_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()`,
    );
    try {
      const customers = Array.from({ length: 12 }, (_, i) => `B-${i}`);
      await h.publish(customers.map((c) => onboard(c)));
      await h.waitForIngestion();
      // A payment parked for an invoice that is not there yet; it is the poison once the invoice arrives.
      await h.publish([
        wire('B-1', 'PaymentReceived', '2026-01-06T09:00:00Z', {
          paymentId: 'PAY-POISON',
          amount: '5.00',
          currency: 'EUR',
          receivedOn: '2026-01-06',
          allocations: [{ invoiceId: 'INV-LATE', amount: '5.00' }],
        }),
      ]);
      await h.waitForIngestion();
      // One batch over all six partitions: the poison invoice in the middle of B-0's events.
      await h.publish([
        ...customers.map((c) => invoice(c, `INV-A-${c}`, '1.00')),
        invoice('B-0', 'POISON-1', '2.00', 'poison-1'),
        ...customers.map((c) => invoice(c, `INV-B-${c}`, '3.00')),
        invoice('B-1', 'INV-LATE', '5.00', 'late-invoice'),
      ]);
      await h.waitForIngestion();
      for (const c of customers) expect(await ledgerCount(c)).toBe(3 + (c === 'B-1' ? 1 : 0));
      const [poison] = await rejectedOf('poison-1');
      expect(poison.code).toBe('APPEND_FAILED');
      expect(poison.reason).toBe(
        'the ledger could not store this event: refused by a test trigger (SQLSTATE 22023)',
      );
      const parked = await h.query<{ code: string; reason: string }>(
        `SELECT code, reason FROM rejected_events WHERE source = 'test-billing' AND code = 'APPEND_FAILED' AND customer_id = 'B-1'`,
      );
      expect(parked).toEqual([
        {
          code: 'APPEND_FAILED',
          reason:
            'the ledger could not store this parked event once its dependency arrived: refused by a test trigger (SQLSTATE 22023)',
        },
      ]);
      expect(await h.query(`SELECT 1 FROM parked_events WHERE customer_id = 'B-1'`)).toEqual([]);
      expect((await h.get('/customers/B-1')).body.openReceivables).toBe('9.00'); // 1 + 3 + 5: INV-LATE unpaid
      expect(h.ingested('isolated')).toBe(2);
      const metrics = await h.get('/metrics');
      // The instance answering counts its own isolations (all of them with one instance).
      const own = h.ingestion.consumer!.stats.isolated;
      expect(instances > 1 || own === 2).toBe(true);
      expect(metrics.body).toMatch(new RegExp(`^credit_ledger_poison_isolations_total ${own}$`, 'm'));
    } finally {
      await h.query(`DROP TRIGGER refuse_poison ON ledger_events`);
    }
  });

  it('poison matrix: every kind of poison across six partitions, every valid event applied, in bounded time', async () => {
    const valid = generateHistory({ seed: 5, customers: 60, eventsPerCustomer: 12, customerIdPrefix: 'M' });
    const { messages, poison } = interleavePoison(valid, { seed: 5, every: 5 });
    expect(new Set(poison.map((p) => p.kind))).toEqual(new Set(POISON_KINDS));
    // Keyed by 60 customers: the poison lands on every one of the six partitions, among valid events.
    expect(new Set(poison.map((p) => p.key?.toString())).size).toBeGreaterThan(30);
    const before = await h.query<{ n: number }>(`SELECT count(*)::int AS n FROM rejected_events`);
    const started = Date.now();
    await h.publishRaw(messages);
    await h.waitForIngestion(60_000); // bounded: a stall would time out here
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(60);

    const [{ n: appended }] = await h.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ledger_events WHERE customer_id LIKE 'M-%' AND source <> 'credit-ledger'`,
    );
    expect(appended).toBe(valid.length);
    const rejected = await h.query<{ code: string; raw_value: Buffer; reason: string }>(
      `SELECT code, raw_value, reason FROM rejected_events ORDER BY id OFFSET $1`,
      [before[0].n],
    );
    const pairs = (xs: Array<{ code: string; value: Buffer }>) =>
      xs.map((x) => `${x.code} ${x.value.toString('base64')}`).sort();
    expect(pairs(rejected.map((r) => ({ code: r.code, value: r.raw_value })))).toEqual(
      pairs(poison.map((p) => ({ code: p.expectedCode, value: p.value }))),
    );
    for (const r of rejected) expect(r.reason.length).toBeGreaterThan(20);
    // Letters for all of them (at least once each, told apart by x-letter-id).
    await dlq.waitFor(poison.length);
    // Nothing the poison touched moved a figure: positions equal an independent fold of the valid events.
    const AT = '2026-01-15T00:00:00.000Z';
    for (const [id, view] of [...foldInMemory(valid, AT)].slice(0, 20)) {
      expect(comparable((await h.get(`/customers/${id}?asOf=${AT}`)).body)).toEqual(comparable(view));
    }
  });

  it('refuses non-JSON bodies with 415 and writes nothing', async () => {
    await h.publish([onboard('H-1')]);
    await h.waitForIngestion();
    const form = await h.send('POST', '/customers/H-1/blacklist', 'reason=ok', KEYS.finance, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.message).toBe(
      'request bodies must be JSON (Content-Type: application/json), got "application/x-www-form-urlencoded"',
    );
    const text = await h.send('POST', '/customers/H-1/blacklist', '{"reason":"ok"}', KEYS.finance, {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
    expect((await h.get('/customers/H-1')).body.status).toBe('active');
    const json = await h.send('POST', '/customers/H-1/blacklist', { reason: 'ok' }, KEYS.finance);
    expect(json.status).toBe(200);
    expect((await h.get('/customers/H-1')).body.status).toBe('blacklisted');
  });
});
