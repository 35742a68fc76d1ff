import { ApiProperty } from '@nestjs/swagger';
import {
  ALL_FACTOR_NAMES,
  type FactorModel,
  type FactorName,
  type GradePolicy,
  type GradeTerms,
} from '@credit-ledger/domain';
import type { PolicyVersionInfo } from '@credit-ledger/ledger-store';
import type {
  FactorExplanation,
  FactorValues,
  GradeChangeExplanation,
  GradeHistoryView,
  TimelineEntry,
  TimelineView,
} from '@credit-ledger/projections';
import { IntField, PatternField, QueryInstantField } from '../api/fields';
import {
  Amount,
  AnyObject,
  BigText,
  FactorInputs,
  Flag,
  Instant,
  InstantOrNull,
  Int,
  IntOrNull,
  Many,
  One,
  OneOf,
  OneOrNull,
  Text,
  TextOrNull,
  Texts,
} from '../api/schema';
import { AgingResponse } from '../customers/customers.dto';

export const TIMELINE_MAX_LIMIT = 1000;

// ---- requests ----

export class TimelineQueryDto {
  @QueryInstantField('start', { description: 'events that occurred at or after it' })
  from?: string;

  @QueryInstantField('end', { description: 'events that occurred at or before it' })
  to?: string;

  @IntField(1, TIMELINE_MAX_LIMIT, { example: 100 })
  limit = 100;

  @PatternField(/^\d{1,19}$/, 'the "next" value of a previous page', { optional: true, example: '1024' })
  cursor?: string;
}

// ---- responses ----

export class FactorValuesResponse implements FactorValues {
  @ApiProperty({ type: String, nullable: true, enum: ['history', 'profile', 'blend'] })
  model!: FactorModel | null;
  @FactorInputs() raw!: FactorValues['raw'];
  @Int() normalised!: number;
  @Int() weight!: number;
  @Int() contribution!: number;
}

export class FactorDeltaResponse {
  @Int() normalised!: number;
  @Int() contribution!: number;
}

export class FactorExplanationResponse implements FactorExplanation {
  @OneOf(ALL_FACTOR_NAMES) factor!: FactorName;
  @ApiProperty({ type: String, nullable: true, enum: ['history', 'profile', 'blend'] })
  model!: FactorModel | null;
  @FactorInputs() raw!: FactorValues['raw'];
  @Int() normalised!: number;
  @Int() weight!: number;
  @Int() contribution!: number;
  @OneOrNull(FactorValuesResponse, 'the factor just before the triggering event')
  before!: FactorValues | null;
  @One(FactorDeltaResponse) delta!: FactorExplanation['delta'];
  @Texts('ids of the events that moved this factor since the previous grade change') movedBy!: string[];
  @Flag('elapsed time moved it') movedByTime!: boolean;
  @Flag('a policy version change moved it') movedByPolicy!: boolean;
}

export class GradeTriggerResponse {
  @OneOf(['event', 'rerating']) kind!: 'event' | 'rerating';
  @Text() eventId!: string;
  @Text() eventType!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['scheduled', 'policy-change', 'manual'] })
  rerating!: string | null;
}

export class GradeScoreOrNullResponse {
  @TextOrNull() grade!: string | null;
  @IntOrNull() score!: number | null;
}

export class GradeScoreResponse {
  @Text() grade!: string;
  @Int() score!: number;
}

export class MovingEventResponse {
  @BigText() sequence!: string;
  @Text() eventId!: string;
  @Text() type!: string;
  @Instant() occurredAt!: string;
  @ApiProperty({ enum: ALL_FACTOR_NAMES, isArray: true }) factors!: FactorName[];
}

export class GradeTermsResponse implements GradeTerms {
  @Text() band!: string;
  @OneOf(['credit', 'cash-only']) settlement!: GradeTerms['settlement'];
  @Int() maxPaymentTermsDays!: number;
  @Text('decimal major units') defaultLimit!: string;
  @Int() reviewIntervalDays!: number;
  @OneOf(['simplified', 'standard']) approval!: GradeTerms['approval'];
}

export class GradeChangeResponse implements GradeChangeExplanation {
  @BigText() sequence!: string;
  @Instant() ratedAt!: string;
  @InstantOrNull() occurredAt!: string | null;
  @One(GradeTriggerResponse) trigger!: GradeChangeExplanation['trigger'];
  @One(GradeScoreOrNullResponse) from!: GradeChangeExplanation['from'];
  @One(GradeScoreResponse) to!: GradeChangeExplanation['to'];
  @Int() policyVersion!: number;
  @IntOrNull() previousPolicyVersion!: number | null;
  @TextOrNull('the segment that graded the customer (null: a five-factor rating)') segment!: string | null;
  @OneOrNull(GradeTermsResponse, 'the terms the new grade carries (null: a five-factor rating)')
  terms!: GradeTerms | null;
  @Many(FactorExplanationResponse) factors!: FactorExplanation[];
  @Many(MovingEventResponse, 'events since the previous change that moved a factor, oldest first')
  events!: GradeChangeExplanation['events'];
  @Flag('replaying the ledger with the recorded policy versions gives exactly the stored rating')
  reproduced!: boolean;
}

export class GradeHistoryResponse implements GradeHistoryView {
  @Text() customerId!: string;
  @Many(GradeChangeResponse, 'every grade change, oldest first') changes!: GradeChangeExplanation[];
}

export class TimelineAfterResponse {
  @Amount() exposure!: string;
  @Amount() available!: string;
  @Amount() openReceivables!: string;
  @Amount() openOrders!: string;
  @One(AgingResponse) aging!: AgingResponse;
  @IntOrNull() score!: number | null;
  @TextOrNull() grade!: string | null;
}

export class TimelineEntryResponse implements TimelineEntry {
  @BigText() sequence!: string;
  @Int() streamVersion!: number;
  @Text() eventId!: string;
  @Text() type!: string;
  @Int() version!: number;
  @Instant() occurredAt!: string;
  @Text() source!: string;
  @AnyObject('the event payload as stored') payload!: Record<string, unknown>;
  @OneOrNull(TimelineAfterResponse, 'the position right after the event') after!: TimelineEntry['after'];
}

export class TimelineResponse implements TimelineView {
  @Text() customerId!: string;
  @InstantOrNull() from!: string | null;
  @InstantOrNull() to!: string | null;
  @Many(TimelineEntryResponse) items!: TimelineEntry[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page' })
  next!: string | null;
}

export class PolicyVersionResponse implements PolicyVersionInfo {
  @Int() version!: number;
  @BigText('first ledger sequence rated under this version') effectiveFromSequence!: string;
  @Instant() createdAt!: string;
  @Text('who proposed it (before four-eyes adoption: who adopted it)') createdBy!: string;
  @TextOrNull() note!: string | null;
  @Texts('who approved the proposal, in order (empty before four-eyes adoption)') approvedBy!: string[];
  @Texts('the role each approver approved in') approvedRoles!: string[];
  @InstantOrNull('when the last approval put it in force') approvedAt!: string | null;
  @TextOrNull('the proposal it was adopted from') proposalId!: string | null;
  @TextOrNull("sha256 of the validated policy's canonical JSON") policyHash!: string | null;
}

export class PolicyVersionListResponse {
  @Many(PolicyVersionResponse) items!: PolicyVersionInfo[];
}

export class CurrentPolicyResponse {
  @AnyObject('the validated policy document in force (its format: docs/scoring.md)') policy!: GradePolicy;
  @One(PolicyVersionResponse) version!: PolicyVersionInfo;
}
