import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { formatAmount } from '@credit-ledger/domain';
import { LEDGER_DATA_SOURCE } from '../tokens';

export interface CollectionTaskView {
  taskId: string;
  customerId: string;
  owner: string;
  status: 'open' | 'closed';
  trigger: string;
  step: string | null;
  ladder: string;
  invoiceIds: string[];
  amountDue: string;
  currency: string;
  daysPastDue: number;
  openedAt: string;
  openedSequence: string;
  closedAt: string | null;
  closeReason: string | null;
  /** The latest contact, promise or close recorded on it (POST /collections/tasks/:taskId/actions). */
  lastAction: CollectionActionView | null;
}

export interface CollectionActionView {
  action: string;
  note: string;
  promisedOn: string | null;
  promisedAmount: string | null;
  by: string;
  at: string;
}

export class ListCollectionTasksQuery extends Query<{ items: CollectionTaskView[]; total: number }> {
  constructor(
    readonly owner: string | null,
    readonly status: 'open' | 'closed' | 'all',
    readonly limit: number,
    /** As of a past instant: the tasks opened by then, closed and last acted on only as of then. */
    readonly asOf: string | null = null,
    /** One customer's tasks only (its credit file page). */
    readonly customerId: string | null = null,
  ) {
    super();
  }
}

interface Row {
  customer_id: string;
  sequence: string;
  occurred_at: Date;
  payload: Record<string, unknown>;
  closed_at: Date | null;
  close_reason: string | null;
  action_at: Date | null;
  action: Record<string, unknown> | null;
  currency: string | null;
  total: string;
}

/**
 * Tasks straight from the ledger (CollectionTaskOpened joined to its CollectionTaskClosed; the partial index
 * on the task id keeps this to the task rows), oldest first.
 */
@QueryHandler(ListCollectionTasksQuery)
export class ListCollectionTasksHandler implements IQueryHandler<ListCollectionTasksQuery> {
  constructor(@Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: ListCollectionTasksQuery): Promise<{ items: CollectionTaskView[]; total: number }> {
    const rows: Row[] = await this.ds.query(
      `SELECT o.customer_id, o.sequence::text AS sequence, o.occurred_at, o.payload,
              c.occurred_at AS closed_at, c.payload->>'reason' AS close_reason, p.currency,
              la.occurred_at AS action_at, la.payload AS action,
              count(*) OVER ()::text AS total
         FROM ledger_events o
         LEFT JOIN ledger_events c
           ON c.type = 'CollectionTaskClosed' AND c.payload->>'taskId' = o.payload->>'taskId'
              AND c.customer_id = o.customer_id AND ($4::timestamptz IS NULL OR c.occurred_at <= $4)
         LEFT JOIN customer_positions p ON p.customer_id = o.customer_id
         LEFT JOIN LATERAL (
              SELECT a.occurred_at, a.payload FROM ledger_events a
               WHERE a.customer_id = o.customer_id AND a.type = 'CollectionActionRecorded'
                 AND a.payload->>'taskId' = o.payload->>'taskId'
                 AND ($4::timestamptz IS NULL OR a.occurred_at <= $4)
               ORDER BY a.sequence DESC LIMIT 1) la ON TRUE
        WHERE o.type = 'CollectionTaskOpened'
          AND ($1::text IS NULL OR o.payload->>'owner' = $1)
          AND ($4::timestamptz IS NULL OR o.occurred_at <= $4)
          AND ($5::text IS NULL OR o.customer_id = $5)
          AND ($2 = 'all' OR ($2 = 'open') = (c.sequence IS NULL))
        ORDER BY o.sequence
        LIMIT $3`,
      [q.owner, q.status, q.limit, q.asOf, q.customerId],
    );
    const items = rows.map((r): CollectionTaskView => {
      const p = r.payload;
      const currency = r.currency ?? 'XXX';
      return {
        taskId: String(p.taskId),
        customerId: r.customer_id,
        owner: String(p.owner),
        status: r.closed_at === null ? 'open' : 'closed',
        trigger: String(p.trigger),
        step: (p.step as string | null) ?? null,
        ladder: String(p.ladder),
        invoiceIds: (p.invoiceIds as string[]).slice(),
        amountDue: formatAmount(BigInt(p.amountDue as string), currency),
        currency,
        daysPastDue: Number(p.daysPastDue),
        openedAt: r.occurred_at.toISOString(),
        openedSequence: r.sequence,
        closedAt: r.closed_at === null ? null : r.closed_at.toISOString(),
        closeReason: r.close_reason,
        lastAction:
          r.action === null || r.action_at === null
            ? null
            : {
                action: String(r.action.action),
                note: String(r.action.note),
                promisedOn: (r.action.promisedOn as string | null) ?? null,
                promisedAmount:
                  r.action.promisedAmount === null || r.action.promisedAmount === undefined
                    ? null
                    : formatAmount(BigInt(r.action.promisedAmount as string), currency),
                by: String(r.action.by),
                at: r.action_at.toISOString(),
              },
      };
    });
    return { items, total: rows.length === 0 ? 0 : Number(rows[0].total) };
  }
}
