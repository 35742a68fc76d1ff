import { DataSource } from 'typeorm';
import { deserializeState, evaluatePosition, formatAmount } from '@credit-ledger/domain';
import { LedgerReader, PolicyStore } from '@credit-ledger/ledger-store';
import { replayStream } from './as-of-replay';
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

  constructor(
    private readonly ds: DataSource,
    private readonly policies: PolicyStore,
    private readonly clock: Clock = () => new Date(),
  ) {
    this.reader = new LedgerReader(ds);
  }

  /** Now: the projection's state with aging measured now. As of a past instant: replay events up to it. */
  async position(customerId: string, asOf?: string): Promise<PositionView | null> {
    if (asOf !== undefined) return this.positionAsOf(customerId, asOf);
    const rows: Array<{ state: string; last_sequence: string; stream_version: number }> = await this.ds.query(
      'SELECT state, last_sequence, stream_version FROM customer_positions WHERE customer_id = $1',
      [customerId],
    );
    if (rows.length === 0) return null;
    const state = deserializeState(rows[0].state);
    const position = evaluatePosition(state, this.clock().toISOString());
    return toPositionView(position, state.rating, {
      ledgerSequence: rows[0].last_sequence,
      streamVersion: rows[0].stream_version,
    });
  }

  private async positionAsOf(customerId: string, asOf: string): Promise<PositionView | null> {
    const events = await this.reader.stream(customerId, { until: asOf });
    if (events.length === 0) return null;
    await this.policies.refresh();
    const { state } = replayStream(customerId, events, (s) => this.policies.inForceAt(s));
    if (!state.onboarded) return null;
    const position = evaluatePosition(state, asOf);
    return toPositionView(position, state.rating, {
      ledgerSequence: state.lastSequence,
      streamVersion: state.streamVersion,
    });
  }

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
