import { IdField, IntField, PatternField, ReasonField } from '../api/fields';
import { BigText, Instant, Many, OneOf, Text, Texts } from '../api/schema';
import type { AccessLogEntry } from '@credit-ledger/personal-data';
import { CommandOutcomeResponse } from '../control/control.dto';

// ---- request bodies ----

export class ForgetRequestBody {
  @ReasonField({ example: 'erasure request of the data subject, ticket DP-42' }) reason!: string;
  @IdField({
    optional: true,
    example: 'FR-2026-001',
    description: 'your id for the request (default: generated)',
  })
  requestId?: string;
}

/** A principal name as API_KEYS gives it. */
const PRINCIPAL_RE = /^[A-Za-z0-9._@:-]{1,128}$/;

export class AccessLogQueryDto {
  @IdField({ optional: true, description: "only this customer's reads" }) customerId?: string;
  @PatternField(PRINCIPAL_RE, 'a principal name (1-128 characters of A-Z a-z 0-9 . _ @ : -)', {
    optional: true,
    example: 'carl',
    description: "only this principal's reads",
  })
  principal?: string;
  @IntField(1, 1000, { example: 100 }) limit = 100;
  @PatternField(/^\d{1,18}$/, 'an entry id', {
    optional: true,
    example: '1000',
    description: 'entries older than this id (the next page)',
  })
  before?: string;
}

// ---- responses ----

export class ForgetRequestOutcomeResponse extends CommandOutcomeResponse {
  @Text() requestId!: string;
}

export class AccessLogEntryResponse implements AccessLogEntry {
  @BigText() id!: string;
  @Instant() readAt!: string;
  @Text('principal') principal!: string;
  @Text() role!: string;
  @Text() customerId!: string;
  @Texts('the personal fields read (contract paths)') fields!: string[];
  @OneOf(['opened', 'erased'], 'opened, or asked for values whose key is destroyed') outcome!:
    'opened' | 'erased';
  @Text('the request (method and path) or command that read') purpose!: string;
}

export class AccessLogResponse {
  @Many(AccessLogEntryResponse, 'newest first') items!: AccessLogEntry[];
}
