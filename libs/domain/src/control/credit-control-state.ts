/** The credit-control part of CustomerState: limit requests, the temporary limit and credit-repair tracking. */
import { StateReader, type Json } from '../customer/state-reader';

export type LimitRequestStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/**
 * What a request asks for (seed 004: 首次申请, 额度调整 临时或永久, 冻结与解冻; releasing a held order above the
 * policy's cap; lifting a blacklist, which gives the credit back). Requests recorded before kinds existed read as
 * `increase` or `decrease`.
 */
export const APPROVAL_KINDS = [
  'initial',
  'increase',
  'decrease',
  'temporary',
  'freeze',
  'unfreeze',
  'order-release',
  'unblacklist',
] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export function isApprovalKind(v: unknown): v is ApprovalKind {
  return typeof v === 'string' && (APPROVAL_KINDS as readonly string[]).includes(v);
}

export interface LimitApproval {
  by: string;
  role: string;
  at: string;
}

/** A request of the approval workflow (the state keeps the name of its first use, limit requests). */
export interface LimitRequestState {
  requestId: string;
  kind: ApprovalKind;
  /**
   * The amount the request is routed by: the limit asked for (initial, increase, decrease), the temporary
   * amount, the order's amount (order-release) or the limit the freeze, unfreeze or unblacklist concerns.
   */
  newLimit: bigint;
  currentLimit: bigint;
  /** temporary: when the temporary limit ends. */
  validUntil: string | null;
  /** order-release: the held order. */
  orderId: string | null;
  /** The customer's grade when it was requested (routing reads the band's approval flow). */
  grade: string | null;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  /** Requests made before reminders existed only; the others expire through reminders and escalation. */
  expiresAt: string | null;
  /** Index of the policy tier routing it now (raised by escalation). */
  tier: number;
  /** Reminders sent in all, and at the current tier; when the last reminder or escalation happened. */
  reminders: number;
  remindersAtTier: number;
  lastNudgeAt: string;
  required: string[];
  approvals: LimitApproval[];
  status: LimitRequestStatus;
  closedAt: string | null;
  /** Who rejected it, with the reason (rejected only). */
  closedBy: string | null;
  closeReason: string | null;
}

export interface TemporaryLimitState {
  amount: bigint;
  expiresAt: string;
  grantedBy: string;
  /** eventId of the grant: names the expiry event, so a later grant is a new expiry. */
  grantId: string;
}

/** A limit the review cut: repaired step by step back to `reducedFrom`. */
export interface LimitRepairState {
  reducedFrom: bigint;
  reducedTo: bigint;
  /** 'YYYY-MM-DD' of the cut: only later calendar months count. */
  reducedOn: string;
  steps: number;
}

export interface CreditControlState {
  limitRequests: Map<string, LimitRequestState>;
  temporaryLimit: TemporaryLimitState | null;
  limitRepair: LimitRepairState | null;
  /** Grade at the last limit review cut, so one grade cuts once (repair is not undone by the next review). */
  limitReviewedGrade: string | null;
}

export function initialCreditControl(): CreditControlState {
  return { limitRequests: new Map(), temporaryLimit: null, limitRepair: null, limitReviewedGrade: null };
}

export function cloneCreditControl(s: CreditControlState): CreditControlState {
  const limitRequests = new Map<string, LimitRequestState>();
  for (const [k, r] of s.limitRequests)
    limitRequests.set(k, {
      ...r,
      required: r.required.slice(),
      approvals: r.approvals.map((a) => ({ ...a })),
    });
  return {
    limitRequests,
    temporaryLimit: s.temporaryLimit && { ...s.temporaryLimit },
    limitRepair: s.limitRepair && { ...s.limitRepair },
    limitReviewedGrade: s.limitReviewedGrade,
  };
}

/** Adds the fields that are set to a snapshot (absent = initial, so older snapshots keep their bytes). */
export function writeCreditControl(snapshot: Record<string, unknown>, s: CreditControlState): void {
  if (s.limitRequests.size > 0) snapshot.limitRequests = [...s.limitRequests.values()];
  if (s.temporaryLimit !== null) snapshot.temporaryLimit = s.temporaryLimit;
  if (s.limitRepair !== null) snapshot.limitRepair = s.limitRepair;
  if (s.limitReviewedGrade !== null) snapshot.limitReviewedGrade = s.limitReviewedGrade;
}

/** Reads the fields writeCreditControl wrote into `target`. */
export function readCreditControl(data: Json, target: CreditControlState, read: StateReader): void {
  if (Array.isArray(data.limitRequests)) {
    for (const v of data.limitRequests) {
      const r = read.obj(v, 'limitRequest');
      const approvals = Array.isArray(r.approvals) ? r.approvals : read.fail('approvals is not an array');
      const newLimit = read.big(r, 'newLimit');
      const currentLimit = read.big(r, 'currentLimit');
      const requestedAt = read.str(r, 'requestedAt');
      // Snapshots from before kinds and reminders: a limit change, no reminders yet.
      const kind = isApprovalKind(r.kind) ? r.kind : newLimit > currentLimit ? 'increase' : 'decrease';
      const count = (field: string): number => {
        const v = r[field];
        if (v === undefined) return 0;
        return typeof v === 'number' && Number.isInteger(v) ? v : read.fail(`${field} is not an integer`);
      };
      target.limitRequests.set(read.str(r, 'requestId'), {
        requestId: read.str(r, 'requestId'),
        kind,
        newLimit,
        currentLimit,
        validUntil: r.validUntil === undefined ? null : read.strOrNull(r, 'validUntil'),
        orderId: r.orderId === undefined ? null : read.strOrNull(r, 'orderId'),
        grade: r.grade === undefined ? null : read.strOrNull(r, 'grade'),
        reason: read.str(r, 'reason'),
        requestedBy: read.str(r, 'requestedBy'),
        requestedAt,
        expiresAt: read.strOrNull(r, 'expiresAt'),
        tier: count('tier'),
        reminders: count('reminders'),
        remindersAtTier: count('remindersAtTier'),
        lastNudgeAt: r.lastNudgeAt === undefined ? requestedAt : read.str(r, 'lastNudgeAt'),
        required: read.strings(r, 'required'),
        approvals: approvals.map((a) => {
          const ao = read.obj(a, 'approval');
          return { by: read.str(ao, 'by'), role: read.str(ao, 'role'), at: read.str(ao, 'at') };
        }),
        status: read.str(r, 'status') as LimitRequestStatus,
        closedAt: read.strOrNull(r, 'closedAt'),
        closedBy: read.strOrNull(r, 'closedBy'),
        closeReason: read.strOrNull(r, 'closeReason'),
      });
    }
  }
  if (data.temporaryLimit !== undefined && data.temporaryLimit !== null) {
    const t = read.obj(data.temporaryLimit, 'temporaryLimit');
    target.temporaryLimit = {
      amount: read.big(t, 'amount'),
      expiresAt: read.str(t, 'expiresAt'),
      grantedBy: read.str(t, 'grantedBy'),
      grantId: read.str(t, 'grantId'),
    };
  }
  if (data.limitRepair !== undefined && data.limitRepair !== null) {
    const r = read.obj(data.limitRepair, 'limitRepair');
    const steps = r.steps;
    target.limitRepair = {
      reducedFrom: read.big(r, 'reducedFrom'),
      reducedTo: read.big(r, 'reducedTo'),
      reducedOn: read.str(r, 'reducedOn'),
      steps:
        typeof steps === 'number' && Number.isInteger(steps) ? steps : read.fail('steps is not an integer'),
    };
  }
  target.limitReviewedGrade = read.strOrNull(data, 'limitReviewedGrade');
}
