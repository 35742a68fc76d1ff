import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query as QueryString,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { RequireRole, type Principal } from '../auth/roles';
import { intParam } from '../customers/query-params';
import { BodyFields, opt, parseBody, pathId, req, type BodySpec } from './body';
import {
  ApproveLimitChangeCommand,
  ChangeCustomerStatusCommand,
  DecideHeldOrderCommand,
  GrantTemporaryLimitCommand,
  RejectLimitChangeCommand,
  RequestLimitChangeCommand,
} from './commands';
import { ListHeldOrdersQuery, ListLimitRequestsQuery } from './control-queries';
import { RunCreditReviewCommand } from './credit-review';

const LIMIT_REQUEST: BodySpec = { newLimit: req('amount'), reason: req('reason'), requestId: opt('id') };
const REASON_ONLY: BodySpec = { reason: req('reason') };
const TEMPORARY_LIMIT: BodySpec = { amount: req('amount'), expiresAt: req('instant'), reason: req('reason') };
const HELD_ORDER: BodySpec = { customerId: req('id'), reason: req('reason') };
const REVIEW: BodySpec = { at: opt('instant') };

/**
 * Who may do what (roles are not a hierarchy; admin administers but never approves credit — four-eyes):
 * request a limit change: credit-analyst, sales-manager, finance-manager, cfo, admin; approve: the roles the
 * request's tier names; reject a request: any approver role or admin; temporary limit and blacklist:
 * finance-manager, cfo, admin; freeze, release or reject held orders: credit-analyst, finance-manager, cfo, admin.
 */
@Controller('customers/:id')
export class CustomerControlController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('limit-requests')
  @RequireRole('reader')
  async limitRequests(@Param('id') id: string) {
    const customerId = pathId('customer id', id);
    const view = await this.queries.execute(new ListLimitRequestsQuery(customerId));
    if (!view) throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    return view;
  }

  @Post('limit-requests')
  @RequireRole('credit-analyst', 'sales-manager', 'finance-manager', 'cfo', 'admin')
  @BodyFields(LIMIT_REQUEST)
  requestLimit(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    const customerId = pathId('customer id', id);
    const b = parseBody(body, LIMIT_REQUEST);
    return this.commands.execute(
      new RequestLimitChangeCommand(
        customerId,
        by,
        b.newLimit as string,
        b.reason as string,
        b.requestId as string | undefined,
      ),
    );
  }

  @Post('limit-requests/:requestId/approve')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'sales-manager', 'finance-manager', 'cfo')
  @BodyFields({})
  approve(
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Body() body: unknown,
    @CurrentPrincipal() by: Principal,
  ) {
    parseBody(body, {});
    return this.commands.execute(
      new ApproveLimitChangeCommand(pathId('customer id', id), by, pathId('requestId', requestId)),
    );
  }

  @Post('limit-requests/:requestId/reject')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'sales-manager', 'finance-manager', 'cfo', 'admin')
  @BodyFields(REASON_ONLY)
  rejectRequest(
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Body() body: unknown,
    @CurrentPrincipal() by: Principal,
  ) {
    const b = parseBody(body, REASON_ONLY);
    return this.commands.execute(
      new RejectLimitChangeCommand(
        pathId('customer id', id),
        by,
        pathId('requestId', requestId),
        b.reason as string,
      ),
    );
  }

  @Post('temporary-limit')
  @RequireRole('finance-manager', 'cfo', 'admin')
  @BodyFields(TEMPORARY_LIMIT)
  temporaryLimit(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    const b = parseBody(body, TEMPORARY_LIMIT);
    return this.commands.execute(
      new GrantTemporaryLimitCommand(
        pathId('customer id', id),
        by,
        b.amount as string,
        b.expiresAt as string,
        b.reason as string,
      ),
    );
  }

  @Post('blacklist')
  @HttpCode(200)
  @RequireRole('finance-manager', 'cfo', 'admin')
  @BodyFields(REASON_ONLY)
  blacklist(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    return this.status(id, body, by, 'blacklist');
  }

  @Post('unblacklist')
  @HttpCode(200)
  @RequireRole('finance-manager', 'cfo', 'admin')
  @BodyFields(REASON_ONLY)
  unblacklist(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    return this.status(id, body, by, 'unblacklist');
  }

  @Post('freeze')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @BodyFields(REASON_ONLY)
  freeze(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    return this.status(id, body, by, 'freeze');
  }

  @Post('unfreeze')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @BodyFields(REASON_ONLY)
  unfreeze(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    return this.status(id, body, by, 'unfreeze');
  }

  private status(
    id: string,
    body: unknown,
    by: Principal,
    action: 'blacklist' | 'unblacklist' | 'freeze' | 'unfreeze',
  ) {
    const b = parseBody(body, REASON_ONLY);
    return this.commands.execute(
      new ChangeCustomerStatusCommand(pathId('customer id', id), by, action, b.reason as string),
    );
  }
}

/** Orders the credit check held: list, release (override, recorded with the reason) or reject. */
@Controller('orders')
export class HeldOrdersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('held')
  @RequireRole('reader')
  held(@QueryString() query: Record<string, string | undefined>) {
    const unknown = Object.keys(query).filter((k) => k !== 'limit');
    if (unknown.length) throw new BadRequestException(`unknown query parameter(s): ${unknown.join(', ')}`);
    return this.queries.execute(new ListHeldOrdersQuery(intParam('limit', query.limit, 100, 1, 1000)));
  }

  @Post(':orderId/release')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @BodyFields(HELD_ORDER)
  release(@Param('orderId') orderId: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    return this.decide(orderId, body, by, 'release');
  }

  @Post(':orderId/reject')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @BodyFields(HELD_ORDER)
  reject(@Param('orderId') orderId: string, @Body() body: unknown, @CurrentPrincipal() by: Principal) {
    return this.decide(orderId, body, by, 'reject');
  }

  private decide(orderId: string, body: unknown, by: Principal, decision: 'release' | 'reject') {
    const b = parseBody(body, HELD_ORDER);
    return this.commands.execute(
      new DecideHeldOrderCommand(
        b.customerId as string,
        by,
        pathId('orderId', orderId),
        decision,
        b.reason as string,
      ),
    );
  }
}

/** Admin: run the credit-control review now (or as of `at`, e.g. to catch up after downtime). */
@Controller('control')
export class ControlAdminController {
  constructor(private readonly commands: CommandBus) {}

  @Post('review')
  @HttpCode(200)
  @RequireRole('admin')
  @BodyFields(REVIEW)
  review(@Body() body: unknown) {
    const b = parseBody(body, REVIEW);
    return this.commands.execute(new RunCreditReviewCommand(b.at as string | undefined));
  }
}
