import { FACTOR_NAMES, type FactorScore } from '@credit-ledger/domain';
import type { CustomerSummary, PositionView } from '@credit-ledger/projections';
import { IntField, OneOfField, PatternField, QueryInstantField } from '../api/fields';
import {
  Amount,
  BigText,
  FactorInputs,
  Instant,
  InstantOrNull,
  Int,
  IntOrNull,
  Many,
  NumOrNull,
  One,
  OneOf,
  OneOrNull,
  Text,
  TextOrNull,
} from '../api/schema';

export const CUSTOMER_STATUSES = ['active', 'frozen', 'blacklisted'] as const;
export const CUSTOMER_SORTS = ['utilisation', 'exposure', 'customerId'] as const;

// ---- requests ----

export class ListCustomersQueryDto {
  @PatternField(/^[A-Za-z+-]{1,8}$/, 'a grade name such as A, B, C or D', { optional: true, example: 'D' })
  grade?: string;

  @OneOfField(CUSTOMER_STATUSES, { optional: true })
  status?: (typeof CUSTOMER_STATUSES)[number];

  @OneOfField(CUSTOMER_SORTS, { optional: true, description: 'highest first; customerId ascending' })
  sort: (typeof CUSTOMER_SORTS)[number] = 'utilisation';

  @IntField(1, 1000, { example: 50 })
  limit = 50;

  @IntField(0, 10_000_000, { example: 0 })
  offset = 0;
}

export class PositionQueryDto {
  @QueryInstantField('end', {
    description: 'the position replayed from the ledger up to that moment, aging measured at it',
  })
  asOf?: string;
}

// ---- responses ----

export class AgingResponse {
  @Amount() current!: string;
  @Amount() d1_30!: string;
  @Amount() d31_60!: string;
  @Amount() d61_90!: string;
  @Amount() d90plus!: string;
}

export class FactorScoreResponse implements FactorScore {
  @OneOf(FACTOR_NAMES) factor!: FactorScore['factor'];
  @FactorInputs() raw!: Record<string, string | number>;
  @Int('0..100') normalised!: number;
  @Int() weight!: number;
  @Int('weight × normalised, in hundredths of a score point') contribution!: number;
}

export class RatingResponse {
  @Int() policyVersion!: number;
  @Instant() ratedAt!: string;
  @Many(FactorScoreResponse) factors!: FactorScore[];
}

export class PositionResponse implements PositionView {
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @TextOrNull('ISO-4217') currency!: string | null;
  @Amount() creditLimit!: string;
  @Amount('temporary limit running at asOf ("0.00" when none)') temporaryLimit!: string;
  @InstantOrNull() temporaryLimitExpiresAt!: string | null;
  @Amount() openReceivables!: string;
  @Amount() openOrders!: string;
  @Amount() heldOrders!: string;
  @Amount() unappliedCash!: string;
  @Amount() exposure!: string;
  @Amount() available!: string;
  @TextOrNull('exposure / limit, four decimals ("0.8123"); null without a limit') utilisation!: string | null;
  @One(AgingResponse) aging!: PositionView['aging'];
  @Amount() overdueAmount!: string;
  @Int() overdueCount!: number;
  @NumOrNull('days sales outstanding') dso!: number | null;
  @IntOrNull() score!: number | null;
  @TextOrNull() grade!: string | null;
  @OneOf(CUSTOMER_STATUSES) status!: string;
  @OneOrNull(RatingResponse) rating!: PositionView['rating'];
  @Instant('the moment the figures are measured at') asOf!: string;
  @BigText() ledgerSequence!: string;
  @Int() streamVersion!: number;
}

export class CustomerSummaryResponse implements CustomerSummary {
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @TextOrNull() currency!: string | null;
  @Amount() creditLimit!: string;
  @Amount() exposure!: string;
  @Amount() available!: string;
  @TextOrNull() utilisation!: string | null;
  @IntOrNull() score!: number | null;
  @TextOrNull() grade!: string | null;
  @OneOf(CUSTOMER_STATUSES) status!: string;
  @BigText() ledgerSequence!: string;
}

export class CustomerListResponse {
  @Many(CustomerSummaryResponse) items!: CustomerSummary[];
  @Int('customers matching the filter') total!: number;
}
