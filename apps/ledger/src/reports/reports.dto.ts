import { ApiProperty } from '@nestjs/swagger';
import { EXCEPTION_KINDS } from '@credit-ledger/domain';
import { ApiDto, IntField, QueryInstantField } from '../api/fields';
import {
  Amount,
  BigText,
  Instant,
  Int,
  Many,
  NumOrNull,
  OneOf,
  Text,
  TextOrNull,
  Texts,
} from '../api/schema';

// ---- query strings ----

@ApiDto()
export class NoQuery {}

export class TopOverdueQueryDto {
  @IntField(1, 1000, { example: 10, description: 'customers per currency' }) limit = 10;
}

export class UtilisationQueryDto {
  @IntField(1, 1000, { example: 20 }) limit = 20;
}

export class DsoTrendQueryDto {
  @IntField(1, 36, { example: 6, description: 'month ends before this month' }) months = 6;
}

export class ExceptionsQueryDto {
  @QueryInstantField('start', {
    optional: true,
    description: 'exceptions that occurred at or after it (default: the beginning)',
  })
  from?: string;

  @QueryInstantField('end', {
    optional: true,
    description: 'exceptions that occurred at or before it (default: now)',
  })
  to?: string;
}

// ---- responses (JSON; with `Accept: text/csv` the same rows as CSV) ----

export class AgingRowResponse {
  @Text() currency!: string;
  @Int() customers!: number;
  @Amount() current!: string;
  @Amount() d1_30!: string;
  @Amount() d31_60!: string;
  @Amount() d61_90!: string;
  @Amount() d90plus!: string;
  @Amount() overdue!: string;
  @Amount() total!: string;
}

export class AgingReportResponse {
  @Instant() asOf!: string;
  @Many(AgingRowResponse, 'one row per currency') currencies!: AgingRowResponse[];
}

export class GradeExposureRowResponse {
  @Text() currency!: string;
  @Text('grade, or "unrated"') grade!: string;
  @Int() customers!: number;
  @Amount() creditLimit!: string;
  @Amount() exposure!: string;
  @Amount() available!: string;
}

export class ExposureByGradeReportResponse {
  @Instant() asOf!: string;
  @Many(GradeExposureRowResponse) items!: GradeExposureRowResponse[];
}

export class OverdueRowResponse {
  @Text() currency!: string;
  @Int() rank!: number;
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @Amount() overdueAmount!: string;
  @Int() overdueCount!: number;
  @Amount() d90plus!: string;
  @TextOrNull() grade!: string | null;
}

export class OverdueCurrencyResponse {
  @Text() currency!: string;
  @Many(OverdueRowResponse) items!: OverdueRowResponse[];
}

export class TopOverdueReportResponse {
  @Instant() asOf!: string;
  @Int() limit!: number;
  @Many(OverdueCurrencyResponse, 'ranked within each currency') currencies!: OverdueCurrencyResponse[];
}

export class UtilisationRowResponse {
  @Int() rank!: number;
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @Text() currency!: string;
  @Amount() creditLimit!: string;
  @Amount() exposure!: string;
  @Text('exposure / limit, four decimals') utilisation!: string;
  @TextOrNull() grade!: string | null;
}

export class UtilisationReportResponse {
  @Instant() asOf!: string;
  @Many(UtilisationRowResponse) items!: UtilisationRowResponse[];
}

export class DsoRowResponse {
  @Text('YYYY-MM-DD') monthEnd!: string;
  @Text() currency!: string;
  @Int() customers!: number;
  @Amount() openReceivables!: string;
  @Amount('credit sales of the 90 days ending that day') sales90d!: string;
  @NumOrNull('days; null without sales') dso!: number | null;
}

export class DsoMonthResponse {
  @Text('YYYY-MM-DD') monthEnd!: string;
  @Many(DsoRowResponse) currencies!: DsoRowResponse[];
}

export class DsoTrendReportResponse {
  @Instant() asOf!: string;
  @Many(DsoMonthResponse, 'oldest first') months!: DsoMonthResponse[];
}

export class ExceptionRowResponse {
  @BigText('ledger sequence of the event that records it') sequence!: string;
  @Instant('when it happened') occurredAt!: string;
  @Text() customerId!: string;
  @OneOf(EXCEPTION_KINDS) kind!: string;
  @Text('the ledger event type') type!: string;
  @Text('the principal, or the billing system for a bypass or terms beyond the grade') by!: string;
  @Text('why: the reason given, or the bypass reason') reason!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '1250.00',
    description:
      "decimal major units of the customer's currency (the order's amount for a release); null when none",
  })
  amount!: string | null;
  @TextOrNull() currency!: string | null;
  @TextOrNull('the invoice or order concerned') reference!: string | null;
}

export class ExceptionsReportResponse {
  @Instant() from!: string;
  @Instant() to!: string;
  @Many(ExceptionRowResponse, 'in ledger order') items!: ExceptionRowResponse[];
}

const RATIO = 'four decimals; null when the base is 0';

export class KpiRowResponse {
  @Text() currency!: string;
  @Int() customers!: number;
  @Amount() exposure!: string;
  @Amount() openReceivables!: string;
  @Amount('open receivables past their due date') overdue!: string;
  @TextOrNull(`overdue / openReceivables, ${RATIO}`) overdueRate!: string | null;
  @Amount('credit sales of the 90 days to asOf') sales90d!: string;
  @NumOrNull('portfolio DSO, days; null without sales') dso!: number | null;
  @Amount('invoices issued in the period') sales!: string;
  @Amount('written off in the period') writtenOff!: string;
  @TextOrNull(`writtenOff / sales, ${RATIO}`) badDebtRate!: string | null;
  @Amount('cash received in the period on invoices already past due') recovered!: string;
  @TextOrNull(`recovered / (recovered + overdue), ${RATIO}`) overdueRecoveryRate!: string | null;
  @Amount('sales of the period to customers of the top grades') topGradeSales!: string;
  @TextOrNull(`topGradeSales / sales, ${RATIO}`) topGradeSalesShare!: string | null;
  @Int() heldOrders!: number;
  @Amount() heldOrdersAmount!: string;
  @Int('limit requests waiting for approvals') pendingApprovals!: number;
}

export class KpiReportResponse {
  @Instant() asOf!: string;
  @Text('YYYY-MM-DD, exclusive: the period is (from, to]') from!: string;
  @Text('YYYY-MM-DD, inclusive') to!: string;
  @Texts("the policy's two best grades") topGrades!: string[];
  @Many(KpiRowResponse, 'one row per currency') currencies!: KpiRowResponse[];
}

export class OwnerCollectionRowResponse {
  @Text() currency!: string;
  @Int('most collected first, within the currency') rank!: number;
  @TextOrNull('null: customers without an account owner') ownerId!: string | null;
  @TextOrNull() ownerName!: string | null;
  @Int() customers!: number;
  @Amount('invoices issued in the period') sales!: string;
  @Amount('cash received in the period and applied to invoices') collected!: string;
  @Amount('overdue at asOf') overdue!: string;
  @TextOrNull(`collected / sales, ${RATIO}`) collectionRate!: string | null;
}

export class CollectionsByOwnerReportResponse {
  @Instant() asOf!: string;
  @Text('YYYY-MM-DD, exclusive') from!: string;
  @Text('YYYY-MM-DD, inclusive') to!: string;
  @Many(OwnerCollectionRowResponse) items!: OwnerCollectionRowResponse[];
}

export class MigrationRowResponse {
  @Text('grade at the start of the month; "new": onboarded during it') from!: string;
  @Text('grade at the end of the month') to!: string;
  @Int() customers!: number;
}

export class MonthOverdueRowResponse {
  @Text() currency!: string;
  @Int() rank!: number;
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @Amount() overdue!: string;
  @TextOrNull() grade!: string | null;
}

export class MonthExceptionRowResponse {
  @Instant() occurredAt!: string;
  @Text() customerId!: string;
  @Text('OrderReleased, CreditLimitChanged, CustomerBlacklisted, …') type!: string;
  @TextOrNull('who decided (never "system")') by!: string | null;
  @TextOrNull() reason!: string | null;
}

export class MonthlyReportResponse {
  @Text('YYYY-MM') month!: string;
  @Text('YYYY-MM-DD, exclusive') from!: string;
  @Text('YYYY-MM-DD, inclusive') to!: string;
  @Instant("the month's last instant: every figure is as of it") asOf!: string;
  @Texts() topGrades!: string[];
  @Many(KpiRowResponse) kpis!: KpiRowResponse[];
  @Many(MigrationRowResponse) migration!: MigrationRowResponse[];
  @Many(AgingRowResponse) aging!: AgingRowResponse[];
  @Many(MonthOverdueRowResponse) topOverdue!: MonthOverdueRowResponse[];
  @Many(MonthExceptionRowResponse) exceptions!: MonthExceptionRowResponse[];
}

export class MonthlyReportEntryResponse {
  @Text('YYYY-MM') month!: string;
  @Text('SHA-256 of the stored document') hash!: string;
  @Instant() builtAt!: string;
}

export class MonthlyReportListResponse {
  @Many(MonthlyReportEntryResponse, 'newest first') items!: MonthlyReportEntryResponse[];
}
