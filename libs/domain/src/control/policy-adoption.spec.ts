import { DEFAULT_GRADE_POLICY, type GradePolicy } from '../rating/policy';
import { validatePolicy } from '../rating/validate-policy';
import type { Actor } from './limit-approval';
import {
  decidePolicyAdoption,
  mayApprovePolicy,
  missingPolicyApprovals,
  type PolicyAdoptionCommand,
  type PolicyAdoptionResult,
  type PolicyProposal,
} from './policy-adoption';

const AT = '2026-06-15T12:00:00.000Z';
const ada: Actor = { name: 'ada', role: 'admin' };
const cleo: Actor = { name: 'cleo', role: 'cfo' };
const Cleo: Actor = { name: 'Cleo', role: 'general-manager' };
const gina: Actor = { name: 'gina', role: 'general-manager' };
const fred: Actor = { name: 'fred', role: 'finance-manager' };
const sam: Actor = { name: 'sam', role: 'sales-manager' };

/** Given a proposal's history (commands by actors) under `inForce`, when `by` runs `command`, then … */
function given(steps: Array<[PolicyAdoptionCommand, Actor]>, inForce: GradePolicy = DEFAULT_GRADE_POLICY) {
  let proposal: PolicyProposal | null = null;
  const run = (command: PolicyAdoptionCommand, by: Actor): PolicyAdoptionResult =>
    decidePolicyAdoption(command, {
      by,
      at: AT,
      inForce,
      latestVersion: 1,
      proposal,
      pending: proposal && proposal.status === 'pending' ? [proposal] : [],
    });
  for (const [command, by] of steps) {
    const r = run(command, by);
    if (!r.ok) throw new Error(`${r.kind}: ${r.message}`);
    proposal = r.proposal;
  }
  return { when: (command: PolicyAdoptionCommand, by: Actor) => run(command, by) };
}

const propose = (version = 2, proposalId = 'PP-1'): PolicyAdoptionCommand => ({
  type: 'ProposePolicy',
  data: { proposalId, version, hash: 'h' },
});
const approve: PolicyAdoptionCommand = { type: 'ApprovePolicy', data: { proposalId: 'PP-1' } };
const reject = (reason = 'weights too harsh'): PolicyAdoptionCommand => ({
  type: 'RejectPolicy',
  data: { proposalId: 'PP-1', reason },
});

describe('policy adoption (four-eyes)', () => {
  it('an admin proposes; a cfo approves and the version is adopted, naming both', () => {
    const r = given([[propose(), ada]]).when(approve, cleo);
    expect(r).toMatchObject({
      ok: true,
      adopted: true,
      proposal: { status: 'adopted', proposedBy: 'ada', approvals: [{ by: 'cleo', role: 'cfo', at: AT }] },
    });
  });

  it('a general manager may approve instead of the cfo', () => {
    expect(given([[propose(), ada]]).when(approve, gina)).toMatchObject({ ok: true, adopted: true });
  });

  it('the proposer never approves, even holding an approving role (names compare ignoring case)', () => {
    expect(given([[propose(), cleo]]).when(approve, cleo)).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(given([[propose(), cleo]]).when(approve, Cleo)).toMatchObject({ ok: false, kind: 'forbidden' });
  });

  it('a role the policy does not name cannot approve; roles are not a hierarchy', () => {
    const r = given([[propose(), ada]]).when(approve, fred);
    expect(r).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(!r.ok && r.message).toContain('cfo|general-manager');
  });

  it('only the roles the policy in force names may propose', () => {
    expect(given([]).when(propose(), sam)).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(given([]).when(propose(), fred)).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(given([]).when(propose(), cleo)).toMatchObject({ ok: true, adopted: false });
  });

  it('a version not newer than the latest is refused, naming the next one', () => {
    const r = given([]).when(propose(1), ada);
    expect(r).toMatchObject({ ok: false, kind: 'bad-request' });
    expect(!r.ok && r.message).toContain('use 2');
  });

  it('one pending proposal per version', () => {
    const r = given([[propose(), ada]]).when(propose(2, 'PP-2'), cleo);
    expect(r).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('two approvers when the policy in force asks for two: one principal counts once', () => {
    const twoKeys = validatePolicy({
      ...DEFAULT_GRADE_POLICY,
      approvals: {
        ...DEFAULT_GRADE_POLICY.approvals,
        policyApproval: ['cfo', 'general-manager|finance-manager'],
      },
    });
    const after = given(
      [
        [propose(), ada],
        [approve, cleo],
      ],
      twoKeys,
    );
    expect(after.when(approve, cleo)).toMatchObject({ ok: false, kind: 'conflict' });
    const done = after.when(approve, fred);
    expect(done).toMatchObject({ ok: true, adopted: true });
    expect(done.ok && done.proposal.approvals.map((a) => a.by)).toEqual(['cleo', 'fred']);
    const half = given(
      [
        [propose(), ada],
        [approve, cleo],
      ],
      twoKeys,
    ).when(approve, gina);
    expect(half.ok && missingPolicyApprovals(half.proposal, twoKeys)).toEqual([]);
  });

  it('rejected with a reason by an approving role or withdrawn by the proposer; then closed', () => {
    const r = given([[propose(), ada]]).when(reject(), gina);
    expect(r).toMatchObject({
      ok: true,
      adopted: false,
      proposal: { status: 'rejected', closedBy: 'gina', closeReason: 'weights too harsh' },
    });
    expect(given([[propose(), ada]]).when(reject('withdrawn'), ada)).toMatchObject({ ok: true });
    expect(given([[propose(), ada]]).when(reject(), sam)).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(given([[propose(), ada]]).when(reject('  '), gina)).toMatchObject({
      ok: false,
      kind: 'bad-request',
    });
    expect(
      given([
        [propose(), ada],
        [reject(), gina],
      ]).when(approve, cleo),
    ).toMatchObject({
      ok: false,
      kind: 'conflict',
    });
  });

  it('the inbox offers a pending proposal to whoever may approve it now, never its proposer', () => {
    const r = given([]).when(propose(), ada);
    const p = r.ok ? r.proposal : null;
    expect([ada, cleo, gina, fred, sam].map((a) => mayApprovePolicy(p!, DEFAULT_GRADE_POLICY, a))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it('an unknown proposal is not found', () => {
    expect(given([]).when(approve, cleo)).toMatchObject({ ok: false, kind: 'not-found' });
  });
});
