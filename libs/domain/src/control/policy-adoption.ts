/**
 * Policy adoption, four-eyes and pure. The policy decides every grade, limit route and approval tier, so changing
 * it is itself an operation no single principal completes (seed 004: 彻底杜绝"越权审批"和"流程绕道"): a principal
 * whose role the policy in force lists in `approvals.policyProposers` proposes a version, and the principals its
 * `approvals.policyApproval` entries name approve it — never the proposer, each principal once, roles not a
 * hierarchy (the same checks as a credit request, `checkApproval`). Only the last approval puts it in force.
 */
import type { GradePolicy } from '../rating/policy';
import type { CommandResult } from './credit-control';
import { canonicalRole } from './credit-control-policy';
import { checkApproval, missingApprovals, samePrincipal, type Actor } from './limit-approval';

export type PolicyProposalStatus = 'pending' | 'adopted' | 'rejected';

export interface PolicyProposal {
  proposalId: string;
  version: number;
  /** sha256 of the validated policy's canonical JSON (what is approved is exactly what was proposed). */
  hash: string;
  proposedBy: string;
  proposedRole: string;
  proposedAt: string;
  status: PolicyProposalStatus;
  approvals: Array<{ by: string; role: string; at: string }>;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
}

export type PolicyAdoptionCommand =
  | { type: 'ProposePolicy'; data: { proposalId: string; version: number; hash: string } }
  | { type: 'ApprovePolicy'; data: { proposalId: string } }
  | { type: 'RejectPolicy'; data: { proposalId: string; reason: string } };

export interface PolicyAdoptionContext {
  by: Actor;
  at: string;
  /** The policy in force now: it names who proposes and who approves. */
  inForce: GradePolicy;
  /** The highest stored version (a proposal must be newer). */
  latestVersion: number;
  /** The proposal the command concerns (approve, reject), or null when there is none. */
  proposal: PolicyProposal | null;
  /** Proposals still pending (propose: one per version). */
  pending: readonly PolicyProposal[];
}

type Refusal = Exclude<CommandResult, { ok: true }>;
export type PolicyAdoptionResult = { ok: true; proposal: PolicyProposal; adopted: boolean } | Refusal;

const fail = (kind: Refusal['kind'], message: string): Refusal => ({ ok: false, kind, message });

/** The approval entries a proposal still needs under the policy in force. */
export function missingPolicyApprovals(p: PolicyProposal, inForce: GradePolicy): string[] {
  return missingApprovals({ required: inForce.approvals.policyApproval, approvals: p.approvals });
}

/** Whether `actor` may approve pending proposal `p` now under the policy in force (the inbox's question). */
export function mayApprovePolicy(p: PolicyProposal, inForce: GradePolicy, actor: Actor): boolean {
  if (p.status !== 'pending') return false;
  return checkApproval(
    {
      requestId: p.proposalId,
      requestedBy: p.proposedBy,
      required: inForce.approvals.policyApproval,
      approvals: p.approvals,
    },
    actor,
  ).ok;
}

/** Decides a proposal, approval or rejection: the proposal as it is afterwards, or why not. */
export function decidePolicyAdoption(
  command: PolicyAdoptionCommand,
  ctx: PolicyAdoptionContext,
): PolicyAdoptionResult {
  switch (command.type) {
    case 'ProposePolicy':
      return propose(ctx, command.data);
    case 'ApprovePolicy':
      return approve(ctx, command.data.proposalId);
    case 'RejectPolicy':
      return reject(ctx, command.data.proposalId, command.data.reason);
  }
}

function propose(
  ctx: PolicyAdoptionContext,
  d: { proposalId: string; version: number; hash: string },
): PolicyAdoptionResult {
  const role = canonicalRole(ctx.by.role);
  const proposers = ctx.inForce.approvals.policyProposers;
  if (!proposers.includes(role))
    return fail(
      'forbidden',
      `role "${ctx.by.role}" may not propose a policy: the policy in force lets ${proposers.join(', ')} propose`,
    );
  if (d.version <= ctx.latestVersion)
    return fail(
      'bad-request',
      `policy.version: version ${d.version} is not newer than the latest stored version ${ctx.latestVersion}; use ${ctx.latestVersion + 1}`,
    );
  const twin = ctx.pending.find((p) => p.version === d.version);
  if (twin)
    return fail(
      'conflict',
      `proposal ${twin.proposalId} of version ${d.version} is still pending: approve or reject it first`,
    );
  return {
    ok: true,
    adopted: false,
    proposal: {
      proposalId: d.proposalId,
      version: d.version,
      hash: d.hash,
      proposedBy: ctx.by.name,
      proposedRole: role,
      proposedAt: ctx.at,
      status: 'pending',
      approvals: [],
      closedAt: null,
      closedBy: null,
      closeReason: null,
    },
  };
}

/** The pending proposal a decision acts on, or the refusal. */
function pendingProposal(ctx: PolicyAdoptionContext, proposalId: string): PolicyProposal | Refusal {
  const p = ctx.proposal;
  if (p === null || p.proposalId !== proposalId) return fail('not-found', `no policy proposal ${proposalId}`);
  if (p.status !== 'pending') return fail('conflict', `policy proposal ${proposalId} is ${p.status}`);
  return p;
}

function approve(ctx: PolicyAdoptionContext, proposalId: string): PolicyAdoptionResult {
  const p = pendingProposal(ctx, proposalId);
  if ('ok' in p) return p;
  if (p.version <= ctx.latestVersion)
    return fail(
      'conflict',
      `policy proposal ${proposalId} is of version ${p.version}, but version ${ctx.latestVersion} was adopted meanwhile: reject it and propose version ${ctx.latestVersion + 1}`,
    );
  const check = checkApproval(
    {
      requestId: proposalId,
      requestedBy: p.proposedBy,
      required: ctx.inForce.approvals.policyApproval,
      approvals: p.approvals,
    },
    ctx.by,
  );
  if (!check.ok) return fail(check.kind, check.message.replace('request', 'policy proposal'));
  const approvals = [...p.approvals, { by: ctx.by.name, role: canonicalRole(ctx.by.role), at: ctx.at }];
  const adopted = check.completes;
  return {
    ok: true,
    adopted,
    proposal: {
      ...p,
      approvals,
      status: adopted ? 'adopted' : 'pending',
      closedAt: adopted ? ctx.at : null,
    },
  };
}

/** The proposer withdraws, or a principal whose role could approve it turns it down; the reason is recorded. */
function reject(ctx: PolicyAdoptionContext, proposalId: string, reason: string): PolicyAdoptionResult {
  const p = pendingProposal(ctx, proposalId);
  if ('ok' in p) return p;
  if (reason.trim() === '') return fail('bad-request', 'reason must not be empty');
  const role = canonicalRole(ctx.by.role);
  const approverRoles = ctx.inForce.approvals.policyApproval.flatMap((slot) => slot.split('|'));
  if (!samePrincipal(ctx.by.name, p.proposedBy) && !approverRoles.includes(role))
    return fail(
      'forbidden',
      `role "${ctx.by.role}" may not reject policy proposal ${proposalId}: its proposer or ${approverRoles.join(', ')} may`,
    );
  return {
    ok: true,
    adopted: false,
    proposal: { ...p, status: 'rejected', closedAt: ctx.at, closedBy: ctx.by.name, closeReason: reason },
  };
}
