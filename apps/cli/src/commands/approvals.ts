import { Command } from 'commander';
import { LedgerWriter, PolicyStore } from '@credit-ledger/ledger-store';
import { Decider, RunApprovalHandler, RunApprovalCommand } from '../../../ledger/src/control/commands';
import { ControlAppender } from '../../../ledger/src/control/control-appender';
import {
  ListInboxHandler,
  ListInboxQuery,
  type InboxItem,
} from '../../../ledger/src/control/control-queries';
import { formatTable } from '../table';
import { renderProposals } from './policy';
import { CLI_KEY_ENV, cliPrincipal, config, openLedger } from './shared';

const KEY_HELP =
  `\nYou act as the principal of your API key: set ${CLI_KEY_ENV} to a key of API_KEYS. It is the same\n` +
  'principal as on the HTTP API, so four-eyes holds across both (who made a request never approves it, here or\n' +
  'there; one principal approves a request once). Policy proposals: `credit-ledger policy proposals|approve`.';

export function renderInbox(items: InboxItem[]): string {
  return formatTable([
    [
      'customer',
      'request',
      'kind',
      'amount',
      'grade',
      'requested by',
      'at',
      'approved by',
      'missing',
      'reason',
    ],
    ...items.map((r) => [
      r.customerId,
      r.requestId,
      r.kind,
      `${r.newLimit} ${r.currency ?? ''}`.trim(),
      r.grade ?? '',
      r.requestedBy,
      r.requestedAt,
      r.approvals.map((a) => `${a.by} (${a.role})`).join(', '),
      r.missing.join(' and '),
      r.reason,
    ]),
  ]);
}

/**
 * `approvals list|approve|reject`: the approvals inbox on the command line, decided by the very handler the API
 * runs (RunApprovalHandler → decideApproval under the writer's append lock), so the rules cannot differ.
 */
export function approvalsCommand(): Command {
  const cmd = new Command('approvals').description(
    'Credit requests waiting for you (limit changes, temporary limits, freeze/unfreeze, order releases, ' +
      'lifting a blacklist, first applications): list them, approve or reject one. Routing by amount and ' +
      'grade, four-eyes and roles are the same as on the API (docs/approvals.md).',
  );
  cmd
    .command('list')
    .description(
      'The pending requests your principal may approve now: your role fills a missing entry, you did not make it, ' +
        'you have not approved it. Oldest first; then the policy proposals you may approve.',
    )
    .option('--json', 'print JSON (with each customer position)')
    .addHelpText(
      'after',
      KEY_HELP + '\n\nExample: CREDIT_LEDGER_API_KEY=$CFO_KEY credit-ledger approvals list',
    )
    .action(async (opts: { json?: boolean }) => {
      const by = cliPrincipal(config());
      const ds = await openLedger(1);
      try {
        const inbox = await new ListInboxHandler(ds).execute(
          new ListInboxQuery({ name: by.name, role: by.role }),
        );
        if (opts.json) console.log(JSON.stringify(inbox, null, 2));
        else {
          console.log(
            `${renderInbox(inbox.items)}\n${inbox.items.length} request(s) waiting for ${by.name} (${by.role})`,
          );
          if (inbox.policyProposals.length > 0)
            console.log(
              `\n${renderProposals(inbox.policyProposals)}\n${inbox.policyProposals.length} policy proposal(s) ` +
                'waiting too: credit-ledger policy approve <proposal>',
            );
        }
      } finally {
        await ds.destroy();
      }
    });
  cmd
    .command('approve')
    .description(
      'Approve a request. The last approval it needs carries the operation out (ApprovalCompleted naming every ' +
        'approver, then e.g. CreditLimitChanged); refused for its requester, a second approval by you, or a role it does not need.',
    )
    .argument('<customer>', 'the customer id')
    .argument('<request>', 'the request id (`approvals list`)')
    .addHelpText(
      'after',
      KEY_HELP +
        '\n\nExample: CREDIT_LEDGER_API_KEY=$FINANCE_MANAGER_KEY credit-ledger approvals approve C-000042 LR-2026-001',
    )
    .action(async (customerId: string, requestId: string) =>
      decide(customerId, requestId, () => ({ type: 'ApproveRequest', data: { requestId } })),
    );
  cmd
    .command('reject')
    .description('Reject a pending request with a reason (recorded in ApprovalRejected).')
    .argument('<customer>', 'the customer id')
    .argument('<request>', 'the request id')
    .requiredOption('--reason <text>', 'why (recorded)')
    .addHelpText(
      'after',
      KEY_HELP +
        '\n\nExample: credit-ledger approvals reject C-000042 LR-2026-001 --reason "no audited accounts"',
    )
    .action(async (customerId: string, requestId: string, opts: { reason: string }) =>
      decide(customerId, requestId, () => ({
        type: 'RejectRequest',
        data: { requestId, reason: opts.reason },
      })),
    );
  return cmd;
}

async function decide(
  customerId: string,
  requestId: string,
  build: ConstructorParameters<typeof RunApprovalCommand>[3],
): Promise<void> {
  const by = cliPrincipal(config());
  const ds = await openLedger(2);
  try {
    const policies = new PolicyStore(ds);
    await policies.load();
    const handler = new RunApprovalHandler(
      new Decider(new ControlAppender(new LedgerWriter(ds, policies)), () => new Date()),
    );
    const r = await handler.execute(new RunApprovalCommand(customerId, by, requestId, build));
    for (const e of r.events) console.log(`${e.sequence}  ${customerId}  ${e.type}`);
    console.log(`request ${requestId} of ${customerId}: ${r.status} (as ${by.name}, ${by.role})`);
  } finally {
    await ds.destroy();
  }
}
