import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  CreditFileView,
  CustomerSummary,
  ListFilter,
  PositionQueries,
  PositionView,
} from '@credit-ledger/projections';

export class GetCustomerPositionQuery extends Query<PositionView | null> {
  constructor(
    readonly customerId: string,
    readonly asOf?: string,
  ) {
    super();
  }
}

export class GetCreditFileQuery extends Query<CreditFileView | null> {
  constructor(
    readonly customerId: string,
    readonly asOf?: string,
  ) {
    super();
  }
}

export class ListCustomersQuery extends Query<{ items: CustomerSummary[]; total: number }> {
  constructor(readonly filter: ListFilter) {
    super();
  }
}

@QueryHandler(GetCustomerPositionQuery)
export class GetCustomerPositionHandler implements IQueryHandler<GetCustomerPositionQuery> {
  constructor(@Inject(PositionQueries) private readonly positions: PositionQueries) {}

  execute(q: GetCustomerPositionQuery): Promise<PositionView | null> {
    return this.positions.position(q.customerId, q.asOf);
  }
}

@QueryHandler(GetCreditFileQuery)
export class GetCreditFileHandler implements IQueryHandler<GetCreditFileQuery> {
  constructor(@Inject(PositionQueries) private readonly positions: PositionQueries) {}

  execute(q: GetCreditFileQuery): Promise<CreditFileView | null> {
    return this.positions.file(q.customerId, q.asOf);
  }
}

@QueryHandler(ListCustomersQuery)
export class ListCustomersHandler implements IQueryHandler<ListCustomersQuery> {
  constructor(@Inject(PositionQueries) private readonly positions: PositionQueries) {}

  execute(q: ListCustomersQuery): Promise<{ items: CustomerSummary[]; total: number }> {
    return this.positions.list(q.filter);
  }
}
