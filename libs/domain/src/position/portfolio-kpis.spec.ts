import { TestLedger } from '../../test/builders';
import { collectionsByOwner, formatRatio, portfolioKpis } from './portfolio-kpis';

const JUNE = { fromDate: '2026-05-31', toDate: '2026-06-30', at: '2026-06-30T23:59:59.999Z' };

describe('portfolio KPIs', () => {
  it('given two EUR customers and one JPY, when measured over June, then each currency has its own hand-computed figures', () => {
    const a = new TestLedger('K-A');
    a.onboard('EUR', '10000.00', '2026-01-01T00:00:00Z', 'Alpha');
    a.invoice('I-1', '1000.00', '2026-05-01', '2026-05-31'); // past due from 06-01
    a.invoice('I-2', '2000.00', '2026-06-05', '2026-07-05'); // June sale, current at 06-30
    a.pay('P-1', '600.00', '2026-06-10', [{ invoiceId: 'I-1', amount: '600.00' }]); // recovered (late)
    a.add('OrderPlaced', { orderId: 'O-1', amount: '500.00', currency: 'EUR' }, '2026-06-12T00:00:00Z');
    const b = new TestLedger('K-B');
    b.onboard('EUR', '5000.00', '2026-01-01T00:00:00Z', 'Beta');
    b.invoice('I-3', '800.00', '2026-06-01', '2026-06-15'); // June sale, overdue at 06-30
    b.invoice('I-4', '200.00', '2026-06-02', '2026-06-20');
    b.add('InvoiceWrittenOff', { invoiceId: 'I-4' }, '2026-06-25T00:00:00Z');
    const c = new TestLedger('K-C');
    c.onboard('JPY', '100000', '2026-01-01T00:00:00Z', 'Gamma');
    c.invoice('I-5', '30000', '2026-06-03', '2026-07-03');

    const grades = [a, b, c].map((l) => l.state.rating?.grade);
    const top = [grades[0]!]; // Alpha's grade counts as top, so its sales are the "top" share
    const [eur, jpy] = portfolioKpis([a.state, b.state, c.state], JUNE, top);

    // EUR: open 400 + 2000 (Alpha) + 800 (Beta) = 3200.00; overdue 400 + 800 = 1200.00; rate 1200/3200 = 0.3750
    // June sales 2000 + 800 + 200 = 3000.00; written off 200 → 200/3000 = 0.0666; recovered 600 →
    // 600 / (600 + 1200) = 0.3333; 90-day sales to 06-30 (after 04-01): 1000 + 3000 = 4000 → DSO 3200×90/4000 = 72.0
    expect(eur).toMatchObject({
      currency: 'EUR',
      customers: 2,
      openReceivables: 320000n,
      overdue: 120000n,
      overdueRateBp: 3750,
      sales: 300000n,
      writtenOff: 20000n,
      badDebtRateBp: 666,
      recovered: 60000n,
      overdueRecoveryRateBp: 3333,
      sales90d: 400000n,
      dsoDays: 72,
      pendingApprovals: 0,
    });
    // Alpha's exposure: 400 + 2000 + order 500 = 2900.00 (held or not, the order check decides; both counted here)
    expect(eur.exposure + eur.heldOrdersAmount).toBe(290000n + 80000n);
    // top grade: Alpha's June sales 2000 of 3000 (Beta shares the grade when they are equal)
    expect(eur.topGradeSales).toBe(grades[1] === grades[0] ? 300000n : 200000n);
    expect(jpy).toMatchObject({ currency: 'JPY', sales: 30000n, overdue: 0n, overdueRateBp: 0, dsoDays: 90 });
    expect(formatRatio(eur.overdueRateBp)).toBe('0.3750');
    expect(formatRatio(null)).toBeNull();
  });

  it('given account owners, when ranking collections, then most collected first per currency', () => {
    const a = new TestLedger('K-A');
    a.onboardWith({ accountOwner: { id: 'S-1', name: 'Sara' } }, 'EUR', '1000.00');
    a.invoice('I-1', '500.00', '2026-06-01', '2026-06-30');
    a.pay('P-1', '100.00', '2026-06-10', [{ invoiceId: 'I-1', amount: '100.00' }]);
    const b = new TestLedger('K-B');
    b.onboardWith({ accountOwner: { id: 'S-2', name: 'Sven' } }, 'EUR', '1000.00');
    b.invoice('I-2', '400.00', '2026-06-01', '2026-06-30');
    b.pay('P-2', '300.00', '2026-06-11', [{ invoiceId: 'I-2', amount: '300.00' }]);
    b.pay('P-3', '50.00', '2026-07-02', [{ invoiceId: 'I-2', amount: '50.00' }]); // after the period
    const c = new TestLedger('K-C');
    c.onboardWith({}, 'EUR', '1000.00');
    const rows = collectionsByOwner([a.state, b.state, c.state], JUNE);
    expect(rows.map((r) => [r.rank, r.ownerId, r.collected, r.sales, r.collectionRateBp])).toEqual([
      [1, 'S-2', 30000n, 40000n, 7500], // 300 / 400
      [2, 'S-1', 10000n, 50000n, 2000], // 100 / 500
      [3, null, 0n, 0n, null],
    ]);
  });
});
