import { Controller, Get, NotFoundException, Param, Query as QueryString } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { RequireRole } from '../auth/roles';
import { parseCustomerId } from '../customers/query-params';
import { GetGradeHistoryQuery, GetPolicyQuery, GetTimelineQuery, ListPolicyVersionsQuery } from './queries';
import { parseTimelineQuery } from './timeline-params';

/** Replay-backed audit views of one customer. */
@Controller('customers')
@RequireRole('reader')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':id/grade-history')
  async gradeHistory(@Param('id') id: string) {
    const customerId = parseCustomerId(id);
    const view = await this.queries.execute(new GetGradeHistoryQuery(customerId));
    if (!view) throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    return view;
  }

  @Get(':id/timeline')
  async timeline(@Param('id') id: string, @QueryString() query: Record<string, string | undefined>) {
    const customerId = parseCustomerId(id);
    const view = await this.queries.execute(new GetTimelineQuery(customerId, parseTimelineQuery(query)));
    if (!view) throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    return view;
  }
}

/** The grading policy in force and every adopted version (adoption itself is the admin CLI's `policy adopt`). */
@Controller('policy')
@RequireRole('reader')
export class PolicyController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  current() {
    return this.queries.execute(new GetPolicyQuery());
  }

  @Get('versions')
  versions() {
    return this.queries.execute(new ListPolicyVersionsQuery());
  }
}
