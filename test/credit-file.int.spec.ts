import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createLedgerDataSource, PolicyStore } from '@credit-ledger/ledger-store';
import { AuditQueries, verifyProjections } from '@credit-ledger/projections';
import { renderExplanation } from '../apps/cli/src/commands/explain';
import { KEYS, LedgerHarness, TRIAL_COVERS_ALL } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

const NOW = new Date('2026-04-15T12:00:00Z');

/** A machinery maker's credit file (the one rate.spec.ts grades by hand: 6360 profile points without a report). */
const MACHINERY = {
  customerType: 'enterprise',
  industry: 'C28.4',
  registration: {
    registeredCapital: '500000.00',
    currency: 'EUR',
    foundedOn: '2012-03-01',
    taxRegistered: true,
  },
  financials: {
    asOf: '2025-12-31',
    currency: 'EUR',
    totalAssets: '1200000.00',
    totalLiabilities: '780000.00',
    currentAssets: '450000.00',
    currentLiabilities: '300000.00',
    revenue: '2000000.00',
    netIncome: '50000.00',
    operatingCashFlow: '-1200.50',
  },
  litigationCount: 1,
};

const report = (id: string, reportId: string, at: string, p: Record<string, unknown>) =>
  wire(id, 'ExternalCreditReportReceived', at, {
    reportId,
    reportedOn: at.slice(0, 10),
    validUntil: '2027-03-01',
    ...p,
  });
const order = (id: string, orderId: string, amount: string, at: string) =>
  wire(id, 'OrderPlaced', at, { orderId, amount, currency: 'EUR' });

/**
 * The credit file end to end: published through kafkajs to the embedded broker, appended to PostgreSQL, graded
 * by the default policy, read back through the HTTP API (figures by hand, see each comment).
 */
describe('the credit file through Kafka, the ledger and the API', () => {
  let h: LedgerHarness;
  let ds: DataSource;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW, policy: TRIAL_COVERS_ALL });
    ds = await createLedgerDataSource(h.config.databaseUrl, { poolSize: 2 }).initialize();
    await h.publish([
      // F-1: the full file, kept up to date.
      onboarded(
        'F-1',
        '2026-03-01T09:00:00Z',
        { name: 'Machinery Works GmbH', currency: 'EUR', creditLimit: '20000.00' },
        {
          ...MACHINERY,
          customerSince: '2020-01-15',
          accountOwner: { id: 'S-7', name: 'Sara Seller', email: 'sara@seller.example' },
          contactEmail: 'ap@machinery.example',
        },
      ),
      report('F-1', 'R-1', '2026-03-02T09:00:00Z', { agency: 'score-bureau', score: 740 }),
      wire('F-1', 'InvoiceIssued', '2026-03-05T09:00:00Z', {
        invoiceId: 'INV-1',
        amount: '5000.00',
        currency: 'EUR',
        issuedOn: '2026-03-05',
        dueOn: '2026-04-04',
      }),
      wire('F-1', 'ComplaintRecorded', '2026-03-10T09:00:00Z', {
        complaintId: 'K-1',
        category: 'late delivery',
        severity: 'medium',
      }),
      wire('F-1', 'CustomerProfileUpdated', '2026-03-20T09:00:00Z', {
        litigationCount: 0,
        contactEmail: 'ar@machinery.example',
      }),
      wire('F-1', 'PaymentReceived', '2026-04-01T09:00:00Z', {
        paymentId: 'P-1',
        amount: '5000.00',
        currency: 'EUR',
        receivedOn: '2026-04-01',
      }),
      order('F-1', 'O-1', '3000.00', '2026-04-02T09:00:00Z'),
      // G-1: a new enterprise customer with a sound file and no history yet.
      onboarded('G-1', '2026-03-01T09:00:00Z', {
        name: 'Pharma Supplies SA',
        currency: 'EUR',
        creditLimit: '20000.00',
      }),
      order('G-1', 'O-1', '15000.00', '2026-03-02T09:00:00Z'),
      // N-1: no credit file at all (a v1 sender), and an order.
      wire('N-1', 'CustomerOnboarded', '2026-03-01T09:00:00Z', {
        name: 'Unknown Trading Ltd',
        currency: 'EUR',
        creditLimit: '50000.00',
      }),
      order('N-1', 'O-1', '100.00', '2026-03-02T09:00:00Z'),
      // a file without a report grades D; its order waits; the report arrives.
      onboarded(
        'X-1',
        '2026-03-01T09:00:00Z',
        { name: 'Checked Later AG', currency: 'EUR', creditLimit: '20000.00' },
        MACHINERY,
      ),
      order('X-1', 'O-1', '2000.00', '2026-03-02T09:00:00Z'),
      report('X-1', 'R-9', '2026-03-03T09:00:00Z', { agency: 'score-bureau', score: 740 }),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await ds?.destroy();
    await h?.stop();
  });

  it('serves the 360° file: profile, contacts, reports, complaints, dealings, assessment, terms and links', async () => {
    // Contacts are personal data: a credit analyst sees them (a reader would see `[restricted]`).
    const { status, body } = await h.get('/customers/F-1/file', KEYS.analyst);
    expect(status).toBe(200);
    // Graded at the order (04-02). History: INV-1 paid on time (collection 100 × 30 = 3000), no occurrence (2500),
    // 5000 of 50000 -> floor(sqrt(1000)) = 31 × 20 = 620, customerSince 2020 -> 100 × 15 = 1500, one medium
    // complaint 80 × 10 = 800: 8420 at a share of min(33, 28 days -> 15) = 15 %. Profile: 6360 with one lawsuit,
    // now none (+250) and the bureau's 740 -> 80 × 20 = 1600: 8210. floor((15 × 8420 + 85 × 8210 + 5000) / 10000)
    // = floor(82.9) = 82: B.
    expect(body).toEqual({
      customerId: 'F-1',
      name: 'Machinery Works GmbH',
      currency: 'EUR',
      status: 'active',
      customerType: 'enterprise',
      profile: {
        customerType: 'enterprise',
        customerSince: '2020-01-15',
        industry: 'C28.4',
        registration: { registeredCapital: '500000.00', foundedOn: '2012-03-01', taxRegistered: true },
        financials: {
          asOf: '2025-12-31',
          totalAssets: '1200000.00',
          totalLiabilities: '780000.00',
          currentAssets: '450000.00',
          currentLiabilities: '300000.00',
          revenue: '2000000.00',
          netIncome: '50000.00',
          operatingCashFlow: '-1200.50',
          ratios: { currentRatio: '1.5000', debtToAsset: '0.6500', netMargin: '0.0250' },
        },
        litigationCount: 0,
        updatedAt: '2026-03-20T09:00:00.000Z',
      },
      contacts: {
        accountOwner: { id: 'S-7', name: 'Sara Seller', email: 'sara@seller.example' },
        contactEmail: 'ar@machinery.example',
      },
      individual: null,
      forgotten: null,
      externalReports: {
        total: 1,
        latest: [
          {
            agency: 'score-bureau',
            reportId: 'R-1',
            score: 740,
            rating: null,
            reportedOn: '2026-03-02',
            validUntil: '2027-03-01',
            receivedOn: '2026-03-02',
            inForce: true,
          },
        ],
      },
      complaints: {
        total: 1,
        items: [
          { complaintId: 'K-1', category: 'late delivery', severity: 'medium', recordedOn: '2026-03-10' },
        ],
      },
      transactions: {
        invoices: 1,
        invoicedAmount: '5000.00',
        firstInvoiceOn: '2026-03-05',
        lastInvoiceOn: '2026-03-05',
        orders: 1,
        openOrders: '3000.00',
        heldOrders: '0.00',
        creditNotes: 0,
        creditedAmount: '0.00',
      },
      repayment: {
        payments: 1,
        paidAmount: '5000.00',
        reversedPayments: 0,
        lastPaymentOn: '2026-04-01',
        settledInvoices: 1,
        settledOnTime: 1,
        settledLate: 0,
        averageDaysLate: null,
        maxDaysLate: 0,
        writtenOffInvoices: 0,
        writtenOffAmount: '0.00',
        openInvoices: 0,
        openReceivables: '0.00',
        overdueInvoices: 0,
        overdueAmount: '0.00',
        unappliedCash: '0.00',
      },
      disputes: { opened: 0, open: 0 },
      assessment: {
        score: 82,
        grade: 'B',
        segment: 'enterprise',
        basis: 'blended',
        historyShare: 15,
        policyVersion: 1,
        ratedAt: '2026-04-02T09:00:00.000Z',
      },
      terms: {
        band: 'B',
        settlement: 'credit',
        cashOnly: false,
        maxPaymentTermsDays: 60,
        defaultLimit: '50000.00',
        reviewIntervalDays: 90,
        approval: 'standard',
        effectiveLimit: '20000.00',
        creditLimit: '20000.00',
      },
      links: {
        position: '/customers/F-1',
        gradeHistory: '/customers/F-1/grade-history',
        timeline: '/customers/F-1/timeline',
        limitRequests: '/customers/F-1/limit-requests',
      },
      asOf: NOW.toISOString(),
      ledgerSequence: expect.any(String),
      streamVersion: 7,
    });
  });

  it('replays the file as of a past moment, and answers 404 and 400 clearly', async () => {
    // By 03-15: the lawsuit still on file and the first contact address; graded at the complaint (03-10), profile
    // only (no invoice had an outcome): 6360 + 1600 = 7960 -> 80, B.
    const past = await h.get('/customers/F-1/file?asOf=2026-03-15', KEYS.analyst);
    expect(past.status).toBe(200);
    expect(past.body.profile.litigationCount).toBe(1);
    expect(past.body.contacts.contactEmail).toBe('ap@machinery.example');
    expect(past.body.assessment).toMatchObject({ score: 80, grade: 'B', basis: 'profile', historyShare: 0 });
    expect(past.body.repayment.openReceivables).toBe('5000.00');
    expect((await h.get('/customers/NOPE/file')).status).toBe(404);
    const early = await h.get('/customers/F-1/file?asOf=2026-02-01');
    expect(early.status).toBe(404);
    expect(early.body.message).toContain('no ledger events as of');
    const bad = await h.get('/customers/F-1/file?asOf=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('asOf must be an ISO-8601');
    expect((await h.get('/customers/F-1/file', null)).status).toBe(401);
  });

  it('grades a new enterprise customer from its profile alone, into a credit band', async () => {
    // The sound test file, no history: 7800 -> 78, C. The 15,000.00 order fits the 20,000.00 limit.
    const { body } = await h.get('/customers/G-1');
    expect(body).toMatchObject({
      score: 78,
      grade: 'C',
      openOrders: '15000.00',
      heldOrders: '0.00',
      available: '5000.00',
      terms: { band: 'C', cashOnly: false, maxPaymentTermsDays: 30, effectiveLimit: '20000.00' },
    });
    expect(body.rating.factors[0]).toMatchObject({
      factor: 'blend',
      normalised: 0,
      raw: { basis: 'profile' },
    });
    const file = (await h.get('/customers/G-1/file')).body;
    expect(file.assessment).toMatchObject({ basis: 'profile', historyShare: 0 });
    expect(file.contacts).toBeNull();
  });

  it('keeps a customer without a credit file unassessed: D, cash only, its limit kept, its order held', async () => {
    const { body } = await h.get('/customers/N-1');
    expect(body).toMatchObject({
      creditLimit: '50000.00',
      score: 0,
      grade: 'D',
      openOrders: '0.00',
      heldOrders: '100.00',
      exposure: '0.00',
      available: '0.00',
      terms: {
        band: 'D',
        settlement: 'cash-only',
        cashOnly: true,
        maxPaymentTermsDays: 0,
        effectiveLimit: '0.00',
      },
    });
    const file = (await h.get('/customers/N-1/file')).body;
    expect(file).toMatchObject({
      customerType: 'enterprise',
      profile: null,
      contacts: null,
      assessment: { basis: 'unassessed', historyShare: 0 },
      terms: { cashOnly: true, effectiveLimit: '0.00', creditLimit: '50000.00' },
      transactions: { orders: 1, heldOrders: '100.00' },
    });
    const [{ version }] = await h.query<{ version: number }>(
      `SELECT version FROM ledger_events WHERE customer_id = 'N-1' AND type = 'CustomerOnboarded'`,
    );
    expect(version).toBe(2); // the v1 message, stored upcast
  });

  it('moves the grade when an external report arrives, releases the held order, and explains why', async () => {
    // Onboarded on its profile alone: 6360 -> 64, D: the order was held. The bureau's 740 -> 80 × 20 = 1600:
    // 7960 -> 80, B; the order now fits the 20,000.00 limit and is released.
    const { body } = await h.get('/customers/X-1');
    expect(body).toMatchObject({ score: 80, grade: 'B', openOrders: '2000.00', heldOrders: '0.00' });
    const types = await h.query<{ type: string }>(
      `SELECT type FROM ledger_events WHERE customer_id = 'X-1' ORDER BY sequence`,
    );
    expect(types.map((t) => t.type)).toEqual([
      'CustomerOnboarded',
      'OrderPlaced',
      'OrderHeld',
      'ExternalCreditReportReceived',
      'OrderReleased',
    ]);
    const history = (await h.get('/customers/X-1/grade-history')).body;
    expect(history.changes.map((c: { from: object; to: object }) => [c.from, c.to])).toEqual([
      [
        { grade: null, score: null },
        { grade: 'D', score: 64 },
      ],
      [
        { grade: 'D', score: 64 },
        { grade: 'B', score: 80 },
      ],
    ]);
    const change = history.changes[1];
    expect(change).toMatchObject({
      trigger: { kind: 'event', eventType: 'ExternalCreditReportReceived' },
      segment: 'enterprise',
      terms: { band: 'B', settlement: 'credit', maxPaymentTermsDays: 60 },
      reproduced: true,
    });
    const external = change.factors.find((f: { factor: string }) => f.factor === 'externalScore');
    expect(external).toMatchObject({
      model: 'profile',
      normalised: 80,
      before: { normalised: 0 },
      delta: { normalised: 80, contribution: 1600 },
      movedBy: [change.trigger.eventId],
    });
    const policies = new PolicyStore(ds);
    await policies.load();
    const text = renderExplanation(
      (await new AuditQueries(ds, policies).explain('X-1', '2026-03-03T12:00:00Z'))!,
    );
    expect(text).toContain('D -> B (score 64 -> 80)');
    expect(text).toContain('terms of band B: credit, up to 60 days');
    expect(text).toMatch(/externalScore +profile +20 +0 -> 80/);
  });

  it('replays every stored state and grade byte for byte', async () => {
    const r = await verifyProjections(ds);
    expect(r.differences).toEqual([]);
    expect(r.customers).toBe(4);
  });
});

describe('the example five-band policy (seed 004) end to end', () => {
  let h: LedgerHarness;
  let ds: DataSource;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW });
    ds = await createLedgerDataSource(h.config.databaseUrl, { poolSize: 2 }).initialize();
    const policy = {
      ...JSON.parse(readFileSync(join(__dirname, '../policies/five-band.json'), 'utf8')),
      ...TRIAL_COVERS_ALL,
    };
    const adopted = await h.adoptPolicy({ policy, note: 'five bands (seed 004)' });
    expect(adopted.status).toBe(200);
    await h.publish([
      onboarded('T-1', '2026-03-01T09:00:00Z', {
        name: 'Strategic Partner AG',
        currency: 'EUR',
        creditLimit: '150000.00',
      }),
      report('T-1', 'R-1', '2026-03-01T10:00:00Z', { agency: 'rating-agency', rating: 'AA' }),
      onboarded('T-2', '2026-03-01T09:00:00Z', {
        name: 'Normal Customer BV',
        currency: 'EUR',
        creditLimit: '40000.00',
      }),
      onboarded(
        'T-3',
        '2026-03-01T09:00:00Z',
        { name: 'Unknown SARL', currency: 'EUR', creditLimit: '40000.00' },
        {},
      ),
      order('T-3', 'O-1', '500.00', '2026-03-02T09:00:00Z'),
      // JPY: the band's default limit in the customer's currency.
      onboarded('T-4', '2026-03-01T09:00:00Z', { name: 'Tokyo KK', currency: 'JPY', creditLimit: '1000000' }),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await ds?.destroy();
    await h?.stop();
  });

  it('is the policy in force, with its five bands', async () => {
    const { body } = await h.get('/policy');
    expect(body.version).toMatchObject({ version: 2, note: 'five bands (seed 004)' });
    expect(body.policy.bands.map((b: { grade: string }) => b.grade)).toEqual(['AAA', 'AA', 'A', 'B', 'C']);
  });

  it('grades into AAA (90 days, simplified approval), A (30 days) and C (cash before delivery)', async () => {
    // T-1: the sound file 7800 + AA 90 × 20 = 9600 -> 96: AAA, the highest limit and the longest terms.
    expect((await h.get('/customers/T-1')).body).toMatchObject({
      score: 96,
      grade: 'AAA',
      terms: {
        band: 'AAA',
        settlement: 'credit',
        maxPaymentTermsDays: 90,
        defaultLimit: '200000.00',
        reviewIntervalDays: 180,
        approval: 'simplified',
        effectiveLimit: '150000.00',
      },
    });
    // T-2: 7800 -> 78: A (70..79), standard limit and 30 days, normal approval.
    expect((await h.get('/customers/T-2')).body).toMatchObject({
      grade: 'A',
      terms: { maxPaymentTermsDays: 30, defaultLimit: '50000.00', approval: 'standard' },
    });
    // T-3: no file: C, no credit — its order waits.
    expect((await h.get('/customers/T-3')).body).toMatchObject({
      grade: 'C',
      heldOrders: '500.00',
      terms: { band: 'C', settlement: 'cash-only', cashOnly: true, effectiveLimit: '0.00' },
    });
    expect((await h.get('/customers/T-4')).body.terms).toMatchObject({ band: 'A', defaultLimit: '5000000' });
    const list = await h.get('/customers?grade=AAA');
    expect(list.body.items.map((c: { customerId: string }) => c.customerId)).toEqual(['T-1']);
    const history = (await h.get('/customers/T-1/grade-history')).body.changes;
    expect(
      history.map((c: { to: { grade: string }; policyVersion: number }) => [c.to.grade, c.policyVersion]),
    ).toEqual([
      ['A', 2],
      ['AAA', 2],
    ]);
  });

  it('replays every grade under the version that gave it', async () => {
    expect((await verifyProjections(ds)).differences).toEqual([]);
  });
});
