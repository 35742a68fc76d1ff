import { COLLECTION_ACTIONS, type CollectionAction } from '@credit-ledger/domain';
import { AmountField, IdField, IntField, OneOfField, PatternField, ReasonField } from '../api/fields';
import {
  Amount,
  Instant,
  InstantOrNull,
  Int,
  Many,
  OneOf,
  OneOrNull,
  Text,
  TextOrNull,
  Texts,
} from '../api/schema';
import type { CollectionActionView, CollectionTaskView } from './collection-tasks';

export const TASK_STATUSES = ['open', 'closed', 'all'] as const;

export class CollectionTasksQueryDto {
  @IdField({
    optional: true,
    example: 'u-ana',
    description: "the responsible person (the credit file's account owner id) or the policy's queue",
  })
  owner?: string;
  @OneOfField(TASK_STATUSES, { optional: true, example: 'open', description: 'default open' })
  status: (typeof TASK_STATUSES)[number] = 'open';
  @IntField(1, 1000, { example: 100 })
  limit = 100;
}

export class CollectionActionResponse implements CollectionActionView {
  @OneOf(COLLECTION_ACTIONS) action!: string;
  @Text() note!: string;
  @TextOrNull('promise: the day') promisedOn!: string | null;
  @TextOrNull('promise: the amount, decimal in the currency') promisedAmount!: string | null;
  @Text() by!: string;
  @Instant() at!: string;
}

export class CollectionTaskResponse implements CollectionTaskView {
  @Text() taskId!: string;
  @Text() customerId!: string;
  @Text('account owner id or queue') owner!: string;
  @OneOf(['open', 'closed']) status!: 'open' | 'closed';
  @OneOf(['freeze', 'step']) trigger!: string;
  @TextOrNull('collections step (null for a freeze task)') step!: string | null;
  @Text('ladder of the customer segment') ladder!: string;
  @Texts() invoiceIds!: string[];
  @Amount('open amount of the invoices when the task opened') amountDue!: string;
  @Text() currency!: string;
  @Int('days past due of the oldest invoice (negative before the due date)') daysPastDue!: number;
  @Instant() openedAt!: string;
  @Text('ledger sequence of CollectionTaskOpened') openedSequence!: string;
  @InstantOrNull() closedAt!: string | null;
  @TextOrNull('paid, written-off, disputed, unfrozen, superseded or resolved (closed by a person)')
  closeReason!: string | null;
  @OneOrNull(CollectionActionResponse, 'the latest action recorded on the task')
  lastAction!: CollectionActionView | null;
}

export class CollectionTaskListResponse {
  @Many(CollectionTaskResponse) items!: CollectionTaskView[];
  @Int('tasks matching, before the limit') total!: number;
}

export class CollectionActionBody {
  @IdField({ description: 'the customer whose task it is' }) customerId!: string;
  @OneOfField(COLLECTION_ACTIONS, {
    description:
      'contact: a contact made; promise: a promise to pay (day and amount); close: the task is done',
  })
  action!: CollectionAction;
  @ReasonField({ description: 'what was said or agreed' }) note!: string;
  @PatternField(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD', {
    optional: true,
    example: '2026-07-10',
    description: 'promise only: the day the customer will pay (not before today)',
  })
  promisedOn?: string;
  @AmountField({ optional: true, example: '1500.00', description: 'promise only: the amount promised' })
  promisedAmount?: string;
}
