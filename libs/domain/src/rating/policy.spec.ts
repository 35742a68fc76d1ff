import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestLedger } from '../../test/builders';
import { DomainError } from '../errors';
import {
  bandDefaultLimit,
  DEFAULT_GRADE_POLICY,
  gradeFor,
  type AssessmentPolicy,
  type GradePolicy,
} from './policy';
import { validatePolicy } from './validate-policy';

/** The example five-band policy shipped with the repository (seed 004). */
const FIVE_BAND_FILE = join(__dirname, '../../../../policies/five-band.json');

const copy = (): Record<string, unknown> => JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));

function rejection(input: unknown): string {
  try {
    validatePolicy(input);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('BAD_POLICY');
    return (e as DomainError).message;
  }
  throw new Error('accepted');
}

/** A policy document as JSON: any field may be changed, as an admin editing the file could. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PolicyJson = Record<string, any>;

/** The default policy with a change applied to its JSON (the shape an admin edits). */
function edited(change: (p: PolicyJson) => void): Record<string, unknown> {
  const p = copy();
  change(p);
  return p;
}

describe('the default policy', () => {
  it('has seed 000 four bands, D cash only, and validates as itself', () => {
    expect(validatePolicy(copy())).toEqual(DEFAULT_GRADE_POLICY);
    expect([100, 90, 89, 80, 79, 70, 69, 0].map((s) => gradeFor(s, DEFAULT_GRADE_POLICY))).toEqual([
      'A',
      'A',
      'B',
      'B',
      'C',
      'C',
      'D',
      'D',
    ]);
    expect(
      DEFAULT_GRADE_POLICY.bands.map((b) => [b.grade, b.terms?.settlement, b.terms?.maxPaymentTermsDays]),
    ).toEqual([
      ['A', 'credit', 90],
      ['B', 'credit', 60],
      ['C', 'credit', 30],
      ['D', 'cash-only', 0],
    ]);
    // seed 000 FAQ1's example weighting for every segment's history model
    for (const s of Object.values(DEFAULT_GRADE_POLICY.segments)) {
      expect(s.history.weights).toEqual({
        collection: 30,
        overdueOccurrences: 25,
        volume: 20,
        tenure: 15,
        complaints: 10,
      });
    }
    expect(Object.isFrozen(validatePolicy(copy()).bands[0].terms)).toBe(true);
  });

  it('gives each band its default limit in the customer currency', () => {
    const [a, , , d] = DEFAULT_GRADE_POLICY.bands;
    expect(bandDefaultLimit(a, 'EUR')).toBe(10000000n); // 100,000.00
    expect(bandDefaultLimit(a, 'JPY')).toBe(10000000n); // 10,000,000 yen
    expect(bandDefaultLimit(a, 'KWD')).toBe(30000000n); // 30,000.000 KWD in fils
    expect(bandDefaultLimit(a, 'KRW')).toBe(100000n); // the default "100000.00", KRW has no decimals
    expect(bandDefaultLimit(d, 'EUR')).toBe(0n);
  });
});

describe('validatePolicy (assessment format)', () => {
  it.each<[string, (p: PolicyJson) => void, string]>([
    ['a model it does not know', (p) => (p.model = 'neural'), 'policy.model: must be "assessment"'],
    ['a missing segment', (p) => delete p.segments.channel, 'policy.segments.channel: is missing'],
    [
      'an unknown segment',
      (p) => (p.segments.vip = p.segments.channel),
      'policy.segments.vip: unknown field',
    ],
    [
      'history weights not summing to 100',
      (p) => (p.segments.enterprise.history.weights.collection = 31),
      'policy.segments.enterprise.history.weights: must sum to 100, got 101',
    ],
    [
      'a profile weight for a factor that does not exist',
      (p) => (p.segments.individual.profile.weights.education = 0),
      'policy.segments.individual.profile.weights.education: unknown field',
    ],
    ['a band without terms', (p) => delete p.bands[1].terms, 'policy.bands[1].terms: is missing'],
    [
      'a five-factor band field',
      (p) => (p.bands[0].paymentTermsDays = 90),
      'policy.bands[0].paymentTermsDays: unknown field',
    ],
    [
      'a cash-only band with payment terms',
      (p) => (p.bands[3].terms.maxPaymentTermsDays = 7),
      'policy.bands[3].terms.maxPaymentTermsDays: must be 0 for a cash-only band',
    ],
    [
      'a cash-only band with a default limit',
      (p) => (p.bands[3].terms.defaultLimit.JPY = '100'),
      'policy.bands[3].terms.defaultLimit.JPY: must be 0 for a cash-only band',
    ],
    [
      'an unknown settlement',
      (p) => (p.bands[0].terms.settlement = 'cheque'),
      'policy.bands[0].terms.settlement: must be one of credit, cash-only',
    ],
    [
      'an approval it does not know',
      (p) => (p.bands[0].terms.approval = 'none'),
      'policy.bands[0].terms.approval: must be one of simplified, standard',
    ],
    [
      'a default limit with too many decimals',
      (p) => (p.bands[0].terms.defaultLimit.JPY = '1.5'),
      'policy.bands[0].terms.defaultLimit.JPY: "1.5" has 1 decimal but JPY allows 0',
    ],
    [
      'collection bands out of order',
      (p) => (p.history.collectionBands[2].maxDaysLate = 5),
      'policy.history.collectionBands[2].maxDaysLate: bands must be ascending',
    ],
    [
      'a closed last collection band',
      (p) => (p.history.collectionBands[6].maxDaysLate = 365),
      'policy.history.collectionBands[6].maxDaysLate: only the last band is open-ended',
    ],
    [
      'an industry code in lower case',
      (p) => (p.profile.industryRisk.codes.c28 = 10),
      'policy.profile.industryRisk.codes.c28: is not an industry code',
    ],
    [
      'an agency scale without a range or table',
      (p) => (p.profile.externalScales.x = {}),
      'policy.profile.externalScales.x: needs a score range or a ratings table',
    ],
    [
      'an upside-down agency range',
      (p) => (p.profile.externalScales['score-bureau'].score = { min: 850, max: 300 }),
      'policy.profile.externalScales.score-bureau.score.max: must be above min',
    ],
    [
      'an agency named like an object property',
      (p) => (p.profile.externalScales = JSON.parse('{"__proto__": {"score": {"min": 0, "max": 1}}}')),
      'policy.profile.externalScales.__proto__: is a reserved name',
    ],
    [
      'a flat ramp',
      (p) => (p.profile.currentRatioBp = { zeroAt: 1, fullAt: 1 }),
      'policy.profile.currentRatioBp: zeroAt and fullAt must differ',
    ],
    [
      'a blend rule of no invoices',
      (p) => (p.blend.fullHistoryInvoices = 0),
      'policy.blend.fullHistoryInvoices: must be an integer between 1',
    ],
    [
      'a zero volume target',
      (p) => (p.segments.channel.history.volumeTarget.default = '0'),
      'policy.segments.channel.history.volumeTarget.default: must be a decimal string greater than 0',
    ],
  ])('rejects %s, naming the field', (_name, change, message) => {
    expect(rejection(edited(change)).startsWith(message)).toBe(true);
  });

  it('reads a document without a model by its shape: top-level weights are the five-factor format', () => {
    const { model: _model, ...bare } = copy();
    expect(validatePolicy(bare).model).toBe('assessment');
  });
});

describe('the example five-band policy (seed 004: AAA strategic … C high risk)', () => {
  const fiveBand = (): AssessmentPolicy =>
    validatePolicy(JSON.parse(readFileSync(FIVE_BAND_FILE, 'utf8'))) as AssessmentPolicy;

  it('validates, and carries AAA 90 days with simplified approval, A 30 days, C cash before delivery', () => {
    const p = fiveBand();
    expect(p.version).toBe(2);
    expect(
      p.bands.map((b) => [
        b.grade,
        b.minScore,
        b.terms!.settlement,
        b.terms!.maxPaymentTermsDays,
        b.terms!.approval,
      ]),
    ).toEqual([
      ['AAA', 90, 'credit', 90, 'simplified'],
      ['AA', 80, 'credit', 60, 'standard'],
      ['A', 70, 'credit', 30, 'standard'],
      ['B', 60, 'credit', 15, 'standard'],
      ['C', 0, 'cash-only', 0, 'standard'],
    ]);
    // AAA has the highest limit (seed 004 最高的信用额度)
    const limits = p.bands.map((b) => bandDefaultLimit(b, 'EUR')!);
    expect([...limits].sort((a, b) => (a > b ? -1 : 1))).toEqual(limits);
    // Only the bands differ from the default policy.
    const strip = (x: GradePolicy) => ({ ...x, version: 0, bands: [] });
    expect(strip(p)).toEqual(strip(DEFAULT_GRADE_POLICY));
  });

  it('grades the same customers into its own bands and terms', () => {
    const p = fiveBand();
    const sound = new TestLedger('C-1', p).onboard('EUR', '1000.00', '2026-01-01T00:00:00Z').rating;
    // the sound test profile scores 78 under either policy (same models): default C, five-band A (70..79)
    expect([sound.score, sound.grade, sound.terms]).toEqual([
      78,
      'A',
      {
        band: 'A',
        settlement: 'credit',
        maxPaymentTermsDays: 30,
        defaultLimit: '50000.00',
        reviewIntervalDays: 90,
        approval: 'standard',
      },
    ]);
    const unknown = new TestLedger('C-2', p).onboardWith({}, 'EUR', '1000.00', '2026-01-01T00:00:00Z').rating;
    expect([unknown.grade, unknown.terms?.settlement]).toEqual(['C', 'cash-only']);
  });
});
