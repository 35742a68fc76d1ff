/**
 * Policy knobs of collections and alerts: the ladders per segment (seed 002 "对于长期合作且偶尔逾期的优质客户,可以采取温和的
 * 提醒方式;而对于长期逾期且无还款意愿的客户,则需要采取更强硬的法律手段"), the queue that owns tasks of customers
 * without an account owner, how a dormant limit is cut (seed 004 "额度连续6个月未使用…自动提请进行额度复审或调降"),
 * and what limit warnings measure (seed 004 "当客户的应收账款超过信用额度的90%时": receivables).
 */
import { CUSTOMER_TYPES, type CustomerType } from '../contract/payloads';
import { DomainError } from '../errors';
import { COLLECTION_STEPS, type CollectionStep } from './control-events';

export interface LadderStep {
  step: CollectionStep;
  /** Negative: days before the due date (a pre-due reminder). */
  daysPastDue: number;
}

/** Customers a ladder applies to; every selector given must match (none given: everyone). */
export interface CollectionSegment {
  ladder: string;
  grades?: string[];
  customerTypes?: CustomerType[];
  /** Days since onboarding at least (a long-term customer). */
  minTenureDays?: number;
}

export interface CollectionsPolicy {
  /** Named ladders besides the default one (`collectionsSteps`). */
  collectionLadders: { [name: string]: LadderStep[] };
  /** The first segment a customer matches names its ladder; none matched: `collectionsSteps`. */
  collectionSegments: CollectionSegment[];
  /** Owner of tasks for a customer whose credit file names no account owner. */
  collectionsQueue: string;
  /** A dormant limit is requested down to the band's default limit, or to `sharePct` % of the current one. */
  dormantLimitReduction: { to: 'band-default' | 'share'; sharePct: number };
  /**
   * What the limit warnings (breachThresholdsPct) compare with the limit: open receivables (seed 004) or exposure
   * (receivables + open orders − cash on account). A stored version without the field measures exposure, as it
   * did; the default policy measures receivables.
   */
  limitWarningMeasure: LimitWarningMeasure;
}

export const LIMIT_WARNING_MEASURES = ['receivables', 'exposure'] as const;
export type LimitWarningMeasure = (typeof LIMIT_WARNING_MEASURES)[number];

export const COLLECTIONS_POLICY_FIELDS = [
  'collectionLadders',
  'collectionSegments',
  'collectionsQueue',
  'dormantLimitReduction',
  'limitWarningMeasure',
] as const;

/** The default ladder when the policy names none (seed 000 FAQ2 提前提醒付款节点: a reminder 3 days before due). */
export const DEFAULT_COLLECTIONS_STEPS: LadderStep[] = [
  { step: 'pre-due', daysPastDue: -3 },
  { step: 'reminder', daysPastDue: 1 },
  { step: 'formal-notice', daysPastDue: 15 },
  { step: 'escalation', daysPastDue: 30 },
];

export const COLLECTIONS_POLICY_DEFAULTS: CollectionsPolicy = {
  collectionLadders: {
    // Good long-term customers: reminded gently and later (seed 002 温和的提醒方式).
    gentle: [
      { step: 'pre-due', daysPastDue: -3 },
      { step: 'reminder', daysPastDue: 3 },
      { step: 'formal-notice', daysPastDue: 30 },
      { step: 'escalation', daysPastDue: 60 },
    ],
    // Chronic defaulters: earlier, firmer, up to legal action (seed 002 更强硬的法律手段; seed 003 上升到法律途径).
    firm: [
      { step: 'pre-due', daysPastDue: -7 },
      { step: 'reminder', daysPastDue: 1 },
      { step: 'formal-notice', daysPastDue: 7 },
      { step: 'escalation', daysPastDue: 15 },
      { step: 'legal', daysPastDue: 30 },
    ],
  },
  collectionSegments: [
    { ladder: 'gentle', grades: ['A', 'B'], minTenureDays: 730 },
    { ladder: 'firm', grades: ['D'] },
  ],
  collectionsQueue: 'collections',
  dormantLimitReduction: { to: 'band-default', sharePct: 50 },
  limitWarningMeasure: 'receivables',
};

function fail(field: string, msg: string): never {
  throw new DomainError('BAD_POLICY', `policy.${field}: ${msg}`);
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object');
  return v as Record<string, unknown>;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(field, `must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function strings(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== 'string' || s === ''))
    fail(field, 'must be a non-empty array of non-empty strings');
  return (v as string[]).slice();
}

function noExtra(o: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${field}.${k}`, 'unknown field');
}

/** A ladder: distinct steps, in the steps' own order, strictly ascending days (negative = before due). */
export function validateLadder(input: unknown, field: string): LadderStep[] {
  if (!Array.isArray(input) || input.length === 0) fail(field, 'must be a non-empty array');
  const steps = (input as unknown[]).map((v, i) => {
    const f = `${field}[${i}]`;
    const o = obj(v, f);
    noExtra(o, ['step', 'daysPastDue'], f);
    if (typeof o.step !== 'string' || !(COLLECTION_STEPS as readonly string[]).includes(o.step))
      fail(`${f}.step`, `must be one of ${COLLECTION_STEPS.join(', ')}, got ${JSON.stringify(o.step)}`);
    return {
      step: o.step as CollectionStep,
      daysPastDue: int(o.daysPastDue, `${f}.daysPastDue`, -365, 3650),
    };
  });
  const rank = (s: CollectionStep): number => COLLECTION_STEPS.indexOf(s);
  for (let i = 1; i < steps.length; i++) {
    if (steps[i].daysPastDue <= steps[i - 1].daysPastDue) fail(field, 'must be ascending by daysPastDue');
    if (rank(steps[i].step) <= rank(steps[i - 1].step))
      fail(field, `steps must follow the order ${COLLECTION_STEPS.join(', ')} without repeats`);
  }
  return steps;
}

function segment(v: unknown, field: string, ladders: Set<string>): CollectionSegment {
  const o = obj(v, field);
  noExtra(o, ['ladder', 'grades', 'customerTypes', 'minTenureDays'], field);
  if (typeof o.ladder !== 'string' || !ladders.has(o.ladder))
    fail(`${field}.ladder`, `must name a ladder of collectionLadders, got ${JSON.stringify(o.ladder)}`);
  const out: CollectionSegment = { ladder: o.ladder };
  if (o.grades !== undefined) out.grades = strings(o.grades, `${field}.grades`);
  if (o.customerTypes !== undefined) {
    out.customerTypes = strings(o.customerTypes, `${field}.customerTypes`).map((t, i) => {
      if (!(CUSTOMER_TYPES as readonly string[]).includes(t))
        fail(`${field}.customerTypes[${i}]`, `must be one of ${CUSTOMER_TYPES.join(', ')}`);
      return t as CustomerType;
    });
  }
  if (o.minTenureDays !== undefined)
    out.minTenureDays = int(o.minTenureDays, `${field}.minTenureDays`, 0, 36500);
  return out;
}

/** Validates the collections fields of an untrusted policy object; absent fields take their defaults. */
export function validateCollectionsPolicy(p: Record<string, unknown>): CollectionsPolicy {
  const d = COLLECTIONS_POLICY_DEFAULTS;
  let collectionLadders = d.collectionLadders;
  if (p.collectionLadders !== undefined) {
    const o = obj(p.collectionLadders, 'collectionLadders');
    collectionLadders = {};
    for (const [name, v] of Object.entries(o)) {
      if (name === 'default') fail('collectionLadders.default', 'the default ladder is collectionsSteps');
      collectionLadders[name] = validateLadder(v, `collectionLadders.${name}`);
    }
  }
  const names = new Set(Object.keys(collectionLadders));
  let collectionSegments = d.collectionSegments;
  if (p.collectionSegments !== undefined) {
    if (!Array.isArray(p.collectionSegments)) fail('collectionSegments', 'must be an array');
    collectionSegments = (p.collectionSegments as unknown[]).map((v, i) =>
      segment(v, `collectionSegments[${i}]`, names),
    );
  } else {
    for (const s of collectionSegments)
      if (!names.has(s.ladder))
        fail(
          'collectionSegments',
          `the default segments use ladder "${s.ladder}": define it or set segments`,
        );
  }
  let collectionsQueue = d.collectionsQueue;
  if (p.collectionsQueue !== undefined) {
    if (typeof p.collectionsQueue !== 'string' || p.collectionsQueue === '')
      fail('collectionsQueue', 'must be a non-empty string');
    collectionsQueue = p.collectionsQueue;
  }
  let dormantLimitReduction = d.dormantLimitReduction;
  if (p.dormantLimitReduction !== undefined) {
    const o = obj(p.dormantLimitReduction, 'dormantLimitReduction');
    noExtra(o, ['to', 'sharePct'], 'dormantLimitReduction');
    if (o.to !== 'band-default' && o.to !== 'share')
      fail('dormantLimitReduction.to', `must be "band-default" or "share", got ${JSON.stringify(o.to)}`);
    dormantLimitReduction = { to: o.to, sharePct: int(o.sharePct, 'dormantLimitReduction.sharePct', 0, 99) };
  }
  const m = p.limitWarningMeasure;
  if (m !== undefined && !(LIMIT_WARNING_MEASURES as readonly unknown[]).includes(m))
    fail('limitWarningMeasure', `must be "receivables" or "exposure", got ${JSON.stringify(m)}`);
  return {
    collectionLadders,
    collectionSegments,
    collectionsQueue,
    dormantLimitReduction,
    // Absent: a version stored before the field, which measured exposure.
    limitWarningMeasure: (m as LimitWarningMeasure | undefined) ?? 'exposure',
  };
}
