import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { JOB_NAMES, isJobName } from '@credit-ledger/jobs';
import { RequireRole } from '../auth/roles';
import { JobRunResponse, JobsResponse, RunJobBody } from './jobs.dto';
import { LedgerJobs } from './ledger-jobs.service';

/** Operators run a credit job on demand and see the queue: counts per state and the failed jobs. */
@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: LedgerJobs) {}

  @Get()
  @RequireRole('reader')
  @ApiOkResponse({ type: JobsResponse })
  async list() {
    const client = this.jobs.client();
    const [counts, failed, schedules] = await Promise.all([
      client.counts(),
      client.failed(50),
      client.schedulers(),
    ]);
    return { jobs: JOB_NAMES, counts, schedules, failed };
  }

  @Post(':name/run')
  @RequireRole('admin')
  @HttpCode(202)
  @ApiParam({ name: 'name', enum: JOB_NAMES })
  @ApiAcceptedResponse({ type: JobRunResponse, description: 'queued' })
  async run(@Param('name') name: string, @Body() body: RunJobBody) {
    if (!isJobName(name)) {
      throw new BadRequestException(`unknown job "${name}"; jobs are: ${JOB_NAMES.join(', ')}`);
    }
    const job = await this.jobs.client().run(name, body.at);
    return { jobId: job.id, name, at: job.data.at };
  }
}
