import type { CustomerType } from '../contract/payloads';
import { currencyExponent } from '../currencies';
import { DomainError } from '../errors';
import { DEFAULT_COLLECTIONS_STEPS, type LadderStep } from '../control/collections-policy';
import {
  CREDIT_CONTROL_POLICY_DEFAULTS,
  type AmountByCurrency,
  type CreditControlPolicy,
} from '../control/credit-control-policy';
import type { Approval, HistoryFactor, ProfileFactor, Settlement, FiveFactor } from './rating';

export type { AmountByCurrency };

/** What a band grants (seeds 000 grade table, 004 差异化的信用策略). */
export interface BandTerms {
  settlement: Settlement;
  /** The band's standard limit (seed 004: AAA 最高的信用额度, A 标准的信用额度). */
  defaultLimit: AmountByCurrency;
  /** Longest payment terms for the band (seed 004: AAA 90 days, A 30 days; cash-only: 0). */
  maxPaymentTermsDays: number;
  /** How often a customer in the band is reviewed (seed 000 定期复查, e.g. quarterly). */
  reviewIntervalDays: number;
  approval: Approval;
}

export interface GradeBand {
  grade: string;
  minScore: number;
  /** Assessment policies: the band's terms. */
  terms?: BandTerms;
  /** Five-factor policies only: decimal major units in the customer's currency. */
  defaultLimit?: string;
  /** Five-factor policies only: 0 = cash in advance. */
  paymentTermsDays?: number;
}

export type CollectionStepRule = LadderStep;

/** A linear scale: `zeroAt` scores 0, `fullAt` scores 100 (either may be the larger), clamped beyond. */
export interface Ramp {
  zeroAt: number;
  fullAt: number;
}

/** A third-party agency's scale: a numeric range, a table of letter ratings (0..100), or both. */
export interface ExternalScale {
  score?: { min: number; max: number };
  ratings?: { [rating: string]: number };
}

export interface HistoryRules {
  /**
   * Credit (0..100) an invoice earns by how many days after its due date it was paid, ascending; the last band
   * has maxDaysLate null (any later). Write-offs earn 0.
   */
  collectionBands: Array<{ maxDaysLate: number | null; credit: number }>;
  /** Points off per invoice that went overdue in the lookback (逾期次数). */
  overduePenalty: number;
  /** Points off per complaint recorded in the lookback, by severity. */
  complaintPenalty: { low: number; medium: number; high: number };
  /** Points off per invoice dispute opened in the lookback. */
  disputePenalty: number;
}

export interface ProfileRules {
  /** Score (0..100, higher = lower risk) per industry code; the longest matching prefix wins, else `default`. */
  industryRisk: { default: number; codes: { [code: string]: number } };
  externalScales: { [agency: string]: ExternalScale };
  /** Ratios in basis points (1 = 0.0001): current assets / current liabilities, 20000 = 2.0. */
  currentRatioBp: Ramp;
  /** Total liabilities / total assets, 4000 = 40 %. */
  debtToAssetBp: Ramp;
  /** Net income / revenue, 1000 = 10 %. */
  netMarginBp: Ramp;
  /** Points off per lawsuit on record. */
  litigationPenalty: number;
  /** Financial statements older than this (from their asOf) no longer count. */
  financialsMaxAgeDays: number;
}

/**
 * How history takes over from the profile: the history model's share is the smaller of the invoices with a
 * known payment outcome in the lookback over `fullHistoryInvoices` and the days since the first of them over
 * `fullHistoryDays`, in percent, at most 100.
 */
export interface BlendRule {
  fullHistoryInvoices: number;
  fullHistoryDays: number;
}

/** One customer type's criteria (seed 000 FAQ1: 每类的信用等级划分标准不一样). */
export interface Segment {
  history: {
    /** Integers summing to 100. */
    weights: Record<HistoryFactor, number>;
    /** Invoiced amount in the lookback that scores 100 (历史交易金额 against the segment's size). */
    volumeTarget: AmountByCurrency;
    /** Days of relationship that score 100 (合作年限). */
    tenureTargetDays: number;
  };
  profile: {
    /** Integers summing to 100. */
    weights: Record<ProfileFactor, number>;
    registeredCapitalTarget: AmountByCurrency;
    yearsInBusinessTargetDays: number;
  };
}

interface PolicyCommon extends CreditControlPolicy {
  version: number;
  /** Sorted by minScore descending; the last band has minScore 0. */
  bands: GradeBand[];
  /** Days of history the rating looks at. */
  lookbackDays: number;
  breachThresholdsPct: number[];
  /**
   * The default collections ladder: the step an unpaid invoice reaches at each number of days past due
   * (ascending; negative = before the due date). Segments may follow other ladders (collectionLadders).
   */
  collectionsSteps: CollectionStepRule[];
  /**
   * Frozen (new credit orders held) once an undisputed unpaid invoice is MORE than this many days past due; 0 =
   * from the first day past due (seed 004: 一旦发生逾期,系统立即自动冻结该客户的下单权限).
   */
  freezeAfterDaysPastDue: number;
  /**
   * Frozen too once the overdue amount (undisputed, past due, unpaid) exceeds this, in the customer's currency
   * (seed 004: 当客户的逾期金额超过1万元时,系统自动锁定其下单权限).
   */
  freezeOverdueAmount: AmountByCurrency;
  /** A limit with no invoice or order for this many months, and no exposure, is flagged for review. */
  dormantLimitMonths: number;
}

/** The seed-faithful model: a history model and a profile model per segment, blended, bands with terms. */
export interface AssessmentPolicy extends PolicyCommon {
  model: 'assessment';
  history: HistoryRules;
  profile: ProfileRules;
  blend: BlendRule;
  segments: Record<CustomerType, Segment>;
}

/**
 * The policy format before the assessment model (five history factors, one volume target per currency, no
 * profile, no terms). Stored versions of it keep grading exactly as they did, so their grades replay.
 */
export interface FiveFactorPolicy extends PolicyCommon {
  model: 'five-factor';
  /** Integers summing to 100. */
  weights: Record<FiveFactor, number>;
  volumeTarget: AmountByCurrency;
  tenureTargetDays: number;
  noHistoryPunctuality: number;
  disputePenalty: number;
  severeOverduePenalty: number;
}

export type GradePolicy = AssessmentPolicy | FiveFactorPolicy;

/** Credit-control fields: optional in a stored policy (older rows predate them), defaulted on validation. */
export const CONTROL_POLICY_DEFAULTS: Pick<
  PolicyCommon,
  'collectionsSteps' | 'freezeAfterDaysPastDue' | 'freezeOverdueAmount' | 'dormantLimitMonths'
> = {
  collectionsSteps: DEFAULT_COLLECTIONS_STEPS,
  freezeAfterDaysPastDue: 0,
  freezeOverdueAmount: { default: '10000.00' },
  dormantLimitMonths: 6,
};

export function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** JPY has no decimals and ~100× the units; KWD three decimals and ~0.3×: each map names them. */
const amounts = (eur: string, jpy: string, kwd: string): AmountByCurrency => ({
  default: eur,
  JPY: jpy,
  KWD: kwd,
});

/** Seed 000 FAQ1's example weighting, the same for every segment (the targets differ). */
const SEED_000_HISTORY_WEIGHTS: Record<HistoryFactor, number> = {
  collection: 30,
  overdueOccurrences: 25,
  volume: 20,
  tenure: 15,
  complaints: 10,
};

/** A business: registration, industry, statements and an external report all count. */
const BUSINESS_PROFILE_WEIGHTS: Record<ProfileFactor, number> = {
  yearsInBusiness: 15,
  registeredCapital: 10,
  taxRegistration: 5,
  industryRisk: 10,
  currentRatio: 10,
  debtToAsset: 10,
  netMargin: 10,
  externalScore: 20,
  litigation: 10,
};

/**
 * The default policy (version 1 of a new ledger). Bands: seed 000's four grades, D cash only. Everything else
 * is policy data an admin changes by adopting a new version (docs/scoring.md explains each number).
 */
export const DEFAULT_GRADE_POLICY: AssessmentPolicy = deepFreeze({
  version: 1,
  model: 'assessment',
  bands: [
    {
      grade: 'A',
      minScore: 90,
      terms: {
        settlement: 'credit',
        defaultLimit: amounts('100000.00', '10000000', '30000.000'),
        maxPaymentTermsDays: 90,
        reviewIntervalDays: 180,
        approval: 'simplified',
      },
    },
    {
      grade: 'B',
      minScore: 80,
      terms: {
        settlement: 'credit',
        defaultLimit: amounts('50000.00', '5000000', '15000.000'),
        maxPaymentTermsDays: 60,
        reviewIntervalDays: 90,
        approval: 'standard',
      },
    },
    {
      grade: 'C',
      minScore: 70,
      terms: {
        settlement: 'credit',
        defaultLimit: amounts('10000.00', '1000000', '3000.000'),
        maxPaymentTermsDays: 30,
        reviewIntervalDays: 30,
        approval: 'standard',
      },
    },
    {
      grade: 'D',
      minScore: 0,
      terms: {
        settlement: 'cash-only',
        defaultLimit: amounts('0', '0', '0'),
        maxPaymentTermsDays: 0,
        reviewIntervalDays: 30,
        approval: 'standard',
      },
    },
  ],
  lookbackDays: 365,
  history: {
    collectionBands: [
      { maxDaysLate: 0, credit: 100 },
      { maxDaysLate: 7, credit: 85 },
      { maxDaysLate: 15, credit: 70 },
      { maxDaysLate: 30, credit: 50 },
      { maxDaysLate: 60, credit: 25 },
      { maxDaysLate: 90, credit: 10 },
      { maxDaysLate: null, credit: 0 },
    ],
    overduePenalty: 10,
    complaintPenalty: { low: 10, medium: 20, high: 40 },
    disputePenalty: 15,
  },
  profile: {
    industryRisk: {
      default: 50,
      codes: {
        A: 50,
        B: 45,
        C: 65,
        C10: 75,
        C13: 50,
        C14: 45,
        C21: 80,
        C28: 55,
        D: 75,
        E: 75,
        F: 35,
        G: 55,
        G46: 55,
        G47: 50,
        H: 55,
        I: 40,
        J: 70,
        K: 70,
        L: 35,
        M: 65,
        N: 60,
        O: 90,
        P: 80,
        Q: 80,
        R: 45,
        S: 55,
      },
    },
    externalScales: {
      'score-bureau': { score: { min: 300, max: 850 } },
      'rating-agency': {
        ratings: { AAA: 100, AA: 90, A: 80, BBB: 65, BB: 50, B: 35, CCC: 15, CC: 5, C: 0, D: 0 },
      },
    },
    currentRatioBp: { zeroAt: 8000, fullAt: 16000 },
    debtToAssetBp: { zeroAt: 9000, fullAt: 5000 },
    netMarginBp: { zeroAt: -500, fullAt: 800 },
    litigationPenalty: 25,
    financialsMaxAgeDays: 550,
  },
  blend: { fullHistoryInvoices: 3, fullHistoryDays: 180 },
  segments: {
    enterprise: {
      history: {
        weights: SEED_000_HISTORY_WEIGHTS,
        volumeTarget: amounts('50000.00', '5000000', '15000.000'),
        tenureTargetDays: 730,
      },
      profile: {
        weights: BUSINESS_PROFILE_WEIGHTS,
        registeredCapitalTarget: amounts('500000.00', '50000000', '150000.000'),
        yearsInBusinessTargetDays: 3650,
      },
    },
    individual: {
      history: {
        weights: SEED_000_HISTORY_WEIGHTS,
        volumeTarget: amounts('3000.00', '300000', '900.000'),
        tenureTargetDays: 730,
      },
      profile: {
        // A person has no registration or statements here: the external score and court records grade them.
        weights: {
          yearsInBusiness: 0,
          registeredCapital: 0,
          taxRegistration: 0,
          industryRisk: 0,
          currentRatio: 0,
          debtToAsset: 0,
          netMargin: 0,
          externalScore: 70,
          litigation: 30,
        },
        registeredCapitalTarget: amounts('10000.00', '1000000', '3000.000'),
        yearsInBusinessTargetDays: 3650,
      },
    },
    channel: {
      history: {
        weights: SEED_000_HISTORY_WEIGHTS,
        volumeTarget: amounts('150000.00', '15000000', '45000.000'),
        tenureTargetDays: 730,
      },
      profile: {
        weights: BUSINESS_PROFILE_WEIGHTS,
        registeredCapitalTarget: amounts('300000.00', '30000000', '90000.000'),
        yearsInBusinessTargetDays: 3650,
      },
    },
    'end-user': {
      history: {
        weights: SEED_000_HISTORY_WEIGHTS,
        volumeTarget: amounts('10000.00', '1000000', '3000.000'),
        tenureTargetDays: 730,
      },
      profile: {
        weights: {
          yearsInBusiness: 15,
          registeredCapital: 5,
          taxRegistration: 5,
          industryRisk: 10,
          currentRatio: 10,
          debtToAsset: 10,
          netMargin: 10,
          externalScore: 25,
          litigation: 10,
        },
        registeredCapitalTarget: amounts('100000.00', '10000000', '30000.000'),
        yearsInBusinessTargetDays: 1825,
      },
    },
  },
  breachThresholdsPct: [90, 100],
  ...CONTROL_POLICY_DEFAULTS,
  ...CREDIT_CONTROL_POLICY_DEFAULTS,
});

/**
 * The default policy before the assessment model, exactly as ledgers created before it stored it as version 1
 * (they keep it for the events it graded; the AssessmentPolicy migration adopts DEFAULT_GRADE_POLICY after it).
 */
export const FIVE_FACTOR_GRADE_POLICY: FiveFactorPolicy = deepFreeze({
  version: 1,
  model: 'five-factor',
  weights: { punctuality: 30, overdue: 25, volume: 20, tenure: 15, disputes: 10 },
  bands: [
    { grade: 'A', minScore: 90, defaultLimit: '100000.00', paymentTermsDays: 90 },
    { grade: 'B', minScore: 80, defaultLimit: '50000.00', paymentTermsDays: 60 },
    { grade: 'C', minScore: 70, defaultLimit: '10000.00', paymentTermsDays: 30 },
    { grade: 'D', minScore: 0, defaultLimit: '0', paymentTermsDays: 0 },
  ],
  lookbackDays: 365,
  volumeTarget: { default: '100000.00', JPY: '10000000', KWD: '30000.000' },
  tenureTargetDays: 730,
  noHistoryPunctuality: 50,
  disputePenalty: 25,
  severeOverduePenalty: 10,
  breachThresholdsPct: [90, 100],
  ...CONTROL_POLICY_DEFAULTS,
  ...CREDIT_CONTROL_POLICY_DEFAULTS,
});

/** Grade of the first band (highest minScore first) whose minScore <= score. */
export function gradeFor(score: number, policy: GradePolicy): string {
  return bandForScore(score, policy).grade;
}

export function bandForScore(score: number, policy: GradePolicy): GradeBand {
  const bands = policy.bands;
  for (let i = 0; i < bands.length; i++) if (score >= bands[i].minScore) return bands[i];
  return bands[bands.length - 1];
}

/** The band of a grade, or undefined. */
export function bandFor(grade: string, policy: GradePolicy): GradeBand | undefined {
  return policy.bands.find((b) => b.grade === grade);
}

const DECIMAL_RE = /^\d+(\.\d+)?$/;

/**
 * Decimal major units -> minor units of `currency`. Extra fraction digits beyond the currency's
 * exponent are truncated (so the default "100000.00" works for KRW too).
 */
export function policyAmount(text: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (!DECIMAL_RE.test(text))
    throw new DomainError('BAD_POLICY', `${JSON.stringify(text)} is not a decimal amount`);
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole + frac.slice(0, exponent).padEnd(exponent, '0'));
}

const amountCache = new WeakMap<AmountByCurrency, Map<string, bigint>>();

/** map[currency] ?? map.default, in minor units of `currency` (cached per map of a frozen policy). */
export function amountFor(map: AmountByCurrency, currency: string): bigint {
  let m = amountCache.get(map);
  if (!m) {
    m = new Map();
    amountCache.set(map, m);
  }
  let v = m.get(currency);
  if (v === undefined) {
    v = policyAmount(map[currency] ?? map.default, currency);
    m.set(currency, v);
  }
  return v;
}

/** The band's default limit in minor units of `currency`, or null when the band names none. */
export function bandDefaultLimit(band: GradeBand, currency: string): bigint | null {
  if (band.terms !== undefined) return amountFor(band.terms.defaultLimit, currency);
  return band.defaultLimit === undefined ? null : policyAmount(band.defaultLimit, currency);
}
