import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Query as QueryString,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PathId } from '../api/path-params';
import { ErrorResponse } from '../api/schema';
import { RequireRole } from '../auth/roles';
import {
  CurrentPolicyResponse,
  GradeHistoryResponse,
  PolicyVersionListResponse,
  TimelineQueryDto,
  TimelineResponse,
} from './audit.dto';
import { GetGradeHistoryQuery, GetPolicyQuery, GetTimelineQuery, ListPolicyVersionsQuery } from './queries';

/** Replay-backed audit views of one customer. */
@ApiTags('audit')
@Controller('customers')
@RequireRole('reader')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':id/grade-history')
  @ApiOkResponse({ type: GradeHistoryResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async gradeHistory(@PathId('id', 'customer id') customerId: string) {
    const view = await this.queries.execute(new GetGradeHistoryQuery(customerId));
    if (!view) throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    return view;
  }

  @Get(':id/timeline')
  @ApiOkResponse({ type: TimelineResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async timeline(@PathId('id', 'customer id') customerId: string, @QueryString() q: TimelineQueryDto) {
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
      throw new BadRequestException(`from (${q.from}) must not be after to (${q.to})`);
    }
    const view = await this.queries.execute(new GetTimelineQuery(customerId, q));
    if (!view) throw new NotFoundException(`customer ${customerId} is not in the ledger`);
    return view;
  }
}

/** The grading policy in force and every adopted version (adoption, four-eyes: `POST /policy/proposals` and its approval, or the CLI). */
@ApiTags('policy')
@Controller('policy')
@RequireRole('reader')
export class PolicyController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOkResponse({ type: CurrentPolicyResponse })
  current() {
    return this.queries.execute(new GetPolicyQuery());
  }

  @Get('versions')
  @ApiOkResponse({ type: PolicyVersionListResponse })
  versions() {
    return this.queries.execute(new ListPolicyVersionsQuery());
  }
}
