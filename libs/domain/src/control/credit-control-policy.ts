import { currencyExponent, isCurrency } from '../currencies';
import { DomainError } from '../errors';
import { checkAmount } from '../money';
import {
  COLLECTIONS_POLICY_DEFAULTS,
  COLLECTIONS_POLICY_FIELDS,
  validateCollectionsPolicy,
  type CollectionsPolicy,
} from './collections-policy';

/** Decimal major units per currency, with a default for the others (truncated to a currency's decimals). */
export interface AmountByCurrency {
  default: string;
  [currency: string]: string;
}

/**
 * Roles that can approve a credit operation (seed 004: 销售经理, 财务专员, 财务经理, CFO, 总经理). admin administers
 * and never approves credit.
 */
export const APPROVER_ROLES = [
  'sales-manager',
  'finance-clerk',
  'finance-manager',
  'cfo',
  'general-manager',
] as const;

/** Earlier names of approver roles, read wherever a role is (API keys, stored policies and events). */
export const ROLE_ALIASES: Readonly<Record<string, string>> = { 'credit-analyst': 'finance-clerk' };

/** The current name of `role` (an alias maps to the role it names). */
export function canonicalRole(role: string): string {
  return ROLE_ALIASES[role] ?? role;
}

/**
 * Operations up to `upTo` (decimal major units; null = no upper bound) need one approval per entry of `roles`;
 * an entry may name alternatives, `"cfo|general-manager"`: either fills it.
 */
export interface LimitApprovalTier {
  upTo: string | null;
  roles: string[];
}

/** Timing of a pending request (seed 004: 超时自动提醒) and the first application (seed 003: 新客户先小额试单). */
export interface ApprovalRules {
  /** A pending request is reminded when this long passed since it was made, last reminded or escalated. */
  remindAfterHours: number;
  /** After this many reminders at one tier it is escalated to the next; at the top tier it expires instead. */
  escalateAfterReminders: number;
  /** A held order up to this amount may be released by one finance-clerk; above, it is an approval request. */
  orderReleaseCap: AmountByCurrency;
  /** The part of a new customer's requested limit in force at once; the rest waits for an `initial` approval. */
  trialLimit: AmountByCurrency;
  /**
   * Roles that approve a proposed policy version, one entry per approver (`"a|b"`: either); the proposer never
   * approves and one principal fills one entry. Read from the policy in force when the approval is given.
   */
  policyApproval: string[];
  /** Roles that may propose a new policy version (admin administers the policy; it cannot approve it alone). */
  policyProposers: string[];
}

export interface CreditControlPolicy extends CollectionsPolicy {
  /** Approval tiers per currency (ascending `upTo`, the last unbounded), with a default for the others. */
  limitApproval: { [currency: string]: LimitApprovalTier[]; default: LimitApprovalTier[] };
  /** Requests made before reminders existed expire this many days after they were made. */
  limitRequestExpiryDays: number;
  approvals: ApprovalRules;
  /** After `onTimeMonths` consecutive on-time calendar months, each further one restores `restorePct` % of a cut. */
  creditRepair: { onTimeMonths: number; restorePct: number };
  /** The review cuts a limit above the grade's default limit to it when the grade changes (off by default). */
  reduceLimitToGradeDefault: boolean;
}

export const CREDIT_CONTROL_POLICY_FIELDS = [
  'limitApproval',
  'limitRequestExpiryDays',
  'approvals',
  'creditRepair',
  'reduceLimitToGradeDefault',
  ...COLLECTIONS_POLICY_FIELDS,
] as const;

/** Seed 004: < 50k sales manager and finance clerk; 50k–200k finance manager; > 200k CFO or general manager. */
const DEFAULT_TIERS: LimitApprovalTier[] = [
  { upTo: '50000.00', roles: ['sales-manager', 'finance-clerk'] },
  { upTo: '200000.00', roles: ['finance-manager'] },
  { upTo: null, roles: ['cfo|general-manager'] },
];

export const CREDIT_CONTROL_POLICY_DEFAULTS: CreditControlPolicy = {
  limitApproval: {
    default: DEFAULT_TIERS,
    JPY: [
      { upTo: '5000000', roles: ['sales-manager', 'finance-clerk'] },
      { upTo: '20000000', roles: ['finance-manager'] },
      { upTo: null, roles: ['cfo|general-manager'] },
    ],
  },
  limitRequestExpiryDays: 14,
  approvals: {
    remindAfterHours: 24,
    escalateAfterReminders: 3,
    orderReleaseCap: { default: '10000.00', JPY: '1000000', KWD: '3000.000' },
    trialLimit: { default: '5000.00', JPY: '500000', KWD: '1500.000' },
    policyApproval: ['cfo|general-manager'],
    policyProposers: ['admin', 'cfo'],
  },
  creditRepair: { onTimeMonths: 3, restorePct: 50 },
  reduceLimitToGradeDefault: false,
  ...COLLECTIONS_POLICY_DEFAULTS,
};

function fail(field: string, msg: string): never {
  throw new DomainError('BAD_POLICY', `policy.${field}: ${msg}`);
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object');
  return v as Record<string, unknown>;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(field, `must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

const DECIMAL_RE = /^\d+(\.\d+)?$/;

function validateTiers(input: unknown, field: string, currency: string | null): LimitApprovalTier[] {
  if (!Array.isArray(input) || input.length === 0) fail(field, 'must be a non-empty array');
  const tiers = (input as unknown[]).map((t, i) => {
    const f = `${field}[${i}]`;
    const o = obj(t, f);
    for (const k of Object.keys(o)) if (k !== 'upTo' && k !== 'roles') fail(`${f}.${k}`, 'unknown field');
    let upTo: string | null = null;
    if (o.upTo !== null) {
      if (typeof o.upTo !== 'string' || !DECIMAL_RE.test(o.upTo))
        fail(`${f}.upTo`, `must be a decimal string or null, got ${JSON.stringify(o.upTo)}`);
      if (currency !== null) {
        const r = checkAmount(o.upTo, currency, currencyExponent(currency));
        if (!r.ok) fail(`${f}.upTo`, r.message);
      }
      upTo = o.upTo;
    }
    if (!Array.isArray(o.roles) || o.roles.length === 0) fail(`${f}.roles`, 'must be a non-empty array');
    const roles = validateRoleSlots(o.roles, `${f}.roles`);
    return { upTo, roles };
  });
  tiers.forEach((t, i) => {
    const last = i === tiers.length - 1;
    if (last !== (t.upTo === null)) fail(`${field}[${i}].upTo`, 'only the last tier is unbounded (null)');
    if (i > 0 && t.upTo !== null && Number(t.upTo) <= Number(tiers[i - 1].upTo))
      fail(`${field}[${i}].upTo`, 'tiers must be ascending');
  });
  return tiers;
}

/**
 * Role entries ("finance-manager", or alternatives "cfo|general-manager"), aliases replaced by the role they
 * name; no role twice.
 */
function validateRoleSlots(input: unknown, field: string): string[] {
  if (!Array.isArray(input) || input.length === 0) fail(field, 'must be a non-empty array');
  const seen = new Set<string>();
  return (input as unknown[]).map((entry, j) => {
    if (typeof entry !== 'string') fail(`${field}[${j}]`, `must be a string, got ${JSON.stringify(entry)}`);
    const roles = entry.split('|').map((r) => {
      const role = canonicalRole(r);
      if (!(APPROVER_ROLES as readonly string[]).includes(role))
        fail(`${field}[${j}]`, `must name roles of ${APPROVER_ROLES.join(', ')}, got ${JSON.stringify(r)}`);
      if (seen.has(role)) fail(field, `names ${role} twice`);
      seen.add(role);
      return role;
    });
    return roles.join('|');
  });
}

/** A non-empty list of distinct roles: the approver roles or admin. */
function validateRoleList(input: unknown, field: string): string[] {
  if (!Array.isArray(input) || input.length === 0) fail(field, 'must be a non-empty array');
  const allowed: readonly string[] = [...APPROVER_ROLES, 'admin'];
  const roles = (input as unknown[]).map((r, j) => {
    const role = typeof r === 'string' ? canonicalRole(r) : '';
    if (!allowed.includes(role))
      fail(`${field}[${j}]`, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(r)}`);
    return role;
  });
  if (new Set(roles).size !== roles.length) fail(field, 'names a role twice');
  return roles;
}

function amountMap(v: unknown, field: string): AmountByCurrency {
  const o = obj(v, field);
  if (typeof o.default !== 'string') fail(`${field}.default`, 'is missing');
  for (const [k, a] of Object.entries(o)) {
    if (k !== 'default' && !isCurrency(k)) fail(`${field}.${k}`, 'is not an ISO-4217 currency code');
    if (typeof a !== 'string' || !DECIMAL_RE.test(a))
      fail(`${field}.${k}`, `must be a decimal string, got ${JSON.stringify(a)}`);
    if (k !== 'default') {
      const r = checkAmount(a, k, currencyExponent(k));
      if (!r.ok) fail(`${field}.${k}`, r.message);
    }
  }
  return o as AmountByCurrency;
}

const APPROVAL_RULE_FIELDS = [
  'remindAfterHours',
  'escalateAfterReminders',
  'orderReleaseCap',
  'trialLimit',
  'policyApproval',
  'policyProposers',
];

function validateApprovalRules(v: unknown): ApprovalRules {
  const d = CREDIT_CONTROL_POLICY_DEFAULTS.approvals;
  const o = obj(v, 'approvals');
  for (const k of Object.keys(o))
    if (!APPROVAL_RULE_FIELDS.includes(k)) fail(`approvals.${k}`, 'unknown field');
  return {
    remindAfterHours:
      o.remindAfterHours === undefined
        ? d.remindAfterHours
        : int(o.remindAfterHours, 'approvals.remindAfterHours', 1, 24 * 30),
    escalateAfterReminders:
      o.escalateAfterReminders === undefined
        ? d.escalateAfterReminders
        : int(o.escalateAfterReminders, 'approvals.escalateAfterReminders', 1, 20),
    orderReleaseCap:
      o.orderReleaseCap === undefined
        ? d.orderReleaseCap
        : amountMap(o.orderReleaseCap, 'approvals.orderReleaseCap'),
    trialLimit: o.trialLimit === undefined ? d.trialLimit : amountMap(o.trialLimit, 'approvals.trialLimit'),
    policyApproval:
      o.policyApproval === undefined
        ? d.policyApproval
        : validateRoleSlots(o.policyApproval, 'approvals.policyApproval'),
    policyProposers:
      o.policyProposers === undefined
        ? d.policyProposers
        : validateRoleList(o.policyProposers, 'approvals.policyProposers'),
  };
}

/** Validates the credit-control fields of an untrusted policy object; absent fields take their defaults. */
export function validateCreditControlPolicy(p: Record<string, unknown>): CreditControlPolicy {
  const d = CREDIT_CONTROL_POLICY_DEFAULTS;
  let limitApproval: CreditControlPolicy['limitApproval'] = d.limitApproval;
  if (p.limitApproval !== undefined) {
    const la = obj(p.limitApproval, 'limitApproval');
    if (la.default === undefined) fail('limitApproval.default', 'is missing');
    limitApproval = { default: [] };
    for (const [k, v] of Object.entries(la)) {
      if (k !== 'default' && !isCurrency(k)) fail(`limitApproval.${k}`, 'is not an ISO-4217 currency code');
      limitApproval[k] = validateTiers(v, `limitApproval.${k}`, k === 'default' ? null : k);
    }
  }
  let creditRepair = d.creditRepair;
  if (p.creditRepair !== undefined) {
    const cr = obj(p.creditRepair, 'creditRepair');
    for (const k of Object.keys(cr))
      if (k !== 'onTimeMonths' && k !== 'restorePct') fail(`creditRepair.${k}`, 'unknown field');
    creditRepair = {
      onTimeMonths: int(cr.onTimeMonths, 'creditRepair.onTimeMonths', 1, 36),
      restorePct: int(cr.restorePct, 'creditRepair.restorePct', 1, 100),
    };
  }
  if (p.reduceLimitToGradeDefault !== undefined && typeof p.reduceLimitToGradeDefault !== 'boolean')
    fail(
      'reduceLimitToGradeDefault',
      `must be true or false, got ${JSON.stringify(p.reduceLimitToGradeDefault)}`,
    );
  return {
    limitApproval,
    limitRequestExpiryDays:
      p.limitRequestExpiryDays === undefined
        ? d.limitRequestExpiryDays
        : int(p.limitRequestExpiryDays, 'limitRequestExpiryDays', 1, 365),
    approvals: p.approvals === undefined ? d.approvals : validateApprovalRules(p.approvals),
    creditRepair,
    reduceLimitToGradeDefault:
      (p.reduceLimitToGradeDefault as boolean | undefined) ?? d.reduceLimitToGradeDefault,
    ...validateCollectionsPolicy(p),
  };
}
