import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import {
  checkApproval,
  deserializeState,
  effectiveLimit,
  exposureOf,
  formatAmount,
  missingApprovals,
  type Actor,
  type CustomerState,
  type LimitRequestState,
} from '@credit-ledger/domain';
import { approvablePolicyProposals, type PolicyProposalView } from '@credit-ledger/ledger-store';
import { PositionQueries } from '@credit-ledger/projections';
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
  kind: string;
  status: string;
  newLimit: string;
  currentLimit: string;
  currency: string | null;
  validUntil: string | null;
  orderId: string | null;
  grade: string | null;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string | null;
  tier: number;
  reminders: number;
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
  constructor(
    readonly customerId: string,
    /** As of a past instant: the requests made by then, in the state they were in then (a replay). */
    readonly asOf?: string,
  ) {
    super();
  }
}

/** One customer's held orders, now or as of a past instant (a replay: the orders held at that instant). */
export class ListCustomerHeldOrdersQuery extends Query<{ items: HeldOrderView[] } | null> {
  constructor(
    readonly customerId: string,
    readonly asOf?: string,
  ) {
    super();
  }
}

/** An inbox entry: a request the caller may approve now, with the customer's position and grade. */
export interface InboxItem extends LimitRequestView {
  customerId: string;
  name: string | null;
  position: {
    creditLimit: string;
    exposure: string;
    available: string;
    status: string;
    grade: string | null;
  };
}

/** The inbox: credit requests, and policy proposals (four-eyes adoption), the caller may approve now. */
export interface Inbox {
  items: InboxItem[];
  policyProposals: PolicyProposalView[];
}

export class ListInboxQuery extends Query<Inbox> {
  constructor(readonly by: Actor) {
    super();
  }
}

export function limitRequestViews(state: CustomerState): LimitRequestView[] {
  return [...state.limitRequests.values()].map((r) => requestView(state, r));
}

function requestView(state: CustomerState, r: LimitRequestState): LimitRequestView {
  const ccy = state.currency ?? 'XXX';
  return {
    requestId: r.requestId,
    kind: r.kind,
    status: r.status,
    newLimit: formatAmount(r.newLimit, ccy),
    currentLimit: formatAmount(r.currentLimit, ccy),
    currency: state.currency,
    validUntil: r.validUntil,
    orderId: r.orderId,
    grade: r.grade,
    reason: r.reason,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    expiresAt: r.expiresAt,
    tier: r.tier,
    reminders: r.reminders,
    required: r.required.slice(),
    missing: r.status === 'pending' ? missingApprovals(r) : [],
    approvals: r.approvals.map((a) => ({ ...a })),
    closedAt: r.closedAt,
    closedBy: r.closedBy,
    closeReason: r.closeReason,
  };
}

@QueryHandler(ListHeldOrdersQuery)
export class ListHeldOrdersHandler implements IQueryHandler<ListHeldOrdersQuery> {
  constructor(@Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: ListHeldOrdersQuery): Promise<{ items: HeldOrderView[]; total: number }> {
    // Held orders are in the stored state only; the LIKE narrows the rows that can have one.
    const rows: Array<{ state: string }> = await this.ds.query(
      `SELECT state FROM customer_positions WHERE state LIKE '%"status":"held"%' ORDER BY customer_id`,
    );
    const items = rows.flatMap((row) => heldOrderViews(deserializeState(row.state)));
    return { items: items.slice(0, q.limit), total: items.length };
  }
}

function heldOrderViews(s: CustomerState): HeldOrderView[] {
  return [...s.orders.values()]
    .filter((o) => o.status === 'held')
    .map((o) => ({
      customerId: s.customerId,
      name: s.name,
      orderId: o.orderId,
      amount: formatAmount(o.amount, s.currency ?? 'XXX'),
      currency: s.currency,
      status: s.status,
      reason: o.holdReason ?? null,
    }));
}

@QueryHandler(ListCustomerHeldOrdersQuery)
export class ListCustomerHeldOrdersHandler implements IQueryHandler<ListCustomerHeldOrdersQuery> {
  constructor(@Inject(PositionQueries) private readonly positions: PositionQueries) {}

  async execute(q: ListCustomerHeldOrdersQuery): Promise<{ items: HeldOrderView[] } | null> {
    const state = await this.positions.state(q.customerId, q.asOf);
    return state && { items: heldOrderViews(state) };
  }
}

@QueryHandler(ListLimitRequestsQuery)
export class ListLimitRequestsHandler implements IQueryHandler<ListLimitRequestsQuery> {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(PositionQueries) private readonly positions: PositionQueries,
  ) {}

  async execute(q: ListLimitRequestsQuery): Promise<{ items: LimitRequestView[] } | null> {
    if (q.asOf !== undefined) {
      const state = await this.positions.state(q.customerId, q.asOf);
      return state && { items: limitRequestViews(state) };
    }
    const rows: Array<{ state: string }> = await this.ds.query(
      'SELECT state FROM customer_positions WHERE customer_id = $1',
      [q.customerId],
    );
    if (rows.length === 0) return null;
    return { items: limitRequestViews(deserializeState(rows[0].state)) };
  }
}

/**
 * `GET /approvals`: the pending requests the caller's principal may approve now (its role fills a missing entry,
 * it did not make the request and has not approved it), oldest first; and the policy proposals it may approve.
 */
@QueryHandler(ListInboxQuery)
export class ListInboxHandler implements IQueryHandler<ListInboxQuery> {
  constructor(@Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: ListInboxQuery): Promise<Inbox> {
    // Pending requests are in the stored state only; the LIKE narrows the rows that can have one.
    const rows: Array<{ state: string }> = await this.ds.query(
      `SELECT state FROM customer_positions WHERE state LIKE '%"limitRequests"%' ORDER BY customer_id`,
    );
    const items: InboxItem[] = [];
    for (const row of rows) {
      const s = deserializeState(row.state);
      for (const r of s.limitRequests.values()) {
        if (r.status !== 'pending' || !checkApproval(r, q.by).ok) continue;
        items.push({ ...requestView(s, r), customerId: s.customerId, name: s.name, position: positionOf(s) });
      }
    }
    items.sort((a, b) => (a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : 0));
    return { items, policyProposals: await approvablePolicyProposals(this.ds, q.by) };
  }
}

function positionOf(s: CustomerState): InboxItem['position'] {
  const ccy = s.currency ?? 'XXX';
  const exposure = exposureOf(s);
  return {
    creditLimit: formatAmount(s.creditLimit, ccy),
    exposure: formatAmount(exposure, ccy),
    available: formatAmount(effectiveLimit(s) - exposure, ccy),
    status: s.status,
    grade: s.rating?.grade ?? null,
  };
}

export const CONTROL_QUERY_HANDLERS = [
  ListHeldOrdersHandler,
  ListCustomerHeldOrdersHandler,
  ListLimitRequestsHandler,
  ListInboxHandler,
];
