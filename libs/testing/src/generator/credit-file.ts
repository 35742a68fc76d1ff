import type { CustomerInfo, GeneratorConfig, PayerProfile } from './customers';
import { DAY_MS } from './customers';
import { formatMinor, MAGNITUDE, minorPerMajor } from './money';
import { deriveSeed, Mulberry32, type Rng } from './rng';

// Builtins bound to module constants (see customers.ts).
const { floor, round } = Math;

/**
 * A customer's credit file as billing/CRM would send it (CustomerOnboarded v2 fields), drawn from its own random
 * stream (index, 3) so the rest of the generator is unchanged by it. The facts follow the payer profile: good
 * payers tend to be older, better capitalised, liquid and without lawsuits; chronic defaulters the opposite —
 * with noise, so the profile model and the payment history do not always agree.
 */
export interface GeneratedCreditFile {
  customerType: 'enterprise' | 'individual' | 'channel' | 'end-user';
  /** Fields for CustomerOnboarded v2, or null: onboarded with none (a v1 event), unassessed until it pays. */
  profile: Record<string, unknown> | null;
  /** The external report sent a few days after onboarding (a background check), or null. */
  report: { agency: string; score?: number; rating?: string } | null;
  /** Chance that a new-business slot is a complaint instead. */
  complaintChance: number;
  /** History day of the statements' asOf (null without statements): the next year's are due ~13 months later. */
  statementsDay: number | null;
}

/** Share of each payer profile onboarded with a credit file (the rest arrive bare: new customers without one). */
const HAS_FILE: Readonly<Record<PayerProfile, number>> = {
  good: 0.9,
  average: 0.88,
  late: 0.85,
  chronic: 0.8,
};
/** Share with a third-party report (seed 003: a background check before credit is extended). */
const HAS_REPORT: Readonly<Record<PayerProfile, number>> = {
  good: 0.8,
  average: 0.65,
  late: 0.5,
  chronic: 0.35,
};
const COMPLAINT_CHANCE: Readonly<Record<PayerProfile, number>> = {
  good: 0.004,
  average: 0.01,
  late: 0.02,
  chronic: 0.04,
};

/** [min, max] per payer profile: years in business, capital (major units), ratios in basis points, lawsuits. */
const RANGES: Readonly<
  Record<
    PayerProfile,
    {
      years: [number, number];
      capital: [number, number];
      current: [number, number];
      debt: [number, number];
      margin: [number, number];
      lawsuits: [number, number];
      score: [number, number];
      ratings: readonly string[];
    }
  >
> = {
  good: {
    years: [6, 40],
    capital: [300_000, 3_000_000],
    current: [14_000, 30_000],
    debt: [2_000, 5_500],
    margin: [300, 1_500],
    lawsuits: [0, 0],
    score: [680, 830],
    ratings: ['A', 'AA', 'AAA', 'A+', 'AA-'],
  },
  average: {
    years: [3, 25],
    capital: [100_000, 1_500_000],
    current: [10_000, 22_000],
    debt: [4_000, 7_000],
    margin: [0, 900],
    lawsuits: [0, 1],
    score: [600, 760],
    ratings: ['BBB', 'A-', 'BBB+', 'A'],
  },
  late: {
    years: [2, 15],
    capital: [50_000, 800_000],
    current: [7_000, 15_000],
    debt: [5_500, 8_500],
    margin: [-400, 500],
    lawsuits: [0, 2],
    score: [520, 690],
    ratings: ['BB', 'BBB-', 'BB+', 'BBB'],
  },
  chronic: {
    years: [0, 8],
    capital: [10_000, 400_000],
    current: [4_000, 11_000],
    debt: [7_000, 10_500],
    margin: [-1_200, 200],
    lawsuits: [1, 4],
    score: [380, 620],
    ratings: ['B', 'CCC', 'BB-', 'B+'],
  },
};

/** ISIC/NACE sections and divisions billing systems record, with the riskier ones drawn more for weak payers. */
const SOUND_INDUSTRIES = ['C10', 'C21', 'D35', 'E36', 'J62', 'K64', 'M69', 'P85', 'Q86', 'O84'];
const CYCLICAL_INDUSTRIES = ['C28', 'C13', 'C14', 'F41', 'F43', 'G46', 'G47', 'H49', 'I56', 'L68', 'R93'];

const OWNERS = [
  ['S-01', 'Ana Ribeiro'],
  ['S-02', 'Ben Okafor'],
  ['S-03', 'Chen Wei'],
  ['S-04', 'Dana Novak'],
  ['S-05', 'Emil Berg'],
  ['S-06', 'Fatima Haddad'],
  ['S-07', 'Gus Lindqvist'],
  ['S-08', 'Hana Sato'],
] as const;

function dateOf(cfg: GeneratorConfig, day: number): string {
  return new Date(cfg.startMs + day * DAY_MS).toISOString().slice(0, 10);
}

/** A major-unit amount in minor units of the customer's currency (scaled like limits, see MAGNITUDE). */
function money(info: CustomerInfo, major: number): string {
  return formatMinor(major * (MAGNITUDE[info.currency] ?? 1) * minorPerMajor(info.exponent), info.exponent);
}

function customerType(rng: Rng): GeneratedCreditFile['customerType'] {
  const r = rng.next();
  return r < 0.7 ? 'enterprise' : r < 0.82 ? 'channel' : r < 0.94 ? 'end-user' : 'individual';
}

/** A set of statements consistent with the drawn ratios: current ≤ total on both sides, net income signed. */
function financials(rng: Rng, info: CustomerInfo, p: (typeof RANGES)[PayerProfile], asOf: string) {
  const revenue = rng.int(20, 400) * 10_000;
  const totalAssets = floor(revenue * (0.4 + 0.6 * rng.next()));
  const totalLiabilities = floor((totalAssets * rng.int(p.debt[0], p.debt[1])) / 10_000);
  const currentLiabilities = floor(totalLiabilities * (0.3 + 0.5 * rng.next()));
  const current = rng.int(p.current[0], p.current[1]);
  const currentAssets = Math.min(totalAssets, floor((currentLiabilities * current) / 10_000));
  const margin = rng.int(p.margin[0], p.margin[1]);
  const netIncome = round((revenue * margin) / 10_000);
  const signed = (major: number): string => (major < 0 ? `-${money(info, -major)}` : money(info, major));
  return {
    asOf,
    currency: info.currency,
    totalAssets: money(info, totalAssets),
    totalLiabilities: money(info, totalLiabilities),
    currentAssets: money(info, currentAssets),
    currentLiabilities: money(info, currentLiabilities),
    revenue: money(info, revenue),
    netIncome: signed(netIncome),
    operatingCashFlow: signed(round(netIncome * (0.5 + rng.next()))),
  };
}

export function creditFileFor(cfg: GeneratorConfig, info: CustomerInfo): GeneratedCreditFile {
  const rng = new Mulberry32(deriveSeed(cfg.seed, info.index, 3));
  const p = RANGES[info.profile];
  const type = customerType(rng);
  const hasFile = rng.chance(HAS_FILE[info.profile]);
  const hasReport = rng.chance(HAS_REPORT[info.profile]);
  const bureau = rng.chance(0.6);
  const report = !hasReport
    ? null
    : bureau
      ? { agency: 'score-bureau', score: rng.int(p.score[0], p.score[1]) }
      : { agency: 'rating-agency', rating: rng.pick(p.ratings) };
  const [ownerId, ownerName] = rng.pick(OWNERS);
  const slug = info.name.split(' ')[0].toLowerCase();
  const profile: Record<string, unknown> = {
    customerType: type,
    accountOwner: {
      id: ownerId,
      name: ownerName,
      email: `${ownerName.split(' ')[0].toLowerCase()}@seller.example`,
    },
    contactEmail: `ap@${slug}.example`,
  };
  // A third of the relationships predate the ledger (years of cooperation from customerSince).
  if (rng.chance(0.33)) profile.customerSince = dateOf(cfg, info.onboardDay - rng.int(365, 8 * 365));
  const lawsuits = rng.int(p.lawsuits[0], p.lawsuits[1]);
  let statementsDay: number | null = null;
  if (type !== 'individual') {
    const years = rng.int(p.years[0], p.years[1]);
    profile.industry = rng.chance(info.profile === 'good' ? 0.7 : info.profile === 'chronic' ? 0.25 : 0.5)
      ? rng.pick(SOUND_INDUSTRIES)
      : rng.pick(CYCLICAL_INDUSTRIES);
    profile.registration = {
      registeredCapital: money(info, rng.int(p.capital[0] / 1000, p.capital[1] / 1000) * 1000),
      currency: info.currency,
      foundedOn: dateOf(cfg, info.onboardDay - years * 365 - rng.int(0, 364)),
      taxRegistered: info.profile === 'chronic' ? rng.chance(0.8) : true,
    };
    // Statements of the last year end before onboarding, within the policy's 550 days.
    statementsDay = info.onboardDay - rng.int(30, 300);
    profile.financials = financials(rng, info, p, dateOf(cfg, statementsDay));
  }
  profile.litigationCount = lawsuits;
  return {
    customerType: type,
    profile: hasFile ? profile : null,
    report: hasFile || rng.chance(0.5) ? report : null,
    complaintChance: COMPLAINT_CHANCE[info.profile],
    statementsDay: hasFile ? statementsDay : null,
  };
}

/** ExternalCreditReportReceived for the report drawn, made on `day` and valid for a year. */
export function reportPayload(
  cfg: GeneratorConfig,
  report: NonNullable<GeneratedCreditFile['report']>,
  reportId: string,
  day: number,
): Record<string, unknown> {
  return { ...report, reportId, reportedOn: dateOf(cfg, day), validUntil: dateOf(cfg, day + 364) };
}

/** CustomerProfileUpdated with the statements of the year end `asOfDay`, ratios drawn afresh. */
export function statementsUpdate(cfg: GeneratorConfig, info: CustomerInfo, rng: Rng, asOfDay: number) {
  return { financials: financials(rng, info, RANGES[info.profile], dateOf(cfg, asOfDay)) };
}

const COMPLAINT_CATEGORIES = [
  'late delivery',
  'damaged goods',
  'billing error',
  'rude service',
  'wrong items',
];

export function complaintPayload(
  rng: Rng,
  complaintId: string,
  profile: PayerProfile,
): Record<string, unknown> {
  const severe = profile === 'chronic' ? 0.4 : 0.15;
  return {
    complaintId,
    category: rng.pick(COMPLAINT_CATEGORIES),
    severity: rng.chance(severe) ? 'high' : rng.chance(0.5) ? 'medium' : 'low',
  };
}
