import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  canonicalJson,
  evaluatePosition,
  formatAmount,
  formatRatio,
  portfolioKpis,
  type CurrencyKpis,
  type CustomerState,
} from '@credit-ledger/domain';
import { LedgerReader, PolicyStore } from '@credit-ledger/ledger-store';
import { replayStream } from '../as-of-replay';

export type ReportRow = Record<string, string | number | null>;

/** The KPIs as decimal strings (amounts in their currency, ratios with four places): JSON, CSV and PDF rows. */
export function kpiRows(kpis: CurrencyKpis[]): ReportRow[] {
  return kpis.map((k) => ({
    currency: k.currency,
    customers: k.customers,
    exposure: formatAmount(k.exposure, k.currency),
    openReceivables: formatAmount(k.openReceivables, k.currency),
    overdue: formatAmount(k.overdue, k.currency),
    overdueRate: formatRatio(k.overdueRateBp),
    sales90d: formatAmount(k.sales90d, k.currency),
    dso: k.dsoDays,
    sales: formatAmount(k.sales, k.currency),
    writtenOff: formatAmount(k.writtenOff, k.currency),
    badDebtRate: formatRatio(k.badDebtRateBp),
    recovered: formatAmount(k.recovered, k.currency),
    overdueRecoveryRate: formatRatio(k.overdueRecoveryRateBp),
    topGradeSales: formatAmount(k.topGradeSales, k.currency),
    topGradeSalesShare: formatRatio(k.topGradeSalesShareBp),
    heldOrders: k.heldOrders,
    heldOrdersAmount: formatAmount(k.heldOrdersAmount, k.currency),
    pendingApprovals: k.pendingApprovals,
  }));
}

/** Control events a credit manager reviews at month end: overrides, limit decisions, blacklist and freezes by people. */
const EXCEPTION_TYPES = new Set([
  'OrderReleased',
  'OrderRejected',
  'CreditLimitChanged',
  'TemporaryLimitGranted',
  'LimitChangeRejected',
  'CustomerBlacklisted',
  'CustomerUnblacklisted',
  'CustomerFrozen',
  'CustomerUnfrozen',
]);

export interface MonthlyReport {
  month: string;
  /** The period (from, to]: the last day of the previous month, the last day of the month. */
  from: string;
  to: string;
  /** The instant every figure is measured at: the month's last millisecond (UTC). */
  asOf: string;
  topGrades: string[];
  kpis: ReportRow[];
  /** Customers per (grade at the start, grade at the end); "new" for customers onboarded during the month. */
  migration: Array<{ from: string; to: string; customers: number }>;
  aging: ReportRow[];
  topOverdue: ReportRow[];
  exceptions: ReportRow[];
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The last instant of a month and of the month before it. */
export function monthBounds(month: string): { start: string; end: string } {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return {
    start: new Date(Date.UTC(y, mo, 1) - 1).toISOString(),
    end: new Date(Date.UTC(y, mo + 1, 1) - 1).toISOString(),
  };
}

/** The month before the one instant `at` is in (UTC): what a run at 00:05 on 1 June reports is May. */
export function monthBefore(at: string): string {
  const t = new Date(at);
  if (Number.isNaN(t.getTime())) throw new Error(`not an instant: ${JSON.stringify(at)}`);
  const lastOfBefore = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1) - 1);
  return `${lastOfBefore.getUTCFullYear()}-${String(lastOfBefore.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * The month-end credit report (seed 000: 财务团队每月底自动生成信用报告): built by replaying every customer's
 * stream as of the month's last instant (and of the previous month's, for grade migration), so the same ledger
 * gives the same document whenever it is built; stored per month with its hash.
 */
export class MonthlyReports {
  private readonly reader: LedgerReader;

  constructor(
    private readonly ds: DataSource,
    private readonly policies: PolicyStore,
  ) {
    this.reader = new LedgerReader(ds);
  }

  async build(month: string): Promise<MonthlyReport> {
    const { start, end } = monthBounds(month);
    const policy = await this.policies.refresh();
    const topGrades = policy.bands.slice(0, 2).map((b) => b.grade);
    const ids: Array<{ customer_id: string }> = await this.ds.query(
      'SELECT customer_id FROM customer_positions WHERE currency IS NOT NULL ORDER BY customer_id',
    );
    const atEnd: CustomerState[] = [];
    const moves = new Map<string, number>();
    const exceptions: ReportRow[] = [];
    for (const { customer_id } of ids) {
      const events = await this.reader.stream(customer_id);
      const until = (t: string) => events.filter((e) => e.event.occurredAt <= t);
      const endEvents = until(end);
      if (endEvents.length === 0) continue;
      const state = replayStream(customer_id, endEvents, (s) => this.policies.inForceAt(s)).state;
      if (!state.onboarded || state.currency === null) continue;
      atEnd.push(state);
      const startEvents = until(start);
      const before = startEvents.length
        ? replayStream(customer_id, startEvents, (s) => this.policies.inForceAt(s)).state
        : null;
      const from = before?.onboarded ? (before.rating?.grade ?? 'unrated') : 'new';
      const key = `${from}\u0000${state.rating?.grade ?? 'unrated'}`;
      moves.set(key, (moves.get(key) ?? 0) + 1);
      for (const e of endEvents) {
        if (e.event.occurredAt <= start || !EXCEPTION_TYPES.has(e.event.type)) continue;
        const p = e.event.payload as Record<string, unknown>;
        const by = p.by ?? p.releasedBy ?? null;
        if (by === 'system') continue;
        exceptions.push({
          occurredAt: e.event.occurredAt,
          customerId: customer_id,
          type: e.event.type,
          by: typeof by === 'string' ? by : null,
          reason: typeof p.reason === 'string' ? p.reason : null,
        });
      }
    }
    exceptions.sort((a, b) => String(a.occurredAt).localeCompare(String(b.occurredAt)));
    const period = { fromDate: start.slice(0, 10), toDate: end.slice(0, 10), at: end };
    return {
      month,
      from: period.fromDate,
      to: period.toDate,
      asOf: end,
      topGrades,
      kpis: kpiRows(portfolioKpis(atEnd, period, topGrades)),
      migration: [...moves.entries()]
        .map(([k, customers]) => {
          const [from, to] = k.split('\u0000');
          return { from, to, customers };
        })
        .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
      aging: agingRows(atEnd, end),
      topOverdue: topOverdueRows(atEnd, end, 10),
      exceptions,
    };
  }

  /**
   * The stored report of a month, built and stored first when there is none; a stored one is never replaced, so the
   * scheduled build, its retries and the API's first read all end with the same row (of two builders at once, the
   * first insert wins and both answer it). `built` says whether this call stored it.
   */
  async ensureStored(
    month: string,
  ): Promise<{ report: MonthlyReport; hash: string; builtAt: string; built: boolean }> {
    const existing = await this.stored(month);
    if (existing) return { ...existing, built: false };
    const document = canonicalJson(await this.build(month));
    const hash = createHash('sha256').update(document).digest('hex');
    const inserted: unknown[] = await this.ds.query(
      `INSERT INTO monthly_credit_reports (month, document, hash) VALUES ($1, $2, $3)
       ON CONFLICT (month) DO NOTHING RETURNING month`,
      [month, document, hash],
    );
    const stored = await this.stored(month);
    if (!stored) throw new Error(`the report of ${month} was not stored`);
    return { ...stored, built: inserted.length > 0 };
  }

  async stored(month: string): Promise<{ report: MonthlyReport; hash: string; builtAt: string } | null> {
    const rows: Array<{ document: string; hash: string; built_at: Date }> = await this.ds.query(
      'SELECT document, hash, built_at FROM monthly_credit_reports WHERE month = $1',
      [month],
    );
    if (rows.length === 0) return null;
    return {
      report: JSON.parse(rows[0].document) as MonthlyReport,
      hash: rows[0].hash,
      builtAt: rows[0].built_at.toISOString(),
    };
  }

  async list(): Promise<Array<{ month: string; hash: string; builtAt: string }>> {
    const rows: Array<{ month: string; hash: string; built_at: Date }> = await this.ds.query(
      'SELECT month, hash, built_at FROM monthly_credit_reports ORDER BY month DESC',
    );
    return rows.map((r) => ({ month: r.month, hash: r.hash, builtAt: r.built_at.toISOString() }));
  }
}

const BUCKETS = ['current', 'd1_30', 'd31_60', 'd61_90', 'd90plus'] as const;

function agingRows(states: CustomerState[], at: string): ReportRow[] {
  const sums = new Map<string, { n: number; b: Record<(typeof BUCKETS)[number], bigint> }>();
  for (const s of states) {
    const p = evaluatePosition(s, at);
    const acc = sums.get(s.currency!) ?? {
      n: 0,
      b: { current: 0n, d1_30: 0n, d31_60: 0n, d61_90: 0n, d90plus: 0n },
    };
    acc.n++;
    for (const b of BUCKETS) acc.b[b] += p.aging[b];
    sums.set(s.currency!, acc);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, acc]) => {
      const row: ReportRow = { currency, customers: acc.n };
      for (const b of BUCKETS) row[b] = formatAmount(acc.b[b], currency);
      const total = BUCKETS.reduce((t, b) => t + acc.b[b], 0n);
      row.overdue = formatAmount(total - acc.b.current, currency);
      row.total = formatAmount(total, currency);
      return row;
    });
}

function topOverdueRows(states: CustomerState[], at: string, n: number): ReportRow[] {
  const byCcy = new Map<string, Array<{ s: CustomerState; overdue: bigint }>>();
  for (const s of states) {
    const overdue = evaluatePosition(s, at).overdueAmount;
    if (overdue === 0n) continue;
    const list = byCcy.get(s.currency!) ?? [];
    list.push({ s, overdue });
    byCcy.set(s.currency!, list);
  }
  return [...byCcy.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([currency, list]) =>
      list
        .sort(
          (a, b) =>
            (a.overdue > b.overdue ? -1 : a.overdue < b.overdue ? 1 : 0) ||
            a.s.customerId.localeCompare(b.s.customerId),
        )
        .slice(0, n)
        .map((e, i) => ({
          currency,
          rank: i + 1,
          customerId: e.s.customerId,
          name: e.s.name,
          overdue: formatAmount(e.overdue, currency),
          grade: e.s.rating?.grade ?? null,
        })),
    );
}

/** The report as one CSV table: a `section` column, then each section's own fields. */
export function monthlyReportRows(r: MonthlyReport): ReportRow[] {
  return [
    ...r.kpis.map((k) => ({ section: 'kpis', month: r.month, ...k })),
    ...r.migration.map((m) => ({ section: 'migration', month: r.month, ...m })),
    ...r.aging.map((a) => ({ section: 'aging', month: r.month, ...a })),
    ...r.topOverdue.map((o) => ({ section: 'top-overdue', month: r.month, ...o })),
    ...r.exceptions.map((e) => ({ section: 'exceptions', month: r.month, ...e })),
  ];
}
