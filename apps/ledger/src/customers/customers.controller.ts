import { Controller, Get, NotFoundException, Query as QueryString } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PathId } from '../api/path-params';
import { ErrorResponse } from '../api/schema';
import { RequireRole } from '../auth/roles';
import {
  CreditFileResponse,
  CustomerListResponse,
  ListCustomersQueryDto,
  PositionQueryDto,
  PositionResponse,
} from './customers.dto';
import { GetCreditFileQuery, GetCustomerPositionQuery, ListCustomersQuery } from './queries';

@ApiTags('customers')
@Controller('customers')
@RequireRole('reader')
export class CustomersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOkResponse({ type: CustomerListResponse })
  list(@QueryString() query: ListCustomersQueryDto) {
    return this.queries.execute(new ListCustomersQuery(query));
  }

  /** The 360° credit file: profile, reports, complaints, dealings, assessment, terms and links. */
  @Get(':id/file')
  @ApiOkResponse({ type: CreditFileResponse, description: 'the credit file now, or replayed as of `asOf`' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'not in the ledger (as of `asOf`)' })
  async file(@PathId('id', 'customer id') customerId: string, @QueryString() query: PositionQueryDto) {
    const view = await this.queries.execute(new GetCreditFileQuery(customerId, query.asOf));
    if (!view) throw notFound(customerId, query.asOf);
    return view;
  }

  @Get(':id')
  @ApiOkResponse({ type: PositionResponse, description: 'the position now, or replayed as of `asOf`' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'not in the ledger (as of `asOf`)' })
  async position(@PathId('id', 'customer id') customerId: string, @QueryString() query: PositionQueryDto) {
    const at = query.asOf;
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
