import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { JOB_NAMES, isJobName } from '@credit-ledger/jobs';
import { RequireRole } from '../auth/roles';
import { BodyFields, opt, parseBody } from '../control/body';
import { LedgerJobs } from './ledger-jobs.service';

/** Operators run a credit job on demand and see the queue: counts per state and the failed jobs. */
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: LedgerJobs) {}

  @Get()
  @RequireRole('reader')
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
  @BodyFields({ at: opt('instant') })
  async run(@Param('name') name: string, @Body() body: unknown) {
    if (!isJobName(name)) {
      throw new BadRequestException(`unknown job "${name}"; jobs are: ${JOB_NAMES.join(', ')}`);
    }
    // Unknown fields and a bad `at` answer 400 naming the field (shared body checks of the API).
    const at = parseBody(body, { at: opt('instant') }).at as string | undefined;
    const job = await this.jobs.client().run(name, at);
    return { jobId: job.id, name, at: job.data.at };
  }
}
