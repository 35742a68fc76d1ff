import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@credit-ledger/domain';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { invoiced, onboarded, wire } from './support/wire';

const NOW = new Date('2026-06-15T12:00:00Z');
const invoice = invoiced;

/**
 * The month-end credit report of May 2026, by hand (every figure as of 2026-05-31T23:59:59.999Z):
 *   M-1 EUR: INV-1 1,000 due 04-30 less PAY-1 600 on 05-10 (cash on an invoice already late: recovered) → 400 open,
 *       31 days late; INV-2 2,000 issued 05-05 due 06-04 (current); INV-3 500 issued 05-06, written off 05-25.
 *       Open 2,400.00, overdue 400.00 → overdue rate 400 / 2,400 = 0.1666; May sales 2,000 + 500 = 2,500.00,
 *       written off 500 → bad-debt rate 0.2000; recovered 600 / (600 + 400) = 0.6000; DSO 2,400 × 90 / 3,500
 *       (the 90 days' sales: 1,000 + 2,000 + 500) = 61.7
 *   M-2 JPY: onboarded 05-15 ("new" in the migration), INV-9 30,000 due 06-19 → overdue 0, DSO 90
 */
describe('month-end credit report', () => {
  let h: LedgerHarness;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW });
    await h.publish([
      onboarded('M-1', '2026-04-01T09:00:00Z', {
        name: '明月贸易',
        currency: 'EUR',
        creditLimit: '10000.00',
      }),
      invoice('M-1', 'INV-1', '1000.00', 'EUR', '2026-04-01', '2026-04-30'),
      invoice('M-1', 'INV-2', '2000.00', 'EUR', '2026-05-05', '2026-06-04'),
      invoice('M-1', 'INV-3', '500.00', 'EUR', '2026-05-06', '2026-05-20'),
      wire('M-1', 'PaymentReceived', '2026-05-10T09:00:00Z', {
        paymentId: 'PAY-1',
        amount: '600.00',
        currency: 'EUR',
        receivedOn: '2026-05-10',
        allocations: [{ invoiceId: 'INV-1', amount: '600.00' }],
      }),
      wire('M-1', 'InvoiceWrittenOff', '2026-05-25T09:00:00Z', { invoiceId: 'INV-3' }),
      onboarded('M-2', '2026-05-15T09:00:00Z', { name: 'Kaito KK', currency: 'JPY', creditLimit: '100000' }),
      invoice('M-2', 'INV-9', '30000', 'JPY', '2026-05-20', '2026-06-19'),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('answers the hand-computed KPIs, migration and aging as JSON, and stores the report keyed by month', async () => {
    const r = await h.get('/reports/monthly/2026-05');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      month: '2026-05',
      from: '2026-04-30',
      to: '2026-05-31',
      asOf: '2026-05-31T23:59:59.999Z',
    });
    const [eur, jpy] = r.body.kpis;
    expect(eur).toMatchObject({
      currency: 'EUR',
      exposure: '2400.00',
      openReceivables: '2400.00',
      overdue: '400.00',
      overdueRate: '0.1666',
      sales: '2500.00',
      writtenOff: '500.00',
      badDebtRate: '0.2000',
      recovered: '600.00',
      overdueRecoveryRate: '0.6000',
      dso: 61.7,
    });
    expect(jpy).toMatchObject({
      currency: 'JPY',
      overdue: '0',
      overdueRate: '0.0000',
      sales: '30000',
      dso: 90,
    });
    expect(r.body.aging[0]).toMatchObject({
      currency: 'EUR',
      current: '2000.00',
      d31_60: '400.00',
      overdue: '400.00',
      total: '2400.00',
    });
    // migration: M-1 from its grade at the end of April to its grade at the end of May (as the as-of API says); M-2 new
    const gradeAt = async (id: string, at: string) => (await h.get(`/customers/${id}?asOf=${at}`)).body.grade;
    const april = await gradeAt('M-1', '2026-04-30T23:59:59.999Z');
    const may = await gradeAt('M-1', '2026-05-31T23:59:59.999Z');
    expect(r.body.migration).toEqual(
      expect.arrayContaining([
        { from: april, to: may, customers: 1 },
        { from: 'new', to: await gradeAt('M-2', '2026-05-31T23:59:59.999Z'), customers: 1 },
      ]),
    );
    expect(r.body.topOverdue).toEqual([
      expect.objectContaining({ customerId: 'M-1', overdue: '400.00', rank: 1 }),
    ]);

    const [row] = await h.query<{ hash: string; document: string }>(
      `SELECT hash, document FROM monthly_credit_reports WHERE month = '2026-05'`,
    );
    expect(row.hash).toBe(createHash('sha256').update(canonicalJson(r.body)).digest('hex'));
    expect((await h.get('/reports/monthly')).body.items).toEqual([
      expect.objectContaining({ month: '2026-05', hash: row.hash }),
    ]);
  });

  it('is reproducible from the ledger: a June event changes nothing in May, a rebuild gives the same bytes', async () => {
    const [before] = await h.query<{ hash: string }>(
      `SELECT hash FROM monthly_credit_reports WHERE month = '2026-05'`,
    );
    expect(
      (await h.send('POST', '/customers/M-1/blacklist', { reason: 'fraud suspected' }, KEYS.finance)).status,
    ).toBe(200);
    await h.query(`DELETE FROM monthly_credit_reports`);
    const again = await h.get('/reports/monthly/2026-05');
    const [after] = await h.query<{ hash: string }>(
      `SELECT hash FROM monthly_credit_reports WHERE month = '2026-05'`,
    );
    expect(after.hash).toBe(before.hash);
    expect(again.body.exceptions).toEqual([]); // the blacklisting is in June
    expect((await h.get('/reports/monthly/2026-06')).status).toBe(409);
    expect((await h.get('/reports/monthly/2026-13')).status).toBe(400);
  });

  it('offers the same figures as CSV and as a PDF whose extracted text carries them', async () => {
    const csv = await h.send('GET', '/reports/monthly/2026-05', undefined, KEYS.reader, {
      accept: 'text/csv',
    });
    expect(csv.contentType).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    const header = lines[0].split(',');
    const kpi = lines
      .map((l) => l.split(','))
      .find((c) => c[0] === 'kpis' && c[header.indexOf('currency')] === 'EUR')!;
    const cell = (name: string) => kpi[header.indexOf(name)];
    expect([
      cell('overdueRate'),
      cell('badDebtRate'),
      cell('overdueRecoveryRate'),
      cell('dso'),
      cell('exposure'),
    ]).toEqual(['0.1666', '0.2000', '0.6000', '61.7', '2400.00']);

    const pdf = await fetch(`${h.url}/reports/monthly/2026-05`, {
      headers: { authorization: `Bearer ${KEYS.reader}`, accept: 'application/pdf' },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes }).toString('utf8');
    for (const expected of [
      'Month-end credit report 2026-05',
      'Overdue rate: 0.1666',
      'Bad-debt rate: 0.2000',
      'Overdue recovery rate: 0.6000',
      'DSO: 61.7',
      'Exposure: 2400.00',
      '明月贸易',
      '月末信用报告',
    ])
      expect(text).toContain(expected);
  });
});
