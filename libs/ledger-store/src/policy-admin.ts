import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  DomainError,
  GradePolicy,
  canonicalJson,
  decidePolicyAdoption,
  mayApprovePolicy,
  missingPolicyApprovals,
  validatePolicy,
  type Actor,
  type PolicyAdoptionCommand,
  type PolicyProposal,
} from '@credit-ledger/domain';
import { APPEND_LOCK } from './ledger-writer';
import { PolicyVersionInfo } from './policy-store';

/** sha256 of a validated policy's canonical JSON: the identity of a draft, simulated and then adopted. */
export function policyHash(policy: GradePolicy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

export interface AdoptOptions {
  createdBy: string;
  note?: string;
  /** Adopt exactly the draft this finished what-if simulation ran (its hash must match). */
  simulationId?: string;
}

/**
 * Puts a policy version in force directly, without four-eyes: the store's primitive, for migrations, seeding and
 * tests that work below the application. The API and the CLI never call it: they propose a version and approve
 * it (`proposePolicy`, `approvePolicyProposal`). Validated with the domain's rules, newer than every stored
 * version, in force from the next ledger sequence (written under the writer's append lock, so no append
 * straddles the change). Existing grades are not touched (see `policy regrade`).
 */
export async function adoptPolicy(
  ds: DataSource,
  input: unknown,
  opts: AdoptOptions,
): Promise<PolicyVersionInfo> {
  const policy = validatePolicy(input);
  return ds.transaction(async (em) => {
    await em.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const [{ latest }] = await em.query('SELECT max(version) AS latest FROM grade_policies');
    if (policy.version <= latest) {
      throw new DomainError(
        'BAD_POLICY',
        `policy.version: version ${policy.version} is not newer than the latest stored version ${latest}; use ${latest + 1}`,
      );
    }
    const hash = policyHash(policy);
    if (opts.simulationId !== undefined) await checkSimulation(em, opts.simulationId, hash);
    return insertVersion(em, policy, hash, opts, null);
  });
}

/** Refuses unless `simulationId` is a finished what-if run of exactly the draft with `hash`. */
async function checkSimulation(em: EntityManager, simulationId: string, hash: string): Promise<void> {
  const [sim] = await em.query(`SELECT status, draft_hash FROM policy_simulations WHERE id = $1`, [
    simulationId,
  ]);
  if (!sim) throw new DomainError('UNKNOWN_SIMULATION', `no simulation ${simulationId}`);
  if (sim.status !== 'done')
    throw new DomainError('SIMULATION_MISMATCH', `simulation ${simulationId} is ${sim.status}, not done`);
  if (sim.draft_hash !== hash)
    throw new DomainError(
      'SIMULATION_MISMATCH',
      `policy differs from the draft simulated by ${simulationId} (hash ${hash} ≠ ${sim.draft_hash})`,
    );
}

interface Approval {
  proposalId: string;
  approvedBy: string[];
  approvedRoles: string[];
  approvedAt: string;
}

/** Inserts the version row, in force from the next ledger sequence (the caller holds the append lock). */
async function insertVersion(
  em: EntityManager,
  policy: GradePolicy,
  hash: string,
  opts: AdoptOptions,
  approval: Approval | null,
): Promise<PolicyVersionInfo> {
  const [row] = await em.query(
    `INSERT INTO grade_policies (version, policy, created_by, note, effective_from_sequence, policy_hash, simulation_id,
                                 proposal_id, approved_by, approved_roles, approved_at)
     VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM ledger_events), $5, $6, $7, $8, $9, $10)
     RETURNING effective_from_sequence::text AS effective_from_sequence, created_at`,
    [
      policy.version,
      JSON.stringify(policy),
      opts.createdBy,
      opts.note ?? null,
      hash,
      opts.simulationId ?? null,
      approval?.proposalId ?? null,
      approval ? JSON.stringify(approval.approvedBy) : null,
      approval ? JSON.stringify(approval.approvedRoles) : null,
      approval?.approvedAt ?? null,
    ],
  );
  return {
    version: policy.version,
    effectiveFromSequence: row.effective_from_sequence as string,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: opts.createdBy,
    note: opts.note ?? null,
    approvedBy: approval?.approvedBy ?? [],
    approvedRoles: approval?.approvedRoles ?? [],
    approvedAt: approval?.approvedAt ?? null,
    proposalId: approval?.proposalId ?? null,
    policyHash: hash,
  };
}

/** A proposal as the API and the CLI show it: its state, note, simulation and what it still needs. */
export interface PolicyProposalView extends PolicyProposal {
  note: string | null;
  simulationId: string | null;
  /** Approval entries still missing under the policy in force (empty once closed). */
  missing: string[];
}

export interface PolicyDecisionOutcome {
  proposal: PolicyProposalView;
  /** The version now in force when this approval completed the proposal, else null. */
  adopted: PolicyVersionInfo | null;
}

interface ProposalRow {
  id: string;
  version: number;
  policy: unknown;
  policy_hash: string;
  note: string | null;
  simulation_id: string | null;
  proposed_by: string;
  proposed_role: string;
  proposed_at: Date;
  status: PolicyProposal['status'];
  approvals: PolicyProposal['approvals'];
  closed_at: Date | null;
  closed_by: string | null;
  close_reason: string | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

function proposalOf(r: ProposalRow): PolicyProposal {
  return {
    proposalId: r.id,
    version: r.version,
    hash: r.policy_hash,
    proposedBy: r.proposed_by,
    proposedRole: r.proposed_role,
    proposedAt: iso(r.proposed_at)!,
    status: r.status,
    approvals: r.approvals,
    closedAt: iso(r.closed_at),
    closedBy: r.closed_by,
    closeReason: r.close_reason,
  };
}

function viewOf(p: PolicyProposal, r: ProposalRow, inForce: GradePolicy): PolicyProposalView {
  return {
    ...p,
    note: r.note,
    simulationId: r.simulation_id,
    missing: p.status === 'pending' ? missingPolicyApprovals(p, inForce) : [],
  };
}

/** The policy in force now (the last adopted) and the highest stored version. */
async function inForce(em: EntityManager | DataSource): Promise<{ policy: GradePolicy; latest: number }> {
  const [row] = await em.query(
    `SELECT policy, (SELECT max(version) FROM grade_policies) AS latest
     FROM grade_policies ORDER BY effective_from_sequence DESC, version DESC LIMIT 1`,
  );
  return { policy: validatePolicy(row.policy), latest: row.latest };
}

/** Decides under the append lock (so the version check and the adoption see no concurrent change), or throws. */
async function decide(
  em: EntityManager,
  command: PolicyAdoptionCommand,
  by: Actor,
  at: string,
  row: ProposalRow | null,
) {
  const now = await inForce(em);
  const pending: ProposalRow[] = await em.query(`SELECT * FROM policy_proposals WHERE status = 'pending'`);
  const r = decidePolicyAdoption(command, {
    by,
    at,
    inForce: now.policy,
    latestVersion: now.latest,
    proposal: row === null ? null : proposalOf(row),
    pending: pending.map(proposalOf),
  });
  if (!r.ok)
    throw new DomainError(
      r.kind === 'bad-request' ? 'BAD_POLICY' : `POLICY_${r.kind.toUpperCase().replace('-', '_')}`,
      r.message,
    );
  return { ...r, inForce: now.policy };
}

/**
 * Proposes a policy version (four-eyes, step one): validated, newer than every stored version, by a role the policy
 * in force lets propose; with `simulationId`, exactly the draft that what-if run simulated (its hash). Nothing is
 * in force until `approvePolicyProposal` completes it.
 */
export async function proposePolicy(
  ds: DataSource,
  input: unknown,
  opts: { by: Actor; at: string; note?: string; simulationId?: string },
): Promise<PolicyProposalView> {
  const policy = validatePolicy(input);
  const hash = policyHash(policy);
  return ds.transaction(async (em) => {
    await em.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const proposalId = `pp-${policy.version}-${randomUUID().slice(0, 8)}`;
    const d = await decide(
      em,
      { type: 'ProposePolicy', data: { proposalId, version: policy.version, hash } },
      opts.by,
      opts.at,
      null,
    );
    if (opts.simulationId !== undefined) await checkSimulation(em, opts.simulationId, hash);
    const p = d.proposal;
    const [row] = await em.query(
      `INSERT INTO policy_proposals (id, version, policy, policy_hash, note, simulation_id, proposed_by, proposed_role,
                                     proposed_at, status, approvals)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', '[]') RETURNING *`,
      [
        p.proposalId,
        p.version,
        JSON.stringify(policy),
        hash,
        opts.note ?? null,
        opts.simulationId ?? null,
        p.proposedBy,
        p.proposedRole,
        p.proposedAt,
      ],
    );
    return viewOf(p, row, d.inForce);
  });
}

async function lockedProposal(em: EntityManager, id: string): Promise<ProposalRow | null> {
  const [row] = await em.query('SELECT * FROM policy_proposals WHERE id = $1 FOR UPDATE', [id]);
  return row ?? null;
}

async function saveProposal(em: EntityManager, p: PolicyProposal): Promise<void> {
  await em.query(
    `UPDATE policy_proposals SET status = $2, approvals = $3, closed_at = $4, closed_by = $5, close_reason = $6
     WHERE id = $1`,
    [p.proposalId, p.status, JSON.stringify(p.approvals), p.closedAt, p.closedBy, p.closeReason],
  );
}

/**
 * Approves a pending proposal (four-eyes, step two): by a principal other than the proposer, once, whose role fills
 * an entry the policy in force names (`approvals.policyApproval`). The approval that fills the last entry puts the
 * version in force, recording who proposed and approved it, when, and its hash.
 */
export async function approvePolicyProposal(
  ds: DataSource,
  proposalId: string,
  opts: { by: Actor; at: string },
): Promise<PolicyDecisionOutcome> {
  return ds.transaction(async (em) => {
    await em.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const row = await lockedProposal(em, proposalId);
    const d = await decide(em, { type: 'ApprovePolicy', data: { proposalId } }, opts.by, opts.at, row);
    const p = d.proposal;
    await saveProposal(em, p);
    let adopted: PolicyVersionInfo | null = null;
    if (d.adopted) {
      const policy = validatePolicy(row!.policy);
      // What is put in force is byte for byte what was proposed (and, with a simulation, what was simulated).
      if (policyHash(policy) !== row!.policy_hash)
        throw new DomainError('POLICY_CONFLICT', `policy proposal ${proposalId} does not match its hash`);
      adopted = await insertVersion(
        em,
        policy,
        row!.policy_hash,
        {
          createdBy: p.proposedBy,
          note: row!.note ?? undefined,
          simulationId: row!.simulation_id ?? undefined,
        },
        {
          proposalId,
          approvedBy: p.approvals.map((a) => a.by),
          approvedRoles: p.approvals.map((a) => a.role),
          approvedAt: opts.at,
        },
      );
    }
    return { proposal: viewOf(p, row!, d.inForce), adopted };
  });
}

/** Rejects a pending proposal with a reason: an approving role turns it down, or its proposer withdraws it. */
export async function rejectPolicyProposal(
  ds: DataSource,
  proposalId: string,
  opts: { by: Actor; at: string; reason: string },
): Promise<PolicyDecisionOutcome> {
  return ds.transaction(async (em) => {
    const row = await lockedProposal(em, proposalId);
    const d = await decide(
      em,
      { type: 'RejectPolicy', data: { proposalId, reason: opts.reason } },
      opts.by,
      opts.at,
      row,
    );
    await saveProposal(em, d.proposal);
    return { proposal: viewOf(d.proposal, row!, d.inForce), adopted: null };
  });
}

/** Proposals, newest first; `status` narrows them (e.g. the pending ones to approve). */
export async function listPolicyProposals(
  ds: DataSource,
  status?: PolicyProposal['status'],
): Promise<PolicyProposalView[]> {
  const rows: ProposalRow[] = await ds.query(
    `SELECT * FROM policy_proposals WHERE $1::text IS NULL OR status = $1 ORDER BY proposed_at DESC, id`,
    [status ?? null],
  );
  const now = await inForce(ds);
  return rows.map((r) => viewOf(proposalOf(r), r, now.policy));
}

/** The pending proposals `actor` may approve now (not its own, not approved by it, its role still needed). */
export async function approvablePolicyProposals(ds: DataSource, actor: Actor): Promise<PolicyProposalView[]> {
  const rows: ProposalRow[] = await ds.query(
    `SELECT * FROM policy_proposals WHERE status = 'pending' ORDER BY proposed_at, id`,
  );
  if (rows.length === 0) return [];
  const now = await inForce(ds);
  return rows
    .map((r) => ({ r, p: proposalOf(r) }))
    .filter(({ p }) => mayApprovePolicy(p, now.policy, actor))
    .map(({ r, p }) => viewOf(p, r, now.policy));
}

/** One proposal with the policy it proposes, or null. */
export async function getPolicyProposal(
  ds: DataSource,
  proposalId: string,
): Promise<(PolicyProposalView & { policy: GradePolicy }) | null> {
  const [row]: ProposalRow[] = await ds.query('SELECT * FROM policy_proposals WHERE id = $1', [proposalId]);
  if (!row) return null;
  const now = await inForce(ds);
  return { ...viewOf(proposalOf(row), row, now.policy), policy: validatePolicy(row.policy) };
}
