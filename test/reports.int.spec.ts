import { KEYS, LedgerHarness, TRIAL_COVERS_ALL } from './support/ledger-harness';
import { invoiced, onboarded, wire } from './support/wire';

const NOW = new Date('2026-06-15T12:00:00Z');

const onboard = (id: string, currency: string, limit: string, name = `Customer ${id}`) =>
  onboarded(id, '2026-01-02T09:00:00Z', { name, currency, creditLimit: limit });
const invoice = invoiced;

/**
 * A fixed portfolio with every figure computed by hand (comments), at NOW = 2026-06-15:
 *   R-1 EUR limit 10,000: INV-1 4,000 due 03-31 (76 dpd), INV-2 2,000 due 05-31 less 500 paid (15 dpd),
 *       INV-3 1,000 due 06-30 (current) → exposure 6,500, utilisation 0.6500. Its order of 500 on 06-11 is held:
 *       graded then D, cash only (INV-1 72 days late, credit 10, and INV-2 1,500 11 days, 70: collection
 *       floor(145000 / 5500) = 26 × 30 = 780; two occurrences 80 × 25 = 2000; 7,000 of 50,000 -> floor(sqrt(1400))
 *       = 37 × 20 = 740; 160 days -> 21 × 15 = 315; 1000: 4835 at a share of min(66, 102 days -> 56) = 56 %; the
 *       sound test profile 7800: floor((56 × 4835 + 44 × 7800 + 5000) / 10000) = 61), so available is 0 − 6,500
 *   R-2 EUR limit 2,000: INV-4 1,000 due 02-09 (126 dpd) → utilisation 0.5000
 *   R-3 JPY limit 100,000: INV-5 50,000 due 06-05 (10 dpd) → utilisation 0.5000
 *   R-4 EUR no limit: INV-6 300 due 07-01 (current) → not ranked by utilisation
 */
describe('portfolio reports', () => {
  let h: LedgerHarness;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW, policy: TRIAL_COVERS_ALL });
    await h.publish([
      onboard('R-1', 'EUR', '10000.00', 'Acme, "Best" GmbH'),
      onboard('R-2', 'EUR', '2000.00'),
      onboard('R-3', 'JPY', '100000'),
      onboard('R-4', 'EUR', '0'),
      invoice('R-2', 'INV-4', '1000.00', 'EUR', '2026-01-10', '2026-02-09'),
      invoice('R-1', 'INV-1', '4000.00', 'EUR', '2026-03-01', '2026-03-31'),
      invoice('R-1', 'INV-2', '2000.00', 'EUR', '2026-05-01', '2026-05-31'),
      invoice('R-3', 'INV-5', '50000', 'JPY', '2026-05-20', '2026-06-05'),
      invoice('R-1', 'INV-3', '1000.00', 'EUR', '2026-06-01', '2026-06-30'),
      invoice('R-4', 'INV-6', '300.00', 'EUR', '2026-06-01', '2026-07-01'),
      wire('R-1', 'PaymentReceived', '2026-06-10T09:00:00Z', {
        paymentId: 'PAY-1',
        amount: '500.00',
        currency: 'EUR',
        receivedOn: '2026-06-10',
        allocations: [{ invoiceId: 'INV-2', amount: '500.00' }],
      }),
      wire('R-1', 'OrderPlaced', '2026-06-11T09:00:00Z', {
        orderId: 'O-1',
        amount: '500.00',
        currency: 'EUR',
      }),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('aging across customers, per currency', async () => {
    const r = await h.get('/reports/aging');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      asOf: NOW.toISOString(),
      currencies: [
        {
          currency: 'EUR',
          customers: 3,
          current: '1300.00', // INV-3 1,000 + INV-6 300
          d1_30: '1500.00', // INV-2 2,000 − 500
          d31_60: '0.00',
          d61_90: '4000.00', // INV-1
          d90plus: '1000.00', // INV-4
          overdue: '6500.00',
          total: '7800.00',
        },
        {
          currency: 'JPY',
          customers: 1,
          current: '0',
          d1_30: '50000',
          d31_60: '0',
          d61_90: '0',
          d90plus: '0',
          overdue: '50000',
          total: '50000',
        },
      ],
    });
    const csv = await h.send('GET', '/reports/aging', undefined, KEYS.reader, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csv.text).toBe(
      'currency,customers,current,d1_30,d31_60,d61_90,d90plus,overdue,total\r\n' +
        'EUR,3,1300.00,1500.00,0.00,4000.00,1000.00,6500.00,7800.00\r\n' +
        'JPY,1,0,50000,0,0,0,50000,50000\r\n',
    );
  });

  it('top overdue customers, ranked within each currency', async () => {
    const r = await h.get('/reports/top-overdue?limit=5');
    expect(r.body.currencies).toEqual([
      {
        currency: 'EUR',
        items: [
          expect.objectContaining({
            rank: 1,
            customerId: 'R-1',
            overdueAmount: '5500.00',
            overdueCount: 2,
            d90plus: '0.00',
          }),
          expect.objectContaining({
            rank: 2,
            customerId: 'R-2',
            overdueAmount: '1000.00',
            overdueCount: 1,
            d90plus: '1000.00',
          }),
        ],
      },
      {
        currency: 'JPY',
        items: [expect.objectContaining({ rank: 1, customerId: 'R-3', overdueAmount: '50000' })],
      },
    ]);
    expect((await h.get('/reports/top-overdue?limit=1')).body.currencies[0].items).toHaveLength(1);
  });

  it('utilisation ranking (a ratio, so across currencies); CSV quotes names', async () => {
    const r = await h.get('/reports/utilisation?limit=3');
    expect(
      r.body.items.map((i: { customerId: string; utilisation: string }) => [i.customerId, i.utilisation]),
    ).toEqual([
      ['R-1', '0.6500'], // 6,500 / 10,000 (the recorded limit)
      ['R-2', '0.5000'], // 1,000 / 2,000
      ['R-3', '0.5000'], // 50,000 / 100,000
    ]);
    expect(r.body.items[0]).toMatchObject({
      exposure: '6500.00',
      creditLimit: '10000.00',
      currency: 'EUR',
      grade: 'D',
    });
    const csv = await h.send('GET', '/reports/utilisation?limit=1', undefined, KEYS.reader, {
      accept: 'text/csv',
    });
    expect(csv.text.split('\r\n')[1]).toBe('1,R-1,"Acme, ""Best"" GmbH",EUR,10000.00,6500.00,0.6500,D');
  });

  it('exposure by grade adds up to the portfolio per currency', async () => {
    const r = await h.get('/reports/exposure-by-grade');
    const grades: Record<string, string> = {};
    for (const id of ['R-1', 'R-2', 'R-3', 'R-4']) grades[id] = (await h.get(`/customers/${id}`)).body.grade;
    const eur = r.body.items.filter((i: { currency: string }) => i.currency === 'EUR');
    const sum = (f: string) =>
      eur.reduce((t: number, i: Record<string, string>) => t + Math.round(Number(i[f]) * 100), 0) / 100;
    expect(sum('exposure')).toBe(7800); // 6,500 + 1,000 + 300
    expect(sum('creditLimit')).toBe(12000);
    // R-1 cash only: 0 − 6,500; R-2 (C at its last event, 01-10): 2,000 − 1,000; R-4 (C): 0 − 300
    expect(sum('available')).toBe(-5800);
    expect(grades).toEqual({ 'R-1': 'D', 'R-2': 'C', 'R-3': 'C', 'R-4': 'C' });
    expect(eur.reduce((t: number, i: { customers: number }) => t + i.customers, 0)).toBe(3);
    for (const i of eur) {
      const members = ['R-1', 'R-2', 'R-4'].filter((id) => grades[id] === i.grade);
      expect({ grade: i.grade, customers: i.customers }).toEqual({
        grade: i.grade,
        customers: members.length,
      });
    }
    expect(r.body.items.filter((i: { currency: string }) => i.currency === 'JPY')).toEqual([
      {
        currency: 'JPY',
        grade: grades['R-3'],
        customers: 1,
        creditLimit: '100000',
        exposure: '50000',
        available: '50000',
      },
    ]);
  });

  it('DSO trend per month end, replayed as of each month end', async () => {
    const r = await h.get('/reports/dso-trend?months=3');
    expect(r.body.months).toEqual([
      {
        monthEnd: '2026-03-31',
        currencies: [
          // open 4,000 + 1,000; sales in (12-31, 03-31]: INV-1 + INV-4 = 5,000 → 5,000 × 90 / 5,000
          {
            monthEnd: '2026-03-31',
            currency: 'EUR',
            customers: 3,
            openReceivables: '5000.00',
            sales90d: '5000.00',
            dso: 90,
          },
          {
            monthEnd: '2026-03-31',
            currency: 'JPY',
            customers: 1,
            openReceivables: '0',
            sales90d: '0',
            dso: null,
          },
        ],
      },
      {
        monthEnd: '2026-04-30',
        currencies: [
          // sales in (01-30, 04-30]: INV-1 only → 5,000 × 90 / 4,000
          {
            monthEnd: '2026-04-30',
            currency: 'EUR',
            customers: 3,
            openReceivables: '5000.00',
            sales90d: '4000.00',
            dso: 112.5,
          },
          {
            monthEnd: '2026-04-30',
            currency: 'JPY',
            customers: 1,
            openReceivables: '0',
            sales90d: '0',
            dso: null,
          },
        ],
      },
      {
        monthEnd: '2026-05-31',
        currencies: [
          // open 4,000 + 2,000 + 1,000 (the payment is in June); sales in (03-02, 05-31]: INV-2 → 7,000 × 90 / 2,000
          {
            monthEnd: '2026-05-31',
            currency: 'EUR',
            customers: 3,
            openReceivables: '7000.00',
            sales90d: '2000.00',
            dso: 315,
          },
          {
            monthEnd: '2026-05-31',
            currency: 'JPY',
            customers: 1,
            openReceivables: '50000',
            sales90d: '50000',
            dso: 90,
          },
        ],
      },
    ]);
    expect((await h.get('/reports/dso-trend?months=99')).status).toBe(400);
    expect((await h.get('/reports/aging?currency=EUR')).status).toBe(400);
  });
});
