import { ApiProperty } from '@nestjs/swagger';
import type {
  FactorMove,
  WhatIfApprovals,
  WhatIfRow,
  WhatIfSummary,
  WhatIfTerms,
} from '@credit-ledger/domain';
import type { SimulationInfo } from '@credit-ledger/projections';
import { IdField, InstantField, IntField, OneOfField, PolicyField } from '../api/fields';
import {
  Amount,
  BigText,
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

// ---- requests ----

export class SimulatePolicyBody {
  @PolicyField() policy!: Record<string, unknown>;
  @InstantField({ optional: true, description: 'simulate on the customers as they were then (replayed)' })
  asOf?: string;
  @IdField({ optional: true, example: 'C-000042', description: 'one customer only' })
  customerId?: string;
}

export class SimulationCustomersQueryDto {
  @OneOfField(['true', 'false'], { optional: true, description: 'true: only customers whose grade moves' })
  changed?: 'true' | 'false';

  @IntField(1, 100_000, { example: 1000 })
  limit = 1000;

  @IntField(0, 100_000_000, { example: 0 })
  offset = 0;
}

// ---- responses ----

export class ProgressResponse {
  @Int() done!: number;
  @IntOrNull('customers to simulate (null until known)') total!: number | null;
}

const COUNTS = {
  type: 'object',
  additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
} as const;

export class CurrencyHeldResponse {
  @Int() customers!: number;
  @Amount() heldBefore!: string;
  @Amount() heldAfter!: string;
  @Amount('held because the band is cash-only, before') cashOnlyHeldBefore!: string;
  @Amount('held because the band is cash-only, after') cashOnlyHeldAfter!: string;
  @Amount() exposureBefore!: string;
  @Amount() exposureAfter!: string;
}

type WhatIfApprovalsSummary = WhatIfSummary['approvals'];

const ROUTES = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class WhatIfAdoptionResponse {
  @Texts('roles that may propose the draft (the policy in force decides)') proposers!: string[];
  @Texts('approval entries adopting it needs ("a|b": either role), never the proposer')
  approvers!: string[];
  @Texts('approval settings the draft changes, e.g. limitApproval, approvals.orderReleaseCap')
  rulesChanged!: string[];
}

export class WhatIfApprovalsSummaryResponse implements WhatIfApprovalsSummary {
  @Int('pending credit-extending requests a cash-only grade would stop') pendingBlocked!: number;
  @Int('pending requests stopped now that the draft lets through') pendingUnblocked!: number;
  @Int('customers whose limit would route to other approvers') customersRoutedDifferently!: number;
  @ApiProperty({
    ...ROUTES,
    description: 'customers per approval route ("a + b"), under the policy in force',
  })
  routesBefore!: Record<string, number>;
  @ApiProperty({ ...ROUTES, description: 'customers per approval route under the draft' })
  routesAfter!: Record<string, number>;
  @Int('held orders above the release cap (an order-release approval each), before')
  releasesToApproveBefore!: number;
  @Int('the same under the draft') releasesToApproveAfter!: number;
  @One(WhatIfAdoptionResponse, 'who adopts the draft: four-eyes')
  adoption!: WhatIfSummary['approvals']['adoption'];
}

export class WhatIfSummaryResponse implements WhatIfSummary {
  @Int() customers!: number;
  @Int('customers whose grade changes') changed!: number;
  @ApiProperty({ ...COUNTS, description: 'migration[from][to] = customers' })
  migration!: WhatIfSummary['migration'];
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/CurrencyHeldResponse' },
    description: 'per currency (never summed across currencies)',
  })
  byCurrency!: WhatIfSummary['byCurrency'];
  @Int() customersWithOrdersReleased!: number;
  @Int() customersWithOrdersHeld!: number;
  @Texts('the customers whose held orders re-grading would release') customersReleased!: string[];
  @Texts('the customers whose orders re-grading would hold') customersHeld!: string[];
  @One(WhatIfApprovalsSummaryResponse, 'the approval work the draft would change')
  approvals!: WhatIfSummary['approvals'];
}

export class WhatIfApprovalsResponse implements WhatIfApprovals {
  @Texts('pending requests the draft would stop (its grade is cash-only)') blocked!: string[];
  @Texts('pending requests the draft would let through again') unblocked!: string[];
  @Texts('approval slots for a change of the current limit, policy in force ("a|b": either role)')
  routingBefore!: string[];
  @Texts('the same under the draft and the grade after') routingAfter!: string[];
  @Int() releasesToApproveBefore!: number;
  @Int() releasesToApproveAfter!: number;
}

export class WhatIfTermsResponse implements WhatIfTerms {
  @Text() band!: string;
  @OneOf(['credit', 'cash-only']) settlement!: string;
  @Int() maxPaymentTermsDays!: number;
}

export class SimulationResponse implements SimulationInfo {
  @Text() simulationId!: string;
  @OneOf(['running', 'done', 'failed']) status!: SimulationInfo['status'];
  @Text('sha256 of the draft policy (canonical JSON)') draftHash!: string;
  @Int() draftVersion!: number;
  @InstantOrNull() asOf!: string | null;
  @TextOrNull() customerId!: string | null;
  @Text() requestedBy!: string;
  @Instant() requestedAt!: string;
  @InstantOrNull() finishedAt!: string | null;
  @One(ProgressResponse) progress!: SimulationInfo['progress'];
  @ApiProperty({ type: String, nullable: true, pattern: '^\\d+$', description: 'the ledger position read' })
  ledgerSequence!: string | null;
  @OneOrNull(WhatIfSummaryResponse) summary!: WhatIfSummary | null;
  @TextOrNull('sha256 of the result document') resultHash!: string | null;
  @TextOrNull() error!: string | null;
}

export class SimulationListResponse {
  @Many(SimulationResponse, 'newest first') items!: SimulationInfo[];
}

export class GradeScoreVersionResponse {
  @Text() grade!: string;
  @Int() score!: number;
  @Int() policyVersion!: number;
}

export class FactorMoveResponse implements FactorMove {
  @Text() factor!: string;
  @Int('contribution before, hundredths of a point') before!: number;
  @Int('contribution after') after!: number;
  @Int() delta!: number;
}

export class WhatIfRowResponse implements WhatIfRow {
  @Text() customerId!: string;
  @TextOrNull() currency!: string | null;
  @One(GradeScoreVersionResponse) before!: WhatIfRow['before'];
  @One(GradeScoreVersionResponse) after!: WhatIfRow['after'];
  @Many(FactorMoveResponse) factorsMoved!: FactorMove[];
  @Texts('control events re-grading would append') events!: string[];
  @Texts() ordersReleased!: string[];
  @Texts() ordersHeld!: string[];
  @Amount() heldBefore!: string;
  @Amount() heldAfter!: string;
  @Amount('held because the band is cash-only, before') cashOnlyHeldBefore!: string;
  @Amount('held because the band is cash-only, after') cashOnlyHeldAfter!: string;
  @OneOrNull(WhatIfTermsResponse, "the grade's terms before (null: a five-factor rating)")
  termsBefore!: WhatIfTerms | null;
  @OneOrNull(WhatIfTermsResponse, "the grade's terms after") termsAfter!: WhatIfTerms | null;
  @Amount() exposureBefore!: string;
  @Amount() exposureAfter!: string;
  @One(WhatIfApprovalsResponse) approvals!: WhatIfApprovals;
}

export class SimulationCustomersResponse {
  @Many(WhatIfRowResponse) items!: WhatIfRow[];
}

export class SimulationDocumentResponse {
  @InstantOrNull() asOf!: string | null;
  @TextOrNull() customerId!: string | null;
  @Int() customers!: number;
  @Text() draftHash!: string;
  @BigText() ledgerSequence!: string;
  @Many(WhatIfRowResponse) rows!: WhatIfRow[];
  @One(WhatIfSummaryResponse) summary!: WhatIfSummary;
}
