import { ALERT_TOPICS } from '@credit-ledger/domain';
import { LedgerHarness } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';
import { AlertCollector, startAlertStack } from './support/worker-harness';

/**
 * The relay is woken by the writer's NOTIFY at commit, not by its poll: with the poll set to ten minutes an
 * alert still arrives within seconds, and it keeps doing so after its LISTEN connection is killed.
 */
describe('alert relay woken by NOTIFY', () => {
  let h: LedgerHarness;
  let collector: AlertCollector;
  let stop: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    ({ h, collector, stop } = await startAlertStack({ OUTBOX_POLL_MS: '600000' }));
  });

  afterAll(async () => {
    await stop?.();
  });

  const breach = (id: string) => [
    onboarded(id, '2026-01-02T09:00:00Z', {
      name: id,
      currency: 'EUR',
      creditLimit: '100.00',
    }),
    wire(id, 'InvoiceIssued', '2026-02-01T09:00:00Z', {
      invoiceId: `${id}-I`,
      amount: '500.00',
      currency: 'EUR',
      issuedOn: '2026-02-01',
      dueOn: '2026-03-01',
    }),
  ];
  // One invoice takes exposure from 0 to 500 % of the limit: the 90 % and the 100 % thresholds both fire.
  const breachesOf = (id: string) => collector.on(ALERT_TOPICS.limitBreach).filter((a) => a.key === id);

  it('publishes an alert long before the next poll', async () => {
    // The first poll round ran at start-up; the next is ten minutes away.
    await h.publish(breach('C-N1'));
    await collector.waitFor(() => breachesOf('C-N1').length === 2, 'limit breach of C-N1', 20_000);
  });

  it('listens again after its LISTEN connection is terminated, and misses nothing meanwhile', async () => {
    const listeners = () =>
      h.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN alert_outbox'`,
      );
    const [before] = await listeners();
    expect(before).toBeDefined();
    await h.query('SELECT pg_terminate_backend($1)', [before.pid]);
    // Appended while the relay is not listening: the round after reconnecting picks it up.
    await h.publish(breach('C-N2'));
    await collector.waitFor(() => breachesOf('C-N2').length === 2, 'limit breach of C-N2', 20_000);
    const after = await listeners();
    expect(after.map((r) => r.pid)).not.toContain(before.pid);
    expect(after).toHaveLength(1);
    await h.publish(breach('C-N3'));
    await collector.waitFor(() => breachesOf('C-N3').length === 2, 'limit breach of C-N3', 20_000);
  });
});
