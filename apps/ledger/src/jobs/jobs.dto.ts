import { ApiProperty } from '@nestjs/swagger';
import {
  JOB_NAMES,
  JOB_STATES,
  SCHEDULED_JOBS,
  type FailedJobView,
  type ScheduledJob,
} from '@credit-ledger/jobs';
import { InstantField, PatternField } from '../api/fields';
import { AnyObject, Instant, InstantOrNull, Int, Many, OneOf, Text, TextOrNull } from '../api/schema';

export class RunJobBody {
  @InstantField({ optional: true, description: "a scan's clock (default: now)" }) at?: string;
  @PatternField(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM', {
    optional: true,
    example: '2026-05',
    description: 'monthly-credit-report only, and required there: the finished month to report (UTC months)',
  })
  month?: string;
}

export class JobCountsResponse {
  @Int() waiting!: number;
  @Int() active!: number;
  @Int() 'waiting-children'!: number;
  @Int() delayed!: number;
  @Int() prioritized!: number;
  @Int() completed!: number;
  @Int() failed!: number;
  @Int('jobs waiting while the queue is paused (BullMQ counts them apart)') paused!: number;
}

export class JobScheduleResponse {
  @Text() id!: string;
  @TextOrNull('cron (UTC)') pattern!: string | null;
  @InstantOrNull() next!: string | null;
}

export class FailedJobResponse implements FailedJobView {
  @Text() id!: string;
  @Text() name!: string;
  @AnyObject() data!: unknown;
  @Text() failedReason!: string;
  @Int() attemptsMade!: number;
  @InstantOrNull() finishedOn!: string | null;
}

export class JobsResponse {
  @ApiProperty({ enum: JOB_NAMES, isArray: true }) jobs!: readonly (typeof JOB_NAMES)[number][];
  @ApiProperty({ type: JobCountsResponse, description: `jobs per state (${JOB_STATES.join(', ')}, paused)` })
  counts!: Record<string, number>;
  @Many(JobScheduleResponse) schedules!: JobScheduleResponse[];
  @Many(FailedJobResponse, 'the 50 latest failed jobs') failed!: FailedJobView[];
}

export class JobRunResponse {
  @Text() jobId!: string;
  @OneOf(SCHEDULED_JOBS) name!: ScheduledJob;
  @Instant() at!: string;
  @ApiProperty({ required: false, description: 'monthly-credit-report: the month it reports' })
  month?: string;
}
