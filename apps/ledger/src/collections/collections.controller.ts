import { Body, Controller, Get, HttpCode, Post, Query as QueryString } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Role } from '@credit-ledger/config';
import { PathId } from '../api/path-params';
import { ErrorResponse } from '../api/schema';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { RequireRole, type Principal } from '../auth/roles';
import { CommandOutcomeResponse } from '../control/control.dto';
import { RecordCollectionActionCommand } from './collection-actions';
import { ListCollectionTasksQuery } from './collection-tasks';
import { CollectionActionBody, CollectionTaskListResponse, CollectionTasksQueryDto } from './collections.dto';

/** Who works collection tasks: the account owners' side (sales) and finance. */
const COLLECTORS: [Role, ...Role[]] = ['sales-manager', 'finance-clerk', 'finance-manager'];

/** Collection tasks for the people who chase payment (seed 004: 生成催收任务给到对应负责人). */
@ApiTags('credit control')
@Controller('collections')
export class CollectionsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get('tasks')
  @RequireRole('reader')
  @ApiOkResponse({ type: CollectionTaskListResponse, description: 'oldest first; default: open tasks' })
  tasks(@QueryString() q: CollectionTasksQueryDto) {
    return this.queries.execute(new ListCollectionTasksQuery(q.owner ?? null, q.status, q.limit));
  }

  /**
   * Records what was done on an open task: a contact, a promise to pay, or closing it (then the task closes as
   * resolved). Control events of the customer's stream, with the principal as `by`.
   */
  @Post('tasks/:taskId/actions')
  @HttpCode(200)
  @RequireRole(...COLLECTORS)
  @ApiOkResponse({ type: CommandOutcomeResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'customer unknown' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'the task is not open' })
  act(
    @PathId('taskId', 'task id') taskId: string,
    @Body() body: CollectionActionBody,
    @CurrentPrincipal() by: Principal,
  ) {
    const { customerId, ...input } = body;
    return this.commands.execute(new RecordCollectionActionCommand(customerId, by, { taskId, ...input }));
  }
}
