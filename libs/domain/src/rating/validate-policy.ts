import { CUSTOMER_TYPES, type CustomerType } from '../contract/payloads';
import { currencyExponent, isCurrency } from '../currencies';
import { DomainError } from '../errors';
import { checkAmount } from '../money';
import { CREDIT_CONTROL_POLICY_FIELDS, validateCreditControlPolicy } from '../control/credit-control-policy';
import { validateLadder } from '../control/collections-policy';
import {
  CONTROL_POLICY_DEFAULTS,
  deepFreeze,
  type AmountByCurrency,
  type AssessmentPolicy,
  type BandTerms,
  type CollectionStepRule,
  type ExternalScale,
  type FiveFactorPolicy,
  type GradeBand,
  type GradePolicy,
  type HistoryRules,
  type ProfileRules,
  type Ramp,
  type Segment,
} from './policy';
import { APPROVALS, FIVE_FACTORS, HISTORY_FACTORS, PROFILE_FACTORS, SETTLEMENTS } from './rating';

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

/** Names a policy table may not use: they would shadow or replace Object.prototype. */
function ownName(k: string, field: string): void {
  if (k in Object.prototype) fail(field, 'is a reserved name');
}

function noExtra(o: Obj, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${prefix}${k}`, 'unknown field');
}

function required(o: Obj, fields: readonly string[], prefix: string): void {
  for (const f of fields) if (o[f] === undefined) fail(`${prefix}${f}`, 'is missing');
}

function list(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) fail(field, 'must be a non-empty array');
  return v as unknown[];
}

const DECIMAL_RE = /^\d+(\.\d+)?$/;

/** Integer weights per factor summing to 100. */
function weights<K extends string>(v: unknown, names: readonly K[], field: string): Record<K, number> {
  const w = obj(v, field);
  noExtra(w, names, `${field}.`);
  const out = {} as Record<K, number>;
  let sum = 0;
  for (const name of names) {
    out[name] = int(w[name], `${field}.${name}`, 0, 100);
    sum += out[name];
  }
  if (sum !== 100) fail(field, `must sum to 100, got ${sum}`);
  return out;
}

/** Decimal amounts per currency with a default; `positive` refuses zero. */
function amountMap(v: unknown, field: string, positive: boolean): AmountByCurrency {
  const m = obj(v, field);
  const out: AmountByCurrency = { default: '' };
  for (const [k, a] of Object.entries(m)) {
    if (typeof a !== 'string' || !DECIMAL_RE.test(a) || (positive && /^[0.]+$/.test(a))) {
      fail(
        `${field}.${k}`,
        `must be a decimal string${positive ? ' greater than 0' : ''}, got ${JSON.stringify(a)}`,
      );
    }
    if (k !== 'default') {
      if (!isCurrency(k)) fail(`${field}.${k}`, 'is not an ISO-4217 currency code');
      const r = checkAmount(a, k, currencyExponent(k));
      if (!r.ok) fail(`${field}.${k}`, r.message);
    }
    out[k] = a;
  }
  if (m.default === undefined) fail(`${field}.default`, 'is missing');
  return out;
}

function score(v: unknown, field: string): number {
  return int(v, field, 0, 100);
}

/** Bands sorted by minScore descending down to 0, distinct grades; `band` reads one band's own fields. */
function bands(v: unknown, band: (o: Obj, field: string) => GradeBand): GradeBand[] {
  const grades = new Set<string>();
  const out = list(v, 'bands').map((b, i) => {
    const field = `bands[${i}]`;
    const o = obj(b, field);
    if (typeof o.grade !== 'string' || o.grade.trim() === '' || o.grade.length > 32) {
      fail(`${field}.grade`, 'must be a non-empty string of at most 32 characters');
    }
    if (grades.has(o.grade)) fail(`${field}.grade`, `duplicate grade ${JSON.stringify(o.grade)}`);
    grades.add(o.grade);
    return band(o, field);
  });
  for (let i = 1; i < out.length; i++) {
    if (out[i].minScore >= out[i - 1].minScore) {
      fail(`bands[${i}].minScore`, 'bands must be sorted by minScore, strictly descending');
    }
  }
  if (out[out.length - 1].minScore !== 0) fail(`bands[${out.length - 1}].minScore`, 'last band must be 0');
  return out;
}

function fiveFactorBand(o: Obj, field: string): GradeBand {
  noExtra(o, ['grade', 'minScore', 'defaultLimit', 'paymentTermsDays'], `${field}.`);
  const band: GradeBand = { grade: o.grade as string, minScore: score(o.minScore, `${field}.minScore`) };
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
}

function oneOf<T extends string>(v: unknown, values: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    fail(field, `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function assessmentBand(o: Obj, field: string): GradeBand {
  noExtra(o, ['grade', 'minScore', 'terms'], `${field}.`);
  required(o, ['minScore', 'terms'], `${field}.`);
  const t = obj(o.terms, `${field}.terms`);
  const f = `${field}.terms`;
  const keys = ['settlement', 'defaultLimit', 'maxPaymentTermsDays', 'reviewIntervalDays', 'approval'];
  noExtra(t, keys, `${f}.`);
  required(t, keys, `${f}.`);
  const terms: BandTerms = {
    settlement: oneOf(t.settlement, SETTLEMENTS, `${f}.settlement`),
    defaultLimit: amountMap(t.defaultLimit, `${f}.defaultLimit`, false),
    maxPaymentTermsDays: int(t.maxPaymentTermsDays, `${f}.maxPaymentTermsDays`, 0, 3650),
    reviewIntervalDays: int(t.reviewIntervalDays, `${f}.reviewIntervalDays`, 1, 3650),
    approval: oneOf(t.approval, APPROVALS, `${f}.approval`),
  };
  if (terms.settlement === 'cash-only') {
    // No credit, cash before delivery (seed 004 款到发货): nothing to pay later, no limit to start from.
    if (terms.maxPaymentTermsDays !== 0) fail(`${f}.maxPaymentTermsDays`, 'must be 0 for a cash-only band');
    for (const [k, a] of Object.entries(terms.defaultLimit)) {
      if (!/^[0.]+$/.test(a)) fail(`${f}.defaultLimit.${k}`, 'must be 0 for a cash-only band');
    }
  }
  return { grade: o.grade as string, minScore: score(o.minScore, `${field}.minScore`), terms };
}

function ramp(v: unknown, field: string): Ramp {
  const o = obj(v, field);
  noExtra(o, ['zeroAt', 'fullAt'], `${field}.`);
  const r = {
    zeroAt: int(o.zeroAt, `${field}.zeroAt`, -1_000_000_000, 1_000_000_000),
    fullAt: int(o.fullAt, `${field}.fullAt`, -1_000_000_000, 1_000_000_000),
  };
  if (r.zeroAt === r.fullAt) fail(field, 'zeroAt and fullAt must differ');
  return r;
}

function history(v: unknown): HistoryRules {
  const o = obj(v, 'history');
  const keys = ['collectionBands', 'overduePenalty', 'complaintPenalty', 'disputePenalty'];
  noExtra(o, keys, 'history.');
  required(o, keys, 'history.');
  const collectionBands = list(o.collectionBands, 'history.collectionBands').map((b, i) => {
    const field = `history.collectionBands[${i}]`;
    const x = obj(b, field);
    noExtra(x, ['maxDaysLate', 'credit'], `${field}.`);
    return {
      maxDaysLate: x.maxDaysLate === null ? null : int(x.maxDaysLate, `${field}.maxDaysLate`, 0, 36500),
      credit: score(x.credit, `${field}.credit`),
    };
  });
  collectionBands.forEach((b, i) => {
    const last = i === collectionBands.length - 1;
    if (last !== (b.maxDaysLate === null)) {
      fail(`history.collectionBands[${i}].maxDaysLate`, 'only the last band is open-ended (null)');
    }
    if (i > 0 && b.maxDaysLate !== null && b.maxDaysLate <= collectionBands[i - 1].maxDaysLate!) {
      fail(`history.collectionBands[${i}].maxDaysLate`, 'bands must be ascending');
    }
  });
  const cp = obj(o.complaintPenalty, 'history.complaintPenalty');
  noExtra(cp, ['low', 'medium', 'high'], 'history.complaintPenalty.');
  return {
    collectionBands,
    overduePenalty: score(o.overduePenalty, 'history.overduePenalty'),
    complaintPenalty: {
      low: score(cp.low, 'history.complaintPenalty.low'),
      medium: score(cp.medium, 'history.complaintPenalty.medium'),
      high: score(cp.high, 'history.complaintPenalty.high'),
    },
    disputePenalty: score(o.disputePenalty, 'history.disputePenalty'),
  };
}

const INDUSTRY_CODE_RE = /^[A-Z0-9][A-Z0-9.]{0,15}$/;
const RATING_RE = /^[A-Za-z0-9+-]{1,16}$/;
const AGENCY_RE = /^[A-Za-z0-9._:/-]{1,128}$/;

function externalScale(v: unknown, field: string): ExternalScale {
  const o = obj(v, field);
  noExtra(o, ['score', 'ratings'], `${field}.`);
  if (o.score === undefined && o.ratings === undefined) fail(field, 'needs a score range or a ratings table');
  const out: ExternalScale = {};
  if (o.score !== undefined) {
    const s = obj(o.score, `${field}.score`);
    noExtra(s, ['min', 'max'], `${field}.score.`);
    out.score = {
      min: int(s.min, `${field}.score.min`, 0, 1_000_000),
      max: int(s.max, `${field}.score.max`, 0, 1_000_000),
    };
    if (out.score.max <= out.score.min) fail(`${field}.score.max`, 'must be above min');
  }
  if (o.ratings !== undefined) {
    const r = obj(o.ratings, `${field}.ratings`);
    out.ratings = {};
    for (const [k, n] of Object.entries(r)) {
      if (!RATING_RE.test(k))
        fail(`${field}.ratings.${k}`, 'is not a rating (1-16 characters of A-Z a-z 0-9 + -)');
      ownName(k, `${field}.ratings.${k}`);
      out.ratings[k] = score(n, `${field}.ratings.${k}`);
    }
  }
  return out;
}

function profile(v: unknown): ProfileRules {
  const o = obj(v, 'profile');
  const keys = [
    'industryRisk',
    'externalScales',
    'currentRatioBp',
    'debtToAssetBp',
    'netMarginBp',
    'litigationPenalty',
    'financialsMaxAgeDays',
  ];
  noExtra(o, keys, 'profile.');
  required(o, keys, 'profile.');
  const ir = obj(o.industryRisk, 'profile.industryRisk');
  noExtra(ir, ['default', 'codes'], 'profile.industryRisk.');
  const codes: Record<string, number> = {};
  for (const [k, n] of Object.entries(obj(ir.codes, 'profile.industryRisk.codes'))) {
    if (!INDUSTRY_CODE_RE.test(k))
      fail(`profile.industryRisk.codes.${k}`, 'is not an industry code (A-Z 0-9 .)');
    ownName(k, `profile.industryRisk.codes.${k}`);
    codes[k] = score(n, `profile.industryRisk.codes.${k}`);
  }
  const scales: Record<string, ExternalScale> = {};
  for (const [k, s] of Object.entries(obj(o.externalScales, 'profile.externalScales'))) {
    if (!AGENCY_RE.test(k)) fail(`profile.externalScales.${k}`, 'is not an agency id');
    ownName(k, `profile.externalScales.${k}`);
    scales[k] = externalScale(s, `profile.externalScales.${k}`);
  }
  return {
    industryRisk: { default: score(ir.default, 'profile.industryRisk.default'), codes },
    externalScales: scales,
    currentRatioBp: ramp(o.currentRatioBp, 'profile.currentRatioBp'),
    debtToAssetBp: ramp(o.debtToAssetBp, 'profile.debtToAssetBp'),
    netMarginBp: ramp(o.netMarginBp, 'profile.netMarginBp'),
    litigationPenalty: score(o.litigationPenalty, 'profile.litigationPenalty'),
    financialsMaxAgeDays: int(o.financialsMaxAgeDays, 'profile.financialsMaxAgeDays', 1, 36500),
  };
}

function segment(v: unknown, field: string): Segment {
  const o = obj(v, field);
  noExtra(o, ['history', 'profile'], `${field}.`);
  required(o, ['history', 'profile'], `${field}.`);
  const h = obj(o.history, `${field}.history`);
  const hk = ['weights', 'volumeTarget', 'tenureTargetDays'];
  noExtra(h, hk, `${field}.history.`);
  required(h, hk, `${field}.history.`);
  const p = obj(o.profile, `${field}.profile`);
  const pk = ['weights', 'registeredCapitalTarget', 'yearsInBusinessTargetDays'];
  noExtra(p, pk, `${field}.profile.`);
  required(p, pk, `${field}.profile.`);
  return {
    history: {
      weights: weights(h.weights, HISTORY_FACTORS, `${field}.history.weights`),
      volumeTarget: amountMap(h.volumeTarget, `${field}.history.volumeTarget`, true),
      tenureTargetDays: int(h.tenureTargetDays, `${field}.history.tenureTargetDays`, 1, 36500),
    },
    profile: {
      weights: weights(p.weights, PROFILE_FACTORS, `${field}.profile.weights`),
      registeredCapitalTarget: amountMap(
        p.registeredCapitalTarget,
        `${field}.profile.registeredCapitalTarget`,
        true,
      ),
      yearsInBusinessTargetDays: int(
        p.yearsInBusinessTargetDays,
        `${field}.profile.yearsInBusinessTargetDays`,
        1,
        36500,
      ),
    },
  };
}

function validateCollectionsSteps(input: unknown): CollectionStepRule[] {
  return validateLadder(input, 'collectionsSteps');
}

/**
 * `freezeGraceDays` is the name versions stored before the seed-faithful freeze used (same meaning: frozen once
 * more than that many days past due); it is read as freezeAfterDaysPastDue, so those versions keep their rule.
 */
function freezeAfterDaysPastDue(p: Obj): number {
  if (p.freezeAfterDaysPastDue !== undefined && p.freezeGraceDays !== undefined)
    fail('freezeGraceDays', 'is the old name of freezeAfterDaysPastDue: give one of them');
  const v = p.freezeAfterDaysPastDue ?? p.freezeGraceDays;
  const field = p.freezeAfterDaysPastDue !== undefined ? 'freezeAfterDaysPastDue' : 'freezeGraceDays';
  return v === undefined ? CONTROL_POLICY_DEFAULTS.freezeAfterDaysPastDue : int(v, field, 0, 3650);
}

/** Fields every policy format has; the credit-control ones are optional (older rows predate them). */
const COMMON_FIELDS = ['version', 'bands', 'lookbackDays', 'breachThresholdsPct'];
const OPTIONAL_FIELDS = [
  'model',
  'collectionsSteps',
  'freezeAfterDaysPastDue',
  'freezeGraceDays',
  'freezeOverdueAmount',
  'dormantLimitMonths',
  ...CREDIT_CONTROL_POLICY_FIELDS,
];

function common(p: Obj) {
  const thresholds = p.breachThresholdsPct;
  if (!Array.isArray(thresholds)) fail('breachThresholdsPct', 'must be an array');
  const breachThresholdsPct = (thresholds as unknown[]).map((t, i) =>
    int(t, `breachThresholdsPct[${i}]`, 1, 1000),
  );
  for (let i = 1; i < breachThresholdsPct.length; i++) {
    if (breachThresholdsPct[i] <= breachThresholdsPct[i - 1])
      fail('breachThresholdsPct', 'must be ascending');
  }
  return {
    version: int(p.version, 'version', 1),
    lookbackDays: int(p.lookbackDays, 'lookbackDays', 1, 36500),
    breachThresholdsPct,
    collectionsSteps:
      p.collectionsSteps === undefined
        ? CONTROL_POLICY_DEFAULTS.collectionsSteps.map((c) => ({ ...c }))
        : validateCollectionsSteps(p.collectionsSteps),
    freezeAfterDaysPastDue: freezeAfterDaysPastDue(p),
    freezeOverdueAmount:
      p.freezeOverdueAmount === undefined
        ? { ...CONTROL_POLICY_DEFAULTS.freezeOverdueAmount }
        : amountMap(p.freezeOverdueAmount, 'freezeOverdueAmount', false),
    dormantLimitMonths:
      p.dormantLimitMonths === undefined
        ? CONTROL_POLICY_DEFAULTS.dormantLimitMonths
        : int(p.dormantLimitMonths, 'dormantLimitMonths', 1, 120),
    ...validateCreditControlPolicy(p),
  };
}

const ASSESSMENT_FIELDS = ['history', 'profile', 'blend', 'segments'];

function assessment(p: Obj): AssessmentPolicy {
  noExtra(p, [...COMMON_FIELDS, ...ASSESSMENT_FIELDS, ...OPTIONAL_FIELDS], '');
  required(p, [...COMMON_FIELDS, ...ASSESSMENT_FIELDS], '');
  const b = obj(p.blend, 'blend');
  noExtra(b, ['fullHistoryInvoices', 'fullHistoryDays'], 'blend.');
  const s = obj(p.segments, 'segments');
  noExtra(s, CUSTOMER_TYPES, 'segments.');
  const segments = {} as Record<CustomerType, Segment>;
  for (const type of CUSTOMER_TYPES) {
    if (s[type] === undefined)
      fail(`segments.${type}`, 'is missing (every customer type needs its criteria)');
    segments[type] = segment(s[type], `segments.${type}`);
  }
  const { version, lookbackDays, ...rest } = common(p);
  return {
    version,
    model: 'assessment',
    bands: bands(p.bands, assessmentBand),
    lookbackDays,
    history: history(p.history),
    profile: profile(p.profile),
    blend: {
      fullHistoryInvoices: int(b.fullHistoryInvoices, 'blend.fullHistoryInvoices', 1, 10000),
      fullHistoryDays: int(b.fullHistoryDays, 'blend.fullHistoryDays', 1, 36500),
    },
    segments,
    ...rest,
  };
}

const FIVE_FACTOR_FIELDS = [
  'weights',
  'volumeTarget',
  'tenureTargetDays',
  'noHistoryPunctuality',
  'disputePenalty',
  'severeOverduePenalty',
];

function fiveFactor(p: Obj): FiveFactorPolicy {
  noExtra(p, [...COMMON_FIELDS, ...FIVE_FACTOR_FIELDS, ...OPTIONAL_FIELDS], '');
  required(p, [...COMMON_FIELDS, ...FIVE_FACTOR_FIELDS], '');
  const { version, lookbackDays, ...rest } = common(p);
  return {
    version,
    model: 'five-factor',
    weights: weights(p.weights, FIVE_FACTORS, 'weights'),
    bands: bands(p.bands, fiveFactorBand),
    lookbackDays,
    volumeTarget: amountMap(p.volumeTarget, 'volumeTarget', true),
    tenureTargetDays: int(p.tenureTargetDays, 'tenureTargetDays', 1, 36500),
    noHistoryPunctuality: score(p.noHistoryPunctuality, 'noHistoryPunctuality'),
    disputePenalty: score(p.disputePenalty, 'disputePenalty'),
    severeOverduePenalty: score(p.severeOverduePenalty, 'severeOverduePenalty'),
    ...rest,
  };
}

/**
 * Validates an untrusted policy (a file to adopt, a stored version) and returns a frozen copy. `model` names the
 * format: "assessment" (the current one) or "five-factor", the format of versions adopted before it (stored
 * without a model), still read so their grades replay.
 */
export function validatePolicy(input: unknown): GradePolicy {
  const p = obj(input, '(root)');
  // A document without a model is of the earlier format when it has its top-level weights.
  const model = p.model ?? (p.weights !== undefined ? 'five-factor' : 'assessment');
  if (model !== 'assessment' && model !== 'five-factor') {
    fail(
      'model',
      `must be "assessment" (or "five-factor" for a policy of the earlier format), got ${JSON.stringify(model)}`,
    );
  }
  return deepFreeze(model === 'assessment' ? assessment(p) : fiveFactor(p));
}
