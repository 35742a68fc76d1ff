import { Command } from 'commander';
import { PolicyStore } from '@credit-ledger/ledger-store';
import type { GradeTerms } from '@credit-ledger/domain';
import { AuditQueries, ExplainView, FactorExplanation, PositionView } from '@credit-ledger/projections';
import { cliInstant, formatTable } from '../table';
import { PERSONAL_OPTION, openLedger, personalView } from './shared';

const points = (hundredths: number): string => (hundredths / 100).toFixed(2);
const signed = (n: number, f: (n: number) => string = String): string => (n > 0 ? `+${f(n)}` : f(n));

/** Raw inputs that changed, as "name a -> b"; all of them (as "name b") for a first rating. */
function rawChanges(f: FactorExplanation): string {
  const keys = Object.keys(f.raw);
  if (f.before === null) return keys.map((k) => `${k} ${f.raw[k]}`).join(', ');
  const before = f.before.raw;
  const changed = keys.filter((k) => before[k] !== f.raw[k]);
  return changed.length ? changed.map((k) => `${k} ${before[k]} -> ${f.raw[k]}`).join(', ') : 'unchanged';
}

function movers(f: FactorExplanation): string {
  const who = [...f.movedBy];
  if (f.movedByTime) who.push('(time)');
  if (f.movedByPolicy) who.push('(policy)');
  return who.join(', ') || '—';
}

function positionRows(before: PositionView | null, after: PositionView | null): string[][] {
  const pick = (v: PositionView | null, f: (v: PositionView) => string | number | null): string =>
    v === null ? '—' : String(f(v) ?? '—');
  const row = (label: string, f: (v: PositionView) => string | number | null): string[] => [
    label,
    pick(before, f),
    pick(after, f),
  ];
  return [
    ['position', 'before', 'after'],
    row('exposure', (v) => v.exposure),
    row('available', (v) => v.available),
    row('open receivables', (v) => v.openReceivables),
    row('open orders', (v) => v.openOrders),
    row('aging current', (v) => v.aging.current),
    row('aging 1-30', (v) => v.aging.d1_30),
    row('aging 31-60', (v) => v.aging.d31_60),
    row('aging 61-90', (v) => v.aging.d61_90),
    row('aging 90+', (v) => v.aging.d90plus),
    row('score / grade', (v) => (v.score === null ? null : `${v.score} / ${v.grade}`)),
    row('as of', (v) => v.asOf),
  ];
}

function termsLine(t: GradeTerms): string {
  const credit =
    t.settlement === 'cash-only' ? 'cash only (no credit)' : `credit, up to ${t.maxPaymentTermsDays} days`;
  return `terms of band ${t.band}: ${credit}, default limit ${t.defaultLimit}, review every ${t.reviewIntervalDays} days, ${t.approval} approval`;
}

/** The blend entry: score = (share × history points + (100 − share) × profile points) / 100. */
function blendLine(c: ExplainView['change']): string {
  const b = c.factors.find((f) => f.factor === 'blend');
  if (!b) return '';
  return (
    `blend (${b.raw.basis}): history ${b.normalised} % × ${b.raw.historyPoints} + profile ${100 - b.normalised} % × ` +
    `${b.raw.profilePoints} points; model contributions below are within their model`
  );
}

/** The human form of an explanation: headline, position before/after, factor deltas, responsible events. */
export function renderExplanation(v: ExplainView): string {
  const c = v.change;
  const trigger =
    c.trigger.kind === 'rerating'
      ? `re-rating (${c.trigger.rerating ?? 'unspecified'}) ${c.trigger.eventId}`
      : `${c.trigger.eventType} ${c.trigger.eventId}`;
  const policy =
    c.previousPolicyVersion !== null && c.previousPolicyVersion !== c.policyVersion
      ? `policy v${c.policyVersion} (was v${c.previousPolicyVersion})`
      : `policy v${c.policyVersion}`;
  const factors = [
    [
      'factor',
      'model',
      'weight',
      'normalised',
      'contribution',
      'raw inputs',
      'moved by (since previous change)',
    ],
    ...c.factors.map((f) => [
      f.factor,
      f.model ?? '—',
      String(f.weight),
      f.before === null
        ? String(f.normalised)
        : `${f.before.normalised} -> ${f.normalised} (${signed(f.delta.normalised)})`,
      f.before === null
        ? points(f.contribution)
        : `${points(f.before.contribution)} -> ${points(f.contribution)} (${signed(f.delta.contribution, points)})`,
      rawChanges(f),
      movers(f),
    ]),
  ];
  const events = c.events.length
    ? formatTable([
        ['sequence', 'occurred at', 'type', 'event id', 'moved'],
        ...c.events.map((e) => [e.sequence, e.occurredAt, e.type, e.eventId, e.factors.join(', ')]),
      ])
    : '(no event moved a factor: the change came from elapsed time or the policy)';
  return [
    `${v.customerId}: grade ${c.from.grade ?? '—'} -> ${c.to.grade} (score ${c.from.score ?? '—'} -> ${c.to.score}) ` +
      `rated at ${c.ratedAt}, ledger sequence ${c.sequence}`,
    `trigger: ${trigger}; ${policy}; reproduced by replay: ${c.reproduced ? 'yes' : 'NO'}`,
    ...(c.terms === null ? [] : [`segment ${c.segment ?? '—'}; ${termsLine(c.terms)}`, blendLine(c)]),
    '',
    formatTable(positionRows(v.positionBefore, v.positionAfter)),
    '',
    formatTable(factors),
    '',
    'events responsible (since the previous grade change):',
    events,
  ].join('\n');
}

export function explainCommand(): Command {
  return new Command('explain')
    .description(
      'Explain the grade change at or just before a moment: position before and after, factor deltas and the ' +
        'events responsible, reproduced by replaying the ledger with the policy version in force.',
    )
    .argument('<customerId>', 'the customer id, e.g. C-000001')
    .requiredOption('--at <time>', 'ISO date or timestamp (a bare date means the end of that day, UTC)')
    .option('--json', 'print JSON instead of tables')
    .option(...PERSONAL_OPTION)
    .addHelpText('after', '\nExample: credit-ledger explain C-000001 --at 2026-06-30')
    .action(async (customerId: string, opts: { at: string; json?: boolean; personal?: boolean }) => {
      const at = cliInstant(opts.at, '--at');
      const ds = await openLedger(1);
      try {
        const policies = new PolicyStore(ds);
        await policies.load();
        const found = await new AuditQueries(ds, policies).explain(customerId, at);
        const view = found && (await personalView(ds, found, opts, `explain ${customerId} --at ${at}`));
        if (!view) {
          console.error(`customer ${customerId} has no grade change at or before ${at}`);
          process.exitCode = 2;
          return;
        }
        console.log(opts.json ? JSON.stringify(view, null, 2) : renderExplanation(view));
      } finally {
        await ds.destroy();
      }
    });
}
