import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { ControlEvent, CustomerState, GradePolicy, rerate } from '@credit-ledger/domain';
import { LedgerWriter, PolicyStore, PolicyVersionInfo, adoptPolicy } from '@credit-ledger/ledger-store';
import { progressBar } from '../progress';
import { formatTable } from '../table';
import { openLedger } from './shared';

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
    ['version', 'in force from sequence', 'adopted at', 'by', 'note'],
    ...versions.map((v) => [
      String(v.version),
      v.effectiveFromSequence,
      v.createdAt,
      v.createdBy,
      v.note ?? '',
    ]),
  ]);
}

/** Reads and adopts a policy file; file and validation problems come back as one clear message. */
export async function adoptPolicyFile(
  ds: DataSource,
  file: string,
  opts: { by: string; note?: string },
): Promise<PolicyVersionInfo> {
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
  return adoptPolicy(ds, input, { createdBy: opts.by, note: opts.note });
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
  const rule = (state: CustomerState, policy: GradePolicy): ControlEvent[] =>
    state.clock === null
      ? []
      : rerate(state, state.clock, policy, 'policy-change').map((e) => ({
          ...e,
          eventId: `${e.eventId}:policy-v${policy.version}`,
        }));
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
    'Grading policy versions: show the one in force, list versions, adopt a new one, re-grade under it.',
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
    .command('adopt')
    .description(
      'Adopt a new policy version from a JSON file (admin). It grades every event appended from now on; ' +
        'existing grades stay as they were until `policy regrade` or the customer’s next event.',
    )
    .argument('<file>', 'policy JSON: the fields of `policy show`, with version = the next version')
    .option('--by <name>', 'who adopts it (recorded)', process.env.USER ?? 'cli')
    .option('--note <text>', 'why (recorded)')
    .addHelpText(
      'after',
      '\nExample: credit-ledger policy show > p.json; edit weights and version; credit-ledger policy adopt p.json',
    )
    .action(async (file: string, opts: { by: string; note?: string }) =>
      withDataSource(async (ds) => {
        const v = await adoptPolicyFile(ds, file, opts);
        console.log(
          `adopted policy version ${v.version}, in force from ledger sequence ${v.effectiveFromSequence}`,
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
