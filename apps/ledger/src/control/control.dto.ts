import { HOLD_REASONS, type PolicyProposal } from '@credit-ledger/domain';
import type { PolicyProposalView } from '@credit-ledger/ledger-store';
import {
  AmountField,
  ApiDto,
  IdField,
  InstantField,
  IntField,
  OneOfField,
  PolicyField,
  ReasonField,
} from '../api/fields';
import {
  Amount,
  AppendedEventResponse,
  BigText,
  Instant,
  InstantOrNull,
  Int,
  Many,
  One,
  OneOf,
  Text,
  TextOrNull,
  Texts,
} from '../api/schema';
import { CUSTOMER_STATUSES } from '../customers/customers.dto';
import type { AppendedEvent } from './control-appender';
import { APPROVAL_KINDS } from '@credit-ledger/domain';
import type { ApprovalOutcome, CommandOutcome } from './commands';
import type { HeldOrderView, InboxItem, LimitRequestView } from './control-queries';
import type { ReviewResult } from './credit-review';

// ---- request bodies: one class per body; the field decorators validate and document each field ----

export class LimitRequestBody {
  @AmountField({ description: 'the limit asked for' }) newLimit!: string;
  @ReasonField() reason!: string;
  @IdField({
    optional: true,
    example: 'LR-2026-001',
    description: 'your id for the request (default: generated)',
  })
  requestId?: string;
}

export class ReasonBody {
  @ReasonField() reason!: string;
}

/** An action that takes no fields: any field sent is refused. */
@ApiDto()
export class NoBody {}

export class TemporaryLimitBody {
  @AmountField() amount!: string;
  @InstantField({ description: 'when the temporary limit ends' }) expiresAt!: string;
  @ReasonField() reason!: string;
}

export class HeldOrderDecisionBody {
  @IdField({ description: 'the customer whose order it is' }) customerId!: string;
  @ReasonField() reason!: string;
}

export class ReviewBody {
  @InstantField({ optional: true, description: 'review as of this instant (default: now)' }) at?: string;
}

export class ProposePolicyBody {
  @PolicyField() policy!: Record<string, unknown>;
  @ReasonField({ optional: true, example: 'raise the D band', description: 'why the policy changes' })
  note?: string;
  @IdField({
    optional: true,
    example: 'sim-5f0c2a1e-9d1b-4c6e-8a3f-1b2c3d4e5f60',
    description: 'a finished what-if run of exactly this policy: the proposal is refused (409) if it differs',
  })
  simulationId?: string;
}

export class RejectPolicyBody {
  @ReasonField({ example: 'the D band cut is too harsh', description: 'why it is rejected (recorded)' })
  reason!: string;
}

export class PolicyProposalsQueryDto {
  @OneOfField(['pending', 'adopted', 'rejected'], {
    optional: true,
    description: 'only proposals in this status',
  })
  status?: 'pending' | 'adopted' | 'rejected';
}

export class HeldOrdersQueryDto {
  @IntField(1, 1000, { example: 100 })
  limit = 100;
}

// ---- responses ----

export class CommandOutcomeResponse implements CommandOutcome {
  @Text() customerId!: string;
  @Many(AppendedEventResponse, 'the events the command appended, in order') events!: AppendedEvent[];
}

export class ApprovalOutcomeResponse extends CommandOutcomeResponse implements ApprovalOutcome {
  @Text() requestId!: string;
  @OneOf(['pending', 'done', 'rejected'], 'pending: waiting for approvals; done: in force') status!:
    'pending' | 'done' | 'rejected';
}

export class ApprovalResponse {
  @Text('principal') by!: string;
  @Text() role!: string;
  @Instant() at!: string;
}

export class LimitRequestResponse implements LimitRequestView {
  @Text() requestId!: string;
  @OneOf(APPROVAL_KINDS) kind!: string;
  @OneOf(['pending', 'approved', 'rejected', 'expired']) status!: string;
  @Amount(
    'what it is routed by: the limit asked for (initial, increase, decrease), the temporary amount, the order amount or the limit a freeze concerns',
  )
  newLimit!: string;
  @Amount() currentLimit!: string;
  @TextOrNull() currency!: string | null;
  @InstantOrNull('temporary: when the temporary limit ends') validUntil!: string | null;
  @TextOrNull('order-release: the held order') orderId!: string | null;
  @TextOrNull('the grade when it was requested') grade!: string | null;
  @Text() reason!: string;
  @Text() requestedBy!: string;
  @Instant() requestedAt!: string;
  @InstantOrNull('requests made before reminders existed only') expiresAt!: string | null;
  @Int('the policy tier routing it now (0 = lowest)') tier!: number;
  @Int('reminders sent') reminders!: number;
  @Texts('roles the tier needs, one entry per approver ("cfo|general-manager": either)') required!: string[];
  @Texts('entries still to approve (pending requests)') missing!: string[];
  @Many(ApprovalResponse) approvals!: LimitRequestView['approvals'];
  @InstantOrNull() closedAt!: string | null;
  @TextOrNull() closedBy!: string | null;
  @TextOrNull() closeReason!: string | null;
}

export class LimitRequestListResponse {
  @Many(LimitRequestResponse) items!: LimitRequestView[];
}

export class InboxPositionResponse {
  @Amount() creditLimit!: string;
  @Amount() exposure!: string;
  @Amount('credit available now (limit plus running temporary limit, minus exposure)') available!: string;
  @OneOf(CUSTOMER_STATUSES) status!: string;
  @TextOrNull('the current grade') grade!: string | null;
}

export class InboxItemResponse extends LimitRequestResponse implements InboxItem {
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @One(InboxPositionResponse, "the customer's position now") position!: InboxItem['position'];
}

export class PolicyProposalResponse implements PolicyProposalView {
  @Text() proposalId!: string;
  @Int('the version it would put in force') version!: number;
  @Text("sha256 of the validated policy's canonical JSON") hash!: string;
  @Text() proposedBy!: string;
  @Text() proposedRole!: string;
  @Instant() proposedAt!: string;
  @OneOf(['pending', 'adopted', 'rejected']) status!: PolicyProposal['status'];
  @Many(ApprovalResponse) approvals!: Array<{ by: string; role: string; at: string }>;
  @Texts('approval entries still missing under the policy in force ("a|b": either role)') missing!: string[];
  @TextOrNull() note!: string | null;
  @TextOrNull('the what-if run it was proposed from') simulationId!: string | null;
  @InstantOrNull() closedAt!: string | null;
  @TextOrNull('who rejected it') closedBy!: string | null;
  @TextOrNull('why it was rejected') closeReason!: string | null;
}

export class InboxResponse {
  @Many(InboxItemResponse, 'requests the caller may approve now, oldest first') items!: InboxItem[];
  @Many(PolicyProposalResponse, 'policy proposals the caller may approve now, oldest first')
  policyProposals!: PolicyProposalView[];
}

export class HeldOrderResponse implements HeldOrderView {
  @Text() customerId!: string;
  @TextOrNull() name!: string | null;
  @Text() orderId!: string;
  @Amount() amount!: string;
  @TextOrNull() currency!: string | null;
  @OneOf(CUSTOMER_STATUSES, "the customer's status") status!: string;
  @TextOrNull(
    `why the order credit check held it: ${HOLD_REASONS.join(', ')} (null in a state stored before reasons were kept; a rebuild fills it)`,
  )
  reason!: string | null;
}

export class HeldOrderListResponse {
  @Many(HeldOrderResponse) items!: HeldOrderView[];
  @Int('held orders in all') total!: number;
}

export class ReviewEventResponse {
  @Text() customerId!: string;
  @BigText() sequence!: string;
  @Text() type!: string;
  @Text() eventId!: string;
}

export class ReviewResponse implements ReviewResult {
  @Instant() at!: string;
  @Int('customers reviewed') customers!: number;
  @Int('events appended') appended!: number;
  @Many(ReviewEventResponse) events!: ReviewResult['events'];
}
