import type { CustomerType } from '../contract/payloads';

/**
 * The history model (seed 000 FAQ1: 回款情况 30%、逾期次数 25%、历史交易金额 20%、合作年限 15%、投诉记录 10%): how the
 * customer has paid, how often it went overdue, how much it bought, how long the relationship runs, complaints.
 */
export const HISTORY_FACTORS = [
  'collection',
  'overdueOccurrences',
  'volume',
  'tenure',
  'complaints',
] as const;
export type HistoryFactor = (typeof HISTORY_FACTORS)[number];

/**
 * The profile model that grades a customer before it has a history (seeds 000 §1.1, 002, 004): years in
 * business, registered capital, tax registration, industry risk, three financial ratios, an external credit
 * score and litigation.
 */
export const PROFILE_FACTORS = [
  'yearsInBusiness',
  'registeredCapital',
  'taxRegistration',
  'industryRisk',
  'currentRatio',
  'debtToAsset',
  'netMargin',
  'externalScore',
  'litigation',
] as const;
export type ProfileFactor = (typeof PROFILE_FACTORS)[number];

/** The factors of a policy adopted before the assessment model ('five-factor'); kept so its grades replay. */
export const FIVE_FACTORS = ['punctuality', 'overdue', 'volume', 'tenure', 'disputes'] as const;
/** Every factor name a rating can carry, whatever its model (the API documents them as one enumeration). */
export const ALL_FACTOR_NAMES = ['blend', ...HISTORY_FACTORS, ...PROFILE_FACTORS, ...FIVE_FACTORS] as const;
export type FiveFactor = (typeof FIVE_FACTORS)[number];

export type FactorName = HistoryFactor | ProfileFactor | FiveFactor | 'blend';

export interface FactorScore {
  factor: FactorName;
  /** Inputs behind the value (amounts as formatted decimals in the customer's currency). */
  raw: Record<string, string | number>;
  /** Integer 0..100. */
  normalised: number;
  /** Percent within its model (the models' weights each sum to 100); 0 for the blend entry. */
  weight: number;
  /** weight × normalised, in hundredths of a score point within its model. */
  contribution: number;
}

/** 'credit': sales on credit; 'cash-only': no credit, cash before delivery (seed 000 D 不授信 只接受现款交易). */
export const SETTLEMENTS = ['credit', 'cash-only'] as const;
export type Settlement = (typeof SETTLEMENTS)[number];
/** How a limit request for the band is approved (seed 004: AAA 简化的审批流程, A 常规审批流程). */
export const APPROVALS = ['simplified', 'standard'] as const;
export type Approval = (typeof APPROVALS)[number];

/** The terms the grade's band carries, as the rating recorded them (deterministic from grade + policy version). */
export interface GradeTerms {
  band: string;
  settlement: Settlement;
  /** Longest payment terms to offer (0 with cash-only). */
  maxPaymentTermsDays: number;
  /** The band's default limit in the customer's currency (decimal major units). */
  defaultLimit: string;
  /** How often a customer in the band is to be reviewed. */
  reviewIntervalDays: number;
  approval: Approval;
}

export interface Rating {
  /** Integer 0..100. */
  score: number;
  grade: string;
  policyVersion: number;
  /** Instant the rating is for (normalised ISO). */
  at: string;
  /**
   * Assessment: the blend entry, the history factors, then the profile factors (each list in the order above).
   * Five-factor: punctuality, overdue, volume, tenure, disputes.
   */
  factors: FactorScore[];
  /** Assessment ratings: the segment whose criteria graded the customer. */
  segment?: CustomerType;
  /** Assessment ratings: the band's terms (absent on five-factor ratings, which grant credit in every band). */
  terms?: GradeTerms;
}

export type FactorModel = 'history' | 'profile' | 'blend';

const MODEL_OF: ReadonlyMap<string, FactorModel> = new Map<string, FactorModel>([
  ['blend', 'blend'],
  ...HISTORY_FACTORS.map((f): [string, FactorModel] => [f, 'history']),
  ...PROFILE_FACTORS.map((f): [string, FactorModel] => [f, 'profile']),
]);

/**
 * Which model of an assessment rating a factor belongs to ('blend' is the entry whose normalised value is the
 * history model's share in percent); null for the factors of a five-factor rating. Derived from the name, so the
 * stored rating (in every state and grade change) does not carry it.
 */
export function factorModel(rating: Pick<Rating, 'terms'>, factor: FactorName): FactorModel | null {
  return rating.terms === undefined ? null : (MODEL_OF.get(factor) ?? null);
}

/** Whether a rating puts the customer on cash-only terms (no credit extended). */
export function isCashOnly(rating: Rating | null): boolean {
  return rating?.terms?.settlement === 'cash-only';
}
