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
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { ApprovalCommand, CustomerState, StatusAction } from '@credit-ledger/domain';
import { PathId } from '../api/path-params';
import { ErrorResponse } from '../api/schema';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { APPROVERS, BLACKLISTERS, RequireRole, type Principal } from '../auth/roles';
import { amountIn } from './control-appender';
import { DecideDirectlyCommand, RunApprovalCommand, type ApprovalOutcome } from './commands';
import {
  ApprovalOutcomeResponse,
  CommandOutcomeResponse,
  HeldOrderDecisionBody,
  HeldOrderListResponse,
  HeldOrdersQueryDto,
  InboxResponse,
  LimitRequestBody,
  LimitRequestListResponse,
  NoBody,
  ReasonBody,
  ReviewBody,
  ReviewResponse,
  TemporaryLimitBody,
} from './control.dto';
import { ListHeldOrdersQuery, ListInboxQuery, ListLimitRequestsQuery } from './control-queries';
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
 * Who may do what (roles are not a hierarchy; admin administers and never grants credit): every operation that
 * changes a customer's credit — limit changes, temporary limits, manual freeze and unfreeze, releasing a held order
 * above the policy's cap — is a request any approver role may make and the roles its routing names approve
 * (docs/approvals.md); lifting a blacklist too, asked for by a finance-manager, cfo or general-manager; reject a
 * request: any approver role; blacklist (takes credit only, one person): finance-manager, cfo, general-manager;
 * reject a held order (no credit extended): finance-clerk and the managers.
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
  @ApiOkResponse({ type: LimitRequestListResponse, description: 'the requests of every kind, oldest first' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async limitRequests(@PathId('id', 'customer id') customerId: string) {
    const view = await this.queries.execute(new ListLimitRequestsQuery(customerId));
    if (!view) throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    return view;
  }

  @Post('limit-requests')
  @RequireRole(...APPROVERS)
  @ApiCreatedResponse({
    type: ApprovalOutcomeResponse,
    description: 'an increase or decrease request, pending',
  })
  @NOT_FOUND
  @CONFLICT
  requestLimit(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: LimitRequestBody,
    @CurrentPrincipal() by: Principal,
  ) {
    const requestId = body.requestId ?? `LR-${randomUUID()}`;
    return this.workflow(customerId, by, requestId, (state) => ({
      type: 'RequestLimitChange',
      data: { requestId, newLimit: amountIn(state, 'newLimit', body.newLimit), reason: body.reason },
    }));
  }

  @Post('limit-requests/:requestId/approve')
  @HttpCode(200)
  @RequireRole(...APPROVERS)
  @ApiOkResponse({
    type: ApprovalOutcomeResponse,
    description: 'the last required approval also carries the operation out (status done)',
  })
  @NOT_FOUND
  @CONFLICT
  approve(
    @PathId('id', 'customer id') customerId: string,
    @PathId('requestId') requestId: string,
    @Body() _body: NoBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.workflow(customerId, by, requestId, () => ({ type: 'ApproveRequest', data: { requestId } }));
  }

  @Post('limit-requests/:requestId/reject')
  @HttpCode(200)
  @RequireRole(...APPROVERS)
  @ApiOkResponse({ type: ApprovalOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  rejectRequest(
    @PathId('id', 'customer id') customerId: string,
    @PathId('requestId') requestId: string,
    @Body() body: ReasonBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.workflow(customerId, by, requestId, () => ({
      type: 'RejectRequest',
      data: { requestId, reason: body.reason },
    }));
  }

  @Post('temporary-limit')
  @HttpCode(202)
  @RequireRole(...APPROVERS)
  @ApiAcceptedResponse({
    type: ApprovalOutcomeResponse,
    description: 'a temporary request, pending; once approved it replaces a running temporary limit',
  })
  @NOT_FOUND
  @CONFLICT
  temporaryLimit(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: TemporaryLimitBody,
    @CurrentPrincipal() by: Principal,
  ) {
    const requestId = `TL-${randomUUID()}`;
    return this.workflow(customerId, by, requestId, (state) => ({
      type: 'RequestTemporaryLimit',
      data: {
        requestId,
        amount: amountIn(state, 'amount', body.amount),
        validUntil: body.expiresAt,
        reason: body.reason,
      },
    }));
  }

  @Post('blacklist')
  @HttpCode(200)
  @RequireRole(...BLACKLISTERS)
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  blacklist(
    @PathId('id', 'customer id') customerId: string,
    @Body() body: ReasonBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(
      new DecideDirectlyCommand(customerId, by, { type: 'blacklist', reason: body.reason }),
    );
  }

  @Post('unblacklist')
  @HttpCode(202)
  @RequireRole(...BLACKLISTERS)
  @ApiAcceptedResponse({
    type: ApprovalOutcomeResponse,
    description:
      'an unblacklist request by a manager, pending: it gives credit back (held orders that fit are released), so it is in force once the approvers its routing by the current limit names approve',
  })
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
  @HttpCode(202)
  @RequireRole(...APPROVERS)
  @ApiAcceptedResponse({
    type: ApprovalOutcomeResponse,
    description: "a manual freeze request, pending (the system's freeze rule stays automatic)",
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
  @HttpCode(202)
  @RequireRole(...APPROVERS)
  @ApiAcceptedResponse({ type: ApprovalOutcomeResponse, description: 'an unfreeze request, pending' })
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
    const requestId = `ST-${randomUUID()}`;
    return this.workflow(customerId, by, requestId, () => ({
      type: 'RequestStatusChange',
      data: { requestId, action, reason: body.reason },
    }));
  }

  private workflow(
    customerId: string,
    by: Principal,
    requestId: string,
    build: (state: CustomerState) => ApprovalCommand,
  ): Promise<ApprovalOutcome> {
    return this.commands.execute(new RunApprovalCommand(customerId, by, requestId, build));
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
  @RequireRole(...APPROVERS)
  @ApiOkResponse({
    type: ApprovalOutcomeResponse,
    description:
      "status done: released by one finance-clerk up to the policy's cap; status pending: above the cap, or asked by another role, an order-release request",
  })
  @NOT_FOUND
  @CONFLICT
  release(
    @PathId('orderId') orderId: string,
    @Body() body: HeldOrderDecisionBody,
    @CurrentPrincipal() by: Principal,
  ) {
    const requestId = `OR-${randomUUID()}`;
    return this.commands.execute(
      new RunApprovalCommand(body.customerId, by, requestId, () => ({
        type: 'ReleaseHeldOrder',
        data: { requestId, orderId, reason: body.reason },
      })),
    );
  }

  @Post(':orderId/reject')
  @HttpCode(200)
  @RequireRole('finance-clerk', 'finance-manager', 'cfo', 'general-manager')
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @NOT_FOUND
  @CONFLICT
  reject(
    @PathId('orderId') orderId: string,
    @Body() body: HeldOrderDecisionBody,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.commands.execute(
      new DecideDirectlyCommand(body.customerId, by, { type: 'reject-order', orderId, reason: body.reason }),
    );
  }
}

/** The approvals inbox: what the caller may approve now, across customers. */
@ApiTags('credit control')
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @RequireRole('reader')
  @ApiOkResponse({
    type: InboxResponse,
    description:
      "pending requests the caller's principal may approve now (its role fills a missing entry; not its own request; not approved by it yet), with the customer's position and grade",
  })
  inbox(@CurrentPrincipal() by: Principal) {
    return this.queries.execute(new ListInboxQuery({ name: by.name, role: by.role }));
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
