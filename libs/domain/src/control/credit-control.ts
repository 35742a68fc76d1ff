/**
 * Credit-control commands, pure: each takes the customer's state, the policy, the acting principal and the
 * instant, and returns the control events to append (or why not). The ledger writer re-runs them under its
 * append lock, so a command decides on the current state. decide/mutate for these events live here too.
 */
import type { Decision } from '../customer/decision';
import { cloneState, type CustomerState } from '../customer/state';
import { dateOf, toInstant } from '../dates';
import type { GradePolicy } from '../rating/policy';
import { releaseHeldOrders } from '../rules/credit-check';
import { exposureOf } from '../rules/exposure';
import { ACCEPT, invalid, orderIs } from './control-decision';
import { controlEvent, type ControlEvent } from './control-events';
import { isCreditControlEvent, type CreditControlEvent } from './credit-control-events';
import type { LimitRequestState } from './credit-control-state';
import type { Actor } from './limit-approval';

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
    case 'ApprovalRequested':
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
    case 'ApprovalGiven':
      return pendingRequest(state, event.payload.requestId)?.approvals.some(
        (a) => a.by.toLowerCase() === event.payload.by.toLowerCase(),
      ) === false
        ? ACCEPT
        : invalid(
            `request ${event.payload.requestId} is not pending or ${event.payload.by} approved it already`,
          );
    case 'ApprovalRejected':
    case 'ApprovalCompleted':
    case 'ApprovalReminderSent':
    case 'ApprovalEscalated':
    case 'ApprovalExpired':
      return pendingRequest(state, event.payload.requestId)
        ? ACCEPT
        : invalid(`request ${event.payload.requestId} is not pending`);
  }
}

/** What a request event says; the rest of a pending request (no approvals, no reminders yet) is the same for all. */
type RequestOpening = Omit<
  LimitRequestState,
  | 'requestedAt'
  | 'reminders'
  | 'remindersAtTier'
  | 'lastNudgeAt'
  | 'required'
  | 'approvals'
  | 'status'
  | 'closedAt'
  | 'closedBy'
  | 'closeReason'
> & { required: readonly LimitRequestState['required'][number][] };

/** A pending request, from a legacy LimitChangeRequested or an ApprovalRequested. */
function openRequest(state: CustomerState, at: string, opening: RequestOpening): void {
  state.limitRequests.set(opening.requestId, {
    ...opening,
    requestedAt: at,
    reminders: 0,
    remindersAtTier: 0,
    lastNudgeAt: at,
    required: opening.required.slice(),
    approvals: [],
    status: 'pending',
    closedAt: null,
    closedBy: null,
    closeReason: null,
  });
}

/** Applies a credit-control event to `state` in place. */
export function mutateCreditControl(state: CustomerState, event: CreditControlEvent, at: string): void {
  switch (event.type) {
    case 'LimitChangeRequested': {
      const p = event.payload;
      openRequest(state, at, {
        requestId: p.requestId,
        kind: p.newLimit > p.currentLimit ? 'increase' : 'decrease',
        newLimit: p.newLimit,
        currentLimit: p.currentLimit,
        validUntil: null,
        orderId: null,
        grade: null,
        reason: p.reason,
        requestedBy: p.by,
        expiresAt: p.expiresAt,
        tier: 0,
        required: p.required,
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
      if (p.cause === 'trial') return; // the first application: the initial request decides the rest
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
    case 'ApprovalRequested': {
      const p = event.payload;
      openRequest(state, at, {
        requestId: p.requestId,
        kind: p.kind,
        newLimit: p.amount,
        currentLimit: p.currentLimit,
        validUntil: p.validUntil,
        orderId: p.orderId,
        grade: p.grade,
        reason: p.reason,
        requestedBy: p.by,
        expiresAt: null,
        tier: p.tier,
        required: p.required,
      });
      return;
    }
    case 'ApprovalGiven':
      request(state, event.payload.requestId).approvals.push({
        by: event.payload.by,
        role: event.payload.role,
        at,
      });
      return;
    case 'ApprovalCompleted': {
      const r = request(state, event.payload.requestId);
      r.status = 'approved';
      r.closedAt = at;
      return;
    }
    case 'ApprovalRejected': {
      const r = request(state, event.payload.requestId);
      r.status = 'rejected';
      r.closedAt = at;
      r.closedBy = event.payload.by;
      r.closeReason = event.payload.reason;
      return;
    }
    case 'ApprovalReminderSent': {
      const r = request(state, event.payload.requestId);
      r.reminders++;
      r.remindersAtTier++;
      r.lastNudgeAt = at;
      return;
    }
    case 'ApprovalEscalated': {
      const r = request(state, event.payload.requestId);
      r.tier = event.payload.tier;
      r.required = event.payload.required.slice();
      r.remindersAtTier = 0;
      r.lastNudgeAt = at;
      return;
    }
    case 'ApprovalExpired': {
      const r = request(state, event.payload.requestId);
      r.status = 'expired';
      r.closedAt = at;
      r.closeReason = `no decision after ${event.payload.reminders} reminders`;
      return;
    }
  }
}

/** A request the decide step let through (so it exists). */
function request(state: CustomerState, requestId: string): LimitRequestState {
  const r = state.limitRequests.get(requestId);
  if (r === undefined) throw new Error(`invariant: request ${requestId} of ${state.customerId} is missing`);
  return r;
}

/**
 * Held orders the new state lets through (more credit, unfrozen, unblacklisted): computed on a copy with
 * `events` applied, so they are valid when appended right after them.
 */
export function releasesAfter(
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
  } else if (e.type === 'CustomerFrozen') {
    sim.status = 'frozen';
  } else if (isCreditControlEvent(e)) mutateCreditControl(sim, e, at);
}

function requireOnboarded(state: CustomerState): CommandResult | null {
  return state.onboarded ? null : fail('not-found', `customer ${state.customerId} is not in the ledger`);
}

/** Rejecting a held order extends no credit: one person decides it (the order leaves exposure for good). */
export function rejectOrder(
  state: CustomerState,
  actor: Actor,
  at: string,
  input: { orderId: string; reason: string },
): CommandResult {
  const missing = requireOnboarded(state);
  if (missing) return missing;
  const order = state.orders.get(input.orderId);
  if (!order) return fail('not-found', `no order ${input.orderId} for customer ${state.customerId}`);
  if (order.status !== 'held') return fail('conflict', `order ${input.orderId} is ${order.status}, not held`);
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

/**
 * Blacklisting, with a reason: one manager decides it, since it only takes credit away (every new order is held).
 * Lifting it gives credit back, so it is an approval request (`unblacklist`, approvals.ts).
 */
export function blacklistCustomer(
  state: CustomerState,
  actor: Actor,
  at: string,
  reason: string,
  id: string,
): CommandResult {
  const missing = requireOnboarded(state);
  if (missing) return missing;
  const c = state.customerId;
  if (state.status === 'blacklisted') return fail('conflict', `customer ${c} is already blacklisted`);
  return {
    ok: true,
    events: [
      controlEvent('CustomerBlacklisted', `blacklisted:${c}:${id}`, c, toInstant(at), {
        reason,
        by: actor.name,
      }),
    ],
  };
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
