import { TestLedger } from '../../test/builders';
import { bucketFor } from './aging';
import { dso, evaluatePosition } from './position';

describe('exposure', () => {
  it('adds open receivables and open orders', () => {
    const l = new TestLedger();
    l.onboard('EUR', '10000.00');
    l.invoice('INV-1', '3000.00', '2026-01-01', '2026-01-31');
    l.invoice('INV-2', '1000.00', '2026-01-02', '2026-02-01');
    l.pay('PAY-1', '500.00', '2026-01-03', [{ invoiceId: 'INV-2', amount: '500.00' }]);
    l.add('OrderPlaced', { orderId: 'O-1', amount: '2000.00', currency: 'EUR' }, '2026-01-04T00:00:00Z');
    const p = evaluatePosition(l.state, '2026-01-04T12:00:00Z');
    // open 3000.00 + (1000.00 - 500.00) = 3500.00; exposure 3500.00 + 2000.00 - 0 = 5500.00
    expect(p).toMatchObject({
      customerId: 'C-1',
      name: 'Acme',
      currency: 'EUR',
      creditLimit: 1000000n,
      openReceivables: 350000n,
      openOrders: 200000n,
      unappliedCash: 0n,
      exposure: 550000n,
      available: 450000n, // 10000.00 - 5500.00
      utilisationBp: 5500, // floor(5500 * 10000 / 10000)
      overdueAmount: 0n,
      overdueCount: 0,
      status: 'active',
      at: '2026-01-04T12:00:00.000Z',
    });
  });

  it('subtracts cash on account; available may go negative', () => {
    const l = new TestLedger();
    l.onboard('EUR', '2500.00');
    l.invoice('INV-1', '1000.00', '2026-01-01', '2026-01-31');
    l.add('DisputeOpened', { invoiceId: 'INV-1', reason: 'x' }, '2026-01-02T00:00:00Z');
    l.add('OrderPlaced', { orderId: 'O-1', amount: '2000.00', currency: 'EUR' }, '2026-01-02T00:00:00Z');
    l.pay('PAY-1', '300.00', '2026-01-03'); // only invoice is disputed -> on account
    const p = evaluatePosition(l.state, '2026-01-03T12:00:00Z');
    // 1000.00 + 2000.00 - 300.00 = 2700.00; available 2500.00 - 2700.00 = -200.00
    expect([p.openReceivables, p.openOrders, p.unappliedCash, p.exposure, p.available]).toEqual([
      100000n,
      200000n,
      30000n,
      270000n,
      -20000n,
    ]);
    expect(p.utilisationBp).toBe(10800); // floor(270000 * 10000 / 250000) = 10800
  });

  it('never goes below 0 and has no utilisation without a limit', () => {
    const l = new TestLedger();
    l.onboard('EUR');
    l.pay('PAY-1', '100.00', '2026-01-02');
    const p = evaluatePosition(l.state, '2026-01-02T12:00:00Z');
    expect([p.exposure, p.available, p.utilisationBp, p.dsoDays]).toEqual([0n, 0n, null, null]);
  });
});

describe('aging', () => {
  it('puts boundaries in the right bucket', () => {
    expect([-5, 0, 1, 30, 31, 60, 61, 90, 91, 400].map(bucketFor)).toEqual([
      'current',
      'current',
      'd1_30',
      'd1_30',
      'd31_60',
      'd31_60',
      'd61_90',
      'd61_90',
      'd90plus',
      'd90plus',
    ]);
  });

  it('ages open amounts by days past due at every edge', () => {
    const l = new TestLedger();
    l.onboard('EUR');
    // at = 2026-06-30; dueOn = 2026-06-30 minus dpd days (June has 30, May 31, April 30 days)
    const cases: [string, string, number][] = [
      ['D-5', '2026-07-05', 25600], // dpd -5 -> current
      ['D0', '2026-06-30', 100], // dpd 0 -> current
      ['D1', '2026-06-29', 200], // dpd 1
      ['D30', '2026-05-31', 400], // dpd 30 = 30 (June)
      ['D31', '2026-05-30', 800], // dpd 31
      ['D60', '2026-05-01', 1600], // dpd 30 + 30 (May 31 -> May 1) = 60
      ['D61', '2026-04-30', 3200], // dpd 61
      ['D90', '2026-04-01', 6400], // dpd 61 + 29 = 90
      ['D91', '2026-03-31', 12800], // dpd 91
    ];
    for (const [id, due, cents] of cases) {
      l.invoice(id, (cents / 100).toFixed(2), '2026-03-01', due);
    }
    l.pay('PAY-1', '0.50', '2026-03-02', [{ invoiceId: 'D0', amount: '0.50' }]); // only open amounts count: D0 open 0.50
    for (const at of ['2026-06-30T00:00:00Z', '2026-06-30T23:59:59.999Z', '2026-07-01T00:30:00+02:00']) {
      const p = evaluatePosition(l.state, at);
      expect(p.aging).toEqual({
        current: 25650n, // 256.00 + 0.50
        d1_30: 600n, // 2.00 + 4.00
        d31_60: 2400n, // 8.00 + 16.00
        d61_90: 9600n, // 32.00 + 64.00
        d90plus: 12800n, // 128.00
      });
      expect(p.overdueAmount).toBe(25400n); // 6.00 + 24.00 + 96.00 + 128.00
      expect(p.overdueCount).toBe(7);
      expect(p.openReceivables).toBe(51050n); // 511.00 - 0.50
    }
  });
});

describe('DSO', () => {
  it('relates open receivables to the last 90 days of sales', () => {
    const l = new TestLedger();
    l.onboard('EUR', undefined, '2025-12-01T00:00:00Z');
    // at 2026-03-31: window is issuedOn in (2025-12-31, 2026-03-31] (2026-03-31 minus 90 days = 2025-12-31)
    l.invoice('INV-0', '400.00', '2025-12-31', '2026-01-30'); // outside the window, still open
    l.invoice('INV-1', '1200.00', '2026-01-01', '2026-01-31'); // first day inside
    l.pay('PAY-1', '1600.00', '2026-01-15'); // pays INV-0 (due first) and INV-1
    l.invoice('INV-2', '2000.00', '2026-02-15', '2026-03-17');
    l.invoice('INV-3', '1000.00', '2026-03-31', '2026-04-30'); // last day inside
    l.invoice('INV-4', '400.00', '2025-12-20', '2026-01-19'); // outside, open
    const p = evaluatePosition(l.state, '2026-03-31T10:00:00Z');
    // open = 2000.00 + 1000.00 + 400.00 = 3400.00; sales = 1200.00 + 2000.00 + 1000.00 = 4200.00
    // DSO = 3400 * 90 / 4200 = 72.857... -> 72.9
    expect(p.openReceivables).toBe(340000n);
    expect(p.dsoDays).toBe(72.9);
    // One day later INV-1 (2026-01-01) leaves the window: 3400 * 90 / 3000 = 102.0
    expect(evaluatePosition(l.state, '2026-04-01T10:00:00Z').dsoDays).toBe(102);
  });

  it('rounds half up to one decimal with integer math', () => {
    expect(dso(100n, 180000n)).toBe(0.1); // 1.00 * 90 / 1800.00 = 0.05 -> 0.1
    expect(dso(99n, 180000n)).toBe(0); // 0.0495 -> 0.0
    expect(dso(0n, 5n)).toBe(0);
    expect(dso(5n, 0n)).toBeNull();
    expect(dso(453n, 900n)).toBe(45.3); // 453 * 90 / 900 = 45.3
  });
});
