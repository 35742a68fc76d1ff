import { Command } from 'commander';
import { LedgerReader, PolicyStore } from '@credit-ledger/ledger-store';
import { PositionQueries, PositionView } from '@credit-ledger/projections';
import { PERSONAL_OPTION, openLedger, personalView } from './shared';

function render(v: PositionView): string {
  const ccy = v.currency ?? '';
  const row = (label: string, value: string | number | null) => `  ${label.padEnd(18)} ${value ?? '—'}`;
  return [
    `${v.customerId}  ${v.name ?? ''}  (${v.status})  as of ${v.asOf}`,
    row('credit limit', `${v.creditLimit} ${ccy}`),
    row('open receivables', `${v.openReceivables} ${ccy}`),
    row('open orders', `${v.openOrders} ${ccy}`),
    row('exposure', `${v.exposure} ${ccy}`),
    row('available', `${v.available} ${ccy}`),
    row('utilisation', v.utilisation === null ? null : `${(Number(v.utilisation) * 100).toFixed(2)} %`),
    row('aging current', v.aging.current),
    row('aging 1-30', v.aging.d1_30),
    row('aging 31-60', v.aging.d31_60),
    row('aging 61-90', v.aging.d61_90),
    row('aging 90+', v.aging.d90plus),
    row('DSO (days)', v.dso),
    row('score / grade', v.score === null ? null : `${v.score} / ${v.grade}`),
    row('segment', v.rating?.segment ?? null),
    row(
      'terms',
      v.terms === null
        ? null
        : v.terms.cashOnly
          ? `band ${v.terms.band}: cash only, effective limit ${v.terms.effectiveLimit} ${ccy}`
          : `band ${v.terms.band}: credit, effective limit ${v.terms.effectiveLimit} ${ccy}` +
            (v.terms.maxPaymentTermsDays === null ? '' : `, up to ${v.terms.maxPaymentTermsDays} days`),
    ),
    ...(v.rating?.factors ?? []).map((f) =>
      f.factor === 'blend'
        ? row(
            '  blend',
            `history ${f.normalised} % (${f.raw.basis}): ${f.raw.historyPoints} / profile ${f.raw.profilePoints}`,
          )
        : row(
            `  ${f.factor}`,
            `${f.normalised} × ${f.weight}% = ${(f.contribution / 100).toFixed(2)}${f.model ? ` (${f.model})` : ''}`,
          ),
    ),
    row('ledger sequence', v.ledgerSequence),
  ].join('\n');
}

export function customerCommand(): Command {
  return new Command('customer')
    .description("Show a customer's exposure, aging and grade, now or as of a past moment.")
    .argument('<customerId>', 'the customer id, e.g. C-000001')
    .option('--as-of <time>', 'ISO date or timestamp: replay the ledger up to that moment')
    .option('--json', 'print the API JSON instead of a table')
    .option('--file', 'print the credit file (profile, contacts, reports, dealings) as JSON instead')
    .option(...PERSONAL_OPTION)
    .addHelpText('after', '\nExample: credit-ledger customer C-000001 --as-of 2026-06-30')
    .action(
      async (
        customerId: string,
        opts: { asOf?: string; json?: boolean; file?: boolean; personal?: boolean },
      ) => {
        const ds = await openLedger(1);
        try {
          const policies = new PolicyStore(ds);
          await policies.load();
          const asOf = opts.asOf ? new Date(opts.asOf).toISOString() : undefined;
          const queries = new PositionQueries(ds, policies);
          const view = opts.file
            ? await queries.file(customerId, asOf)
            : await queries.position(customerId, asOf);
          if (!view) {
            const head = await new LedgerReader(ds).headSequence();
            console.error(`customer ${customerId} not found (ledger head sequence ${head})`);
            process.exitCode = 2;
            return;
          }
          const shown = await personalView(
            ds,
            view,
            opts,
            `customer ${customerId}${opts.file ? ' --file' : ''}`,
          );
          console.log(
            opts.json || opts.file ? JSON.stringify(shown, null, 2) : render(shown as PositionView),
          );
        } finally {
          await ds.destroy();
        }
      },
    );
}
