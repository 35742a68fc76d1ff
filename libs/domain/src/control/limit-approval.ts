/**
 * Limit approval rules, pure. The tier is chosen by the NEW limit (the credit the firm would extend), not by the
 * increase: a 120,000 request needs the 200,000 tier whatever the limit was. Each required role must be filled by
 * a distinct principal holding it; the requester never approves their own request (four-eyes), a principal
 * approves once, and roles are not a hierarchy (a cfo does not stand in for a sales-manager).
 */
import { policyAmount, type GradePolicy } from '../rating/policy';
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

/** Roles that must approve a new limit of `newLimit` minor units of `currency`. */
export function requiredApprovals(policy: GradePolicy, currency: string, newLimit: bigint): string[] {
  const tiers = policy.limitApproval[currency] ?? policy.limitApproval.default;
  for (const t of tiers) {
    if (t.upTo === null || newLimit <= policyAmount(t.upTo, currency)) return t.roles.slice();
  }
  return tiers[tiers.length - 1].roles.slice();
}

/** Required roles no approval has filled yet. */
export function missingApprovals(request: LimitRequestState): string[] {
  const filled = new Set(request.approvals.map((a) => a.role));
  return request.required.filter((r) => !filled.has(r));
}

export type ApprovalCheck =
  { ok: true; completes: boolean } | { ok: false; kind: 'forbidden' | 'conflict'; message: string };

/** Whether `actor` may approve `request` at `at` (the request is known to be pending and unexpired). */
export function checkApproval(request: LimitRequestState, actor: Actor): ApprovalCheck {
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
  if (!missing.includes(actor.role)) {
    const needed = missing.length ? missing.join(' and ') : 'nobody';
    return {
      ok: false,
      kind: 'forbidden',
      message: `role "${actor.role}" cannot approve request ${request.requestId}: it still needs ${needed}`,
    };
  }
  return { ok: true, completes: missing.length === 1 };
}
