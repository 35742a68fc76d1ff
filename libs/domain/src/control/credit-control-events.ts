/**
 * Credit-control events operators cause through the API (limit requests and approvals, temporary limits, order
 * rejection, blacklist) and the limit changes the review appends. Registered into the control-event union in
 * control-events.ts, so they are ledger events of the customer's stream: replay and as-of see them. Amounts are
 * bigint minor units of the customer's currency; `by` is the acting principal's name ('system' for the review).
 */
import { formatAmount } from '../money';
import { isApprovalKind, type ApprovalKind } from './credit-control-state';
import type { StoredFields } from './stored-fields';

export const CREDIT_CONTROL_EVENT_TYPES = [
  'LimitChangeRequested',
  'LimitChangeApproved',
  'LimitChangeRejected',
  'LimitChangeExpired',
  'CreditLimitChanged',
  'TemporaryLimitGranted',
  'TemporaryLimitExpired',
  'OrderRejected',
  'CustomerBlacklisted',
  'CustomerUnblacklisted',
  'ApprovalRequested',
  'ApprovalGiven',
  'ApprovalRejected',
  'ApprovalCompleted',
  'ApprovalReminderSent',
  'ApprovalEscalated',
  'ApprovalExpired',
] as const;

export type CreditControlEventType = (typeof CREDIT_CONTROL_EVENT_TYPES)[number];

/**
 * 'request': an approved request; 'review': a rule cut the limit (grade default); 'repair': restored; 'trial':
 * a new customer's requested limit cut to the policy's trial limit until its `initial` request is approved.
 */
export const LIMIT_CHANGE_CAUSES = ['request', 'review', 'repair', 'trial'] as const;
export type LimitChangeCause = (typeof LIMIT_CHANGE_CAUSES)[number];

export interface LimitChangeRequestedPayload {
  requestId: string;
  newLimit: bigint;
  currentLimit: bigint;
  reason: string;
  by: string;
  byRole: string;
  /** Roles that must each approve (one distinct principal per role), fixed from the policy at request time. */
  required: string[];
  expiresAt: string;
}

export interface LimitChangeApprovedPayload {
  requestId: string;
  by: string;
  role: string;
}

export interface LimitChangeRejectedPayload {
  requestId: string;
  by: string;
  role: string;
  reason: string;
}

export interface LimitChangeExpiredPayload {
  requestId: string;
  expiresAt: string;
}

export interface CreditLimitChangedPayload {
  creditLimit: bigint;
  previousLimit: bigint;
  cause: LimitChangeCause;
  requestId: string | null;
  by: string;
  reason: string;
  /** A repair: the on-time calendar months ('YYYY-MM') that earned it (absent on other causes). */
  earnedBy?: string[];
}

export interface TemporaryLimitGrantedPayload {
  amount: bigint;
  expiresAt: string;
  by: string;
  byRole: string;
  reason: string;
}

export interface TemporaryLimitExpiredPayload {
  amount: bigint;
  expiresAt: string;
}

export interface OrderRejectedPayload {
  orderId: string;
  by: string;
  reason: string;
}

export interface BlacklistPayload {
  reason: string;
  by: string;
}

/** A request of the approval workflow (fields as in LimitRequestState; `amount` is what it is routed by). */
export interface ApprovalRequestedPayload {
  requestId: string;
  kind: ApprovalKind;
  amount: bigint;
  currentLimit: bigint;
  validUntil: string | null;
  orderId: string | null;
  grade: string | null;
  reason: string;
  by: string;
  byRole: string;
  required: string[];
  tier: number;
}

export interface ApprovalGivenPayload {
  requestId: string;
  by: string;
  role: string;
}

/** The request is approved: every approver, in order, with the role each approved in. */
export interface ApprovalCompletedPayload {
  requestId: string;
  kind: ApprovalKind;
  approvedBy: string[];
  approvedRoles: string[];
}

/** A pending request waited `remindAfterHours`: who is still missing (seed 004: 超时自动提醒). */
export interface ApprovalReminderSentPayload {
  requestId: string;
  kind: ApprovalKind;
  reminder: number;
  missing: string[];
  requestedAt: string;
}

export interface ApprovalEscalatedPayload {
  requestId: string;
  kind: ApprovalKind;
  tier: number;
  required: string[];
  reminders: number;
}

export interface ApprovalExpiredPayload {
  requestId: string;
  kind: ApprovalKind;
  reminders: number;
  missing: string[];
}

export interface CreditControlPayloadMap {
  LimitChangeRequested: LimitChangeRequestedPayload;
  LimitChangeApproved: LimitChangeApprovedPayload;
  LimitChangeRejected: LimitChangeRejectedPayload;
  LimitChangeExpired: LimitChangeExpiredPayload;
  CreditLimitChanged: CreditLimitChangedPayload;
  TemporaryLimitGranted: TemporaryLimitGrantedPayload;
  TemporaryLimitExpired: TemporaryLimitExpiredPayload;
  OrderRejected: OrderRejectedPayload;
  CustomerBlacklisted: BlacklistPayload;
  CustomerUnblacklisted: BlacklistPayload;
  ApprovalRequested: ApprovalRequestedPayload;
  ApprovalGiven: ApprovalGivenPayload;
  ApprovalRejected: LimitChangeRejectedPayload;
  ApprovalCompleted: ApprovalCompletedPayload;
  ApprovalReminderSent: ApprovalReminderSentPayload;
  ApprovalEscalated: ApprovalEscalatedPayload;
  ApprovalExpired: ApprovalExpiredPayload;
}

/** The shape shared with ControlEnvelope (control-events builds the envelope union from this file). */
export type CreditControlEvent = {
  [T in CreditControlEventType]: { type: T; payload: CreditControlPayloadMap[T] };
}[CreditControlEventType];

const CREDIT_SET: ReadonlySet<string> = new Set(CREDIT_CONTROL_EVENT_TYPES);

export function isCreditControlType(type: string): type is CreditControlEventType {
  return CREDIT_SET.has(type);
}

export function isCreditControlEvent<E extends { type: string }>(event: E): event is E & CreditControlEvent {
  return CREDIT_SET.has(event.type);
}

/** JSON-safe payload (bigints as minor-unit integer strings). */
export function storedCreditControlPayload(event: CreditControlEvent): Record<string, unknown> {
  switch (event.type) {
    case 'LimitChangeRequested': {
      const p = event.payload;
      return {
        ...p,
        newLimit: p.newLimit.toString(),
        currentLimit: p.currentLimit.toString(),
        required: p.required.slice(),
      };
    }
    case 'CreditLimitChanged': {
      const p = event.payload;
      return {
        ...p,
        creditLimit: p.creditLimit.toString(),
        previousLimit: p.previousLimit.toString(),
        ...(p.earnedBy === undefined ? {} : { earnedBy: p.earnedBy.slice() }),
      };
    }
    case 'TemporaryLimitGranted':
    case 'TemporaryLimitExpired':
      return { ...event.payload, amount: event.payload.amount.toString() };
    case 'ApprovalRequested': {
      const p = event.payload;
      return {
        ...p,
        amount: p.amount.toString(),
        currentLimit: p.currentLimit.toString(),
        required: p.required.slice(),
      };
    }
    case 'ApprovalCompleted':
      return {
        ...event.payload,
        approvedBy: event.payload.approvedBy.slice(),
        approvedRoles: event.payload.approvedRoles.slice(),
      };
    case 'ApprovalReminderSent':
    case 'ApprovalExpired':
      return { ...event.payload, missing: event.payload.missing.slice() };
    case 'ApprovalEscalated':
      return { ...event.payload, required: event.payload.required.slice() };
    default:
      return { ...event.payload };
  }
}

function kindOf(f: StoredFields): ApprovalKind {
  const kind = f.str('kind');
  return isApprovalKind(kind) ? kind : f.bad(`payload.kind ${JSON.stringify(kind)} is not an approval kind`);
}

/** Inverse of storedCreditControlPayload. */
export function creditControlPayloadFromStored(
  type: CreditControlEventType,
  f: StoredFields,
): CreditControlEvent['payload'] {
  switch (type) {
    case 'LimitChangeRequested':
      return {
        requestId: f.str('requestId'),
        newLimit: f.amount('newLimit'),
        currentLimit: f.amount('currentLimit'),
        reason: f.str('reason'),
        by: f.str('by'),
        byRole: f.str('byRole'),
        required: f.strings('required'),
        expiresAt: f.str('expiresAt'),
      };
    case 'LimitChangeApproved':
      return { requestId: f.str('requestId'), by: f.str('by'), role: f.str('role') };
    case 'LimitChangeRejected':
      return { requestId: f.str('requestId'), by: f.str('by'), role: f.str('role'), reason: f.str('reason') };
    case 'LimitChangeExpired':
      return { requestId: f.str('requestId'), expiresAt: f.str('expiresAt') };
    case 'CreditLimitChanged': {
      const cause = f.str('cause');
      if (!(LIMIT_CHANGE_CAUSES as readonly string[]).includes(cause)) {
        f.bad(`payload.cause ${JSON.stringify(cause)} is not a limit change cause`);
      }
      const changed = {
        creditLimit: f.amount('creditLimit'),
        previousLimit: f.amount('previousLimit'),
        cause: cause as LimitChangeCause,
        requestId: f.strOrNull('requestId'),
        by: f.str('by'),
        reason: f.str('reason'),
      };
      return cause === 'repair' && f.has('earnedBy')
        ? { ...changed, earnedBy: f.strings('earnedBy') }
        : changed;
    }
    case 'TemporaryLimitGranted':
      return {
        amount: f.amount('amount'),
        expiresAt: f.str('expiresAt'),
        by: f.str('by'),
        byRole: f.str('byRole'),
        reason: f.str('reason'),
      };
    case 'TemporaryLimitExpired':
      return { amount: f.amount('amount'), expiresAt: f.str('expiresAt') };
    case 'OrderRejected':
      return { orderId: f.str('orderId'), by: f.str('by'), reason: f.str('reason') };
    case 'CustomerBlacklisted':
    case 'CustomerUnblacklisted':
      return { reason: f.str('reason'), by: f.str('by') };
    case 'ApprovalRequested':
      return {
        requestId: f.str('requestId'),
        kind: kindOf(f),
        amount: f.amount('amount'),
        currentLimit: f.amount('currentLimit'),
        validUntil: f.strOrNull('validUntil'),
        orderId: f.strOrNull('orderId'),
        grade: f.strOrNull('grade'),
        reason: f.str('reason'),
        by: f.str('by'),
        byRole: f.str('byRole'),
        required: f.strings('required'),
        tier: f.int('tier'),
      };
    case 'ApprovalGiven':
      return { requestId: f.str('requestId'), by: f.str('by'), role: f.str('role') };
    case 'ApprovalRejected':
      return { requestId: f.str('requestId'), by: f.str('by'), role: f.str('role'), reason: f.str('reason') };
    case 'ApprovalCompleted':
      return {
        requestId: f.str('requestId'),
        kind: kindOf(f),
        approvedBy: f.strings('approvedBy'),
        approvedRoles: f.strings('approvedRoles'),
      };
    case 'ApprovalReminderSent':
      return {
        requestId: f.str('requestId'),
        kind: kindOf(f),
        reminder: f.int('reminder'),
        missing: f.strings('missing'),
        requestedAt: f.str('requestedAt'),
      };
    case 'ApprovalEscalated':
      return {
        requestId: f.str('requestId'),
        kind: kindOf(f),
        tier: f.int('tier'),
        required: f.strings('required'),
        reminders: f.int('reminders'),
      };
    case 'ApprovalExpired':
      return {
        requestId: f.str('requestId'),
        kind: kindOf(f),
        reminders: f.int('reminders'),
        missing: f.strings('missing'),
      };
  }
}

/** Alert topic per type: limit events go to the limit-review topic, the rest beside their relatives. */
export const CREDIT_CONTROL_TOPICS: Record<CreditControlEventType, string> = {
  LimitChangeRequested: 'credit.alerts.limit-review',
  LimitChangeApproved: 'credit.alerts.limit-review',
  LimitChangeRejected: 'credit.alerts.limit-review',
  LimitChangeExpired: 'credit.alerts.limit-review',
  CreditLimitChanged: 'credit.alerts.limit-review',
  TemporaryLimitGranted: 'credit.alerts.limit-review',
  TemporaryLimitExpired: 'credit.alerts.limit-review',
  OrderRejected: 'credit.alerts.order-held',
  CustomerBlacklisted: 'credit.alerts.frozen',
  CustomerUnblacklisted: 'credit.alerts.frozen',
  ApprovalRequested: 'credit.alerts.limit-review',
  ApprovalGiven: 'credit.alerts.limit-review',
  ApprovalRejected: 'credit.alerts.limit-review',
  ApprovalCompleted: 'credit.alerts.limit-review',
  ApprovalReminderSent: 'credit.alerts.approval-reminder',
  ApprovalEscalated: 'credit.alerts.approval-reminder',
  ApprovalExpired: 'credit.alerts.approval-reminder',
};

/** Alert details: amounts as decimal strings of `currency`. */
export function creditControlAlertDetails(
  event: CreditControlEvent,
  currency: string,
): Record<string, unknown> {
  const stored = storedCreditControlPayload(event);
  const amt = (v: bigint): string => formatAmount(v, currency);
  switch (event.type) {
    case 'LimitChangeRequested':
      return {
        ...stored,
        newLimit: amt(event.payload.newLimit),
        currentLimit: amt(event.payload.currentLimit),
        currency,
      };
    case 'CreditLimitChanged':
      return {
        ...stored,
        creditLimit: amt(event.payload.creditLimit),
        previousLimit: amt(event.payload.previousLimit),
        currency,
      };
    case 'TemporaryLimitGranted':
    case 'TemporaryLimitExpired':
      return { ...stored, amount: amt(event.payload.amount), currency };
    case 'ApprovalRequested':
      return {
        ...stored,
        amount: amt(event.payload.amount),
        currentLimit: amt(event.payload.currentLimit),
        currency,
      };
    default:
      return stored;
  }
}
