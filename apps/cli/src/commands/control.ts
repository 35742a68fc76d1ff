import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { ROLES, type Role } from '@credit-ledger/config';
import { normaliseInstant } from '@credit-ledger/domain';
import { LedgerWriter, PolicyStore } from '@credit-ledger/ledger-store';
import { runCreditReview } from '../../../ledger/src/control/credit-review';
import { PortfolioReports, toCsv } from '../../../ledger/src/reports/portfolio-reports';
import { openLedger } from './shared';

const REPORTS = ['aging', 'exposure-by-grade', 'top-overdue', 'utilisation', 'dso-trend'] as const;

/** `control review`: the credit-control review (request/temporary-limit expiry, grade cuts, credit repair). */
export function controlCommand(): Command {
  const control = new Command('control').description('Credit control: run the review, print reports.');
  control
    .command('review')
    .description(
      'Expire stale limit requests and ended temporary limits, cut limits to the grade default (when the policy ' +
        'says so) and restore cut limits step by step (credit repair). Idempotent: run it as often as you like.',
    )
    .option('--at <time>', 'evaluate as of this ISO timestamp (default now)')
    .addHelpText('after', '\nExample (daily cron): credit-ledger control review')
    .action(async (opts: { at?: string }) => {
      const at = opts.at === undefined ? new Date().toISOString() : normaliseInstant(opts.at);
      if (at === null) throw new Error(`--at must be an ISO-8601 timestamp with a zone, got "${opts.at}"`);
      const ds = await openLedger(2);
      try {
        const policies = new PolicyStore(ds);
        await policies.load();
        const r = await runCreditReview(ds, new LedgerWriter(ds, policies), at);
        for (const e of r.events) console.log(`${e.sequence}  ${e.customerId}  ${e.type}`);
        console.log(`reviewed ${r.customers} customer(s) at ${r.at}: ${r.appended} event(s) appended`);
      } finally {
        await ds.destroy();
      }
    });
  control
    .command('report')
    .description(`Print a portfolio report as JSON or CSV: ${REPORTS.join(', ')}.`)
    .argument('<name>', REPORTS.join(' | '))
    .option('--csv', 'CSV instead of JSON')
    .option('--limit <n>', 'rows of top-overdue / utilisation', '20')
    .option('--months <n>', 'month ends of dso-trend', '6')
    .addHelpText('after', '\nExample: credit-ledger control report aging --csv > aging.csv')
    .action(async (name: string, opts: { csv?: boolean; limit: string; months: string }) => {
      if (!(REPORTS as readonly string[]).includes(name))
        throw new Error(`unknown report "${name}"; reports are: ${REPORTS.join(', ')}`);
      const ds = await openLedger(1);
      try {
        const policies = new PolicyStore(ds);
        await policies.load();
        const reports = new PortfolioReports(ds, policies);
        const at = new Date().toISOString();
        const n = (v: string) => Math.max(1, Math.min(1000, Number.parseInt(v, 10) || 1));
        const r =
          name === 'aging'
            ? await reports.aging(at)
            : name === 'exposure-by-grade'
              ? await reports.exposureByGrade(at)
              : name === 'top-overdue'
                ? await reports.topOverdue(at, n(opts.limit))
                : name === 'utilisation'
                  ? await reports.utilisation(at, n(opts.limit))
                  : await reports.dsoTrend(at, Math.min(36, n(opts.months)));
        process.stdout.write(opts.csv ? toCsv(r.rows) : `${JSON.stringify(r.json, null, 2)}\n`);
      } finally {
        await ds.destroy();
      }
    });
  return control;
}

/** `keys`: prints a fresh API_KEYS entry (role:name:key) to add to the environment; nothing is stored. */
export function keysCommand(): Command {
  return new Command('keys')
    .description('Issue an API key: prints a role:name:key entry for API_KEYS (comma-separate several).')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .requiredOption(
      '--name <principal>',
      'who holds the key, recorded in every event it causes (e.g. ann.lee)',
    )
    .addHelpText('after', '\nExample: API_KEYS="$API_KEYS,$(credit-ledger keys --role cfo --name cleo)"')
    .action((opts: { role: string; name: string }) => {
      if (!(ROLES as readonly string[]).includes(opts.role))
        throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(opts.name))
        throw new Error('--name must be 1-64 characters of A-Z a-z 0-9 . _ @ -');
      console.log(`${opts.role as Role}:${opts.name}:${randomBytes(24).toString('base64url')}`);
    });
}
