import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { deserializeState, formatAmount, missingApprovals, type CustomerState } from '@credit-ledger/domain';
import { LEDGER_DATA_SOURCE } from '../tokens';

export interface HeldOrderView {
  customerId: string;
  name: string | null;
  orderId: string;
  amount: string;
  currency: string | null;
  status: string;
  /** Why the credit check held it (over-limit, frozen, blacklisted, cash-only). */
  reason: string | null;
}

export interface LimitRequestView {
  requestId: string;
  status: string;
  newLimit: string;
  currentLimit: string;
  currency: string | null;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  required: string[];
  missing: string[];
  approvals: Array<{ by: string; role: string; at: string }>;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
}

export class ListHeldOrdersQuery extends Query<{ items: HeldOrderView[]; total: number }> {
  constructor(readonly limit: number) {
    super();
  }
}

export class ListLimitRequestsQuery extends Query<{ items: LimitRequestView[] } | null> {
  constructor(readonly customerId: string) {
    super();
  }
}

export function limitRequestViews(state: CustomerState): LimitRequestView[] {
  const ccy = state.currency ?? 'XXX';
  return [...state.limitRequests.values()].map((r) => ({
    requestId: r.requestId,
    status: r.status,
    newLimit: formatAmount(r.newLimit, ccy),
    currentLimit: formatAmount(r.currentLimit, ccy),
    currency: state.currency,
    reason: r.reason,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    expiresAt: r.expiresAt,
    required: r.required.slice(),
    missing: r.status === 'pending' ? missingApprovals(r) : [],
    approvals: r.approvals.map((a) => ({ ...a })),
    closedAt: r.closedAt,
    closedBy: r.closedBy,
    closeReason: r.closeReason,
  }));
}

@QueryHandler(ListHeldOrdersQuery)
export class ListHeldOrdersHandler implements IQueryHandler<ListHeldOrdersQuery> {
  constructor(@Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: ListHeldOrdersQuery): Promise<{ items: HeldOrderView[]; total: number }> {
    // Held orders are in the stored state only; the LIKE narrows the rows that can have one.
    const rows: Array<{ state: string }> = await this.ds.query(
      `SELECT state FROM customer_positions WHERE state LIKE '%"status":"held"%' ORDER BY customer_id`,
    );
    const items: HeldOrderView[] = [];
    for (const row of rows) {
      const s = deserializeState(row.state);
      for (const o of s.orders.values()) {
        if (o.status !== 'held') continue;
        items.push({
          customerId: s.customerId,
          name: s.name,
          orderId: o.orderId,
          amount: formatAmount(o.amount, s.currency ?? 'XXX'),
          currency: s.currency,
          status: s.status,
          reason: o.holdReason ?? null,
        });
      }
    }
    return { items: items.slice(0, q.limit), total: items.length };
  }
}

@QueryHandler(ListLimitRequestsQuery)
export class ListLimitRequestsHandler implements IQueryHandler<ListLimitRequestsQuery> {
  constructor(@Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: ListLimitRequestsQuery): Promise<{ items: LimitRequestView[] } | null> {
    const rows: Array<{ state: string }> = await this.ds.query(
      'SELECT state FROM customer_positions WHERE customer_id = $1',
      [q.customerId],
    );
    if (rows.length === 0) return null;
    return { items: limitRequestViews(deserializeState(rows[0].state)) };
  }
}

export const CONTROL_QUERY_HANDLERS = [ListHeldOrdersHandler, ListLimitRequestsHandler];
