/**
 * Approval routing and four-eyes, pure. A request is routed by its amount AND the customer's grade (seed 004:
 * 根据申请金额、客户信用等级等条件, 自动将审批任务流转至相应的负责人): the amount picks the policy tier of the
 * customer's currency (< 50k sales manager and finance clerk; 50k–200k finance manager; > 200k CFO or general
 * manager), and a band whose approval is `simplified` (seed 004: AAA 级 … 启用简化的审批流程) needs one approver
 * of that tier instead of all of them. Each required entry ("slot") is filled by a distinct principal holding one
 * of its roles; the requester never approves their own request, a principal approves once, and roles are not a
 * hierarchy (a cfo does not stand in for a sales-manager).
 */
import { bandFor, policyAmount, type GradePolicy } from '../rating/policy';
import { canonicalRole, type LimitApprovalTier } from './credit-control-policy';
import type { LimitRequestState } from './credit-control-state';

export interface Actor {
  name: string;
  role: string;
}

/**
 * Principals are compared without regard to case: "Sam" and "sam" are one person for four-eyes (start-up refuses
 * API_KEYS names that differ only in case, and events recorded under another spelling still count).
 */
export function samePrincipal(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function tiersOf(policy: GradePolicy, currency: string): LimitApprovalTier[] {
  return policy.limitApproval[currency] ?? policy.limitApproval.default;
}

/** Index of the lowest tier whose authority covers `amount` minor units of `currency`. */
export function tierFor(policy: GradePolicy, currency: string, amount: bigint): number {
  const tiers = tiersOf(policy, currency);
  const i = tiers.findIndex((t) => t.upTo === null || amount <= policyAmount(t.upTo, currency));
  return i < 0 ? tiers.length - 1 : i;
}

/** Whether `tier` has a tier above it (escalation target). */
export function hasTierAbove(policy: GradePolicy, currency: string, tier: number): boolean {
  return tier + 1 < tiersOf(policy, currency).length;
}

/** Whether the grade's band approves with one approver (seed 004: AAA 简化的审批流程). */
export function simplifiedFor(policy: GradePolicy, grade: string | null): boolean {
  const band = grade === null ? undefined : bandFor(grade, policy);
  return band?.terms?.approval === 'simplified';
}

/** The slots tier `tier` requires: its entries, or one slot of all its roles when the grade is simplified. */
export function slotsOfTier(
  policy: GradePolicy,
  currency: string,
  tier: number,
  grade: string | null,
): string[] {
  const tiers = tiersOf(policy, currency);
  const entries = tiers[Math.min(tier, tiers.length - 1)].roles.slice();
  return simplifiedFor(policy, grade) ? [entries.join('|')] : entries;
}

/** Slots that must approve an operation of `amount` for a customer of `grade` (the routing at request time). */
export function requiredApprovals(
  policy: GradePolicy,
  currency: string,
  amount: bigint,
  grade: string | null = null,
): string[] {
  return slotsOfTier(policy, currency, tierFor(policy, currency, amount), grade);
}

const rolesOf = (slot: string): string[] => slot.split('|').map(canonicalRole);

/**
 * The largest assignment of approvals to slots (each approval fills at most one slot its role fits, each slot
 * takes one approval): augmenting paths, so an approval that could fill either of two slots never blocks one.
 */
function assign(slots: string[], roles: string[]): Array<number | null> {
  const fits = slots.map(rolesOf);
  const slotOf: Array<number | null> = roles.map(() => null);
  const holder: Array<number | null> = slots.map(() => null);
  const place = (a: number, seen: Set<number>): boolean => {
    for (let s = 0; s < slots.length; s++) {
      if (seen.has(s) || !fits[s].includes(canonicalRole(roles[a]))) continue;
      seen.add(s);
      const h = holder[s];
      if (h === null || place(h, seen)) {
        holder[s] = a;
        slotOf[a] = s;
        return true;
      }
    }
    return false;
  };
  for (let a = 0; a < roles.length; a++) place(a, new Set());
  return holder;
}

/** Required slots no approval fills yet (after escalation, earlier approvals count where their role fits). */
export function missingApprovals(request: Pick<LimitRequestState, 'required' | 'approvals'>): string[] {
  const holder = assign(
    request.required,
    request.approvals.map((a) => a.role),
  );
  return request.required.filter((_, s) => holder[s] === null);
}

export type ApprovalCheck =
  { ok: true; completes: boolean } | { ok: false; kind: 'forbidden' | 'conflict'; message: string };

/** What four-eyes reads of a request (a customer's credit request or a policy proposal). */
export type FourEyesSubject = Pick<LimitRequestState, 'requestId' | 'requestedBy' | 'required' | 'approvals'>;

/** Whether `actor` may approve `request` (the request is known to be pending and unexpired). */
export function checkApproval(request: FourEyesSubject, actor: Actor): ApprovalCheck {
  if (samePrincipal(actor.name, request.requestedBy)) {
    return {
      ok: false,
      kind: 'forbidden',
      message: `four-eyes: ${actor.name} made request ${request.requestId} and may not approve it`,
    };
  }
  if (request.approvals.some((a) => samePrincipal(a.by, actor.name))) {
    return {
      ok: false,
      kind: 'conflict',
      message: `${actor.name} already approved request ${request.requestId}`,
    };
  }
  const missing = missingApprovals(request);
  const after = missingApprovals({
    required: request.required,
    approvals: [...request.approvals, { by: actor.name, role: canonicalRole(actor.role), at: '' }],
  });
  if (after.length === missing.length) {
    const needed = missing.length ? missing.join(' and ') : 'nobody';
    return {
      ok: false,
      kind: 'forbidden',
      message: `role "${actor.role}" cannot approve request ${request.requestId}: it still needs ${needed}`,
    };
  }
  return { ok: true, completes: after.length === 0 };
}
