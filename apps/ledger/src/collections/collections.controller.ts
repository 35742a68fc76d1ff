import { Controller, Get, Query as QueryString } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/roles';
import { ListCollectionTasksQuery } from './collection-tasks';
import { CollectionTaskListResponse, CollectionTasksQueryDto } from './collections.dto';

/** Collection tasks for the people who chase payment (seed 004: 生成催收任务给到对应负责人). */
@ApiTags('credit control')
@Controller('collections')
export class CollectionsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('tasks')
  @RequireRole('reader')
  @ApiOkResponse({ type: CollectionTaskListResponse, description: 'oldest first; default: open tasks' })
  tasks(@QueryString() q: CollectionTasksQueryDto) {
    return this.queries.execute(new ListCollectionTasksQuery(q.owner ?? null, q.status, q.limit));
  }
}
