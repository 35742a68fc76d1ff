import { TestLedger } from '../../test/builders';
import { DomainError } from '../errors';
import { amountFor, FIVE_FACTOR_GRADE_POLICY, gradeFor, type FiveFactorPolicy } from './policy';
import { rate } from './rate';
import { validatePolicy } from './validate-policy';

/**
 * Policies of the format before the assessment model keep grading exactly as they did, so the grades they gave
 * replay: these are the hand-computed expectations of that model, unchanged.
 */
const DEFAULT_GRADE_POLICY = FIVE_FACTOR_GRADE_POLICY;

function policyWith(overrides: Partial<FiveFactorPolicy>): FiveFactorPolicy {
  return validatePolicy({ ...DEFAULT_GRADE_POLICY, ...overrides }) as FiveFactorPolicy;
}

const volumeTargetFor = (policy: FiveFactorPolicy, currency: string): bigint =>
  amountFor(policy.volumeTarget, currency);

describe('five-factor gradeFor', () => {
  it('maps band edges', () => {
    const p = DEFAULT_GRADE_POLICY;
    expect([100, 90, 89, 80, 79, 70, 69, 0].map((s) => gradeFor(s, p))).toEqual([
      'A',
      'A',
      'B',
      'B',
      'C',
      'C',
      'D',
      'D',
    ]);
  });

  it('works with five bands', () => {
    const p = policyWith({
      version: 2,
      bands: [
        { grade: 'AAA', minScore: 95 },
        { grade: 'AA', minScore: 85 },
        { grade: 'A', minScore: 70 },
        { grade: 'B', minScore: 50 },
        { grade: 'C', minScore: 0 },
      ],
    });
    expect([95, 94, 85, 84, 70, 50, 49].map((s) => gradeFor(s, p))).toEqual([
      'AAA',
      'AA',
      'AA',
      'A',
      'A',
      'B',
      'C',
    ]);
  });
});

describe('validatePolicy (five-factor format)', () => {
  it('accepts the stored default of the earlier format, with or without its model', () => {
    const stored = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));
    expect(validatePolicy(stored)).toEqual(DEFAULT_GRADE_POLICY);
    delete stored.model;
    expect(validatePolicy(stored)).toEqual(DEFAULT_GRADE_POLICY);
  });

  it.each([
    [
      { weights: { punctuality: 30, overdue: 25, volume: 20, tenure: 15, disputes: 9 } },
      'policy.weights: must sum to 100, got 99',
    ],
    [
      { weights: { punctuality: 30.5, overdue: 25, volume: 20, tenure: 15, disputes: 9.5 } },
      'policy.weights.punctuality: must be an integer',
    ],
    [{ bands: [] }, 'policy.bands: must be a non-empty array'],
    [
      {
        bands: [
          { grade: 'B', minScore: 80 },
          { grade: 'A', minScore: 90 },
          { grade: 'D', minScore: 0 },
        ],
      },
      'policy.bands[1].minScore: bands must be sorted by minScore, strictly descending',
    ],
    [
      {
        bands: [
          { grade: 'A', minScore: 90 },
          { grade: 'B', minScore: 10 },
        ],
      },
      'policy.bands[1].minScore: last band must be 0',
    ],
    [
      {
        bands: [
          { grade: 'A', minScore: 90 },
          { grade: 'A', minScore: 0 },
        ],
      },
      'policy.bands[1].grade: duplicate grade "A"',
    ],
    [
      { bands: [{ grade: 'A', minScore: 0, defaultLimit: '1,000' }] },
      'policy.bands[0].defaultLimit: must be a decimal string',
    ],
    [
      { volumeTarget: { default: '100000.00', JPY: '100.5' } },
      'policy.volumeTarget.JPY: "100.5" has 1 decimal but JPY allows 0',
    ],
    [
      { volumeTarget: { default: '0' } },
      'policy.volumeTarget.default: must be a decimal string greater than 0',
    ],
    [{ volumeTarget: { JPY: '100' } }, 'policy.volumeTarget.default: is missing'],
    [{ lookbackDays: 0 }, 'policy.lookbackDays: must be an integer between 1 and 36500, got 0'],
    [{ extra: 1 }, 'policy.extra: unknown field'],
    [{ version: undefined }, 'policy.version: is missing'],
    [{ breachThresholdsPct: [100, 90] }, 'policy.breachThresholdsPct: must be ascending'],
  ])('rejects %j', (override, message) => {
    try {
      validatePolicy({ ...DEFAULT_GRADE_POLICY, ...override });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('BAD_POLICY');
      expect((e as DomainError).message.startsWith(message)).toBe(true);
    }
  });

  it('returns a frozen copy', () => {
    const p = validatePolicy(JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY))) as FiveFactorPolicy;
    expect(Object.isFrozen(p.weights)).toBe(true);
  });
});

describe('rate under a five-factor policy', () => {
  it('rates a brand-new customer D', () => {
    const l = new TestLedger('C-1', DEFAULT_GRADE_POLICY);
    const outcome = l.onboard('EUR', '1000.00', '2026-01-01T09:00:00Z');
    // punctuality: no history -> 50 x 30 = 1500; overdue: nothing open -> 100 x 25 = 2500;
    // volume 0 x 20 = 0; tenure 0 days -> 0 x 15 = 0; disputes none -> 100 x 10 = 1000
    // score = floor((5000 + 50) / 100) = 50 -> D
    expect(outcome.rating.factors.map((f) => [f.factor, f.normalised, f.weight, f.contribution])).toEqual([
      ['punctuality', 50, 30, 1500],
      ['overdue', 100, 25, 2500],
      ['volume', 0, 20, 0],
      ['tenure', 0, 15, 0],
      ['disputes', 100, 10, 1000],
    ]);
    expect(outcome.rating).toMatchObject({
      score: 50,
      grade: 'D',
      policyVersion: 1,
      at: '2026-01-01T09:00:00.000Z',
    });
    expect(outcome.gradeChanged).toEqual({ from: null, to: 'D', fromScore: null, toScore: 50 });
    // next event, same grade: no change reported
    expect(
      l.add('OrderPlaced', { orderId: 'O-1', amount: '1', currency: 'EUR' }, '2026-01-02T00:00:00Z')
        .gradeChanged,
    ).toBeNull();
  });

  it('computes every factor of a rich history by hand', () => {
    const l = new TestLedger('C-1', DEFAULT_GRADE_POLICY);
    l.onboard('EUR', '50000.00', '2025-01-01T09:00:00Z');
    l.invoice('INV-1', '10000.00', '2025-11-01', '2025-12-01');
    l.pay('PAY-1', '10000.00', '2025-12-01'); // on time but settled before the window
    l.invoice('INV-2', '20000.00', '2026-01-10', '2026-02-09');
    l.pay('PAY-2', '20000.00', '2026-02-09'); // on time (settled on the due date)
    l.invoice('INV-3', '10000.00', '2026-03-01', '2026-03-31');
    l.add('DisputeOpened', { invoiceId: 'INV-3', reason: 'late delivery' }, '2026-03-15T00:00:00Z');
    l.add('DisputeResolved', { invoiceId: 'INV-3' }, '2026-03-20T00:00:00Z');
    l.pay('PAY-3', '10000.00', '2026-04-10'); // 10 days late
    l.invoice('INV-4', '5000.00', '2026-05-01', '2026-05-31');
    l.add('InvoiceWrittenOff', { invoiceId: 'INV-4' }, '2026-09-01T00:00:00Z'); // counts as settled late
    l.invoice('INV-5', '8000.00', '2026-08-01', '2026-08-31'); // open, 122 days past due at 2026-12-31
    l.invoice('INV-6', '12000.00', '2026-12-01', '2026-12-31'); // open, due today
    l.add('DisputeOpened', { invoiceId: 'INV-6', reason: 'wrong price' }, '2026-12-05T00:00:00Z');

    const r = rate(l.state, '2026-12-31T12:00:00Z', DEFAULT_GRADE_POLICY);
    // window: (2026-12-31 - 365 days, 2026-12-31] = 2026-01-01 .. 2026-12-31
    expect(r.factors).toEqual([
      {
        // settled in window: INV-2 20000 on time, INV-3 10000 late (10 days), INV-4 5000 written off (late)
        // floor(100 * 20000 / 35000) = floor(57.14) = 57; average days late over paid: (0 + 10) / 2 = 5
        factor: 'punctuality',
        raw: {
          settledInvoices: 3,
          onTimeInvoices: 1,
          settledAmount: '35000.00',
          onTimeAmount: '20000.00',
          averageDaysLate: 5,
        },
        normalised: 57,
        weight: 30,
        contribution: 1710,
      },
      {
        // open 8000 + 12000 = 20000; overdue 8000 (INV-5, dpd = 30+31+30+31 = 122 >= 91 -> severe)
        // 100 - floor(100 * 8000 / 20000) - 10 * 1 = 100 - 40 - 10 = 50
        factor: 'overdue',
        raw: { overdueAmount: '8000.00', overdueCount: 1, severeCount: 1, openReceivables: '20000.00' },
        normalised: 50,
        weight: 25,
        contribution: 1250,
      },
      {
        // issued in window: 20000 + 10000 + 5000 + 8000 + 12000 = 55000 of 100000 -> 55
        factor: 'volume',
        raw: { invoicedAmount: '55000.00', target: '100000.00' },
        normalised: 55,
        weight: 20,
        contribution: 1100,
      },
      {
        // 2025-01-01 -> 2026-12-31 = 365 + 364 = 729 days; floor(100 * 729 / 730) = 99
        factor: 'tenure',
        raw: { days: 729, targetDays: 730 },
        normalised: 99,
        weight: 15,
        contribution: 1485,
      },
      {
        // two disputes opened in the window: 100 - 2 * 25 = 50
        factor: 'disputes',
        raw: { disputesOpened: 2, penaltyPerDispute: 25 },
        normalised: 50,
        weight: 10,
        contribution: 500,
      },
    ]);
    // 1710 + 1250 + 1100 + 1485 + 500 = 6045; floor((6045 + 50) / 100) = 60 -> D
    expect([r.score, r.grade]).toEqual([60, 'D']);
    // One day later, INV-5 dpd 123, INV-6 dpd 1: overdue = 20000 of 20000 -> 100 - 100 - 10 -> clamped 0
    expect(rate(l.state, '2027-01-01T00:00:00Z', DEFAULT_GRADE_POLICY).factors[1].normalised).toBe(0);
  });

  it('rounds the score half up at band edges', () => {
    // weights punctuality 50 / disputes 50; a brand-new customer scores noHistoryPunctuality x 50 + 100 x 50
    const at = '2026-01-01T09:00:00Z';
    const scoreFor = (noHistoryPunctuality: number) => {
      const policy = policyWith({
        weights: { punctuality: 50, overdue: 0, volume: 0, tenure: 0, disputes: 50 },
        noHistoryPunctuality,
      });
      const l = new TestLedger('C-1', policy);
      const r = l.onboard('EUR', '0', at).rating;
      return [r.score, r.grade];
    };
    expect(scoreFor(79)).toEqual([90, 'A']); // 3950 + 5000 = 8950 -> floor(9000 / 100) = 90
    expect(scoreFor(78)).toEqual([89, 'B']); // 3900 + 5000 = 8900 -> 89
    expect(scoreFor(59)).toEqual([80, 'B']); // 2950 + 5000 = 7950 -> 80
    expect(scoreFor(58)).toEqual([79, 'C']); // 7900 -> 79
    expect(scoreFor(39)).toEqual([70, 'C']); // 1950 + 5000 = 6950 -> 70
    expect(scoreFor(38)).toEqual([69, 'D']); // 6900 -> 69
  });

  it('reports grade changes on apply', () => {
    // tenure-only policy: 100 x days / 10
    const policy = policyWith({
      weights: { punctuality: 0, overdue: 0, volume: 0, tenure: 100, disputes: 0 },
      tenureTargetDays: 10,
    });
    const l = new TestLedger('C-1', policy);
    expect(l.onboard('EUR', '0', '2026-01-01T00:00:00Z').gradeChanged).toEqual({
      from: null,
      to: 'D',
      fromScore: null,
      toScore: 0,
    });
    // 2026-01-08: 7 days -> 70 -> C
    const o = l.add('OrderPlaced', { orderId: 'O-1', amount: '1', currency: 'EUR' }, '2026-01-08T00:00:00Z');
    expect(o.gradeChanged).toEqual({ from: 'D', to: 'C', fromScore: 0, toScore: 70 });
    expect(l.state.rating).toBe(o.rating);
  });

  it('uses the volume target of the customer currency', () => {
    expect(volumeTargetFor(DEFAULT_GRADE_POLICY, 'JPY')).toBe(10000000n);
    expect(volumeTargetFor(DEFAULT_GRADE_POLICY, 'KWD')).toBe(30000000n); // 30000.000 KWD in fils
    expect(volumeTargetFor(DEFAULT_GRADE_POLICY, 'EUR')).toBe(10000000n); // 100000.00 EUR in cents
    expect(volumeTargetFor(DEFAULT_GRADE_POLICY, 'KRW')).toBe(100000n); // default "100000.00", KRW has no decimals
    const l = new TestLedger('C-1', DEFAULT_GRADE_POLICY);
    l.onboard('JPY', '0', '2026-01-01T00:00:00Z');
    l.invoice('INV-1', '5000000', '2026-01-02', '2026-02-01');
    const r = rate(l.state, '2026-01-02T12:00:00Z', DEFAULT_GRADE_POLICY);
    expect(r.factors[2]).toMatchObject({
      normalised: 50,
      raw: { invoicedAmount: '5000000', target: '10000000' },
    });
    const k = new TestLedger('C-1', DEFAULT_GRADE_POLICY);
    k.onboard('KWD', '0', '2026-01-01T00:00:00Z');
    k.invoice('INV-1', '15000.001', '2026-01-02', '2026-02-01'); // 15000001 / 30000000 -> floor(50.0000033) = 50
    expect(rate(k.state, '2026-01-02T12:00:00Z', DEFAULT_GRADE_POLICY).factors[2].normalised).toBe(50);
  });
});
