/** The credit-control part of CustomerState: limit requests, the temporary limit and credit-repair tracking. */
import { DomainError } from '../errors';

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

type Json = Record<string, unknown>;

function bad(msg: string): never {
  throw new DomainError('BAD_STATE', `state: ${msg}`);
}
function o(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} is not an object`);
  return v as Json;
}
function str(x: Json, k: string): string {
  return typeof x[k] === 'string' ? (x[k] as string) : bad(`${k} is not a string`);
}
function strOrNull(x: Json, k: string): string | null {
  return x[k] === null || x[k] === undefined ? null : str(x, k);
}
function big(x: Json, k: string): bigint {
  const v = x[k];
  return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : bad(`${k} is not an integer string`);
}
function strings(x: Json, k: string): string[] {
  const v = x[k];
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) bad(`${k} is not a list of strings`);
  return (v as string[]).slice();
}

/** Reads the fields writeCreditControl wrote into `target`. */
export function readCreditControl(data: Json, target: CreditControlState): void {
  if (Array.isArray(data.limitRequests)) {
    for (const v of data.limitRequests) {
      const r = o(v, 'limitRequest');
      const approvals = Array.isArray(r.approvals) ? r.approvals : bad('approvals is not an array');
      target.limitRequests.set(str(r, 'requestId'), {
        requestId: str(r, 'requestId'),
        newLimit: big(r, 'newLimit'),
        currentLimit: big(r, 'currentLimit'),
        reason: str(r, 'reason'),
        requestedBy: str(r, 'requestedBy'),
        requestedAt: str(r, 'requestedAt'),
        expiresAt: str(r, 'expiresAt'),
        required: strings(r, 'required'),
        approvals: approvals.map((a) => {
          const ao = o(a, 'approval');
          return { by: str(ao, 'by'), role: str(ao, 'role'), at: str(ao, 'at') };
        }),
        status: str(r, 'status') as LimitRequestStatus,
        closedAt: strOrNull(r, 'closedAt'),
        closedBy: strOrNull(r, 'closedBy'),
        closeReason: strOrNull(r, 'closeReason'),
      });
    }
  }
  if (data.temporaryLimit !== undefined && data.temporaryLimit !== null) {
    const t = o(data.temporaryLimit, 'temporaryLimit');
    target.temporaryLimit = {
      amount: big(t, 'amount'),
      expiresAt: str(t, 'expiresAt'),
      grantedBy: str(t, 'grantedBy'),
      grantId: str(t, 'grantId'),
    };
  }
  if (data.limitRepair !== undefined && data.limitRepair !== null) {
    const r = o(data.limitRepair, 'limitRepair');
    const steps = r.steps;
    target.limitRepair = {
      reducedFrom: big(r, 'reducedFrom'),
      reducedTo: big(r, 'reducedTo'),
      reducedOn: str(r, 'reducedOn'),
      steps: typeof steps === 'number' && Number.isInteger(steps) ? steps : bad('steps is not an integer'),
    };
  }
  target.limitReviewedGrade = strOrNull(data, 'limitReviewedGrade');
}
