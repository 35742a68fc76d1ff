import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildCli } from '../apps/cli/src/main';
import { KEYS, LedgerHarness, TEST_API_KEYS } from './support/ledger-harness';
import { onboarded } from './support/wire';

/**
 * Four-eyes policy adoption and the CLI's approval commands, on real PostgreSQL: a policy version is proposed by
 * one principal and in force only once another, of a role the policy in force names, approves it — through the
 * API and through `credit-ledger policy …` / `approvals …`, which act as the principal of an API key and run the
 * same deciders, so four-eyes holds across the two paths.
 */
/** The CLI with every command throwing instead of exiting (commander's exitOverride is per command). */
function cliProgram(out?: (s: string) => void): Command {
  const all = (c: Command): void => {
    c.exitOverride();
    if (out) c.configureOutput({ writeOut: out, writeErr: out });
    c.commands.forEach(all);
  };
  const program = buildCli();
  all(program);
  return program;
}

describe('policy adoption, four-eyes (API and CLI)', () => {
  let h: LedgerHarness;
  const now = new Date('2026-06-15T12:00:00Z');
  let current: { version: number } & Record<string, unknown>;
  const saved = { ...process.env };

  /** Runs `credit-ledger …` in this process as the principal of `key`; answers what it printed, or throws. */
  async function cli(key: string, ...args: string[]): Promise<string> {
    process.env.DATABASE_URL = h.config.databaseUrl;
    process.env.API_KEYS = TEST_API_KEYS;
    process.env.CREDIT_LEDGER_API_KEY = key;
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
      lines.push(a.join(' '));
    });
    try {
      await cliProgram(() => {}).parseAsync(['node', 'credit-ledger', ...args]);
    } finally {
      log.mockRestore();
    }
    return lines.join('\n');
  }
  const next = (delta = 1, extra: Record<string, unknown> = {}) => ({
    policy: { ...current, version: current.version + delta, ...extra },
  });
  const versions = async () => (await h.get('/policy/versions')).body.items;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => now });
    current = (await h.get('/policy')).body.policy;
    await h.publish([
      onboarded('C-CLI', '2026-06-01T09:00:00Z', { name: 'Cli Co', currency: 'EUR', creditLimit: '5000.00' }),
    ]);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    process.env = saved;
    await h?.stop();
  });

  it('nothing is in force on a proposal; a cfo other than the proposer puts it in force, recorded with both and the hash', async () => {
    const before = await versions();
    const proposed = await h.send('POST', '/policy/proposals', { ...next(), note: 'same rules' }, KEYS.admin);
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({
      version: current.version + 1,
      status: 'pending',
      proposedBy: 'ada',
      proposedRole: 'admin',
      missing: ['cfo|general-manager'],
    });
    expect(await versions()).toEqual(before);
    const id = proposed.body.proposalId;
    expect(
      (await h.get('/policy/proposals?status=pending')).body.items.map(
        (p: { proposalId: string }) => p.proposalId,
      ),
    ).toEqual([id]);

    // Neither the other admin, nor a finance manager, nor a reader (the route) can approve it.
    expect((await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.admin2)).status).toBe(
      403,
    );
    expect((await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.finance2)).status).toBe(
      403,
    );
    expect((await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.reader)).status).toBe(
      403,
    );
    expect(await versions()).toEqual(before);

    const approved = await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.cfo);
    expect(approved.status).toBe(200);
    expect(approved.body.proposal).toMatchObject({
      status: 'adopted',
      approvals: [{ by: 'cleo', role: 'cfo' }],
    });
    expect(approved.body.adopted).toMatchObject({
      version: current.version + 1,
      createdBy: 'ada',
      approvedBy: ['cleo'],
      approvedRoles: ['cfo'],
      approvedAt: now.toISOString(),
      proposalId: id,
      policyHash: proposed.body.hash,
    });
    expect((await h.get('/policy')).body.version.version).toBe(current.version + 1);
    expect((await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.gm)).status).toBe(409);
    current = (await h.get('/policy')).body.policy;
  });

  it('the proposer never approves: a cfo proposes, the same cfo is refused, the general manager approves', async () => {
    const proposed = await h.send('POST', '/policy/proposals', next(), KEYS.cfo);
    expect(proposed.status).toBe(201);
    const id = proposed.body.proposalId;
    const self = await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.cfo);
    expect(self.status).toBe(403);
    expect(self.body.message).toMatch(/four-eyes: cleo made policy proposal/);
    expect(
      (await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.gm)).body.adopted,
    ).toMatchObject({
      createdBy: 'cleo',
      approvedBy: ['gina'],
    });
    current = (await h.get('/policy')).body.policy;
  });

  it('only the roles the policy in force names propose; a stale version is refused naming the next', async () => {
    expect((await h.send('POST', '/policy/proposals', next(), KEYS.sales)).status).toBe(403);
    expect((await h.send('POST', '/policy/proposals', next(), KEYS.gm)).status).toBe(403);
    expect((await h.send('POST', '/policy/proposals', next(), KEYS.reader)).status).toBe(403);
    const stale = await h.send('POST', '/policy/proposals', next(0), KEYS.admin);
    expect(stale.status).toBe(400);
    expect(stale.body.message).toContain(`use ${current.version + 1}`);
  });

  it('rejection with a reason closes a proposal; an approving role or its proposer may, another may not', async () => {
    const id = (await h.send('POST', '/policy/proposals', next(), KEYS.admin)).body.proposalId;
    expect((await h.send('POST', '/policy/proposals', next(), KEYS.cfo)).status).toBe(409); // one pending per version
    expect(
      (await h.send('POST', `/policy/proposals/${id}/reject`, { reason: 'no' }, KEYS.sales)).status,
    ).toBe(403);
    const rejected = await h.send(
      'POST',
      `/policy/proposals/${id}/reject`,
      { reason: 'D band too harsh' },
      KEYS.gm,
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body.proposal).toMatchObject({
      status: 'rejected',
      closedBy: 'gina',
      closeReason: 'D band too harsh',
    });
    expect((await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.cfo)).status).toBe(409);
    expect((await h.get(`/policy/proposals/${id}`)).body).toMatchObject({
      status: 'rejected',
      policy: { version: current.version + 1 },
    });
  });

  it('the policy in force decides who approves the next one: two approvers, one principal counting once', async () => {
    const twoKeys = next(1, {
      approvals: {
        ...(current.approvals as object),
        policyApproval: ['cfo', 'general-manager|finance-manager'],
      },
    });
    expect((await h.adoptPolicy(twoKeys)).status).toBe(200);
    current = (await h.get('/policy')).body.policy;
    const id = (await h.send('POST', '/policy/proposals', next(), KEYS.admin)).body.proposalId;
    const first = await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.cfo);
    expect(first.body).toMatchObject({
      adopted: null,
      proposal: { missing: ['general-manager|finance-manager'] },
    });
    expect((await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.cfo)).status).toBe(409);
    const second = await h.send('POST', `/policy/proposals/${id}/approve`, undefined, KEYS.finance2);
    expect(second.body.adopted).toMatchObject({
      approvedBy: ['cleo', 'fred'],
      approvedRoles: ['cfo', 'finance-manager'],
    });
    current = (await h.get('/policy')).body.policy;
  });

  it('the CLI approves as the principal of an API key, with the same four-eyes across API and CLI', async () => {
    // In force: a cfo AND a general manager or finance manager. Proposed on the API by ada.
    const back = next(1, {
      approvals: { ...(current.approvals as object), policyApproval: ['cfo|general-manager'] },
    });
    const id = (await h.send('POST', '/policy/proposals', back, KEYS.admin)).body.proposalId;
    await expect(cli(KEYS.admin, 'policy', 'approve', id)).rejects.toThrow(
      /four-eyes: ada made policy proposal/,
    );
    await expect(cli('no-such-key', 'policy', 'approve', id)).rejects.toThrow(/not a key of API_KEYS/);
    await expect(cli(KEYS.sales, 'policy', 'approve', id)).rejects.toThrow(
      /cannot approve .* still needs cfo and/,
    );
    expect(await cli(KEYS.reader, 'policy', 'proposals', '--status', 'pending')).toContain(id);
    // The inbox (API and CLI) offers it to whoever may approve it now, not to its proposer.
    const inbox = async (key: string) =>
      (await h.get('/approvals', key)).body.policyProposals.map((p: { proposalId: string }) => p.proposalId);
    expect(await inbox(KEYS.gm)).toEqual([id]);
    expect(await inbox(KEYS.admin)).toEqual([]);
    expect(await inbox(KEYS.sales)).toEqual([]);
    expect(await cli(KEYS.gm, 'approvals', 'list')).toMatch(
      new RegExp(`${id}[\\s\\S]*1 policy proposal\\(s\\) waiting`),
    );
    expect(await cli(KEYS.gm, 'policy', 'approve', id)).toMatch(/approved .* as gina; still missing: cfo/);
    await expect(cli(KEYS.gm, 'policy', 'approve', id)).rejects.toThrow(/gina already approved/);
    expect(await cli(KEYS.cfo, 'policy', 'approve', id)).toMatch(
      new RegExp(
        `adopted policy version ${current.version + 1} \\(proposed by ada, approved by gina, cleo\\)`,
      ),
    );
    expect(await cli(KEYS.reader, 'policy', 'versions')).toMatch(/ada +gina, cleo/);
    current = (await h.get('/policy')).body.policy;
    // A proposal made on the CLI is approved on the API by another principal.
    const file = join(tmpdir(), `policy-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(next().policy));
    expect(await cli(KEYS.cfo, 'policy', 'propose', file, '--note', 'from the CLI')).toMatch(/as pp-/);
    const [pending] = (await h.get('/policy/proposals?status=pending')).body.items;
    expect(pending).toMatchObject({ proposedBy: 'cleo', note: 'from the CLI' });
    expect(
      (await h.send('POST', `/policy/proposals/${pending.proposalId}/approve`, undefined, KEYS.cfo)).status,
    ).toBe(403);
    expect(
      (await h.send('POST', `/policy/proposals/${pending.proposalId}/approve`, undefined, KEYS.gm)).status,
    ).toBe(200);
  });

  it("CLI approvals list|approve|reject run the API's decider: inbox per principal, four-eyes, every approver recorded", async () => {
    const ask = (requestId: string, newLimit: string) =>
      h.send(
        'POST',
        '/customers/C-CLI/limit-requests',
        { newLimit, reason: 'growth', requestId },
        KEYS.sales,
      );
    expect((await ask('LR-CLI-1', '20000.00')).status).toBe(201);
    expect(await cli(KEYS.sales, 'approvals', 'list')).not.toContain('LR-CLI-1');
    expect(await cli(KEYS.analyst2, 'approvals', 'list')).toMatch(/C-CLI +LR-CLI-1 +increase/);
    await expect(cli(KEYS.sales, 'approvals', 'approve', 'C-CLI', 'LR-CLI-1')).rejects.toThrow(
      /four-eyes: sam made/,
    );
    await expect(cli(KEYS.cfo, 'approvals', 'approve', 'C-CLI', 'LR-CLI-1')).rejects.toThrow(
      /role "cfo" cannot approve/,
    );
    expect(
      (await h.send('POST', '/customers/C-CLI/limit-requests/LR-CLI-1/approve', undefined, KEYS.sales2))
        .status,
    ).toBe(200);
    const done = await cli(KEYS.analyst2, 'approvals', 'approve', 'C-CLI', 'LR-CLI-1');
    expect(done).toMatch(
      /ApprovalCompleted[\s\S]*CreditLimitChanged[\s\S]*LR-CLI-1 of C-CLI: done \(as cora, finance-clerk\)/,
    );
    const [completed] = await h.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM ledger_events WHERE customer_id = 'C-CLI' AND type = 'ApprovalCompleted'`,
    );
    expect(completed.payload).toMatchObject({
      approvedBy: ['sid', 'cora'],
      approvedRoles: ['sales-manager', 'finance-clerk'],
    });
    expect((await h.get('/customers/C-CLI')).body.creditLimit).toBe('20000.00');

    expect((await ask('LR-CLI-2', '30000.00')).status).toBe(201);
    await expect(cli(KEYS.analyst2, 'approvals', 'reject', 'C-CLI', 'LR-CLI-2')).rejects.toThrow(/--reason/);
    expect(
      await cli(KEYS.analyst2, 'approvals', 'reject', 'C-CLI', 'LR-CLI-2', '--reason', 'no accounts'),
    ).toMatch(/LR-CLI-2 of C-CLI: rejected/);
    const [rejected] = (await h.get('/customers/C-CLI/limit-requests')).body.items.filter(
      (r: { requestId: string }) => r.requestId === 'LR-CLI-2',
    );
    expect(rejected).toMatchObject({ status: 'rejected', closedBy: 'cora', closeReason: 'no accounts' });
  });

  it('approvals arriving at once are decided one at a time: one adoption, the rest refused', async () => {
    current = (await h.get('/policy')).body.policy;
    const before = (await h.query('SELECT 1 FROM grade_policies')).length;
    const id = (await h.send('POST', '/policy/proposals', next(), KEYS.admin)).body.proposalId;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.send('POST', `/policy/proposals/${id}/approve`, undefined, i % 2 ? KEYS.cfo : KEYS.gm),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(11);
    expect((await h.query('SELECT 1 FROM grade_policies')).length).toBe(before + 1);
    current = (await h.get('/policy')).body.policy;
  });

  it('every command teaches with --help', async () => {
    const help = async (...args: string[]) => {
      let text = '';
      const cmd = cliProgram((s) => (text += s));
      await expect(cmd.parseAsync(['node', 'credit-ledger', ...args, '--help'])).rejects.toThrow();
      return text;
    };
    for (const args of [
      ['approvals', 'approve'],
      ['approvals', 'list'],
      ['policy', 'approve'],
      ['policy', 'propose'],
    ])
      expect(await help(...args)).toMatch(/CREDIT_LEDGER_API_KEY[\s\S]*Example:/);
    expect(await help('approvals')).toMatch(/list[\s\S]*approve[\s\S]*reject/);
  });
});
