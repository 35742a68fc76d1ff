/** The credit-control part of CustomerState: limit requests, the temporary limit and credit-repair tracking. */
import { StateReader, type Json } from '../customer/state-reader';

export type LimitRequestStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface LimitApproval {
  by: string;
  role: string;
  at: string;
}

export interface LimitRequestState {
  requestId: string;
  newLimit: bigint;
  currentLimit: bigint;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
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
      target.limitRequests.set(read.str(r, 'requestId'), {
        requestId: read.str(r, 'requestId'),
        newLimit: read.big(r, 'newLimit'),
        currentLimit: read.big(r, 'currentLimit'),
        reason: read.str(r, 'reason'),
        requestedBy: read.str(r, 'requestedBy'),
        requestedAt: read.str(r, 'requestedAt'),
        expiresAt: read.str(r, 'expiresAt'),
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
