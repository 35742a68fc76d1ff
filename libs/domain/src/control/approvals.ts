/**
 * The approval workflow, pure: every operation that changes a customer's credit — the first application,
 * permanent and temporary changes, manual freeze and unfreeze, releasing a held order above the policy's cap,
 * lifting a blacklist —
 * is a request in the customer's stream, routed by amount and grade (limit-approval.ts), approved by distinct
 * principals (four-eyes), reminded and escalated while it waits, and only then in force (seed 004: 将所有与信用额度
 * 相关的操作 … 全部流程化、线上化 … 彻底杜绝"越权审批"和"流程绕道"). One command union, one decider.
 */
import type { CustomerState } from '../customer/state';
import { toInstant } from '../dates';
import { formatAmount } from '../money';
import { amountFor, type GradePolicy } from '../rating/policy';
import { isCashOnly } from '../rating/rating';
import { controlEvent, type ControlEvent } from './control-events';
import { canonicalRole } from './credit-control-policy';
import type { ApprovalKind, LimitRequestState } from './credit-control-state';
import { releasesAfter, type CommandResult } from './credit-control';
import {
  checkApproval,
  hasTierAbove,
  missingApprovals,
  requiredApprovals,
  slotsOfTier,
  tierFor,
  type Actor,
} from './limit-approval';

/** The principal billing systems act as: the first application arrives from billing. */
export const BILLING: Actor = { name: 'billing', role: 'billing' };

export type ApprovalCommand =
  | { type: 'RequestLimitChange'; data: { requestId: string; newLimit: bigint; reason: string } }
  | {
      type: 'RequestTemporaryLimit';
      data: { requestId: string; amount: bigint; validUntil: string; reason: string };
    }
  | {
      type: 'RequestStatusChange';
      data: { requestId: string; action: StatusAction; reason: string };
    }
  | { type: 'ReleaseHeldOrder'; data: { requestId: string; orderId: string; reason: string } }
  | { type: 'ApproveRequest'; data: { requestId: string } }
  | { type: 'RejectRequest'; data: { requestId: string; reason: string } };

/** Manual status changes: each a request. Blacklisting itself stays a single manager's decision (it only takes). */
export type StatusAction = 'freeze' | 'unfreeze' | 'unblacklist';

/** Who may ask to lift a blacklist: the managers who blacklist (docs/approvals.md). */
export const BLACKLIST_ROLES: readonly string[] = ['finance-manager', 'cfo', 'general-manager'];

export interface ApprovalContext {
  by: Actor;
  /** The instant the command is decided at (stamped once, so a re-run under the append lock agrees). */
  at: string;
  policy: GradePolicy;
}

type Refusal = Exclude<CommandResult, { ok: true }>;
const fail = (kind: Refusal['kind'], message: string): Refusal => ({ ok: false, kind, message });

/** Decides an approval command on the customer's current state: the events to append, or why not. */
export function decideApproval(
  command: ApprovalCommand,
  state: CustomerState,
  ctx: ApprovalContext,
): CommandResult {
  if (!state.onboarded) return fail('not-found', `customer ${state.customerId} is not in the ledger`);
  switch (command.type) {
    case 'RequestLimitChange':
      return requestLimitChange(state, ctx, command.data);
    case 'RequestTemporaryLimit':
      return requestTemporaryLimit(state, ctx, command.data);
    case 'RequestStatusChange':
      return requestStatusChange(state, ctx, command.data);
    case 'ReleaseHeldOrder':
      return releaseHeldOrder(state, ctx, command.data);
    case 'ApproveRequest':
      return approve(state, ctx, command.data.requestId);
    case 'RejectRequest':
      return reject(state, ctx, command.data.requestId, command.data.reason);
  }
}

interface NewRequest {
  requestId: string;
  kind: ApprovalKind;
  /** The kind's amount (recorded) and the figure the tier is chosen by. */
  amount: bigint;
  routedBy: bigint;
  validUntil?: string;
  orderId?: string;
  reason: string;
}

/** Kinds that extend credit: refused for a blacklisted customer or a cash-only grade. */
const EXTENDS_CREDIT: ReadonlySet<ApprovalKind> = new Set([
  'initial',
  'increase',
  'temporary',
  'order-release',
]);

export const extendsCredit = (kind: ApprovalKind): boolean => EXTENDS_CREDIT.has(kind);

/** Why `kind` cannot extend credit to the customer now, or null. */
function noCredit(state: CustomerState, kind: ApprovalKind): string | null {
  if (!EXTENDS_CREDIT.has(kind)) return null;
  const c = state.customerId;
  if (state.status === 'blacklisted') return `customer ${c} is blacklisted: no more credit`;
  if (isCashOnly(state.rating))
    return `customer ${c} has the cash-only grade ${state.rating!.grade}: no credit`;
  return null;
}

/** The ApprovalRequested event for `r`, or why it cannot be asked for now. */
function openRequest(state: CustomerState, ctx: ApprovalContext, r: NewRequest): CommandResult {
  const c = state.customerId;
  if (state.limitRequests.has(r.requestId))
    return fail('conflict', `request ${r.requestId} already exists for customer ${c}`);
  for (const p of state.limitRequests.values()) {
    if (p.status === 'pending' && p.kind === r.kind && p.orderId === (r.orderId ?? null))
      return fail('conflict', `request ${p.requestId} (${p.kind}) is still pending for customer ${c}`);
  }
  // Billing's first application is recorded whatever the grade; approving it waits for a grade with credit.
  const refused = r.kind === 'initial' ? null : noCredit(state, r.kind);
  if (refused !== null) return fail('conflict', refused);
  const grade = state.rating?.grade ?? null;
  const currency = state.currency!;
  const iso = toInstant(ctx.at);
  return {
    ok: true,
    events: [
      controlEvent('ApprovalRequested', `approval-request:${c}:${r.requestId}`, c, iso, {
        requestId: r.requestId,
        kind: r.kind,
        amount: r.amount,
        currentLimit: state.creditLimit,
        validUntil: r.validUntil ?? null,
        orderId: r.orderId ?? null,
        grade,
        reason: r.reason,
        by: ctx.by.name,
        byRole: canonicalRole(ctx.by.role),
        required: requiredApprovals(ctx.policy, currency, r.routedBy, grade),
        tier: tierFor(ctx.policy, currency, r.routedBy),
      }),
    ],
  };
}

function requestLimitChange(
  state: CustomerState,
  ctx: ApprovalContext,
  d: { requestId: string; newLimit: bigint; reason: string },
): CommandResult {
  if (d.newLimit === state.creditLimit)
    return fail(
      'bad-request',
      `newLimit equals the current limit ${formatAmount(state.creditLimit, state.currency!)}`,
    );
  const kind = d.newLimit > state.creditLimit ? 'increase' : 'decrease';
  // The tier is chosen by the new limit: the credit the firm would extend, whatever the limit was.
  return openRequest(state, ctx, { ...d, kind, amount: d.newLimit, routedBy: d.newLimit });
}

function requestTemporaryLimit(
  state: CustomerState,
  ctx: ApprovalContext,
  d: { requestId: string; amount: bigint; validUntil: string; reason: string },
): CommandResult {
  const iso = toInstant(ctx.at);
  if (d.amount <= 0n) return fail('bad-request', 'amount must be greater than 0');
  if (d.validUntil <= iso) return fail('bad-request', `expiresAt must be in the future (after ${iso})`);
  // Routed by the credit it extends while it runs: the limit plus the temporary amount.
  return openRequest(state, ctx, { ...d, kind: 'temporary', routedBy: state.creditLimit + d.amount });
}

function requestStatusChange(
  state: CustomerState,
  ctx: ApprovalContext,
  d: { requestId: string; action: StatusAction; reason: string },
): CommandResult {
  const c = state.customerId;
  if (d.action === 'unblacklist' && !BLACKLIST_ROLES.includes(canonicalRole(ctx.by.role)))
    return fail('forbidden', `only a ${BLACKLIST_ROLES.join(' or ')} asks to lift a blacklist`);
  const from = { freeze: 'active', unfreeze: 'frozen', unblacklist: 'blacklisted' }[d.action];
  if (state.status !== from) return fail('conflict', `customer ${c} is ${state.status}, not ${from}`);
  // Routed by the limit the freeze takes away or the unfreeze or unblacklist gives back.
  return openRequest(state, ctx, {
    requestId: d.requestId,
    kind: d.action,
    amount: state.creditLimit,
    routedBy: state.creditLimit,
    reason: d.reason,
  });
}

/** Refuses unless the order exists and is held, and the customer is not blacklisted. */
function heldOrder(state: CustomerState, orderId: string): { amount: bigint } | Refusal {
  const c = state.customerId;
  const order = state.orders.get(orderId);
  if (!order) return fail('not-found', `no order ${orderId} for customer ${c}`);
  if (order.status !== 'held') return fail('conflict', `order ${orderId} is ${order.status}, not held`);
  // Never extend credit to a blacklisted customer, not even by hand.
  if (state.status === 'blacklisted')
    return fail('conflict', `customer ${c} is blacklisted: its orders stay held`);
  return order;
}

/**
 * Up to the policy's cap one finance-clerk releases a held order at once (an override recorded with the
 * reason); above it the release is an `order-release` request routed by the order's amount.
 */
function releaseHeldOrder(
  state: CustomerState,
  ctx: ApprovalContext,
  d: { requestId: string; orderId: string; reason: string },
): CommandResult {
  const order = heldOrder(state, d.orderId);
  if ('ok' in order) return order;
  const cap = amountFor(ctx.policy.approvals.orderReleaseCap, state.currency!);
  if (order.amount <= cap && canonicalRole(ctx.by.role) === 'finance-clerk') {
    const iso = toInstant(ctx.at);
    return {
      ok: true,
      events: [
        controlEvent(
          'OrderReleased',
          `order-released:${state.customerId}:${d.orderId}:${d.requestId}`,
          state.customerId,
          iso,
          {
            orderId: d.orderId,
            releasedBy: ctx.by.name,
            reason: d.reason,
          },
        ),
      ],
    };
  }
  return openRequest(state, ctx, {
    ...d,
    kind: 'order-release',
    amount: order.amount,
    routedBy: order.amount,
  });
}

/**
 * The pending request an approval or rejection acts on, or the answer instead. A request made before reminders
 * existed and past its `expiresAt` is expired instead (and the caller answers 409).
 */
function liveRequest(
  state: CustomerState,
  requestId: string,
  at: string,
): { done: CommandResult } | { r: LimitRequestState } {
  const r = state.limitRequests.get(requestId);
  if (!r) return { done: fail('not-found', `no request ${requestId} for customer ${state.customerId}`) };
  if (r.status !== 'pending') return { done: fail('conflict', `request ${requestId} is ${r.status}`) };
  if (r.expiresAt !== null && toInstant(at) >= r.expiresAt)
    return { done: { ok: true, events: [legacyExpiry(state, r, toInstant(at))] } };
  return { r };
}

/** Expiry of a request made before reminders existed (its fixed `expiresAt`). */
export function legacyExpiry(state: CustomerState, r: LimitRequestState, at: string): ControlEvent {
  return controlEvent(
    'LimitChangeExpired',
    `limit-expired:${state.customerId}:${r.requestId}`,
    state.customerId,
    at,
    {
      requestId: r.requestId,
      expiresAt: r.expiresAt!,
    },
  );
}

/** Approves; the last required approval completes the request: ApprovalCompleted, then the operation itself. */
function approve(state: CustomerState, ctx: ApprovalContext, requestId: string): CommandResult {
  const live = liveRequest(state, requestId, ctx.at);
  if ('done' in live) return live.done;
  const { r } = live;
  const check = checkApproval(r, ctx.by);
  if (!check.ok) return fail(check.kind, check.message);
  const c = state.customerId;
  const iso = toInstant(ctx.at);
  const role = canonicalRole(ctx.by.role);
  const given = controlEvent(
    'ApprovalGiven',
    `approval-given:${c}:${requestId}:${ctx.by.name.toLowerCase()}`,
    c,
    iso,
    {
      requestId,
      by: ctx.by.name,
      role,
    },
  );
  if (!check.completes) return { ok: true, events: [given] };
  const effect = operation(state, r, ctx.by, iso);
  if (!Array.isArray(effect)) return effect;
  const approvers = [...r.approvals, { by: ctx.by.name, role }];
  const completed = controlEvent('ApprovalCompleted', `approval-completed:${c}:${requestId}`, c, iso, {
    requestId,
    kind: r.kind,
    approvedBy: approvers.map((a) => a.by),
    approvedRoles: approvers.map((a) => a.role),
  });
  const events = [given, completed, ...effect];
  events.push(...releasesAfter(state, events, iso, `${r.kind} approved: request ${requestId}`));
  return { ok: true, events };
}

/** The events that carry out an approved request (re-checked on the state now: it may have moved on). */
function operation(
  state: CustomerState,
  r: LimitRequestState,
  by: Actor,
  at: string,
): ControlEvent[] | Refusal {
  const c = state.customerId;
  const id = r.requestId;
  const refused = noCredit(state, r.kind);
  if (refused !== null) return fail('conflict', refused);
  switch (r.kind) {
    case 'initial':
    case 'increase':
    case 'decrease':
      return [
        controlEvent('CreditLimitChanged', `limit-changed:${c}:${id}`, c, at, {
          creditLimit: r.newLimit,
          previousLimit: state.creditLimit,
          cause: 'request',
          requestId: id,
          by: by.name,
          reason: r.reason,
        }),
      ];
    case 'temporary':
      if (r.validUntil! <= at)
        return fail('conflict', `the temporary limit requested would have ended at ${r.validUntil}`);
      return [
        controlEvent('TemporaryLimitGranted', `temporary-limit:${c}:${id}`, c, at, {
          amount: r.newLimit,
          expiresAt: r.validUntil!,
          by: by.name,
          byRole: canonicalRole(by.role),
          reason: r.reason,
        }),
      ];
    case 'freeze':
      if (state.status !== 'active') return fail('conflict', `customer ${c} is ${state.status}, not active`);
      return [
        controlEvent('CustomerFrozen', `frozen:${c}:${id}`, c, at, {
          reason: r.reason,
          invoiceIds: [],
          by: by.name,
        }),
      ];
    case 'unfreeze':
      if (state.status !== 'frozen') return fail('conflict', `customer ${c} is ${state.status}, not frozen`);
      return [
        controlEvent('CustomerUnfrozen', `unfrozen:${c}:${id}`, c, at, { reason: r.reason, by: by.name }),
      ];
    case 'unblacklist':
      // Back to frozen if a freeze is still recorded; held orders that fit are released after (approve).
      if (state.status !== 'blacklisted') return fail('conflict', `customer ${c} is not blacklisted`);
      return [
        controlEvent('CustomerUnblacklisted', `unblacklisted:${c}:${id}`, c, at, {
          reason: r.reason,
          by: by.name,
        }),
      ];
    case 'order-release': {
      // heldOrder also refuses a blacklisted customer.
      const order = heldOrder(state, r.orderId!);
      if ('ok' in order) return order;
      return [
        controlEvent('OrderReleased', `order-released:${c}:${r.orderId}:${id}`, c, at, {
          orderId: r.orderId!,
          releasedBy: by.name,
          reason: r.reason,
        }),
      ];
    }
  }
}

function reject(
  state: CustomerState,
  ctx: ApprovalContext,
  requestId: string,
  reason: string,
): CommandResult {
  const live = liveRequest(state, requestId, ctx.at);
  if ('done' in live) return live.done;
  const c = state.customerId;
  return {
    ok: true,
    events: [
      controlEvent('ApprovalRejected', `approval-rejected:${c}:${requestId}`, c, toInstant(ctx.at), {
        requestId,
        by: ctx.by.name,
        role: canonicalRole(ctx.by.role),
        reason,
      }),
    ],
  };
}

/**
 * The first application (seed 003: 新客户先小额试单，逐步放大额度): a new customer's requested limit is cut to
 * the policy's trial limit, in force at once, and the rest is an `initial` request by billing. A cash-only grade
 * gets no credit whatever the request (seed 004: C级客户 原则上不授予信用额度): its effective limit is 0 while the
 * grade lasts, and the request cannot be approved until the grade extends credit. `state` is the state right
 * after onboarding.
 */
export function firstApplication(state: CustomerState, policy: GradePolicy, at: string): ControlEvent[] {
  const c = state.customerId;
  const requested = state.creditLimit;
  const currency = state.currency!;
  const trial = amountFor(policy.approvals.trialLimit, currency);
  if (requested <= trial) return [];
  const requestId = `initial-${c}`;
  const cut = controlEvent('CreditLimitChanged', `limit-trial:${c}`, c, at, {
    creditLimit: trial,
    previousLimit: requested,
    cause: 'trial',
    requestId,
    by: 'system',
    reason: `first application: trial limit ${formatAmount(trial, currency)} until request ${requestId} is approved`,
  });
  const afterCut = { ...state, creditLimit: trial } as CustomerState;
  const r = openRequest(
    afterCut,
    { by: BILLING, at, policy },
    {
      requestId,
      kind: 'initial',
      amount: requested,
      routedBy: requested,
      reason: `first application: ${formatAmount(requested, currency)} requested at onboarding`,
    },
  );
  return r.ok ? [cut, ...r.events] : [cut];
}

/**
 * The time-driven step of each pending request at `at` (seed 004: 超时自动提醒): once `remindAfterHours` passed
 * since it was made, last reminded or escalated, a reminder naming the missing roles; after
 * `escalateAfterReminders` reminders at a tier, escalation to the next tier; at the top tier, expiry (recorded
 * with the reminders sent). One step per request per run; ids are stable, so a re-run appends nothing.
 */
export function approvalReminders(state: CustomerState, at: string, policy: GradePolicy): ControlEvent[] {
  const iso = toInstant(at);
  const c = state.customerId;
  const wait = policy.approvals.remindAfterHours * 3_600_000;
  const out: ControlEvent[] = [];
  for (const r of state.limitRequests.values()) {
    if (r.status !== 'pending' || r.expiresAt !== null) continue;
    if (Date.parse(iso) - Date.parse(r.lastNudgeAt) < wait) continue;
    const missing = missingApprovals(r);
    if (r.remindersAtTier < policy.approvals.escalateAfterReminders) {
      out.push(
        controlEvent(
          'ApprovalReminderSent',
          `approval-reminder:${c}:${r.requestId}:${r.reminders + 1}`,
          c,
          iso,
          {
            requestId: r.requestId,
            kind: r.kind,
            reminder: r.reminders + 1,
            missing,
            requestedAt: r.requestedAt,
          },
        ),
      );
    } else if (hasTierAbove(policy, state.currency!, r.tier)) {
      const tier = r.tier + 1;
      out.push(
        controlEvent('ApprovalEscalated', `approval-escalated:${c}:${r.requestId}:${tier}`, c, iso, {
          requestId: r.requestId,
          kind: r.kind,
          tier,
          required: slotsOfTier(policy, state.currency!, tier, r.grade),
          reminders: r.reminders,
        }),
      );
    } else {
      out.push(
        controlEvent('ApprovalExpired', `approval-expired:${c}:${r.requestId}`, c, iso, {
          requestId: r.requestId,
          kind: r.kind,
          reminders: r.reminders,
          missing,
        }),
      );
    }
  }
  return out;
}
