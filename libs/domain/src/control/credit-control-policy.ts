import { currencyExponent, isCurrency } from '../currencies';
import { DomainError } from '../errors';
import { checkAmount } from '../money';
import {
  COLLECTIONS_POLICY_DEFAULTS,
  COLLECTIONS_POLICY_FIELDS,
  validateCollectionsPolicy,
  type CollectionsPolicy,
} from './collections-policy';

/** Roles that can approve a limit request (admin administers, it never approves credit). */
export const APPROVER_ROLES = ['credit-analyst', 'sales-manager', 'finance-manager', 'cfo'] as const;

/** New limits up to `upTo` (decimal major units; null = no upper bound) need one approval per role listed. */
export interface LimitApprovalTier {
  upTo: string | null;
  roles: string[];
}

export interface CreditControlPolicy extends CollectionsPolicy {
  /** Approval tiers per currency (ascending `upTo`, the last unbounded), with a default for the others. */
  limitApproval: { [currency: string]: LimitApprovalTier[]; default: LimitApprovalTier[] };
  /** A pending limit request expires this many days after it was made. */
  limitRequestExpiryDays: number;
  /** After `onTimeMonths` consecutive on-time calendar months, each further one restores `restorePct` % of a cut. */
  creditRepair: { onTimeMonths: number; restorePct: number };
  /** The review cuts a limit above the grade's default limit to it when the grade changes (off by default). */
  reduceLimitToGradeDefault: boolean;
}

export const CREDIT_CONTROL_POLICY_FIELDS = [
  'limitApproval',
  'limitRequestExpiryDays',
  'creditRepair',
  'reduceLimitToGradeDefault',
  ...COLLECTIONS_POLICY_FIELDS,
] as const;

const DEFAULT_TIERS: LimitApprovalTier[] = [
  { upTo: '50000.00', roles: ['sales-manager', 'credit-analyst'] },
  { upTo: '200000.00', roles: ['finance-manager'] },
  { upTo: null, roles: ['cfo'] },
];

export const CREDIT_CONTROL_POLICY_DEFAULTS: CreditControlPolicy = {
  limitApproval: {
    default: DEFAULT_TIERS,
    JPY: [
      { upTo: '5000000', roles: ['sales-manager', 'credit-analyst'] },
      { upTo: '20000000', roles: ['finance-manager'] },
      { upTo: null, roles: ['cfo'] },
    ],
  },
  limitRequestExpiryDays: 14,
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
    const roles = (o.roles as unknown[]).map((r, j) => {
      if (typeof r !== 'string' || !(APPROVER_ROLES as readonly string[]).includes(r)) {
        fail(`${f}.roles[${j}]`, `must be one of ${APPROVER_ROLES.join(', ')}, got ${JSON.stringify(r)}`);
      }
      return r;
    });
    if (new Set(roles).size !== roles.length) fail(`${f}.roles`, 'has a duplicate role');
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
    creditRepair,
    reduceLimitToGradeDefault:
      (p.reduceLimitToGradeDefault as boolean | undefined) ?? d.reduceLimitToGradeDefault,
    ...validateCollectionsPolicy(p),
  };
}
