/**
 * Credit-control commands, pure: each takes the customer's state, the policy, the acting principal and the
 * instant, and returns the control events to append (or why not). The ledger writer re-runs them under its
 * append lock, so a command decides on the current state. decide/mutate for these events live here too.
 */
import type { Decision } from '../customer/decision';
import { cloneState, type CustomerState } from '../customer/state';
import { dateOf, toInstant } from '../dates';
import { formatAmount } from '../money';
import { bandDefaultLimit, bandFor, type GradePolicy } from '../rating/policy';
import { releaseHeldOrders } from '../rules/credit-check';
import { exposureOf } from '../rules/exposure';
import { ACCEPT, invalid, orderIs } from './control-decision';
import { controlEvent, type ControlEvent } from './control-events';
import type { CreditControlEvent } from './credit-control-events';
import type { LimitRequestState } from './credit-control-state';
import { checkApproval, requiredApprovals, type Actor } from './limit-approval';

export type CommandResult =
  | { ok: true; events: ControlEvent[] }
  | { ok: false; kind: 'not-found' | 'forbidden' | 'conflict' | 'bad-request'; message: string };

const fail = (kind: Exclude<CommandResult, { ok: true }>['kind'], message: string): CommandResult => ({
  ok: false,
  kind,
  message,
});

function pendingRequest(state: CustomerState, requestId: string): LimitRequestState | null {
  const r = state.limitRequests.get(requestId);
  return r && r.status === 'pending' ? r : null;
}

/** Whether a credit-control event still fits the state (the writer drops one that does not). */
export function decideCreditControl(state: CustomerState, event: CreditControlEvent): Decision {
  switch (event.type) {
    case 'LimitChangeRequested':
      return state.limitRequests.has(event.payload.requestId)
        ? {
            kind: 'reject',
            code: 'DUPLICATE_ID',
            reason: `request ${event.payload.requestId} already exists`,
          }
        : ACCEPT;
    case 'LimitChangeApproved':
    case 'LimitChangeRejected':
    case 'LimitChangeExpired':
      return pendingRequest(state, event.payload.requestId)
        ? ACCEPT
        : invalid(`request ${event.payload.requestId} is not pending`);
    case 'CreditLimitChanged':
      return event.payload.previousLimit === state.creditLimit
        ? ACCEPT
        : invalid(`the limit is no longer ${event.payload.previousLimit}`);
    case 'TemporaryLimitGranted':
      return state.status === 'blacklisted' ? invalid('customer is blacklisted') : ACCEPT;
    case 'TemporaryLimitExpired':
      return state.temporaryLimit !== null && state.temporaryLimit.expiresAt === event.payload.expiresAt
        ? ACCEPT
        : invalid('no such temporary limit');
    case 'OrderRejected':
      return orderIs(state, event.payload.orderId, 'held');
    case 'CustomerBlacklisted':
      return state.status === 'blacklisted' ? invalid('customer is already blacklisted') : ACCEPT;
    case 'CustomerUnblacklisted':
      return state.status === 'blacklisted' ? ACCEPT : invalid('customer is not blacklisted');
  }
}

/** Applies a credit-control event to `state` in place. */
export function mutateCreditControl(state: CustomerState, event: CreditControlEvent, at: string): void {
  switch (event.type) {
    case 'LimitChangeRequested': {
      const p = event.payload;
      state.limitRequests.set(p.requestId, {
        requestId: p.requestId,
        newLimit: p.newLimit,
        currentLimit: p.currentLimit,
        reason: p.reason,
        requestedBy: p.by,
        requestedAt: at,
        expiresAt: p.expiresAt,
        required: p.required.slice(),
        approvals: [],
        status: 'pending',
        closedAt: null,
        closedBy: null,
        closeReason: null,
      });
      return;
    }
    case 'LimitChangeApproved': {
      const r = state.limitRequests.get(event.payload.requestId)!;
      r.approvals.push({ by: event.payload.by, role: event.payload.role, at });
      if (r.required.every((role) => r.approvals.some((a) => a.role === role))) {
        r.status = 'approved';
        r.closedAt = at;
      }
      return;
    }
    case 'LimitChangeRejected': {
      const r = state.limitRequests.get(event.payload.requestId)!;
      r.status = 'rejected';
      r.closedAt = at;
      r.closedBy = event.payload.by;
      r.closeReason = event.payload.reason;
      return;
    }
    case 'LimitChangeExpired': {
      const r = state.limitRequests.get(event.payload.requestId)!;
      r.status = 'expired';
      r.closedAt = at;
      return;
    }
    case 'CreditLimitChanged': {
      const p = event.payload;
      state.creditLimit = p.creditLimit;
      if (p.cause !== 'repair' && p.creditLimit < p.previousLimit) {
        // Any cut — a grade cut, an approved decrease, a dormant limit's — is repaired by on-time months
        // (seed 000 FAQ2 信用修复). A cut of a cut repairs towards the limit before the first one.
        const from = state.limitRepair ? state.limitRepair.reducedFrom : p.previousLimit;
        state.limitRepair = { reducedFrom: from, reducedTo: p.creditLimit, reducedOn: dateOf(at), steps: 0 };
        if (p.cause === 'review') state.limitReviewedGrade = state.rating?.grade ?? null;
      } else if (p.cause === 'request') {
        // A person raised the limit: nothing left to repair.
        state.limitRepair = null;
      } else if (state.limitRepair) {
        // The review restores one step per run (see creditControlReview).
        state.limitRepair.steps++;
        if (p.creditLimit >= state.limitRepair.reducedFrom) state.limitRepair = null;
      }
      return;
    }
    case 'TemporaryLimitGranted':
      state.temporaryLimit = {
        amount: event.payload.amount,
        expiresAt: event.payload.expiresAt,
        grantedBy: event.payload.by,
        grantId: `${state.customerId}:${state.lastSequence}`,
      };
      return;
    case 'TemporaryLimitExpired':
      state.temporaryLimit = null;
      return;
    case 'OrderRejected': {
      const order = state.orders.get(event.payload.orderId)!;
      order.status = 'rejected';
      state.heldOrdersTotal -= order.amount;
      return;
    }
    case 'CustomerBlacklisted':
      state.status = 'blacklisted';
      return;
    case 'CustomerUnblacklisted':
      // Back to frozen when a freeze is still recorded, else active.
      state.status = state.frozenBy !== null ? 'frozen' : 'active';
      return;
  }
}

/**
 * Held orders the new state lets through (more credit, unfrozen, unblacklisted): computed on a copy with
 * `events` applied, so they are valid when appended right after them.
 */
function releasesAfter(
  state: CustomerState,
  events: ControlEvent[],
  at: string,
  reason: string,
): ControlEvent[] {
  const sim = cloneState(state);
  for (const e of events) applySim(sim, e, at);
  if (sim.status !== 'active') return [];
  return releaseHeldOrders(sim, exposureOf(sim), at, reason).events;
}

function applySim(sim: CustomerState, e: ControlEvent, at: string): void {
  if (e.type === 'CustomerUnfrozen') {
    sim.status = 'active';
    sim.frozenBy = null;
  } else if (isCredit(e)) mutateCreditControl(sim, e, at);
}

function isCredit(e: ControlEvent): e is ControlEvent & CreditControlEvent {
  return (
    e.type === 'LimitChangeRequested' ||
    e.type === 'LimitChangeApproved' ||
    e.type === 'LimitChangeRejected' ||
    e.type === 'LimitChangeExpired' ||
    e.type === 'CreditLimitChanged' ||
    e.type === 'TemporaryLimitGranted' ||
    e.type === 'TemporaryLimitExpired' ||
    e.type === 'OrderRejected' ||
    e.type === 'CustomerBlacklisted' ||
    e.type === 'CustomerUnblacklisted'
  );
}

function requireOnboarded(state: CustomerState): CommandResult | null {
  return state.onboarded ? null : fail('not-found', `customer ${state.customerId} is not in the ledger`);
}

function addDaysIso(at: string, days: number): string {
  return new Date(Date.parse(at) + days * 86_400_000).toISOString();
}

/** Expiry found when a command touches a stale request (the review appends the others). */
function expired(state: CustomerState, r: LimitRequestState, at: string): ControlEvent {
  return controlEvent(
    'LimitChangeExpired',
    `limit-expired:${state.customerId}:${r.requestId}`,
    state.customerId,
    at,
    {
      requestId: r.requestId,
      expiresAt: r.expiresAt,
    },
  );
}

/**
 * The pending request an approval or rejection acts on at `at`, or the answer instead: the refusal, or — for a
 * request past its expiry — the expiry to record (and the caller answers 409).
 */
function liveRequest(
  state: CustomerState,
  requestId: string,
  at: string,
): { done: CommandResult } | { r: LimitRequestState; iso: string } {
  const missing = requireOnboarded(state);
  if (missing) return { done: missing };
  const r = state.limitRequests.get(requestId);
  if (!r)
    return { done: fail('not-found', `no limit request ${requestId} for customer ${state.customerId}`) };
  if (r.status !== 'pending') return { done: fail('conflict', `request ${requestId} is ${r.status}`) };
  const iso = toInstant(at);
  if (iso >= r.expiresAt) return { done: { ok: true, events: [expired(state, r, iso)] } };
  return { r, iso };
}

/** Refuses a release or rejection unless the customer is onboarded and the order exists and is held. */
function requireHeldOrder(state: CustomerState, orderId: string): CommandResult | null {
  const missing = requireOnboarded(state);
  if (missing) return missing;
  const order = state.orders.get(orderId);
  if (!order) return fail('not-found', `no order ${orderId} for customer ${state.customerId}`);
  if (order.status !== 'held') return fail('conflict', `order ${orderId} is ${order.status}, not held`);
  return null;
}

export interface LimitRequestInput {
  requestId: string;
  newLimit: bigint;
  reason: string;
}

export function requestLimitChange(
  state: CustomerState,
  policy: GradePolicy,
  actor: Actor,
  at: string,
  input: LimitRequestInput,
): CommandResult {
  const missing = requireOnboarded(state);
  if (missing) return missing;
  if (state.limitRequests.has(input.requestId))
    return fail('conflict', `request ${input.requestId} already exists for customer ${state.customerId}`);
  if (state.status === 'blacklisted' && input.newLimit > state.creditLimit)
    return fail('conflict', `customer ${state.customerId} is blacklisted: its limit cannot be raised`);
  if (input.newLimit === state.creditLimit)
    return fail(
      'bad-request',
      `newLimit equals the current limit ${formatAmount(state.creditLimit, state.currency!)}`,
    );
  for (const r of state.limitRequests.values()) {
    if (r.status === 'pending' && r.expiresAt > at)
      return fail('conflict', `request ${r.requestId} is still pending for customer ${state.customerId}`);
  }
  const iso = toInstant(at);
  return {
    ok: true,
    events: [
      controlEvent(
        'LimitChangeRequested',
        `limit-request:${state.customerId}:${input.requestId}`,
        state.customerId,
        iso,
        {
          requestId: input.requestId,
          newLimit: input.newLimit,
          currentLimit: state.creditLimit,
          reason: input.reason,
          by: actor.name,
          byRole: actor.role,
          required: requiredApprovals(policy, state.currency!, input.newLimit),
          expiresAt: addDaysIso(iso, policy.limitRequestExpiryDays),
        },
      ),
    ],
  };
}

/**
 * Approves; the last required approval also appends CreditLimitChanged (cause 'request') and releases held
 * orders the new limit covers. A stale request is expired instead (and the caller answers 409).
 */
export function approveLimitChange(
  state: CustomerState,
  actor: Actor,
  at: string,
  requestId: string,
): CommandResult {
  const live = liveRequest(state, requestId, at);
  if ('done' in live) return live.done;
  const { r, iso } = live;
  const check = checkApproval(r, actor);
  if (!check.ok) return fail(check.kind, check.message);
  const events: ControlEvent[] = [
    controlEvent(
      'LimitChangeApproved',
      `limit-approval:${state.customerId}:${requestId}:${actor.name}`,
      state.customerId,
      iso,
      { requestId, by: actor.name, role: actor.role },
    ),
  ];
  if (check.completes) {
    if (state.status === 'blacklisted' && r.newLimit > state.creditLimit)
      return fail('conflict', `customer ${state.customerId} is blacklisted: its limit cannot be raised`);
    events.push(
      controlEvent(
        'CreditLimitChanged',
        `limit-changed:${state.customerId}:${requestId}`,
        state.customerId,
        iso,
        {
          creditLimit: r.newLimit,
          previousLimit: state.creditLimit,
          cause: 'request',
          requestId,
          by: actor.name,
          reason: r.reason,
        },
      ),
    );
    events.push(...releasesAfter(state, events, iso, `limit changed by request ${requestId}`));
  }
  return { ok: true, events };
}

export function rejectLimitChange(
  state: CustomerState,
  actor: Actor,
  at: string,
  requestId: string,
  reason: string,
): CommandResult {
  const live = liveRequest(state, requestId, at);
  if ('done' in live) return live.done;
  const { iso } = live;
  return {
    ok: true,
    events: [
      controlEvent(
        'LimitChangeRejected',
        `limit-rejected:${state.customerId}:${requestId}`,
        state.customerId,
        iso,
        {
          requestId,
          by: actor.name,
          role: actor.role,
          reason,
        },
      ),
    ],
  };
}

export function grantTemporaryLimit(
  state: CustomerState,
  actor: Actor,
  at: string,
  input: { amount: bigint; expiresAt: string; reason: string; id: string },
): CommandResult {
  const missing = requireOnboarded(state);
  if (missing) return missing;
  if (state.status === 'blacklisted')
    return fail('conflict', `customer ${state.customerId} is blacklisted: no temporary limit`);
  const iso = toInstant(at);
  if (input.expiresAt <= iso) return fail('bad-request', `expiresAt must be in the future (after ${iso})`);
  if (input.amount <= 0n) return fail('bad-request', 'amount must be greater than 0');
  const events: ControlEvent[] = [
    controlEvent(
      'TemporaryLimitGranted',
      `temporary-limit:${state.customerId}:${input.id}`,
      state.customerId,
      iso,
      {
        amount: input.amount,
        expiresAt: input.expiresAt,
        by: actor.name,
        byRole: actor.role,
        reason: input.reason,
      },
    ),
  ];
  events.push(...releasesAfter(state, events, iso, 'temporary limit granted'));
  return { ok: true, events };
}

export function releaseOrder(
  state: CustomerState,
  actor: Actor,
  at: string,
  input: { orderId: string; reason: string; id: string },
): CommandResult {
  const notHeld = requireHeldOrder(state, input.orderId);
  if (notHeld) return notHeld;
  // Never extend credit to a blacklisted customer, not even by hand.
  if (state.status === 'blacklisted')
    return fail('conflict', `customer ${state.customerId} is blacklisted: its orders stay held`);
  return {
    ok: true,
    events: [
      controlEvent(
        'OrderReleased',
        `order-released:${state.customerId}:${input.orderId}:${input.id}`,
        state.customerId,
        toInstant(at),
        {
          orderId: input.orderId,
          releasedBy: actor.name,
          reason: input.reason,
        },
      ),
    ],
  };
}

export function rejectOrder(
  state: CustomerState,
  actor: Actor,
  at: string,
  input: { orderId: string; reason: string },
): CommandResult {
  const notHeld = requireHeldOrder(state, input.orderId);
  if (notHeld) return notHeld;
  return {
    ok: true,
    events: [
      controlEvent(
        'OrderRejected',
        `order-rejected:${state.customerId}:${input.orderId}`,
        state.customerId,
        toInstant(at),
        {
          orderId: input.orderId,
          by: actor.name,
          reason: input.reason,
        },
      ),
    ],
  };
}

export type StatusAction = 'blacklist' | 'unblacklist' | 'freeze' | 'unfreeze';

/** Blacklist / unblacklist / manual freeze / unfreeze, each with a reason; releases follow an unblock. */
export function changeStatus(
  state: CustomerState,
  actor: Actor,
  at: string,
  action: StatusAction,
  reason: string,
  id: string,
): CommandResult {
  const missing = requireOnboarded(state);
  if (missing) return missing;
  const iso = toInstant(at);
  const c = state.customerId;
  let event: ControlEvent;
  switch (action) {
    case 'blacklist':
      if (state.status === 'blacklisted') return fail('conflict', `customer ${c} is already blacklisted`);
      event = controlEvent('CustomerBlacklisted', `blacklisted:${c}:${id}`, c, iso, {
        reason,
        by: actor.name,
      });
      break;
    case 'unblacklist':
      if (state.status !== 'blacklisted') return fail('conflict', `customer ${c} is not blacklisted`);
      event = controlEvent('CustomerUnblacklisted', `unblacklisted:${c}:${id}`, c, iso, {
        reason,
        by: actor.name,
      });
      break;
    case 'freeze':
      if (state.status !== 'active') return fail('conflict', `customer ${c} is ${state.status}, not active`);
      event = controlEvent('CustomerFrozen', `frozen:${c}:${id}`, c, iso, {
        reason,
        invoiceIds: [],
        by: actor.name,
      });
      break;
    case 'unfreeze':
      if (state.status !== 'frozen') return fail('conflict', `customer ${c} is ${state.status}, not frozen`);
      event = controlEvent('CustomerUnfrozen', `unfrozen:${c}:${id}`, c, iso, { reason, by: actor.name });
      break;
  }
  const events: ControlEvent[] = [event];
  if (action === 'unblacklist' || action === 'unfreeze')
    events.push(...releasesAfter(state, events, iso, `${action}: ${reason}`));
  return { ok: true, events };
}

/** 'YYYY-MM' of a date. */
const monthOf = (date: string): string => date.slice(0, 7);

function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function lastDayOf(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/**
 * A calendar month of on-time payment: at least one payment received in it (not reversed), and no invoice was
 * past due and unpaid on any of its days (an invoice paid late was overdue from the day after its due date to
 * the day it was settled; an open one still is; a written-off one was until its write-off).
 */
export function onTimeMonth(state: CustomerState, month: string): boolean {
  const first = `${month}-01`;
  const last = lastDayOf(month);
  let paid = false;
  for (const p of state.payments.values()) {
    if (!p.reversed && p.receivedOn >= first && p.receivedOn <= last) paid = true;
  }
  if (!paid) return false;
  for (const inv of state.invoices.values()) {
    const lateEnd = inv.settledOn ?? inv.writtenOffOn ?? (inv.open > 0n ? '9999-12-31' : null);
    if (lateEnd === null || lateEnd <= inv.dueOn) continue;
    // Late on the days after dueOn through lateEnd: does that overlap [first, last]?
    if (inv.dueOn < last && lateEnd >= first) return false;
  }
  return true;
}

/**
 * Repair steps earned by `at`, each with the months that earned it: walking the complete calendar months after
 * the cut, each on-time month extends a streak; from the N-th month of a streak on, every on-time month earns
 * one step (earned by the streak's last N months); a late month resets the streak.
 */
export function repairSteps(state: CustomerState, at: string, policy: GradePolicy): string[][] {
  const repair = state.limitRepair;
  if (repair === null) return [];
  const current = monthOf(toInstant(at));
  const n = policy.creditRepair.onTimeMonths;
  let streak: string[] = [];
  const steps: string[][] = [];
  for (let m = nextMonth(monthOf(repair.reducedOn)); m < current; m = nextMonth(m)) {
    if (onTimeMonth(state, m)) {
      streak.push(m);
      if (streak.length >= n) steps.push(streak.slice(-n));
    } else streak = [];
  }
  return steps;
}

export function repairStepsEarned(state: CustomerState, at: string, policy: GradePolicy): number {
  return repairSteps(state, at, policy).length;
}

/**
 * The time-driven credit-control review at `at`: expires stale limit requests and ended temporary limits, cuts a
 * limit above the grade's default (when the policy says so) and restores cut limits step by step. Ids are
 * stable, so running it twice appends once.
 */
export function creditControlReview(state: CustomerState, at: string, policy: GradePolicy): ControlEvent[] {
  if (!state.onboarded) return [];
  const iso = toInstant(at);
  const c = state.customerId;
  const out: ControlEvent[] = [];
  for (const r of state.limitRequests.values()) {
    if (r.status === 'pending' && r.expiresAt <= iso) out.push(expired(state, r, iso));
  }
  const t = state.temporaryLimit;
  if (t !== null && t.expiresAt <= iso) {
    out.push(
      controlEvent('TemporaryLimitExpired', `temporary-limit-expired:${t.grantId}`, c, iso, {
        amount: t.amount,
        expiresAt: t.expiresAt,
      }),
    );
  }
  const grade = state.rating?.grade ?? null;
  const band = grade === null ? undefined : bandFor(grade, policy);
  const to = band === undefined ? null : bandDefaultLimit(band, state.currency!);
  if (
    policy.reduceLimitToGradeDefault &&
    to !== null &&
    grade !== state.limitReviewedGrade &&
    to < state.creditLimit
  ) {
    out.push(
      controlEvent('CreditLimitChanged', `limit-review:${c}:${state.lastSequence}`, c, iso, {
        creditLimit: to,
        previousLimit: state.creditLimit,
        cause: 'review',
        requestId: null,
        by: 'system',
        reason: `grade ${grade}: default limit ${formatAmount(to, state.currency!)}`,
      }),
    );
    return out;
  }
  const repair = state.limitRepair;
  if (repair !== null) {
    const steps = repairSteps(state, iso, policy);
    const earned = steps.length;
    // One step per run: a review that did not run for months catches up on its following runs.
    const stepNo = repair.steps + 1;
    if (earned >= stepNo) {
      const cut = repair.reducedFrom - repair.reducedTo;
      const step = (cut * BigInt(policy.creditRepair.restorePct)) / 100n;
      let to = repair.reducedTo + step * BigInt(stepNo);
      if (to > repair.reducedFrom || stepNo * policy.creditRepair.restorePct >= 100) to = repair.reducedFrom;
      if (to > state.creditLimit) {
        out.push(
          controlEvent('CreditLimitChanged', `limit-repair:${c}:${repair.reducedOn}:${stepNo}`, c, iso, {
            creditLimit: to,
            previousLimit: state.creditLimit,
            cause: 'repair',
            requestId: null,
            by: 'system',
            reason: `repair step ${stepNo}: ${earned} step(s) earned after ${policy.creditRepair.onTimeMonths} on-time months`,
            earnedBy: steps[stepNo - 1],
          }),
        );
      }
    }
  }
  return out;
}
