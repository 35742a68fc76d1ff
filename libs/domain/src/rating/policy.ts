import { currencyExponent, isCurrency } from '../currencies';
import { DomainError } from '../errors';
import { checkAmount } from '../money';
import { COLLECTION_STEPS, type CollectionStep } from '../control/control-events';
import {
  CREDIT_CONTROL_POLICY_DEFAULTS,
  CREDIT_CONTROL_POLICY_FIELDS,
  validateCreditControlPolicy,
  type CreditControlPolicy,
} from '../control/credit-control-policy';

export interface GradeBand {
  grade: string;
  minScore: number;
  /** Decimal major units in the customer's currency. */
  defaultLimit?: string;
  /** 0 = cash in advance. */
  paymentTermsDays?: number;
}

export interface FactorWeights {
  punctuality: number;
  overdue: number;
  volume: number;
  tenure: number;
  disputes: number;
}

/** Credit-control fields (limit approval tiers, request expiry, credit repair) are in CreditControlPolicy. */
export interface GradePolicy extends CreditControlPolicy {
  version: number;
  /** Integers summing to 100. */
  weights: FactorWeights;
  /** Sorted by minScore descending; the last band has minScore 0. */
  bands: GradeBand[];
  lookbackDays: number;
  /** Decimal major units per currency, with a default. */
  volumeTarget: { [currency: string]: string; default: string };
  tenureTargetDays: number;
  noHistoryPunctuality: number;
  disputePenalty: number;
  severeOverduePenalty: number;
  breachThresholdsPct: number[];
  /** Collections ladder: the step an unpaid invoice reaches at each number of days past due (ascending). */
  collectionsSteps: CollectionStepRule[];
  /** Days past due of an unpaid invoice after which the customer is frozen (new orders held). */
  freezeGraceDays: number;
  /** A limit with no invoice or order for this many months, and no exposure, is flagged for review. */
  dormantLimitMonths: number;
}

export interface CollectionStepRule {
  step: CollectionStep;
  daysPastDue: number;
}

/** Credit-control fields: optional in a stored policy (older rows predate them), defaulted on validation. */
export const CONTROL_POLICY_DEFAULTS: Pick<
  GradePolicy,
  'collectionsSteps' | 'freezeGraceDays' | 'dormantLimitMonths'
> = {
  collectionsSteps: [
    { step: 'reminder', daysPastDue: 1 },
    { step: 'formal-notice', daysPastDue: 15 },
    { step: 'escalation', daysPastDue: 30 },
  ],
  freezeGraceDays: 30,
  dormantLimitMonths: 6,
};

export const FACTOR_NAMES = ['punctuality', 'overdue', 'volume', 'tenure', 'disputes'] as const;

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export const DEFAULT_GRADE_POLICY: GradePolicy = deepFreeze({
  version: 1,
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

const POLICY_FIELDS = [
  'version',
  'weights',
  'bands',
  'lookbackDays',
  'volumeTarget',
  'tenureTargetDays',
  'noHistoryPunctuality',
  'disputePenalty',
  'severeOverduePenalty',
  'breachThresholdsPct',
];
const OPTIONAL_POLICY_FIELDS = [
  'collectionsSteps',
  'freezeGraceDays',
  'dormantLimitMonths',
  ...CREDIT_CONTROL_POLICY_FIELDS,
];

function fail(field: string, msg: string): never {
  throw new DomainError('BAD_POLICY', `policy.${field}: ${msg}`);
}

type Obj = Record<string, unknown>;

function obj(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object');
  return v as Obj;
}

function int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(field, `must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function noExtra(o: Obj, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${prefix}${k}`, 'unknown field');
}

const DECIMAL_RE = /^\d+(\.\d+)?$/;

/** Validates an untrusted policy (e.g. from config/DB) and returns a frozen copy. */
export function validatePolicy(input: unknown): GradePolicy {
  const p = obj(input, '(root)');
  noExtra(p, [...POLICY_FIELDS, ...OPTIONAL_POLICY_FIELDS], '');
  for (const f of POLICY_FIELDS) if (p[f] === undefined) fail(f, 'is missing');
  const version = int(p.version, 'version', 1);
  const w = obj(p.weights, 'weights');
  noExtra(w, FACTOR_NAMES, 'weights.');
  const weights = {} as FactorWeights;
  let sum = 0;
  for (const name of FACTOR_NAMES) {
    weights[name] = int(w[name], `weights.${name}`, 0, 100);
    sum += weights[name];
  }
  if (sum !== 100) fail('weights', `must sum to 100, got ${sum}`);

  if (!Array.isArray(p.bands) || p.bands.length === 0) fail('bands', 'must be a non-empty array');
  const grades = new Set<string>();
  const bands: GradeBand[] = (p.bands as unknown[]).map((b, i) => {
    const field = `bands[${i}]`;
    const o = obj(b, field);
    noExtra(o, ['grade', 'minScore', 'defaultLimit', 'paymentTermsDays'], `${field}.`);
    if (typeof o.grade !== 'string' || o.grade.trim() === '' || o.grade.length > 32) {
      fail(`${field}.grade`, 'must be a non-empty string of at most 32 characters');
    }
    if (grades.has(o.grade)) fail(`${field}.grade`, `duplicate grade ${JSON.stringify(o.grade)}`);
    grades.add(o.grade);
    const band: GradeBand = { grade: o.grade, minScore: int(o.minScore, `${field}.minScore`, 0, 100) };
    if (o.defaultLimit !== undefined) {
      if (typeof o.defaultLimit !== 'string' || !DECIMAL_RE.test(o.defaultLimit)) {
        fail(`${field}.defaultLimit`, `must be a decimal string, got ${JSON.stringify(o.defaultLimit)}`);
      }
      band.defaultLimit = o.defaultLimit;
    }
    if (o.paymentTermsDays !== undefined) {
      band.paymentTermsDays = int(o.paymentTermsDays, `${field}.paymentTermsDays`, 0, 3650);
    }
    return band;
  });
  for (let i = 1; i < bands.length; i++) {
    if (bands[i].minScore >= bands[i - 1].minScore) {
      fail(`bands[${i}].minScore`, 'bands must be sorted by minScore, strictly descending');
    }
  }
  if (bands[bands.length - 1].minScore !== 0)
    fail(`bands[${bands.length - 1}].minScore`, 'last band must be 0');

  const vt = obj(p.volumeTarget, 'volumeTarget');
  const volumeTarget: GradePolicy['volumeTarget'] = { default: '' };
  for (const [k, v] of Object.entries(vt)) {
    if (typeof v !== 'string' || !DECIMAL_RE.test(v) || /^[0.]+$/.test(v)) {
      fail(`volumeTarget.${k}`, `must be a decimal string greater than 0, got ${JSON.stringify(v)}`);
    }
    if (k !== 'default') {
      if (!isCurrency(k)) fail(`volumeTarget.${k}`, 'is not an ISO-4217 currency code');
      const r = checkAmount(v, k, currencyExponent(k));
      if (!r.ok) fail(`volumeTarget.${k}`, r.message);
    }
    volumeTarget[k] = v;
  }
  if (vt.default === undefined) fail('volumeTarget.default', 'is missing');

  const thresholds = p.breachThresholdsPct;
  if (!Array.isArray(thresholds)) fail('breachThresholdsPct', 'must be an array');
  const breachThresholdsPct = (thresholds as unknown[]).map((t, i) =>
    int(t, `breachThresholdsPct[${i}]`, 1, 1000),
  );
  for (let i = 1; i < breachThresholdsPct.length; i++) {
    if (breachThresholdsPct[i] <= breachThresholdsPct[i - 1])
      fail('breachThresholdsPct', 'must be ascending');
  }

  const collectionsSteps =
    p.collectionsSteps === undefined
      ? CONTROL_POLICY_DEFAULTS.collectionsSteps.map((c) => ({ ...c }))
      : validateCollectionsSteps(p.collectionsSteps);

  return deepFreeze({
    version,
    weights,
    bands,
    lookbackDays: int(p.lookbackDays, 'lookbackDays', 1, 36500),
    volumeTarget,
    tenureTargetDays: int(p.tenureTargetDays, 'tenureTargetDays', 1, 36500),
    noHistoryPunctuality: int(p.noHistoryPunctuality, 'noHistoryPunctuality', 0, 100),
    disputePenalty: int(p.disputePenalty, 'disputePenalty', 0, 100),
    severeOverduePenalty: int(p.severeOverduePenalty, 'severeOverduePenalty', 0, 100),
    breachThresholdsPct,
    collectionsSteps,
    freezeGraceDays:
      p.freezeGraceDays === undefined
        ? CONTROL_POLICY_DEFAULTS.freezeGraceDays
        : int(p.freezeGraceDays, 'freezeGraceDays', 1, 3650),
    dormantLimitMonths:
      p.dormantLimitMonths === undefined
        ? CONTROL_POLICY_DEFAULTS.dormantLimitMonths
        : int(p.dormantLimitMonths, 'dormantLimitMonths', 1, 120),
    ...validateCreditControlPolicy(p),
  });
}

function validateCollectionsSteps(input: unknown): CollectionStepRule[] {
  if (!Array.isArray(input) || input.length === 0) fail('collectionsSteps', 'must be a non-empty array');
  const seen = new Set<string>();
  const steps = (input as unknown[]).map((v, i) => {
    const field = `collectionsSteps[${i}]`;
    const o = obj(v, field);
    noExtra(o, ['step', 'daysPastDue'], `${field}.`);
    if (typeof o.step !== 'string' || !(COLLECTION_STEPS as readonly string[]).includes(o.step)) {
      fail(`${field}.step`, `must be one of ${COLLECTION_STEPS.join(', ')}, got ${JSON.stringify(o.step)}`);
    }
    if (seen.has(o.step)) fail(`${field}.step`, `duplicate step ${JSON.stringify(o.step)}`);
    seen.add(o.step);
    return {
      step: o.step as CollectionStep,
      daysPastDue: int(o.daysPastDue, `${field}.daysPastDue`, 1, 3650),
    };
  });
  for (let i = 1; i < steps.length; i++) {
    if (steps[i].daysPastDue <= steps[i - 1].daysPastDue)
      fail('collectionsSteps', 'must be ascending by daysPastDue');
  }
  return steps;
}

/** Grade of the first band (highest minScore first) whose minScore <= score. */
export function gradeFor(score: number, policy: GradePolicy): string {
  const bands = policy.bands;
  for (let i = 0; i < bands.length; i++) if (score >= bands[i].minScore) return bands[i].grade;
  return bands[bands.length - 1].grade;
}

/** The band of a grade, or undefined. */
export function bandFor(grade: string, policy: GradePolicy): GradeBand | undefined {
  return policy.bands.find((b) => b.grade === grade);
}

/**
 * Decimal major units -> minor units of `currency`. Extra fraction digits beyond the currency's
 * exponent are truncated (so the default "100000.00" works for KRW too).
 */
export function policyAmount(text: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new DomainError('BAD_POLICY', `${JSON.stringify(text)} is not a decimal amount`);
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole + frac.slice(0, exponent).padEnd(exponent, '0'));
}

const targetCache = new WeakMap<GradePolicy, Map<string, bigint>>();

/** volumeTarget[currency] ?? default, in minor units of currency (cached per policy object). */
export function volumeTargetFor(policy: GradePolicy, currency: string): bigint {
  let m = targetCache.get(policy);
  if (!m) {
    m = new Map();
    targetCache.set(policy, m);
  }
  let t = m.get(currency);
  if (t === undefined) {
    t = policyAmount(policy.volumeTarget[currency] ?? policy.volumeTarget.default, currency);
    m.set(currency, t);
  }
  return t;
}
