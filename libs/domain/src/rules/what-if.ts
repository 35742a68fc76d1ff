/**
 * What-if: a grading policy applied to a customer without writing anything. The decision is the one `policy regrade`
 * appends once a version is in force (regradeEvents), applied to a copy of the state, so a simulation predicts
 * exactly what adopting the draft and re-grading will do.
 */
import { extendsCredit } from '../control/approvals';
import type { ControlEvent } from '../control/control-events';
import { requiredApprovals } from '../control/limit-approval';
import { canonicalJson } from '../canonical-json';
import { formatAmount } from '../money';
import { cloneState, type CustomerState } from '../customer/state';
import { evaluatePosition } from '../position/position';
import { isCashOnly, type FactorScore, type Rating } from '../rating/rating';
import { amountFor, type GradePolicy } from '../rating/policy';
import { rate } from '../rating/rate';
import { applyControl } from './apply-with-rules';
import { rerate } from './time-rules';

/**
 * The events `policy regrade` appends for a customer under `policy`: a CustomerRerated at the customer's own clock
 * when the grade changes (ids name the policy version, so a later version's re-grade never collides).
 */
export function regradeEvents(state: CustomerState, policy: GradePolicy): ControlEvent[] {
  if (state.clock === null) return [];
  return rerate(state, state.clock, policy, 'policy-change').map((e): ControlEvent => ({
    ...e,
    eventId: `${e.eventId}:policy-v${policy.version}`,
  }));
}

export interface FactorMove {
  factor: string;
  /** Contribution in hundredths of a score point, before and after. */
  before: number;
  after: number;
  delta: number;
}

/** The terms a grade carries, as a simulation row shows them. */
export interface WhatIfTerms {
  band: string;
  settlement: string;
  maxPaymentTermsDays: number;
}

function termsOf(r: Rating): WhatIfTerms | null {
  const t = r.terms;
  return t === undefined
    ? null
    : { band: t.band, settlement: t.settlement, maxPaymentTermsDays: t.maxPaymentTermsDays };
}

/** Σ held orders whose hold reason is cash-only. */
function cashOnlyHeld(state: CustomerState): bigint {
  let sum = 0n;
  for (const o of state.orders.values())
    if (o.status === 'held' && o.holdReason === 'cash-only') sum += o.amount;
  return sum;
}

/**
 * The approval work a draft would change for one customer (seed 004: routed by the amount 和客户信用等级; a cash-only
 * grade gets no credit whatever the request).
 */
export interface WhatIfApprovals {
  /** Pending requests that extend credit: approvable now, but not once the draft makes the grade cash-only. */
  blocked: string[];
  /** Pending requests that extend credit: stopped by a cash-only grade now, approvable under the draft. */
  unblocked: string[];
  /**
   * Who must approve a change of the customer's current limit: under the policy in force with the grade now, and
   * under the draft with the grade after (slots as ApprovalRequested.required records them).
   */
  routingBefore: string[];
  routingAfter: string[];
  /** Held orders above the release cap: each needs an order-release approval to be released by hand. */
  releasesToApproveBefore: number;
  releasesToApproveAfter: number;
}

function heldAboveCap(state: CustomerState, policy: GradePolicy): number {
  if (state.currency === null) return 0;
  const cap = amountFor(policy.approvals.orderReleaseCap, state.currency);
  let n = 0;
  for (const o of state.orders.values()) if (o.status === 'held' && o.amount > cap) n++;
  return n;
}

function approvalsWhatIf(
  before: CustomerState,
  after: CustomerState,
  current: GradePolicy,
  draft: GradePolicy,
): WhatIfApprovals {
  const blocked: string[] = [];
  const unblocked: string[] = [];
  const stopsNow = isCashOnly(before.rating);
  const stopsAfter = isCashOnly(after.rating);
  for (const r of before.limitRequests.values()) {
    if (r.status !== 'pending' || !extendsCredit(r.kind) || stopsNow === stopsAfter) continue;
    (stopsAfter ? blocked : unblocked).push(r.requestId);
  }
  const routing = (s: CustomerState, p: GradePolicy): string[] =>
    s.currency === null ? [] : requiredApprovals(p, s.currency, s.creditLimit, s.rating?.grade ?? null);
  return {
    blocked: blocked.sort(),
    unblocked: unblocked.sort(),
    routingBefore: routing(before, current),
    routingAfter: routing(after, draft),
    releasesToApproveBefore: heldAboveCap(before, current),
    releasesToApproveAfter: heldAboveCap(after, draft),
  };
}

export interface WhatIfCustomer {
  customerId: string;
  currency: string | null;
  before: { grade: string; score: number; policyVersion: number };
  after: { grade: string; score: number; policyVersion: number };
  /** Factors whose contribution changes (or that only one of the two policies has). */
  factorsMoved: FactorMove[];
  /** The control events re-grading would append, in order (types only; the re-rating itself included). */
  events: string[];
  ordersReleased: string[];
  ordersHeld: string[];
  /** Held orders (minor units), before and after: credit held back by the credit check. */
  heldBefore: bigint;
  heldAfter: bigint;
  /** The part of them held because the band is cash-only (seed 000 D 不授信 只接受现款交易). */
  cashOnlyHeldBefore: bigint;
  cashOnlyHeldAfter: bigint;
  /** The band's terms before and after (null for a five-factor rating, which carries none). */
  termsBefore: WhatIfTerms | null;
  termsAfter: WhatIfTerms | null;
  exposureBefore: bigint;
  exposureAfter: bigint;
  approvals: WhatIfApprovals;
}

function moves(before: FactorScore[], after: FactorScore[]): FactorMove[] {
  const names = [...new Set([...before.map((f) => f.factor), ...after.map((f) => f.factor)])];
  const of = (list: FactorScore[], n: string): number => list.find((f) => f.factor === n)?.contribution ?? 0;
  return names
    .map((factor) => ({
      factor,
      before: of(before, factor),
      after: of(after, factor),
      delta: of(after, factor) - of(before, factor),
    }))
    .filter((m) => m.delta !== 0);
}

/**
 * The customer now (its stored rating, under `current`, the policy in force) against the customer under `draft`
 * after re-grading. Pure; `state` is untouched.
 */
export function whatIfCustomer(
  state: CustomerState,
  draft: GradePolicy,
  at: string,
  current: GradePolicy,
): WhatIfCustomer | null {
  if (!state.onboarded || state.rating === null || state.clock === null) return null;
  const beforeRating: Rating = state.rating;
  const beforePosition = evaluatePosition(state, at);
  const sim = cloneState(state);
  let seq = BigInt(state.lastSequence);
  const applied: ControlEvent[] = [];
  for (const e of regradeEvents(sim, draft)) {
    const r = applyControl(sim, e, draft, () => (++seq).toString());
    if (r) applied.push(e);
  }
  // No grade change appends nothing; the draft's score and factors are still what it would show.
  const afterRating = applied.length > 0 ? sim.rating! : rate(sim, sim.clock!, draft);
  const afterPosition = evaluatePosition(sim, at);
  const orderIds = (type: string) =>
    applied.filter((e) => e.type === type).map((e) => (e.payload as { orderId: string }).orderId);
  return {
    customerId: state.customerId,
    currency: state.currency,
    before: {
      grade: beforeRating.grade,
      score: beforeRating.score,
      policyVersion: beforeRating.policyVersion,
    },
    after: { grade: afterRating.grade, score: afterRating.score, policyVersion: draft.version },
    factorsMoved: moves(beforeRating.factors, afterRating.factors),
    events: applied.map((e) => e.type),
    ordersReleased: orderIds('OrderReleased'),
    ordersHeld: orderIds('OrderHeld'),
    heldBefore: beforePosition.heldOrders,
    heldAfter: afterPosition.heldOrders,
    cashOnlyHeldBefore: cashOnlyHeld(state),
    cashOnlyHeldAfter: cashOnlyHeld(sim),
    termsBefore: termsOf(beforeRating),
    termsAfter: termsOf(afterRating),
    exposureBefore: beforePosition.exposure,
    exposureAfter: afterPosition.exposure,
    approvals: approvalsWhatIf(state, sim, current, draft),
  };
}

export interface WhatIfSummary {
  customers: number;
  changed: number;
  /** migration[from][to] = customers. */
  migration: Record<string, Record<string, number>>;
  /** Per currency: held orders and exposure, before and after (decimal strings in that currency). */
  byCurrency: Record<
    string,
    {
      customers: number;
      heldBefore: string;
      heldAfter: string;
      /** Held because the band is cash-only: the exposure cash-only bands hold back, before and after. */
      cashOnlyHeldBefore: string;
      cashOnlyHeldAfter: string;
      exposureBefore: string;
      exposureAfter: string;
    }
  >;
  customersWithOrdersReleased: number;
  customersWithOrdersHeld: number;
  /** Who they are (sorted). */
  customersReleased: string[];
  customersHeld: string[];
  approvals: {
    /** Pending credit-extending requests the draft would stop (cash-only) or let through again. */
    pendingBlocked: number;
    pendingUnblocked: number;
    /** Customers whose limit would route to other approvers (grade → simplified flow, or other tiers). */
    customersRoutedDifferently: number;
    /** Customers per approval route ("sales-manager + finance-clerk"), before and after. */
    routesBefore: Record<string, number>;
    routesAfter: Record<string, number>;
    /** Held orders whose release needs an order-release approval, before and after. */
    releasesToApproveBefore: number;
    releasesToApproveAfter: number;
    /** Adopting the draft is itself four-eyes (policy-adoption.ts): the policy in force names the roles. */
    adoption: {
      proposers: string[];
      approvers: string[];
      /** The approval settings the draft changes (tiers, caps, trial limits, reminders, who adopts policy). */
      rulesChanged: string[];
    };
  };
}

function approvalRulesChanged(inForce: GradePolicy, draft: GradePolicy): string[] {
  const changed: string[] = [];
  if (canonicalJson(inForce.limitApproval) !== canonicalJson(draft.limitApproval))
    changed.push('limitApproval');
  const a = inForce.approvals as unknown as Record<string, unknown>;
  const b = draft.approvals as unknown as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
    if (canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null)) changed.push(`approvals.${k}`);
  return changed;
}

/** A customer row as the API and CSV show it: amounts as decimal strings in the customer's currency. */
export type WhatIfRow = Omit<
  WhatIfCustomer,
  'heldBefore' | 'heldAfter' | 'cashOnlyHeldBefore' | 'cashOnlyHeldAfter' | 'exposureBefore' | 'exposureAfter'
> & {
  heldBefore: string;
  heldAfter: string;
  cashOnlyHeldBefore: string;
  cashOnlyHeldAfter: string;
  exposureBefore: string;
  exposureAfter: string;
};

export function whatIfRow(r: WhatIfCustomer): WhatIfRow {
  const fmt = (v: bigint): string => (r.currency === null ? v.toString() : formatAmount(v, r.currency));
  return {
    ...r,
    heldBefore: fmt(r.heldBefore),
    heldAfter: fmt(r.heldAfter),
    cashOnlyHeldBefore: fmt(r.cashOnlyHeldBefore),
    cashOnlyHeldAfter: fmt(r.cashOnlyHeldAfter),
    exposureBefore: fmt(r.exposureBefore),
    exposureAfter: fmt(r.exposureAfter),
  };
}

/** Folds customer rows into the summary (order-independent); `inForce` is the policy the draft would replace. */
export function summariseWhatIf(
  rows: Iterable<WhatIfCustomer>,
  inForce: GradePolicy,
  draft: GradePolicy,
): WhatIfSummary {
  const s: WhatIfSummary = {
    customers: 0,
    changed: 0,
    migration: {},
    byCurrency: {},
    customersWithOrdersReleased: 0,
    customersWithOrdersHeld: 0,
    customersReleased: [],
    customersHeld: [],
    approvals: {
      pendingBlocked: 0,
      pendingUnblocked: 0,
      customersRoutedDifferently: 0,
      routesBefore: {},
      routesAfter: {},
      releasesToApproveBefore: 0,
      releasesToApproveAfter: 0,
      adoption: {
        proposers: inForce.approvals.policyProposers.slice(),
        approvers: inForce.approvals.policyApproval.slice(),
        rulesChanged: approvalRulesChanged(inForce, draft),
      },
    },
  };
  const routeName = (slots: string[]): string => slots.join(' + ') || 'none';
  const routes = { before: new Map<string, number>(), after: new Map<string, number>() };
  type Sums = { customers: number; hb: bigint; ha: bigint; cb: bigint; ca: bigint; eb: bigint; ea: bigint };
  const sums = new Map<string, Sums>();
  for (const r of rows) {
    s.customers++;
    if (r.before.grade !== r.after.grade) s.changed++;
    const row = (s.migration[r.before.grade] ??= {});
    row[r.after.grade] = (row[r.after.grade] ?? 0) + 1;
    if (r.ordersReleased.length) s.customersReleased.push(r.customerId);
    if (r.ordersHeld.length) s.customersHeld.push(r.customerId);
    const a = r.approvals;
    s.approvals.pendingBlocked += a.blocked.length;
    s.approvals.pendingUnblocked += a.unblocked.length;
    const before = routeName(a.routingBefore);
    const after = routeName(a.routingAfter);
    if (before !== after) s.approvals.customersRoutedDifferently++;
    routes.before.set(before, (routes.before.get(before) ?? 0) + 1);
    routes.after.set(after, (routes.after.get(after) ?? 0) + 1);
    s.approvals.releasesToApproveBefore += a.releasesToApproveBefore;
    s.approvals.releasesToApproveAfter += a.releasesToApproveAfter;
    const c = r.currency ?? 'XXX';
    const t = sums.get(c) ?? { customers: 0, hb: 0n, ha: 0n, cb: 0n, ca: 0n, eb: 0n, ea: 0n };
    t.customers++;
    t.hb += r.heldBefore;
    t.ha += r.heldAfter;
    t.cb += r.cashOnlyHeldBefore;
    t.ca += r.cashOnlyHeldAfter;
    t.eb += r.exposureBefore;
    t.ea += r.exposureAfter;
    sums.set(c, t);
  }
  for (const [c, t] of [...sums].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const fmt = (v: bigint): string => (c === 'XXX' ? v.toString() : formatAmount(v, c));
    s.byCurrency[c] = {
      customers: t.customers,
      heldBefore: fmt(t.hb),
      heldAfter: fmt(t.ha),
      cashOnlyHeldBefore: fmt(t.cb),
      cashOnlyHeldAfter: fmt(t.ca),
      exposureBefore: fmt(t.eb),
      exposureAfter: fmt(t.ea),
    };
  }
  // Keys sorted, so the summary's bytes do not depend on the order customers came in.
  const sorted = (m: Map<string, number>): Record<string, number> =>
    Object.fromEntries([...m].sort(([x], [y]) => (x < y ? -1 : 1)));
  s.approvals.routesBefore = sorted(routes.before);
  s.approvals.routesAfter = sorted(routes.after);
  s.customersReleased.sort();
  s.customersHeld.sort();
  s.customersWithOrdersReleased = s.customersReleased.length;
  s.customersWithOrdersHeld = s.customersHeld.length;
  return s;
}
