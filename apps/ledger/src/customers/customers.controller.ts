import { Controller, Get, NotFoundException, Param, Query as QueryString } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { RequireRole } from '../auth/roles';
import { GetCreditFileQuery, GetCustomerPositionQuery, ListCustomersQuery } from './queries';
import { parseAsOf, parseCustomerId, parseListFilter } from './query-params';

@Controller('customers')
@RequireRole('reader')
export class CustomersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  list(@QueryString() query: Record<string, string | undefined>) {
    return this.queries.execute(new ListCustomersQuery(parseListFilter(query)));
  }

  /** The 360° credit file: profile, reports, complaints, dealings, assessment, terms and links. */
  @Get(':id/file')
  async file(@Param('id') id: string, @QueryString('asOf') asOf?: string) {
    const customerId = parseCustomerId(id);
    const at = parseAsOf(asOf);
    const view = await this.queries.execute(new GetCreditFileQuery(customerId, at));
    if (!view) throw notFound(customerId, at);
    return view;
  }

  @Get(':id')
  async position(@Param('id') id: string, @QueryString('asOf') asOf?: string) {
    const customerId = parseCustomerId(id);
    const at = parseAsOf(asOf);
    const view = await this.queries.execute(new GetCustomerPositionQuery(customerId, at));
    if (!view) throw notFound(customerId, at);
    return view;
  }
}

function notFound(customerId: string, at: string | undefined): NotFoundException {
  return new NotFoundException(
    at
      ? `customer ${customerId} has no ledger events as of ${at}`
      : `customer ${customerId} is not in the ledger`,
  );
}
