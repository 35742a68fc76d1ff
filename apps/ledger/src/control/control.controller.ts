import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  Query as QueryString,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { StatusAction } from '@credit-ledger/domain';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { PathId } from '../api/path-params';
import { ErrorResponse } from '../api/schema';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { RequireRole, type Principal } from '../auth/roles';
import {
  ApproveLimitChangeCommand,
  ChangeCustomerStatusCommand,
  DecideHeldOrderCommand,
  GrantTemporaryLimitCommand,
  RejectLimitChangeCommand,
  RequestLimitChangeCommand,
} from './commands';
import {
  CommandOutcomeResponse,
  HeldOrderDecisionBody,
  HeldOrderListResponse,
  HeldOrdersQueryDto,
  LimitRequestBody,
  LimitRequestListResponse,
  LimitRequestOutcomeResponse,
  NoBody,
  ReasonBody,
  ReviewBody,
  ReviewResponse,
  TemporaryLimitBody,
} from './control.dto';
import { ListHeldOrdersQuery, ListLimitRequestsQuery } from './control-queries';
import { RunCreditReviewCommand } from './credit-review';

const NOT_FOUND = ApiNotFoundResponse({
  type: ErrorResponse,
  description: 'customer, request or order unknown',
});
const CONFLICT = ApiConflictResponse({
  type: ErrorResponse,
  description: 'the state does not allow it (already pending, closed, expired, blacklisted …)',
});

/**
 * Who may do what (roles are not a hierarchy; admin administers but never approves credit — four-eyes):
 * request a limit change: credit-analyst, sales-manager, finance-manager, cfo, admin; approve: the roles the
 * request's tier names; reject a request: any approver role or admin; temporary limit and blacklist:
 * finance-manager, cfo, admin; freeze, release or reject held orders: credit-analyst, finance-manager, cfo, admin.
 */
@ApiTags('credit control')
@Controller('customers/:id')
export class CustomerControlController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('limit-requests')
  @RequireRole('reader')
  @ApiOkResponse({ type: LimitRequestListResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async limitRequests(@PathId('id', 'customer id') customerId: string) {
    const view = await this.queries.execute(new ListLimitRequestsQuery(customerId));
    if (!view) throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    return view;
  }

  @Post('limit-requests')
  @RequireRole('credit-analyst', 'sales-manager', 'finance-manager', 'cfo', 'admin')
  @ApiCreatedResponse({ type: LimitRequestOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  requestLimit(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: LimitRequestBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(
      new RequestLimitChangeCommand(customerId, by, body.newLimit, body.reason, body.requestId),
    );
  }

  @Post('limit-requests/:requestId/approve')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'sales-manager', 'finance-manager', 'cfo')
  @ApiOkResponse({
    type: CommandOutcomeResponse,
    description: 'the last approval also appends CreditLimitChanged',
  })
  @NOT_FOUND
  @CONFLICT
  approve(
    @PathId('id', 'customer id') customerId: string,
    @PathId('requestId') requestId: string,
    @Body() _body: NoBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(new ApproveLimitChangeCommand(customerId, by, requestId));
  }

  @Post('limit-requests/:requestId/reject')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'sales-manager', 'finance-manager', 'cfo', 'admin')
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  rejectRequest(
    @PathId('id', 'customer id') customerId: string,
    @PathId('requestId') requestId: string,
    @Body() body: ReasonBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(new RejectLimitChangeCommand(customerId, by, requestId, body.reason));
  }

  @Post('temporary-limit')
  @RequireRole('finance-manager', 'cfo', 'admin')
  @ApiCreatedResponse({ type: CommandOutcomeResponse, description: 'replaces a running temporary limit' })
  @NOT_FOUND
  @CONFLICT
  temporaryLimit(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: TemporaryLimitBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(
      new GrantTemporaryLimitCommand(customerId, by, body.amount, body.expiresAt, body.reason),
    );
  }

  @Post('blacklist')
  @HttpCode(200)
  @RequireRole('finance-manager', 'cfo', 'admin')
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  blacklist(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: ReasonBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.status(customerId, body, by, 'blacklist');
  }

  @Post('unblacklist')
  @HttpCode(200)
  @RequireRole('finance-manager', 'cfo', 'admin')
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  unblacklist(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: ReasonBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.status(customerId, body, by, 'unblacklist');
  }

  @Post('freeze')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @ApiOkResponse({
    type: CommandOutcomeResponse,
    description: "a manual freeze (the system's freeze rule is separate)",
  })
  @NOT_FOUND
  @CONFLICT
  freeze(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: ReasonBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.status(customerId, body, by, 'freeze');
  }

  @Post('unfreeze')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  unfreeze(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: ReasonBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.status(customerId, body, by, 'unfreeze');
  }

  private status(customerId: string, body: ReasonBody, by: Principal, action: StatusAction) {
    return this.commands.execute(new ChangeCustomerStatusCommand(customerId, by, action, body.reason));
  }
}

/** Orders the credit check held: list, release (override, recorded with the reason) or reject. */
@ApiTags('credit control')
@Controller('orders')
export class HeldOrdersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('held')
  @RequireRole('reader')
  @ApiOkResponse({ type: HeldOrderListResponse })
  held(@QueryString() query: HeldOrdersQueryDto) {
    return this.queries.execute(new ListHeldOrdersQuery(query.limit));
  }

  @Post(':orderId/release')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @ApiOkResponse({
    type: CommandOutcomeResponse,
    description: 'overrides the credit check (never for a blacklisted customer: 409)',
  })
  @NOT_FOUND
  @CONFLICT
  release(
    @PathId('orderId') orderId: string,
    @Body() body: HeldOrderDecisionBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.decide(orderId, body, by, 'release');
  }

  @Post(':orderId/reject')
  @HttpCode(200)
  @RequireRole('credit-analyst', 'finance-manager', 'cfo', 'admin')
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  reject(
    @PathId('orderId') orderId: string,
    @Body() body: HeldOrderDecisionBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.decide(orderId, body, by, 'reject');
  }

  private decide(
    orderId: string,
    body: HeldOrderDecisionBody,
    by: Principal,
    decision: 'release' | 'reject',
  ) {
    return this.commands.execute(
      new DecideHeldOrderCommand(body.customerId, by, orderId, decision, body.reason),
    );
  }
}

/** Admin: run the credit-control review now (or as of `at`, e.g. to catch up after downtime). */
@ApiTags('credit control')
@Controller('control')
export class ControlAdminController {
  constructor(private readonly commands: CommandBus) {}

  @Post('review')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ type: ReviewResponse })
  review(@Body() body: ReviewBody) {
    return this.commands.execute(new RunCreditReviewCommand(body.at));
  }
}
