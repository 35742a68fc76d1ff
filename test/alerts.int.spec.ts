import {
  ALERT_TOPICS,
  BillingEvent,
  CustomerState,
  GradePolicy,
  overdueNotices,
  parseEvent,
} from '@credit-ledger/domain';
import { InboundEvent, LedgerWriter, originOf } from '@credit-ledger/ledger-store';
import { LedgerHarness, waitUntil } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';
import { AlertCollector, startAlertStack } from './support/worker-harness';

/**
 * Alerts raised on ingest (limit breach, held order, auto-release) travel ledger → outbox → relay → Kafka, and
 * survive a broker outage: they wait in the outbox and all arrive afterwards, each alertId once.
 */
describe('alerts on ingest and the outbox relay', () => {
  let h: LedgerHarness;
  let collector: AlertCollector;
  let stop: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    ({ h, collector, stop } = await startAlertStack());
  });

  afterAll(async () => {
    await stop?.();
  });

  const onboard = (id: string, limit: string) =>
    onboarded(id, '2026-01-02T09:00:00Z', { name: id, currency: 'EUR', creditLimit: limit });
  const invoice = (id: string, inv: string, amount: string, day: string) =>
    wire(id, 'InvoiceIssued', `2026-02-${day}T09:00:00Z`, {
      invoiceId: inv,
      amount,
      currency: 'EUR',
      issuedOn: `2026-02-${day}`,
      dueOn: '2026-03-31',
    });
  const pay = (id: string, payment: string, amount: string, day: string) =>
    wire(id, 'PaymentReceived', `2026-02-${day}T10:00:00Z`, {
      paymentId: payment,
      amount,
      currency: 'EUR',
      receivedOn: `2026-02-${day}`,
    });

  it('alerts at 90 % and 100 % of the limit in receivables (orders do not count), and again after it fell back', async () => {
    await h.publish([
      onboard('C-L', '1000.00'),
      invoice('C-L', 'I-1', '850.00', '01'), // receivables 85 %
      wire('C-L', 'OrderPlaced', '2026-02-02T09:00:00Z', {
        orderId: 'O-1',
        amount: '50.00',
        currency: 'EUR',
      }), // exposure 90 %, receivables still 85 %: no warning (seed 004 measures receivables)
      invoice('C-L', 'I-2', '20.00', '03'), // 87 %
      invoice('C-L', 'I-3', '80.00', '04'), // 95 %: 90 fires
      invoice('C-L', 'I-4', '50.00', '05'), // 100 %: 100 fires
      pay('C-L', 'P-1', '200.01', '06'), // 79.999 %: both re-armed
      invoice('C-L', 'I-5', '150.00', '07'), // 94.999 %: 90 again
    ]);
    const mine = () => collector.on(ALERT_TOPICS.limitBreach).filter((a) => a.key === 'C-L');
    await collector.waitFor(() => mine().length >= 3, 'three limit breaches of C-L');
    await new Promise((r) => setTimeout(r, 300));
    expect(
      mine().map((a) => [
        a.value.type,
        a.value.details.thresholdPct,
        a.value.details.measure,
        a.value.details.receivables,
        a.value.details.exposure,
      ]),
    ).toEqual([
      ['LimitBreached', 90, 'receivables', '950.00', '1000.00'],
      ['LimitBreached', 100, 'receivables', '1000.00', '1050.00'],
      ['LimitBreached', 90, 'receivables', '949.99', '999.99'],
    ]);
    expect(new Set(mine().map((a) => a.value.alertId)).size).toBe(3);
    const [first] = mine();
    const [row] = await h.query<{ sequence: string; event_id: string }>(
      `SELECT sequence::text, event_id FROM ledger_events WHERE event_id = $1`,
      [first.value.alertId],
    );
    expect(first.value).toMatchObject({ customerId: 'C-L', ledgerSequence: row.sequence });
  });

  it('holds an order over the limit and releases it when a payment frees credit; the position shows it', async () => {
    await h.publish([
      onboard('C-H', '1000.00'),
      invoice('C-H', 'I-1', '900.00', '01'),
      wire('C-H', 'OrderPlaced', '2026-02-02T09:00:00Z', {
        orderId: 'SO-1',
        amount: '300.00',
        currency: 'EUR',
      }),
    ]);
    const held = () => collector.on(ALERT_TOPICS.orderHeld).filter((a) => a.key === 'C-H');
    await collector.waitFor(() => held().length >= 1, 'order held');
    expect(held()[0].value).toMatchObject({
      alertId: 'order-held:C-H:SO-1',
      type: 'OrderHeld',
      occurredAt: '2026-02-02T09:00:00.000Z',
      details: {
        orderId: 'SO-1',
        reason: 'over-limit',
        exposure: '900.00',
        available: '100.00',
        currency: 'EUR',
      },
    });
    await h.waitForIngestion();
    expect((await h.get('/customers/C-H')).body).toMatchObject({
      openOrders: '0.00',
      heldOrders: '300.00',
      exposure: '900.00',
      available: '100.00',
    });

    await h.publish([pay('C-H', 'P-1', '300.00', '03')]); // 600 + 300 = 900 ≤ 1000
    await collector.waitFor(() => held().length >= 2, 'order released');
    expect(held()[1].value).toMatchObject({
      alertId: 'order-released:C-H:SO-1',
      type: 'OrderReleased',
      details: { orderId: 'SO-1', releasedBy: 'auto' },
    });
    await h.waitForIngestion();
    expect((await h.get('/customers/C-H')).body).toMatchObject({
      openReceivables: '600.00',
      openOrders: '300.00',
      heldOrders: '0.00',
      exposure: '900.00',
    });
  });

  it('queues alerts in the outbox while Kafka is down and delivers each once after recovery', async () => {
    const writer = h.app!.get(LedgerWriter);
    const ids = Array.from({ length: 40 }, (_, i) => `C-O${String(i).padStart(2, '0')}`);
    const events: BillingEvent[] = ids.flatMap((id) =>
      [onboard(id, '10000.00'), invoice(id, `I-${id}`, '100.00', '01')].map((w) => {
        const r = parseEvent(JSON.stringify(w), { key: id });
        if (!r.ok) throw new Error(r.reason);
        return r.event;
      }),
    );
    const inbound: InboundEvent[] = events.map((event, i) => ({
      event,
      origin: originOf('seed', 0, String(i), event.customerId),
    }));

    h.broker.faults.refuseConnections(4000);
    h.broker.faults.dropConnections();
    // While the broker is away: the events land (PostgreSQL only) and a scan raises 40 overdue notices.
    await writer.append(inbound);
    const at = '2026-04-01T00:00:00.000Z';
    const rule = (s: CustomerState, p: GradePolicy) => overdueNotices(s, at, p);
    // 40 notices, each followed by the collection task it opens.
    expect((await writer.appendControl(ids, rule)).appended).toBe(80);
    expect((await writer.appendControl(ids, rule)).appended).toBe(0);
    const [{ n: waiting }] = await h.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alert_outbox WHERE sent_at IS NULL AND topic = $1`,
      [ALERT_TOPICS.overdue],
    );
    expect(waiting).toBe(40);

    const overdue = () => collector.on(ALERT_TOPICS.overdue).filter((a) => a.key.startsWith('C-O'));
    await collector.waitFor(() => overdue().length >= 40, '40 overdue alerts after the outage', 60_000);
    await waitUntil(
      async () =>
        (await h.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_outbox WHERE sent_at IS NULL`))[0]
          .n === 0,
      30_000,
      () => 'outbox drained',
    );
    await new Promise((r) => setTimeout(r, 500));
    const all = collector.received.map((a) => a.value.alertId);
    expect(all.length).toBe(new Set(all).size);
    expect(
      overdue()
        .map((a) => a.value.alertId)
        .sort(),
    ).toEqual(ids.map((id) => `overdue:${id}:I-${id}:reminder`));
  });
});
