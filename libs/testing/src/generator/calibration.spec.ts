import {
  DEFAULT_GRADE_POLICY,
  applyWithRules,
  initialState,
  parseEvent,
  rate,
  type CustomerState,
  type Rating,
} from '@credit-ledger/domain';
import { describeCustomer, generateHistory, type GeneratorOptions, type PayerProfile } from '.';

interface Graded {
  payer: PayerProfile;
  file: boolean;
  rating: Rating;
}

/** The portfolio folded like the ledger does (rules included), each customer rated at the end of the history. */
function portfolio(opts: GeneratorOptions, end: string): Graded[] {
  const states = new Map<string, CustomerState>();
  let seq = 0;
  for (const w of generateHistory(opts)) {
    const parsed = parseEvent(w, { key: w.customerId });
    if (!parsed.ok) throw new Error(parsed.reason);
    let s = states.get(w.customerId);
    if (!s) states.set(w.customerId, (s = initialState(w.customerId)));
    const state = s;
    applyWithRules(
      state,
      { event: parsed.event, sequence: String(++seq), streamVersion: state.streamVersion + 1 },
      DEFAULT_GRADE_POLICY,
      () => String(++seq),
    );
  }
  const prefix = opts.customerIdPrefix ?? 'C';
  return [...states.values()].map((s) => ({
    payer: describeCustomer(opts, Number(s.customerId.slice(prefix.length + 1)) - 1).profile,
    file: s.profile !== null,
    rating: rate(s, end, DEFAULT_GRADE_POLICY),
  }));
}

const share = (xs: Graded[], pred: (g: Graded) => boolean): number => xs.filter(pred).length / xs.length;
const mean = (xs: Graded[]): number => xs.reduce((a, g) => a + g.rating.score, 0) / xs.length;
const raw = (g: Graded, factor: string) => g.rating.factors.find((f) => f.factor === factor)!.raw;

/**
 * The default policy over the generator's portfolio (good payers, slow payers, chronic defaulters, new customers
 * with and without a credit file): the shape of the grade distribution, not its exact counts (docs/scoring.md has
 * the measured figures). A policy change that collapses the portfolio into one band, or stops telling good payers
 * from defaulters, fails here.
 */
describe.each([
  ['the demo portfolio (seed 42, 300 customers)', { seed: 42, customers: 300, eventsPerCustomer: 12 }],
  ['another portfolio (seed 7, 1000 customers)', { seed: 7, customers: 1000, eventsPerCustomer: 12 }],
])('grade distribution of %s under the default policy', (_name, o) => {
  const graded = portfolio({ ...o, start: '2025-01-01', days: 365 }, '2025-12-31T23:00:00Z');

  it('spreads over the four bands: none empty, none holding half', () => {
    for (const grade of ['A', 'B', 'C', 'D']) {
      const s = share(graded, (g) => g.rating.grade === grade);
      expect([grade, s >= 0.05 && s <= 0.5]).toEqual([grade, true]);
    }
  });

  it('tells payers apart: good payers with a file mostly A or B, chronic defaulters D', () => {
    const good = graded.filter((g) => g.payer === 'good' && g.file);
    expect(share(good, (g) => g.rating.grade === 'A' || g.rating.grade === 'B')).toBeGreaterThan(0.6);
    expect(share(good, (g) => g.rating.grade === 'D')).toBeLessThan(0.05);
    const chronic = graded.filter((g) => g.payer === 'chronic');
    expect(share(chronic, (g) => g.rating.grade === 'D')).toBeGreaterThan(0.9);
    const byPayer = (['good', 'average', 'late', 'chronic'] as const).map((p) =>
      mean(graded.filter((g) => g.payer === p)),
    );
    expect([...byPayer].sort((a, b) => b - a)).toEqual(byPayer);
  });

  it('keeps new customers without a credit file cash only until their history counts', () => {
    const bare = graded.filter((g) => !g.file && g.rating.factors[0].normalised < 50);
    expect(bare.length).toBeGreaterThan(0);
    expect(bare.every((g) => g.rating.terms!.settlement === 'cash-only')).toBe(true);
  });

  it('never puts a customer who paid every invoice on time for a year, never overdue, in D', () => {
    const punctual = graded.filter(
      (g) =>
        Number(raw(g, 'collection').invoices) >= 4 &&
        raw(g, 'collection').averageDaysLate === 0 &&
        raw(g, 'overdueOccurrences').occurrences === 0 &&
        Number(raw(g, 'tenure').days) >= 300,
    );
    expect(punctual.length).toBeGreaterThan(5);
    expect(punctual.filter((g) => g.rating.grade === 'D')).toEqual([]);
  });
});
