import { DataSource } from 'typeorm';
import {
  DSO_WINDOW_DAYS,
  deserializeState,
  dateFromDayNumber,
  dayNumber,
  dso,
  evaluatePosition,
  EXCEPTION_EVENT_TYPES,
  exceptionOf,
  formatAmount,
  fromStored,
  isControlEvent,
  formatRatio,
  collectionsByOwner,
  portfolioKpis,
  type KpiPeriod,
  type CustomerState,
  type Position,
} from '@credit-ledger/domain';
import { LedgerReader, PolicyStore } from '@credit-ledger/ledger-store';
import { kpiRows, replayStream } from '@credit-ledger/projections';

/** A report: its JSON answer and the same figures as flat rows for CSV. */
export interface Report {
  json: Record<string, unknown>;
  rows: Array<Record<string, string | number | null>>;
}

interface Evaluated {
  state: CustomerState;
  position: Position;
}

const BUCKETS = ['current', 'd1_30', 'd31_60', 'd61_90', 'd90plus'] as const;

function byCurrency<T extends { currency: string }>(items: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of [...items].sort((a, b) => a.currency.localeCompare(b.currency))) {
    const list = m.get(i.currency) ?? [];
    list.push(i);
    m.set(i.currency, list);
  }
  return m;
}

/**
 * Portfolio reports over every onboarded customer. Sums are per currency in exact minor units (never across
 * currencies), shown as decimal strings. Current reports evaluate the projection's states at `at`; the DSO
 * trend replays each customer's stream as of each month end (the same fold as GET /customers/:id?asOf=).
 */
export class PortfolioReports {
  private readonly reader: LedgerReader;

  constructor(
    private readonly ds: DataSource,
    private readonly policies: PolicyStore,
  ) {
    this.reader = new LedgerReader(ds);
  }

  private async evaluated(at: string): Promise<Evaluated[]> {
    const rows: Array<{ state: string }> = await this.ds.query(
      'SELECT state FROM customer_positions WHERE currency IS NOT NULL ORDER BY customer_id',
    );
    return rows
      .map((r) => deserializeState(r.state))
      .filter((s) => s.onboarded && s.currency !== null)
      .map((state) => ({ state, position: evaluatePosition(state, at) }));
  }

  async aging(at: string): Promise<Report> {
    const all = await this.evaluated(at);
    const rows: Report['rows'] = [];
    for (const [currency, list] of byCurrency(all.map((e) => ({ ...e, currency: e.state.currency! })))) {
      const sums = { current: 0n, d1_30: 0n, d31_60: 0n, d61_90: 0n, d90plus: 0n };
      for (const e of list) for (const b of BUCKETS) sums[b] += e.position.aging[b];
      const total = BUCKETS.reduce((t, b) => t + sums[b], 0n);
      const row: Record<string, string | number> = { currency, customers: list.length };
      for (const b of BUCKETS) row[b] = formatAmount(sums[b], currency);
      row.overdue = formatAmount(total - sums.current, currency);
      row.total = formatAmount(total, currency);
      rows.push(row);
    }
    return { json: { asOf: at, currencies: rows }, rows };
  }

  async exposureByGrade(at: string): Promise<Report> {
    const all = await this.evaluated(at);
    const groups = new Map<
      string,
      { currency: string; grade: string; n: number; limit: bigint; exposure: bigint; available: bigint }
    >();
    for (const { state, position: p } of all) {
      const grade = state.rating?.grade ?? 'unrated';
      const k = `${state.currency}\u0000${grade}`;
      const g = groups.get(k) ?? {
        currency: state.currency!,
        grade,
        n: 0,
        limit: 0n,
        exposure: 0n,
        available: 0n,
      };
      g.n++;
      g.limit += p.creditLimit;
      g.exposure += p.exposure;
      g.available += p.available;
      groups.set(k, g);
    }
    const rows = [...groups.values()]
      .sort((a, b) => a.currency.localeCompare(b.currency) || a.grade.localeCompare(b.grade))
      .map((g) => ({
        currency: g.currency,
        grade: g.grade,
        customers: g.n,
        creditLimit: formatAmount(g.limit, g.currency),
        exposure: formatAmount(g.exposure, g.currency),
        available: formatAmount(g.available, g.currency),
      }));
    return { json: { asOf: at, items: rows }, rows };
  }

  /** Top `limit` customers by overdue amount, ranked within each currency (amounts of different currencies do not compare). */
  async topOverdue(at: string, limit: number): Promise<Report> {
    const all = (await this.evaluated(at)).filter((e) => e.position.overdueAmount > 0n);
    const rows: Report['rows'] = [];
    const currencies: Array<{ currency: string; items: Report['rows'] }> = [];
    for (const [currency, list] of byCurrency(all.map((e) => ({ ...e, currency: e.state.currency! })))) {
      list.sort(
        (a, b) =>
          (a.position.overdueAmount > b.position.overdueAmount
            ? -1
            : a.position.overdueAmount < b.position.overdueAmount
              ? 1
              : 0) || a.state.customerId.localeCompare(b.state.customerId),
      );
      const items = list.slice(0, limit).map((e, i) => ({
        currency,
        rank: i + 1,
        customerId: e.state.customerId,
        name: e.state.name,
        overdueAmount: formatAmount(e.position.overdueAmount, currency),
        overdueCount: e.position.overdueCount,
        d90plus: formatAmount(e.position.aging.d90plus, currency),
        grade: e.state.rating?.grade ?? null,
      }));
      currencies.push({ currency, items });
      rows.push(...items);
    }
    return { json: { asOf: at, limit, currencies }, rows };
  }

  /** The window of the flow measures on the dashboard: the 90 days to `at` (DSO's window). */
  private period(at: string): KpiPeriod {
    return {
      fromDate: dateFromDayNumber(dayNumber(at.slice(0, 10)) - DSO_WINDOW_DAYS),
      toDate: at.slice(0, 10),
      at,
    };
  }

  /** The grades whose share of sales is measured: the policy's two best bands. */
  private async topGrades(): Promise<string[]> {
    const policy = await this.policies.refresh();
    return policy.bands.slice(0, 2).map((b) => b.grade);
  }

  /** The portfolio measures per currency over the 90 days to `at` (see portfolioKpis). */
  async kpis(at: string): Promise<Report> {
    const states = (await this.evaluated(at)).map((e) => e.state);
    const period = this.period(at);
    const topGrades = await this.topGrades();
    const rows = kpiRows(portfolioKpis(states, period, topGrades));
    return {
      json: { asOf: at, from: period.fromDate, to: period.toDate, topGrades, currencies: rows },
      rows,
    };
  }

  /** Sales collection ranking by account owner over the 90 days to `at`, per currency. */
  async collectionsByOwner(at: string): Promise<Report> {
    const states = (await this.evaluated(at)).map((e) => e.state);
    const period = this.period(at);
    const rows = collectionsByOwner(states, period).map((r) => ({
      currency: r.currency,
      rank: r.rank,
      ownerId: r.ownerId,
      ownerName: r.ownerName,
      customers: r.customers,
      sales: formatAmount(r.sales, r.currency),
      collected: formatAmount(r.collected, r.currency),
      overdue: formatAmount(r.overdue, r.currency),
      collectionRate: formatRatio(r.collectionRateBp),
    }));
    return { json: { asOf: at, from: period.fromDate, to: period.toDate, items: rows }, rows };
  }

  /** Highest utilisation (exposure / limit) first; a ratio compares across currencies. Customers without a limit are left out. */
  async utilisation(at: string, limit: number): Promise<Report> {
    const all = (await this.evaluated(at)).filter((e) => e.position.utilisationBp !== null);
    all.sort(
      (a, b) =>
        b.position.utilisationBp! - a.position.utilisationBp! ||
        a.state.customerId.localeCompare(b.state.customerId),
    );
    const rows = all.slice(0, limit).map((e, i) => {
      const c = e.state.currency!;
      const bp = e.position.utilisationBp!;
      return {
        rank: i + 1,
        customerId: e.state.customerId,
        name: e.state.name,
        currency: c,
        creditLimit: formatAmount(e.position.creditLimit, c),
        exposure: formatAmount(e.position.exposure, c),
        utilisation: `${Math.trunc(bp / 10000)}.${String(bp % 10000).padStart(4, '0')}`,
        grade: e.state.rating?.grade ?? null,
      };
    });
    return { json: { asOf: at, items: rows }, rows };
  }

  /**
   * Portfolio DSO per currency at each of the last `months` month ends before `at`: Σ open receivables × 90 /
   * Σ credit sales of the 90 days ending that day, with each customer replayed as of the month end.
   */
  async dsoTrend(at: string, months: number): Promise<Report> {
    const ends = monthEnds(at, months);
    await this.policies.refresh();
    const customers: Array<{ customer_id: string }> = await this.ds.query(
      'SELECT customer_id FROM customer_positions WHERE currency IS NOT NULL ORDER BY customer_id',
    );
    type Acc = { n: number; open: bigint; sales: bigint };
    const acc = ends.map(() => new Map<string, Acc>());
    for (const { customer_id } of customers) {
      const events = await this.reader.stream(customer_id);
      ends.forEach((end, i) => {
        const until = events.filter((e) => e.event.occurredAt <= end);
        if (until.length === 0) return;
        const { state } = replayStream(customer_id, until, (s) => this.policies.inForceAt(s));
        if (!state.onboarded || state.currency === null) return;
        const p = evaluatePosition(state, end);
        const endDay = dayNumber(end.slice(0, 10));
        const from = dateFromDayNumber(endDay - DSO_WINDOW_DAYS);
        let sales = 0n;
        for (const inv of state.invoices.values())
          if (inv.issuedOn > from && inv.issuedOn <= end.slice(0, 10)) sales += inv.amount;
        const a = acc[i].get(state.currency) ?? { n: 0, open: 0n, sales: 0n };
        a.n++;
        a.open += p.openReceivables;
        a.sales += sales;
        acc[i].set(state.currency, a);
      });
    }
    const rows: Report['rows'] = [];
    const json = ends.map((end, i) => {
      const currencies = [...acc[i].entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, a]) => ({
          monthEnd: end.slice(0, 10),
          currency,
          customers: a.n,
          openReceivables: formatAmount(a.open, currency),
          sales90d: formatAmount(a.sales, currency),
          dso: dso(a.open, a.sales),
        }));
      rows.push(...currencies);
      return { monthEnd: end.slice(0, 10), currencies };
    });
    return { json: { asOf: at, months: json }, rows };
  }
}

/** The last instant (…T23:59:59.999Z) of each of the `n` months before the month of `at`, oldest first. */
export function monthEnds(at: string, n: number): string[] {
  const y = Number(at.slice(0, 4));
  const m = Number(at.slice(5, 7)) - 1;
  const out: string[] = [];
  for (let i = n; i >= 1; i--) out.push(new Date(Date.UTC(y, m - i + 1, 1) - 1).toISOString());
  return out;
}

/** RFC 4180 CSV; a cell starting with = + - @ gets a leading ' so spreadsheets never run it as a formula. */
/** The types as a literal list, so the planner matches the partial index ledger_events_exceptions (same list). */
const EXCEPTION_TYPES_SQL = EXCEPTION_EVENT_TYPES.map((t) => `'${t}'`).join(', ');

/** A ledger row of an exception type, with the currency and (for a release) the order's amount. */
interface ExceptionEventRow {
  sequence: string;
  customer_id: string;
  event_id: string;
  type: string;
  version: number;
  occurred_at: string;
  source: string;
  payload: Record<string, unknown>;
  currency: string | null;
  order_amount: string | null;
}

/**
 * Every credit exception that occurred in [from, to] (instants, inclusive), in ledger order: bypasses, terms
 * beyond the grade, manual releases (the override of the order check), temporary limits, manual freezes and
 * unfreezes, blacklistings. Who, when, why and the amount, read from the ledger itself (so it is what replay sees).
 */
export async function exceptionsReport(ds: DataSource, from: string, to: string): Promise<Report> {
  const rows: ExceptionEventRow[] = await ds.query(
    `SELECT e.sequence::text AS sequence, e.customer_id, e.event_id, e.type, e.version,
            to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
            e.source, e.payload, p.currency, o.amount AS order_amount
       FROM ledger_events e
       LEFT JOIN customer_positions p ON p.customer_id = e.customer_id
       LEFT JOIN LATERAL (
         SELECT op.payload->>'amount' AS amount FROM ledger_events op
          WHERE e.type = 'OrderReleased' AND op.customer_id = e.customer_id AND op.type = 'OrderPlaced'
            AND op.payload->>'orderId' = e.payload->>'orderId'
          LIMIT 1) o ON true
      WHERE e.type IN (${EXCEPTION_TYPES_SQL}) AND e.occurred_at >= $1 AND e.occurred_at <= $2
      ORDER BY e.sequence`,
    [from, to],
  );
  const items: Report['rows'] = [];
  for (const r of rows) {
    const event = fromStored({
      eventId: r.event_id,
      type: r.type,
      version: r.version,
      customerId: r.customer_id,
      occurredAt: r.occurred_at,
      source: r.source,
      payload: r.payload,
    });
    if (!isControlEvent(event)) continue;
    const x = exceptionOf(event);
    if (x === null) continue;
    const amount = x.amount ?? (r.order_amount === null ? null : BigInt(r.order_amount));
    items.push({
      sequence: r.sequence,
      occurredAt: r.occurred_at,
      customerId: r.customer_id,
      kind: x.kind,
      type: r.type,
      by: x.by,
      reason: x.reason,
      amount: amount === null || r.currency === null ? null : formatAmount(amount, r.currency),
      currency: r.currency,
      reference: x.reference,
    });
  }
  return { json: { from, to, items }, rows: items };
}

export function toCsv(rows: Report['rows']): string {
  if (rows.length === 0) return '';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | null | undefined): string => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
