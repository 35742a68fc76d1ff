import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import {
  ControlEvent,
  CustomerState,
  GradePolicy,
  WhatIfSummary,
  regradeEvents,
} from '@credit-ledger/domain';
import {
  LedgerWriter,
  PolicyStore,
  PolicyVersionInfo,
  approvePolicyProposal,
  getPolicyProposal,
  listPolicyProposals,
  proposePolicy,
  rejectPolicyProposal,
  type PolicyProposalView,
} from '@credit-ledger/ledger-store';
import { SimulationStore, flatSimulationRow, runStoredSimulation } from '@credit-ledger/projections';
import { toCsv } from '../../../ledger/src/reports/portfolio-reports';
import { progressBar } from '../progress';
import { cliInstant, formatTable } from '../table';
import { CLI_KEY_ENV, cliPrincipal, config, openLedger } from './shared';

async function withDataSource<T>(f: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await openLedger(2);
  try {
    return await f(ds);
  } finally {
    await ds.destroy();
  }
}

export function renderVersions(versions: PolicyVersionInfo[]): string {
  return formatTable([
    ['version', 'in force from sequence', 'adopted at', 'proposed by', 'approved by', 'note'],
    ...versions.map((v) => [
      String(v.version),
      v.effectiveFromSequence,
      v.approvedAt ?? v.createdAt,
      v.createdBy,
      v.approvedBy.join(', '),
      v.note ?? '',
    ]),
  ]);
}

export function renderProposals(proposals: PolicyProposalView[]): string {
  return formatTable([
    ['proposal', 'version', 'status', 'proposed by', 'at', 'approved by', 'missing', 'note / reason'],
    ...proposals.map((p) => [
      p.proposalId,
      String(p.version),
      p.status,
      `${p.proposedBy} (${p.proposedRole})`,
      p.proposedAt,
      p.approvals.map((a) => `${a.by} (${a.role})`).join(', '),
      p.missing.join(' and '),
      p.status === 'rejected' ? `${p.closedBy}: ${p.closeReason}` : (p.note ?? ''),
    ]),
  ]);
}

const KEY_HELP =
  `\nYou act as the principal of your API key: set ${CLI_KEY_ENV} to a key of API_KEYS (the same keys as the\n` +
  'HTTP API, so four-eyes holds across both: who proposed on the API cannot approve here).';

async function readPolicyFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return input;
}

/** The migration matrix as a table: one row per grade before, one column per grade after. */
export function renderMigration(migration: Record<string, Record<string, number>>): string {
  const from = Object.keys(migration).sort();
  const to = [...new Set(Object.values(migration).flatMap((r) => Object.keys(r)))].sort();
  return formatTable([
    ['from \\ to', ...to],
    ...from.map((g) => [g, ...to.map((t) => String(migration[g][t] ?? 0))]),
  ]);
}

/**
 * Re-grades every customer at its own clock under the current policy and appends a CustomerRerated
 * (trigger 'policy-change') for each whose grade changes, through the writer, so the re-grade is in the ledger.
 * Event ids carry the policy version: re-grading under a later version never collides with an earlier one.
 */
export async function regradeAll(
  ds: DataSource,
  onProgress?: (done: number, total: number) => void,
): Promise<{ customers: number; rerated: number; policyVersion: number }> {
  const policies = new PolicyStore(ds);
  const current = await policies.load();
  const writer = new LedgerWriter(ds, policies);
  const rule = (state: CustomerState, policy: GradePolicy): ControlEvent[] => regradeEvents(state, policy);
  const ids: string[] = (
    (await ds.query('SELECT customer_id FROM customer_positions ORDER BY customer_id')) as Array<{
      customer_id: string;
    }>
  ).map((r) => r.customer_id);
  let rerated = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const r = await writer.appendControl(ids.slice(i, i + 500), rule);
    rerated += r.appended;
    onProgress?.(Math.min(i + 500, ids.length), ids.length);
  }
  return { customers: ids.length, rerated, policyVersion: current.version };
}

export function policyCommand(): Command {
  const policy = new Command('policy').description(
    'Grading policy versions: show the one in force, list versions, propose a new one and approve it (four-eyes), re-grade under it.',
  );
  policy
    .command('show')
    .description('Print the policy in force (JSON).')
    .option('--version <n>', 'a specific version instead')
    .action(async (opts: { version?: string }) =>
      withDataSource(async (ds) => {
        const store = new PolicyStore(ds);
        await store.load();
        const p = opts.version === undefined ? store.current() : store.version(Number(opts.version));
        if (!p) throw new Error(`no policy version ${opts.version}`);
        console.log(JSON.stringify(p, null, 2));
      }),
    );
  policy
    .command('versions')
    .description('List every adopted version and the ledger sequence from which it is in force.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) =>
      withDataSource(async (ds) => {
        const store = new PolicyStore(ds);
        await store.load();
        console.log(opts.json ? JSON.stringify(store.versions(), null, 2) : renderVersions(store.versions()));
      }),
    );
  policy
    .command('propose')
    .description(
      'Propose a new policy version from a JSON file (four-eyes, step one). Nothing changes until principals of ' +
        'the roles the policy in force names (approvals.policyApproval; default a cfo or the general manager), ' +
        'other than you, approve it with `policy approve`. Who may propose: approvals.policyProposers (default ' +
        'admin, cfo).',
    )
    .argument('<file>', 'policy JSON: the fields of `policy show`, with version = the next version')
    .option('--note <text>', 'why (recorded)')
    .option(
      '--simulation <id>',
      'the what-if run of this very file (`policy simulate`): refused if the file differs',
    )
    .addHelpText(
      'after',
      KEY_HELP +
        '\n\nExample: credit-ledger policy show > p.json; edit weights and version; credit-ledger policy simulate p.json;\n' +
        '         CREDIT_LEDGER_API_KEY=$ADMIN_KEY credit-ledger policy propose p.json --simulation sim-… --note "why"\n' +
        '         CREDIT_LEDGER_API_KEY=$CFO_KEY credit-ledger policy approve pp-…',
    )
    .action(async (file: string, opts: { note?: string; simulation?: string }) => {
      const cfg = config();
      const by = cliPrincipal(cfg);
      const input = await readPolicyFile(file);
      await withDataSource(async (ds) => {
        const p = await proposePolicy(ds, input, {
          by,
          at: new Date().toISOString(),
          note: opts.note,
          simulationId: opts.simulation,
        });
        console.log(
          `proposed policy version ${p.version} as ${p.proposalId} (by ${p.proposedBy}); ` +
            `it needs the approval of ${p.missing.join(' and ')}: credit-ledger policy approve ${p.proposalId}`,
        );
      });
    });
  policy
    .command('proposals')
    .description('List policy proposals, newest first: who proposed, who approved, what is still missing.')
    .option('--status <status>', 'pending | adopted | rejected (default: all)')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; json?: boolean }) => {
      if (opts.status !== undefined && !['pending', 'adopted', 'rejected'].includes(opts.status))
        throw new Error('--status must be pending, adopted or rejected');
      await withDataSource(async (ds) => {
        const items = await listPolicyProposals(ds, opts.status as PolicyProposalView['status'] | undefined);
        console.log(opts.json ? JSON.stringify(items, null, 2) : renderProposals(items));
      });
    });
  policy
    .command('approve')
    .description(
      'Approve a pending policy proposal (four-eyes, step two). Refused for its proposer, for a second approval ' +
        'by the same principal and for a role the policy in force does not name; the approval that completes it ' +
        'puts the version in force, recording who proposed and approved it, when, and its hash.',
    )
    .argument('<proposal>', 'the proposal id (`policy proposals --status pending`)')
    .addHelpText(
      'after',
      KEY_HELP + '\n\nExample: CREDIT_LEDGER_API_KEY=$CFO_KEY credit-ledger policy approve pp-3-1a2b3c4d',
    )
    .action(async (id: string) => {
      const by = cliPrincipal(config());
      await withDataSource(async (ds) => {
        const r = await approvePolicyProposal(ds, id, { by, at: new Date().toISOString() });
        console.log(
          r.adopted
            ? `adopted policy version ${r.adopted.version} (proposed by ${r.adopted.createdBy}, approved by ` +
                `${r.adopted.approvedBy.join(', ')}), in force from ledger sequence ${r.adopted.effectiveFromSequence}`
            : `approved ${id} as ${by.name}; still missing: ${r.proposal.missing.join(' and ')}`,
        );
      });
    });
  policy
    .command('reject')
    .description(
      'Reject a pending policy proposal with a reason (a role that may approve it), or withdraw your own.',
    )
    .argument('<proposal>', 'the proposal id')
    .requiredOption('--reason <text>', 'why (recorded)')
    .addHelpText('after', KEY_HELP)
    .action(async (id: string, opts: { reason: string }) => {
      const by = cliPrincipal(config());
      await withDataSource(async (ds) => {
        await rejectPolicyProposal(ds, id, { by, at: new Date().toISOString(), reason: opts.reason });
        console.log(`rejected ${id} as ${by.name}: ${opts.reason}`);
      });
    });
  policy
    .command('proposal')
    .description('Print one proposal with the policy it proposes (JSON).')
    .argument('<proposal>', 'the proposal id')
    .action(async (id: string) =>
      withDataSource(async (ds) => {
        const p = await getPolicyProposal(ds, id);
        if (!p) throw new Error(`no policy proposal ${id}`);
        console.log(JSON.stringify(p, null, 2));
      }),
    );
  policy
    .command('simulate')
    .description(
      'What-if: re-grade every customer under a draft policy file without changing anything, and show who moves: ' +
        'the grade migration matrix, held credit before and after, orders released or held. The run is stored, so ' +
        'the same file can be adopted with --simulation and the API shows it (GET /policy/simulations/:id).',
    )
    .argument('<file>', 'the draft policy JSON (as for `policy propose`)')
    .option('--as-of <instant>', 'simulate on the customers as they were then (replayed from the ledger)')
    .option('--customer <id>', 'one customer only')
    .option('--by <name>', 'who runs it (recorded)', process.env.USER ?? 'cli')
    .option('--out <file>', 'write every customer row there (CSV when the name ends in .csv, else JSON)')
    .addHelpText(
      'after',
      '\nExample: credit-ledger policy show > draft.json; edit it; credit-ledger policy simulate draft.json --out moves.csv',
    )
    .action(async (file: string, opts: { asOf?: string; customer?: string; by: string; out?: string }) =>
      withDataSource(async (ds) => {
        const store = new SimulationStore(ds);
        const sim = await store.create(await readPolicyFile(file), {
          requestedBy: opts.by,
          asOf: opts.asOf === undefined ? undefined : cliInstant(opts.asOf, '--as-of'),
          customerId: opts.customer,
        });
        const bar = progressBar('simulating', 0, 'customers');
        try {
          await runStoredSimulation(ds, store, sim.simulationId, (done, total) => {
            bar.setTotal(total);
            bar.update(done);
          });
        } finally {
          bar.stop();
        }
        const done = (await store.get(sim.simulationId))!;
        if (done.status !== 'done') throw new Error(`simulation failed: ${done.error}`);
        const s = done.summary!;
        console.log(
          `simulation ${done.simulationId} of policy v${done.draftVersion} over ledger sequence ${done.ledgerSequence}`,
        );
        console.log(
          `${s.customers} customers, ${s.changed} change grade; orders released for ${s.customersWithOrdersReleased}, held for ${s.customersWithOrdersHeld}`,
        );
        console.log(`\n${renderMigration(s.migration)}\n`);
        console.log(renderApprovalEffects(s.approvals));
        if (opts.out) {
          const rows = await store.rows(done.simulationId);
          await writeFile(
            opts.out,
            opts.out.endsWith('.csv') ? toCsv(rows.map(flatSimulationRow)) : JSON.stringify(rows, null, 2),
          );
          console.log(`rows written to ${opts.out}`);
        }
        console.log(
          `propose exactly this draft with: credit-ledger policy propose ${file} --simulation ${done.simulationId}`,
        );
      }),
    );
  policy
    .command('regrade')
    .description(
      "Re-grade every customer under the policy in force, at each customer's own clock; appends a CustomerRerated " +
        "(trigger 'policy-change') to each customer whose grade changes, so the re-grade is recorded and replayable.",
    )
    .action(async () =>
      withDataSource(async (ds) => {
        const bar = progressBar('re-grading', 0, 'customers');
        let r: Awaited<ReturnType<typeof regradeAll>>;
        try {
          r = await regradeAll(ds, (done, total) => {
            bar.setTotal(total);
            bar.update(done);
          });
        } finally {
          bar.stop();
        }
        console.log(
          `re-graded ${r.customers} customers under policy v${r.policyVersion}: ${r.rerated} grade changes recorded`,
        );
      }),
    );
  return policy;
}

/** The approval work a draft changes, in a few lines (the summary's `approvals`). */
export function renderApprovalEffects(a: WhatIfSummary['approvals']): string {
  const routes = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([route, n]) => `${n} × ${route}`)
      .join('; ') || 'none';
  return [
    `approvals: ${a.pendingBlocked} pending request(s) stopped by a cash-only grade, ${a.pendingUnblocked} let through; ` +
      `${a.customersRoutedDifferently} customer(s) routed to other approvers`,
    `  routes now:   ${routes(a.routesBefore)}`,
    `  routes after: ${routes(a.routesAfter)}`,
    `  held orders needing an order-release approval: ${a.releasesToApproveBefore} → ${a.releasesToApproveAfter}`,
    `  adopting it: proposed by ${a.adoption.proposers.join(' or ')}, approved by ${a.adoption.approvers.join(' and ')}` +
      (a.adoption.rulesChanged.length
        ? `; approval settings changed: ${a.adoption.rulesChanged.join(', ')}`
        : ''),
    '',
  ].join('\n');
}
