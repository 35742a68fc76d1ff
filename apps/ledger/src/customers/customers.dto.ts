import { ALL_FACTOR_NAMES, type FactorModel, type FactorScore } from '@credit-ledger/domain';
import type { CreditFileView, CustomerSummary, PositionView, TermsView } from '@credit-ledger/projections';
import { IntField, OneOfField, PatternField, QueryInstantField } from '../api/fields';
import { ApiProperty } from '@nestjs/swagger';
import {
  Amount,
  BigText,
  FactorInputs,
  Flag,
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

export const FACTOR_MODELS = ['history', 'profile', 'blend'] as const;

export class FactorScoreResponse implements FactorScore {
  @OneOf(ALL_FACTOR_NAMES) factor!: FactorScore['factor'];
  @ApiProperty({
    type: String,
    nullable: true,
    enum: [...FACTOR_MODELS],
    description: 'null for a five-factor rating',
  })
  model!: FactorModel | null;
  @FactorInputs() raw!: Record<string, string | number>;
  @Int('0..100') normalised!: number;
  @Int() weight!: number;
  @Int('weight × normalised, in hundredths of a score point') contribution!: number;
}

export class RatingResponse {
  @Int() policyVersion!: number;
  @Instant() ratedAt!: string;
  @TextOrNull('the segment that graded the customer (null for a five-factor rating)') segment!: string | null;
  @Many(FactorScoreResponse) factors!: Array<FactorScore & { model: FactorModel | null }>;
}

/** The terms the grade carries (docs/scoring.md). */
export class TermsResponse implements TermsView {
  @Text() band!: string;
  @OneOf(['credit', 'cash-only']) settlement!: TermsView['settlement'];
  @Flag() cashOnly!: boolean;
  @IntOrNull() maxPaymentTermsDays!: number | null;
  @TextOrNull('decimal major units') defaultLimit!: string | null;
  @IntOrNull() reviewIntervalDays!: number | null;
  @ApiProperty({ type: String, nullable: true, enum: ['simplified', 'standard'] })
  approval!: TermsView['approval'];
  @Amount('the credit extended now: 0 while the band is cash-only') effectiveLimit!: string;
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
  @OneOrNull(TermsResponse) terms!: TermsView | null;
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

// ---- the credit file (GET /customers/:id/file; docs/credit-file.md) ----

type Profile = NonNullable<CreditFileView['profile']>;
type Financials = NonNullable<Profile['financials']>;
type Registration = NonNullable<Profile['registration']>;
type Ratios = Financials['ratios'];
type AccountOwner = NonNullable<NonNullable<CreditFileView['contacts']>['accountOwner']>;
type ExternalReports = CreditFileView['externalReports'];
type Complaints = CreditFileView['complaints'];
type Transactions = CreditFileView['transactions'];
type Repayment = CreditFileView['repayment'];
type Disputes = CreditFileView['disputes'];
type Assessment = NonNullable<CreditFileView['assessment']>;
type FileLinks = CreditFileView['links'];

export class RegistrationResponse implements Registration {
  @TextOrNull('decimal major units') registeredCapital!: string | null;
  @TextOrNull('YYYY-MM-DD') foundedOn!: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) taxRegistered!: boolean | null;
}

export class RatiosResponse implements Ratios {
  @TextOrNull('current assets / current liabilities') currentRatio!: string | null;
  @TextOrNull('total liabilities / total assets') debtToAsset!: string | null;
  @TextOrNull('net income / revenue') netMargin!: string | null;
}

export class FinancialsResponse implements Financials {
  @Text('YYYY-MM-DD') asOf!: string;
  @Amount() totalAssets!: string;
  @Amount() totalLiabilities!: string;
  @Amount() currentAssets!: string;
  @Amount() currentLiabilities!: string;
  @Amount() revenue!: string;
  @Text('decimal major units, may be negative') netIncome!: string;
  @TextOrNull('decimal major units, may be negative') operatingCashFlow!: string | null;
  @One(RatiosResponse) ratios!: Financials['ratios'];
}

export class ProfileResponse implements Profile {
  @TextOrNull() customerType!: string | null;
  @TextOrNull('YYYY-MM-DD: the relationship start') customerSince!: string | null;
  @TextOrNull('industry code') industry!: string | null;
  @OneOrNull(RegistrationResponse) registration!: Profile['registration'];
  @OneOrNull(FinancialsResponse) financials!: Profile['financials'];
  @IntOrNull() litigationCount!: number | null;
  @Instant() updatedAt!: string;
}

type Contacts = NonNullable<CreditFileView['contacts']>;

export class IndividualResponse implements NonNullable<CreditFileView['individual']> {
  @TextOrNull() fullName!: string | null;
  @TextOrNull('identity or passport number') nationalId!: string | null;
  @TextOrNull('YYYY-MM-DD') dateOfBirth!: string | null;
  @TextOrNull() education!: string | null;
  @TextOrNull('decimal major units of `currency`') annualIncome!: string | null;
  @TextOrNull('ISO-4217') currency!: string | null;
}

export class ForgottenResponse implements NonNullable<CreditFileView['forgotten']> {
  @Instant() at!: string;
  @Text() requestId!: string;
  @Text('principal') requestedBy!: string;
  @Text('principal, a different admin') approvedBy!: string;
}

export class AccountOwnerResponse implements AccountOwner {
  @Text() id!: string;
  @Text() name!: string;
  @TextOrNull() email!: string | null;
}

export class ContactsResponse implements Contacts {
  @OneOrNull(AccountOwnerResponse, 'the responsible salesperson') accountOwner!: Contacts['accountOwner'];
  @TextOrNull() contactEmail!: string | null;
}

export class ExternalReportResponse {
  @Text() agency!: string;
  @Text() reportId!: string;
  @IntOrNull() score!: number | null;
  @TextOrNull() rating!: string | null;
  @Text('YYYY-MM-DD') reportedOn!: string;
  @Text('YYYY-MM-DD') validUntil!: string;
  @Text('YYYY-MM-DD') receivedOn!: string;
  @Flag('still valid at asOf') inForce!: boolean;
}

export class ExternalReportsResponse implements ExternalReports {
  @Int() total!: number;
  @Many(ExternalReportResponse, 'newest first') latest!: CreditFileView['externalReports']['latest'];
}

export class ComplaintResponse {
  @Text() complaintId!: string;
  @Text() category!: string;
  @OneOf(['low', 'medium', 'high']) severity!: string;
  @Text('YYYY-MM-DD') recordedOn!: string;
}

export class ComplaintsResponse implements Complaints {
  @Int() total!: number;
  @Many(ComplaintResponse) items!: CreditFileView['complaints']['items'];
}

export class TransactionsResponse implements Transactions {
  @Int() invoices!: number;
  @Amount() invoicedAmount!: string;
  @TextOrNull('YYYY-MM-DD') firstInvoiceOn!: string | null;
  @TextOrNull('YYYY-MM-DD') lastInvoiceOn!: string | null;
  @Int() orders!: number;
  @Amount() openOrders!: string;
  @Amount() heldOrders!: string;
  @Int() creditNotes!: number;
  @Amount() creditedAmount!: string;
}

export class RepaymentResponse implements Repayment {
  @Int() payments!: number;
  @Amount() paidAmount!: string;
  @Int() reversedPayments!: number;
  @TextOrNull('YYYY-MM-DD') lastPaymentOn!: string | null;
  @Int() settledInvoices!: number;
  @Int() settledOnTime!: number;
  @Int() settledLate!: number;
  @NumOrNull() averageDaysLate!: number | null;
  @Int() maxDaysLate!: number;
  @Int() writtenOffInvoices!: number;
  @Amount() writtenOffAmount!: string;
  @Int() openInvoices!: number;
  @Amount() openReceivables!: string;
  @Int() overdueInvoices!: number;
  @Amount() overdueAmount!: string;
  @Amount() unappliedCash!: string;
}

export class DisputesResponse implements Disputes {
  @Int() opened!: number;
  @Int() open!: number;
}

export class AssessmentResponse implements Assessment {
  @Int() score!: number;
  @Text() grade!: string;
  @TextOrNull() segment!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['unassessed', 'profile', 'blended', 'history'] })
  basis!: string | null;
  @IntOrNull("the history model's share of the score, percent") historyShare!: number | null;
  @Int() policyVersion!: number;
  @Instant() ratedAt!: string;
}

export class FileTermsResponse extends TermsResponse {
  @Amount('the limit recorded (kept while the band is cash-only)') creditLimit!: string;
}

export class FileLinksResponse implements FileLinks {
  @Text() position!: string;
  @Text() gradeHistory!: string;
  @Text() timeline!: string;
  @Text() limitRequests!: string;
}

export class CreditFileResponse implements CreditFileView {
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @TextOrNull('ISO-4217') currency!: string | null;
  @OneOf(CUSTOMER_STATUSES) status!: string;
  @Text('the segment that grades the customer') customerType!: string;
  @OneOrNull(ProfileResponse) profile!: CreditFileView['profile'];
  @OneOrNull(ContactsResponse, 'personal data: opened by role, `[restricted]` or `[erased]`')
  contacts!: CreditFileView['contacts'];
  @OneOrNull(
    IndividualResponse,
    "an individual customer's own details (personal data; finance-clerk, cfo, general-manager, admin)",
  )
  individual!: CreditFileView['individual'];
  @OneOrNull(ForgottenResponse, 'set once the customer was forgotten')
  forgotten!: CreditFileView['forgotten'];
  @One(ExternalReportsResponse) externalReports!: CreditFileView['externalReports'];
  @One(ComplaintsResponse) complaints!: CreditFileView['complaints'];
  @One(TransactionsResponse) transactions!: CreditFileView['transactions'];
  @One(RepaymentResponse) repayment!: CreditFileView['repayment'];
  @One(DisputesResponse) disputes!: CreditFileView['disputes'];
  @OneOrNull(AssessmentResponse) assessment!: CreditFileView['assessment'];
  @OneOrNull(FileTermsResponse) terms!: CreditFileView['terms'];
  @One(FileLinksResponse) links!: CreditFileView['links'];
  @Instant() asOf!: string;
  @BigText() ledgerSequence!: string;
  @Int() streamVersion!: number;
}
