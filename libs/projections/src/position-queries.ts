import { DataSource } from 'typeorm';
import { CustomerState, evaluatePosition, formatAmount } from '@credit-ledger/domain';
import { LedgerReader, PolicyStore } from '@credit-ledger/ledger-store';
import { replayStream } from './as-of-replay';
import { CachedPosition, PositionCache } from './position-cache';
import { PositionLoader } from './position-loader';
import { CreditFileView, toCreditFileView } from './credit-file-view';
import { PositionView, toPositionView, utilisationRatio } from './position-view';

export type Clock = () => Date;

export interface ListFilter {
  grade?: string;
  status?: string;
  sort: 'utilisation' | 'exposure' | 'customerId';
  limit: number;
  offset: number;
}

export interface CustomerSummary {
  customerId: string;
  name: string | null;
  currency: string | null;
  creditLimit: string;
  exposure: string;
  available: string;
  utilisation: string | null;
  score: number | null;
  grade: string | null;
  status: string;
  ledgerSequence: string;
}

const SORTS: Record<ListFilter['sort'], string> = {
  utilisation: 'utilisation_bp DESC NULLS LAST, customer_id',
  exposure: 'exposure DESC, customer_id',
  customerId: 'customer_id',
};

/** Read side of the customer projection: stored state evaluated at a moment, or a replay for the past. */
export class PositionQueries {
  private readonly reader: LedgerReader;
  private readonly loader: PositionLoader;

  constructor(
    private readonly ds: DataSource,
    private readonly policies: PolicyStore,
    private readonly clock: Clock = () => new Date(),
    /** Current states kept in memory (the ledger API); without it every read queries the projection. */
    private readonly cache: PositionCache | null = null,
  ) {
    this.reader = new LedgerReader(ds);
    this.loader = new PositionLoader(ds);
  }

  /** Now: the projection's state with aging measured now. As of a past instant: replay events up to it. */
  async position(customerId: string, asOf?: string): Promise<PositionView | null> {
    const found = await this.stateAt(customerId, asOf);
    if (!found) return null;
    // The stored state is time-independent; aging, DSO and a running temporary limit are measured at `at`.
    const position = evaluatePosition(found.state, found.at);
    return toPositionView(position, found.state.rating, found);
  }

  /** The customer's 360° credit file now, or as of a past instant (replayed like the position). */
  async file(customerId: string, asOf?: string): Promise<CreditFileView | null> {
    const found = await this.stateAt(customerId, asOf);
    return found && toCreditFileView(found.state, found.at, found);
  }

  /**
   * The customer's state now, or replayed up to `asOf`: what lists beside the position (limit requests, held
   * orders) are read from, so that as of a past instant they show what existed then, like the position.
   */
  async state(customerId: string, asOf?: string): Promise<CustomerState | null> {
    return (await this.stateAt(customerId, asOf))?.state ?? null;
  }

  /** The current state (cache or projection) evaluated now, or the stream replayed up to `asOf`. */
  private async stateAt(
    customerId: string,
    asOf?: string,
  ): Promise<{ state: CustomerState; at: string; ledgerSequence: string; streamVersion: number } | null> {
    if (asOf !== undefined) {
      const events = await this.reader.stream(customerId, { until: asOf });
      if (events.length === 0) return null;
      await this.policies.refresh();
      const { state } = replayStream(customerId, events, (s) => this.policies.inForceAt(s));
      if (!state.onboarded) return null;
      return { state, at: asOf, ledgerSequence: state.lastSequence, streamVersion: state.streamVersion };
    }
    const current = this.cache
      ? await this.cache.get(customerId, this.loadCurrent)
      : await this.loadCurrent(customerId);
    if (!current) return null;
    return {
      state: current.state,
      at: this.clock().toISOString(),
      ledgerSequence: current.lastSequence,
      streamVersion: current.streamVersion,
    };
  }

  private readonly loadCurrent = (customerId: string): Promise<CachedPosition | null> =>
    this.loader.load(customerId);

  async list(filter: ListFilter): Promise<{ items: CustomerSummary[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.grade) {
      params.push(filter.grade);
      where.push(`grade = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(
      `SELECT count(*)::int AS total FROM customer_positions ${whereSql}`,
      params,
    );
    const rows: Array<Record<string, string | number | null>> = await this.ds.query(
      `SELECT customer_id, name, currency, credit_limit, exposure, available, utilisation_bp, score, grade, status,
              last_sequence
       FROM customer_positions ${whereSql} ORDER BY ${SORTS[filter.sort]}
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    const items = rows.map((r) => {
      const ccy = r.currency as string | null;
      const fmt = (v: unknown): string => (ccy ? formatAmount(BigInt(v as string), ccy) : String(v));
      return {
        customerId: r.customer_id as string,
        name: r.name as string | null,
        currency: ccy,
        creditLimit: fmt(r.credit_limit),
        exposure: fmt(r.exposure),
        available: fmt(r.available),
        utilisation: utilisationRatio(r.utilisation_bp as number | null),
        score: r.score as number | null,
        grade: r.grade as string | null,
        status: r.status as string,
        ledgerSequence: r.last_sequence as string,
      };
    });
    return { items, total };
  }
}
