import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { JOB_NAMES, MONTHLY_REPORT_JOB, SCHEDULED_JOBS, isJobName } from '@credit-ledger/jobs';
import { monthBounds } from '@credit-ledger/projections';
import { CLOCK } from '../tokens';
import { RequireRole } from '../auth/roles';
import { JobRunResponse, JobsResponse, RunJobBody } from './jobs.dto';
import { LedgerJobs } from './ledger-jobs.service';

/** Operators run a credit job on demand and see the queue: counts per state and the failed jobs. */
@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: LedgerJobs,
    @Inject(CLOCK) private readonly clock: () => Date,
  ) {}

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
  @ApiParam({ name: 'name', enum: SCHEDULED_JOBS })
  @ApiAcceptedResponse({ type: JobRunResponse, description: 'queued' })
  async run(@Param('name') name: string, @Body() body: RunJobBody) {
    if (name === MONTHLY_REPORT_JOB) return this.runMonthlyReport(body);
    if (!isJobName(name)) {
      throw new BadRequestException(`unknown job "${name}"; jobs are: ${SCHEDULED_JOBS.join(', ')}`);
    }
    if (body.month !== undefined) {
      throw new BadRequestException(`month applies to ${MONTHLY_REPORT_JOB} only, not to ${name}`);
    }
    const job = await this.jobs.client().run(name, body.at);
    return { jobId: job.id, name, at: job.data.at };
  }

  /**
   * The month-end report of a finished month, on demand: the worker's scheduled path (stored once, a stored
   * month left as it is), so running it again, or after the schedule did, changes nothing.
   */
  private async runMonthlyReport(body: RunJobBody) {
    const { month } = body;
    if (month === undefined) {
      throw new BadRequestException(`month is required for ${MONTHLY_REPORT_JOB}: a finished month YYYY-MM`);
    }
    if (body.at !== undefined) {
      throw new BadRequestException(`at does not apply to ${MONTHLY_REPORT_JOB}: name the month`);
    }
    const now = this.clock().toISOString();
    if (monthBounds(month).end >= now) {
      throw new BadRequestException(
        `month ${month} has not ended at ${now}: only a finished month is reported`,
      );
    }
    const job = await this.jobs.client().runMonthlyReport(month, now);
    return { jobId: job.id, name: MONTHLY_REPORT_JOB, at: job.data.at, month };
  }
}
