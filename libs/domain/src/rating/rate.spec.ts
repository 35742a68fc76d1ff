import { TestLedger, soundProfile } from '../../test/builders';
import { effectiveLimit } from '../control/effective-limit';
import { evaluatePosition } from '../position/position';
import { DEFAULT_GRADE_POLICY, type AssessmentPolicy } from './policy';
import { historyShare, rate } from './rate';
import { factorModel, type FactorScore, type Rating } from './rating';
import { validatePolicy } from './validate-policy';

const policy = DEFAULT_GRADE_POLICY;

/** [factor, normalised, weight, contribution] of each entry, in the rating's order. */
const table = (r: Rating) => r.factors.map((f) => [f.factor, f.normalised, f.weight, f.contribution]);
const factor = (r: Rating, name: string): FactorScore => r.factors.find((f) => f.factor === name)!;

function policyWith(change: (p: AssessmentPolicy) => void): AssessmentPolicy {
  const p = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY)) as AssessmentPolicy;
  change(p);
  return validatePolicy(p) as AssessmentPolicy;
}

/** A mid-sized machinery maker, onboarded on 2026-03-01 with a full credit file but no external report. */
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
  },
  litigationCount: 1,
};

describe('the profile model (a customer with no history)', () => {
  it('grades every profile factor by hand, on the profile alone', () => {
    const l = new TestLedger();
    const r = l.onboardWith(MACHINERY, 'EUR', '20000.00', '2026-03-01T09:00:00Z').rating;
    expect(table(r)).toEqual([
      ['blend', 0, 0, 0], // no invoice with a payment outcome yet: history's share is 0
      ['collection', 0, 30, 0],
      ['overdueOccurrences', 100, 25, 2500],
      ['volume', 0, 20, 0],
      ['tenure', 0, 15, 0],
      ['complaints', 100, 10, 1000],
      // 2012-03-01 -> 2026-03-01: 14 × 365 + 3 leap days = 5113 days >= 3650 -> 100
      ['yearsInBusiness', 100, 15, 1500],
      // 500,000.00: the enterprise target -> 100
      ['registeredCapital', 100, 10, 1000],
      ['taxRegistration', 100, 5, 500],
      // "C28.4": the longest prefix in the table is C28 (machinery, cyclical) -> 55
      ['industryRisk', 55, 10, 550],
      // 450,000 / 300,000 = 1.5 -> 15000 bp on 8000..16000: floor(100 × 7000 / 8000) = 87
      ['currentRatio', 87, 10, 870],
      // 780,000 / 1,200,000 = 0.65 -> 6500 bp on 9000 (0) .. 5000 (100): floor(100 × 2500 / 4000) = 62
      ['debtToAsset', 62, 10, 620],
      // 50,000 / 2,000,000 = 2.5 % -> 250 bp on -500..800: floor(100 × 750 / 1300) = 57
      ['netMargin', 57, 10, 570],
      ['externalScore', 0, 20, 0], // none on file: what is not known earns nothing
      ['litigation', 75, 10, 750], // one case, 25 points off
    ]);
    // profile points 1500 + 1000 + 500 + 550 + 870 + 620 + 570 + 0 + 750 = 6360; share 0:
    // score = floor((0 × 3500 + 100 × 6360 + 5000) / 10000) = floor(64.1) = 64 -> D
    expect(factor(r, 'blend').raw).toEqual({
      basis: 'profile',
      observedInvoices: 0,
      fullHistoryInvoices: 3,
      historyDays: 0,
      fullHistoryDays: 180,
      historyPoints: '35.00',
      profilePoints: '63.60',
    });
    expect([r.score, r.grade, r.segment]).toEqual([64, 'D', 'enterprise']);
    expect(factor(r, 'yearsInBusiness').raw).toEqual({
      foundedOn: '2012-03-01',
      days: 5113,
      targetDays: 3650,
    });
    expect(factor(r, 'industryRisk').raw).toEqual({ industry: 'C28.4', matched: 'C28' });
    expect(factor(r, 'currentRatio').raw).toEqual({ currentRatio: '1.5000', asOf: '2025-12-31' });
    expect(factor(r, 'debtToAsset').raw).toEqual({ debtToAsset: '0.6500', asOf: '2025-12-31' });
    expect(factor(r, 'netMargin').raw).toEqual({ netMargin: '0.0250', asOf: '2025-12-31' });
    expect(factor(r, 'registeredCapital').raw).toEqual({
      registeredCapital: '500000.00',
      target: '500000.00',
    });
  });

  it('moves the grade when an external credit report arrives, and again when it expires', () => {
    const l = new TestLedger();
    l.onboardWith(MACHINERY, 'EUR', '20000.00', '2026-03-01T09:00:00Z');
    const report = (reportId: string, p: Record<string, unknown>, at: string) =>
      l.add('ExternalCreditReportReceived', { reportId, reportedOn: at.slice(0, 10), ...p }, at);
    // score-bureau scale 300..850: floor(100 × (740 - 300) / 550) = 80 -> 80 × 20 = 1600 more points
    const o = report(
      'R-1',
      { agency: 'score-bureau', score: 740, validUntil: '2026-06-30' },
      '2026-03-02T09:00:00Z',
    );
    expect(factor(o.rating, 'externalScore')).toMatchObject({
      normalised: 80,
      contribution: 1600,
      raw: { agency: 'score-bureau', reportId: 'R-1', reportedOn: '2026-03-02', value: 740, reports: 1 },
    });
    // 6360 + 1600 = 7960 -> floor((796000 + 5000) / 10000) = 80 -> B
    expect(o.gradeChanged).toEqual({ from: 'D', to: 'B', fromScore: 64, toScore: 80 });
    expect(o.rating.terms).toEqual({
      band: 'B',
      settlement: 'credit',
      maxPaymentTermsDays: 60,
      defaultLimit: '50000.00',
      reviewIntervalDays: 90,
      approval: 'standard',
    });
    // A later report of another agency wins (latest reportedOn): "BBB+" is looked up as "BBB" -> 65 -> 1300
    const later = report(
      'R-2',
      { agency: 'rating-agency', rating: 'BBB+', validUntil: '2027-03-31' },
      '2026-04-01T09:00:00Z',
    );
    expect(factor(later.rating, 'externalScore')).toMatchObject({
      normalised: 65,
      raw: { value: 'BBB+', reports: 2 },
    });
    // 6360 + 1300 = 7660 -> floor((766000 + 5000) / 10000) = 77 -> C
    expect([later.rating.score, later.rating.grade]).toEqual([77, 'C']);
    // An agency the policy has no scale for is on file but not graded.
    const unknown = report(
      'R-3',
      { agency: 'other-bureau', score: 99, validUntil: '2027-03-31' },
      '2026-04-02T09:00:00Z',
    );
    expect(factor(unknown.rating, 'externalScore').raw).toMatchObject({ reportId: 'R-2', reports: 2 });
    // A rating that names a property of every object is not in any table: on file, not graded (and no crash).
    const odd = report(
      'R-4',
      { agency: 'rating-agency', rating: 'constructor', validUntil: '2027-03-31' },
      '2026-04-03T09:00:00Z',
    );
    expect(factor(odd.rating, 'externalScore').raw).toMatchObject({ reportId: 'R-2', reports: 2 });
    // After R-2's validUntil nothing valid is left: the profile without a report again.
    const expired = rate(l.state, '2027-04-01T00:00:00Z', policy);
    expect(factor(expired, 'externalScore')).toMatchObject({ normalised: 0, raw: { reports: 0 } });
  });

  it('treats a customer with neither profile nor history as unassessed: lowest band, cash only', () => {
    const l = new TestLedger();
    const r = l.onboardWith({}, 'EUR', '50000.00', '2026-03-01T09:00:00Z').rating;
    // history share 0, every profile input unknown -> 0 points -> score 0 -> D (cash-only)
    expect([r.score, r.grade, factor(r, 'blend').raw.basis]).toEqual([0, 'D', 'unassessed']);
    expect(
      r.factors.filter((f) => factorModel(r, f.factor) === 'profile').every((f) => f.normalised === 0),
    ).toBe(true);
    expect(r.terms).toMatchObject({
      band: 'D',
      settlement: 'cash-only',
      maxPaymentTermsDays: 0,
      defaultLimit: '0.00',
    });
    // The recorded limit is kept; no credit is extended while cash-only.
    expect(l.state.creditLimit).toBe(5000000n);
    expect(effectiveLimit(l.state)).toBe(0n);
    const p = evaluatePosition(l.state, '2026-03-01T12:00:00Z');
    expect([p.creditLimit, p.effectiveLimit, p.available]).toEqual([5000000n, 0n, 0n]);
  });

  it('grades the sound test profile C and an individual by its external score and court record only', () => {
    const sound = new TestLedger().onboard('EUR', '1000.00', '2026-01-01T00:00:00Z').rating;
    // 1500 + 1000 + 500 + 800 (C21) + 1000 + 1000 + 1000 + 0 + 1000 = 7800 -> 78 -> C (see soundProfile)
    expect([sound.score, sound.grade]).toEqual([78, 'C']);
    const l = new TestLedger();
    l.onboardWith(
      { ...soundProfile('EUR', '2026-01-01'), customerType: 'individual', litigationCount: 0 },
      'EUR',
      '1000.00',
      '2026-01-01T00:00:00Z',
    );
    const o = l.add(
      'ExternalCreditReportReceived',
      {
        agency: 'score-bureau',
        reportId: 'P-1',
        score: 795,
        reportedOn: '2026-01-02',
        validUntil: '2026-12-31',
      },
      '2026-01-02T00:00:00Z',
    );
    // individual: external 70 % + litigation 30 %; floor(100 × 495 / 550) = 90 -> 6300; 100 × 30 = 3000
    // 9300 -> 93 -> A; the business facts on file weigh 0 for a person
    expect([o.rating.segment, o.rating.score, o.rating.grade]).toEqual(['individual', 93, 'A']);
    expect(factor(o.rating, 'yearsInBusiness')).toMatchObject({
      normalised: 100,
      weight: 0,
      contribution: 0,
    });
    expect(o.rating.terms).toMatchObject({
      settlement: 'credit',
      maxPaymentTermsDays: 90,
      approval: 'simplified',
    });
  });

  it('ignores financial statements older than financialsMaxAgeDays, and records why', () => {
    const l = new TestLedger();
    l.onboardWith(MACHINERY, 'EUR', '0', '2026-03-01T09:00:00Z');
    // asOf 2025-12-31 + 550 days = 2027-07-04: still in force on that day, stale the next
    expect(factor(rate(l.state, '2027-07-04T12:00:00Z', policy), 'currentRatio').normalised).toBe(87);
    const stale = rate(l.state, '2027-07-05T12:00:00Z', policy);
    expect(factor(stale, 'currentRatio')).toMatchObject({
      normalised: 0,
      raw: { financials: 'stale', asOf: '2025-12-31' },
    });
  });
});

describe('the history model', () => {
  /** A profile-less customer with a year of mixed history (hand-computed below). */
  function mixedHistory(): TestLedger {
    const l = new TestLedger();
    l.onboardWith({}, 'EUR', '50000.00', '2025-01-01T09:00:00Z');
    l.invoice('INV-1', '10000.00', '2025-11-01', '2025-12-01');
    l.pay('PAY-1', '10000.00', '2025-12-01'); // on time, settled before the window
    l.invoice('INV-2', '20000.00', '2026-01-10', '2026-02-09');
    l.pay('PAY-2', '20000.00', '2026-02-09'); // on time (on the due date)
    l.invoice('INV-3', '10000.00', '2026-03-01', '2026-03-31');
    l.add('DisputeOpened', { invoiceId: 'INV-3', reason: 'late delivery' }, '2026-03-15T00:00:00Z');
    l.add('DisputeResolved', { invoiceId: 'INV-3' }, '2026-03-20T00:00:00Z');
    l.pay('PAY-3', '10000.00', '2026-04-10'); // 10 days late
    l.invoice('INV-4', '5000.00', '2026-05-01', '2026-05-31');
    l.invoice('INV-7', '3000.00', '2026-06-01', '2026-07-01');
    l.add(
      'CreditNoteIssued',
      { creditNoteId: 'CN-1', invoiceId: 'INV-7', amount: '1000.00', currency: 'EUR' },
      '2026-06-10T00:00:00Z',
    );
    l.add(
      'ComplaintRecorded',
      { complaintId: 'K-1', category: 'rude driver', severity: 'high' },
      '2026-06-15T00:00:00Z',
    );
    l.pay('PAY-7', '2000.00', '2026-07-20', [{ invoiceId: 'INV-7', amount: '2000.00' }]); // 19 days late
    l.invoice('INV-5', '8000.00', '2026-08-01', '2026-08-31'); // still open
    l.add('InvoiceWrittenOff', { invoiceId: 'INV-4' }, '2026-09-01T00:00:00Z'); // 93 days after due
    l.invoice('INV-6', '12000.00', '2026-12-01', '2026-12-31'); // due on the rating day
    l.add('DisputeOpened', { invoiceId: 'INV-6', reason: 'wrong price' }, '2026-12-05T00:00:00Z');
    return l;
  }

  it('computes every history factor by hand', () => {
    const r = rate(mixedHistory().state, '2026-12-31T12:00:00Z', policy);
    // Window (2025-12-31, 2026-12-31].
    expect(table(r).slice(1, 6)).toEqual([
      // observed: INV-2 20000 on time (100), INV-3 10000 10 days late (70), INV-4 5000 written off (0),
      // INV-7 3000 - 1000 credit note = 2000 at 19 days late (50), INV-5 8000 open 122 days past due (0);
      // (20000 × 100 + 10000 × 70 + 2000 × 50) / 45000 = 2,800,000 / 45,000 = 62.2 -> 62
      ['collection', 62, 30, 1860],
      // went overdue in the window: INV-3, INV-4, INV-7 (paid since) and INV-5: 4 × 10 = 40 off
      ['overdueOccurrences', 60, 25, 1500],
      // issued in the window: 20000 + 10000 + 5000 + 3000 + 8000 + 12000 = 58000, above the target 50000 -> 100
      ['volume', 100, 20, 2000],
      // onboarded 2025-01-01 -> 729 days of 730 -> 99
      ['tenure', 99, 15, 1485],
      // one high complaint (40) + two disputes opened (2 × 15) = 70 off -> 30
      ['complaints', 30, 10, 300],
    ]);
    expect(factor(r, 'collection').raw).toEqual({
      invoices: 5,
      amount: '45000.00',
      onTimeAmount: '20000.00',
      averageDaysLate: 48.8, // (0 + 10 + 93 + 19 + 122) / 5
      maxDaysLate: 122,
      writtenOff: 1,
    });
    expect(factor(r, 'overdueOccurrences').raw).toEqual({
      occurrences: 4,
      currentlyOverdue: 1,
      penaltyPerOccurrence: 10,
    });
    expect(factor(r, 'tenure').raw).toEqual({ since: '2025-01-01', days: 729, targetDays: 730 });
    expect(factor(r, 'complaints').raw).toEqual({ complaints: 1, disputes: 2, penaltyPoints: 70 });
    // History points 1860 + 1500 + 2000 + 1485 + 300 = 7145. Blend: 5 observed invoices -> floor(500 / 3) = 166;
    // first observed issued 2026-01-10, 355 days -> floor(35500 / 180) = 197; share = min(100, 166, 197) = 100.
    // The history alone: floor((100 × 7145 + 0 × 0 + 5000) / 10000) = floor(71.95) = 71 -> C
    expect(factor(r, 'blend')).toMatchObject({
      normalised: 100,
      raw: {
        basis: 'history',
        observedInvoices: 5,
        historyDays: 355,
        historyPoints: '71.45',
        profilePoints: '0.00',
      },
    });
    expect([r.score, r.grade]).toEqual([71, 'C']);
  });

  it('counts an overdue occurrence once, paid since or not, and a slow payment by how late it was', () => {
    const l = new TestLedger();
    l.onboardWith({}, 'EUR', '0', '2026-01-01T00:00:00Z');
    l.invoice('I-1', '100.00', '2026-01-01', '2026-01-31');
    const at = (d: string) => rate(l.state, `${d}T12:00:00Z`, policy);
    expect(factor(at('2026-01-31'), 'overdueOccurrences').raw.occurrences).toBe(0); // due today
    // one day past due: overdue once; collection 1 day late -> 85
    expect(factor(at('2026-02-01'), 'overdueOccurrences').raw).toMatchObject({
      occurrences: 1,
      currentlyOverdue: 1,
    });
    expect(factor(at('2026-02-01'), 'collection').normalised).toBe(85);
    // 45 days past due: still one occurrence, collection 25 (31..60 days late)
    expect(factor(at('2026-03-17'), 'collection').normalised).toBe(25);
    l.pay('P-1', '100.00', '2026-03-17');
    const paid = at('2026-03-17');
    expect(factor(paid, 'overdueOccurrences').raw).toMatchObject({ occurrences: 1, currentlyOverdue: 0 });
    expect(factor(paid, 'collection')).toMatchObject({ normalised: 25, raw: { averageDaysLate: 45 } });
    // It leaves the count once its first overdue day (2026-02-01) leaves the 365-day window.
    expect(factor(at('2027-01-31'), 'overdueOccurrences').raw.occurrences).toBe(1);
    expect(factor(at('2027-02-01'), 'overdueOccurrences').raw.occurrences).toBe(0);
  });

  it('uses customerSince for the years of cooperation, and the segment target for volume', () => {
    const l = new TestLedger();
    l.onboardWith(
      { customerType: 'channel', customerSince: '2025-07-01' },
      'EUR',
      '0',
      '2026-07-01T00:00:00Z',
    );
    l.invoice('I-1', '50000.00', '2026-07-01', '2026-07-31');
    const r = rate(l.state, '2026-07-01T12:00:00Z', policy);
    // 2025-07-01 -> 2026-07-01 = 365 days of 730 -> 50; a channel's target is 150,000.00:
    // floor(100 × sqrt(50000 / 150000)) = floor(sqrt(3333)) = 57 (57² = 3249, 58² = 3364)
    expect(factor(r, 'tenure')).toMatchObject({ normalised: 50, raw: { since: '2025-07-01', days: 365 } });
    expect(factor(r, 'volume')).toMatchObject({ normalised: 57, raw: { target: '150000.00' } });
  });

  it('grades a year of on-time payment with no overdue on its history: A, even without a profile', () => {
    const l = new TestLedger();
    l.onboardWith({}, 'EUR', '10000.00', '2025-01-01T09:00:00Z');
    for (let m = 1; m <= 12; m++) {
      const mm = String(m).padStart(2, '0');
      l.invoice(`I-${m}`, '5000.00', `2025-${mm}-01`, `2025-${mm}-15`);
      l.pay(`P-${m}`, '5000.00', `2025-${mm}-14`);
    }
    const r = rate(l.state, '2025-12-31T12:00:00Z', policy);
    // 12 on-time invoices: collection 100 (3000), no occurrence 100 (2500), 60000 above the 50000 target -> 100
    // (2000), 364 days of 730 -> 49 (735), no complaint 100 (1000): 9235. Share min(100, 200, 202) = 100:
    // floor((100 × 9235 + 5000) / 10000) = floor(92.85) = 92 -> A
    expect(
      table(r)
        .slice(1, 6)
        .map((x) => x[3]),
    ).toEqual([3000, 2500, 2000, 735, 1000]);
    expect([factor(r, 'blend').normalised, r.score, r.grade]).toEqual([100, 92, 'A']);
    expect(factor(r, 'blend').raw.basis).toBe('history');
  });
});

describe('the blend rule', () => {
  it.each([
    [0, null, 0],
    [1, '2026-01-01', 33], // min(floor(100 / 3) = 33, floor(100 × 200 / 180) = 111)
    [2, '2026-01-01', 66], // min(floor(200 / 3) = 66, 111)
    [10, '2026-04-21', 50], // min(floor(1000 / 3) = 333, floor(100 × 90 / 180) = 50)
    [3, '2026-01-01', 100], // min(100, 111)
    [1, '2026-07-19', 0], // min(33, floor(100 × 1 / 180) = 0)
  ])('%i observed invoices, the first issued %s: history share %i %', (observed, first, share) => {
    expect(historyShare(observed, first, '2026-07-20', policy.blend).share).toBe(share);
  });

  it('weighs the two models by the share, rounding the score half up at band edges', () => {
    // A test policy: profile = tax registration 50 + litigation 50 (1 point off per case).
    const p = policyWith((x) => {
      x.segments.enterprise.profile.weights = {
        yearsInBusiness: 0,
        registeredCapital: 0,
        taxRegistration: 50,
        industryRisk: 0,
        currentRatio: 0,
        debtToAsset: 0,
        netMargin: 0,
        externalScore: 0,
        litigation: 50,
      };
      x.profile.litigationPenalty = 1;
    });
    const scoreFor = (cases: number) => {
      const l = new TestLedger('C-1', p);
      const r = l.onboardWith(
        { registration: { taxRegistered: true }, litigationCount: cases },
        'EUR',
        '0',
      ).rating;
      return [r.score, r.grade];
    };
    expect(scoreFor(21)).toEqual([90, 'A']); // 5000 + 50 × 79 = 8950 -> floor((895000 + 5000) / 10000) = 90
    expect(scoreFor(22)).toEqual([89, 'B']); // 8900 -> 89.5 -> 89
    expect(scoreFor(41)).toEqual([80, 'B']); // 7950 -> 80
    expect(scoreFor(42)).toEqual([79, 'C']); // 7900 -> 79
    expect(scoreFor(61)).toEqual([70, 'C']); // 6950 -> 70
    expect(scoreFor(62)).toEqual([69, 'D']); // 6900 -> 69
  });

  it('moves a new customer from its profile to its history as invoices are paid', () => {
    const l = new TestLedger();
    l.onboard('EUR', '20000.00', '2026-01-01T00:00:00Z'); // sound profile: 7800
    for (let m = 1; m <= 6; m++) {
      const mm = String(m).padStart(2, '0');
      l.invoice(`I-${m}`, '10000.00', `2026-${mm}-01`, `2026-${mm}-20`);
      l.pay(`P-${m}`, '10000.00', `2026-${mm}-18`);
    }
    const r = rate(l.state, '2026-06-30T00:00:00Z', policy);
    // History: collection 100 (3000), occurrences 100 (2500), 60000 above the 50000 target -> 100 (2000),
    // 180 days -> floor(100 × 180 / 730) = 24 (360), complaints 100 (1000) = 8860.
    // Share: 6 invoices -> 200, first issued 2026-01-01, 180 days -> 100 -> 100: floor(89.1) = 89 -> B
    expect(factor(r, 'blend')).toMatchObject({
      normalised: 100,
      raw: { historyPoints: '88.60', profilePoints: '78.00' },
    });
    expect([r.score, r.grade]).toEqual([89, 'B']);
    // Three months in: 3 invoices observed -> 100; days since 2026-01-01 = 90 -> 50; share 50.
    const mid = rate(l.state, '2026-04-01T00:00:00Z', policy);
    // history then: collection 100 (3000), 100 (2500), 30000 (I-1..I-3) + I-4 issued 04-01 = 40000 of 50000:
    // floor(sqrt(8000)) = 89 (89² = 7921, 90² = 8100) (1780), 90 days -> 12 (180), 100 (1000) = 8460;
    // floor((50 × 8460 + 50 × 7800 + 5000) / 10000) = floor(81.8) = 81 -> B
    expect(factor(mid, 'blend').normalised).toBe(50);
    expect(factor(mid, 'blend').raw.historyPoints).toBe('84.60');
    expect([mid.score, mid.grade]).toEqual([81, 'B']);
  });
});
