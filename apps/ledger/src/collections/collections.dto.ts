import { IdField, IntField, OneOfField } from '../api/fields';
import { Amount, Instant, InstantOrNull, Int, Many, OneOf, Text, TextOrNull, Texts } from '../api/schema';
import type { CollectionTaskView } from './collection-tasks';

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
  @TextOrNull('paid, written-off, disputed, unfrozen or superseded') closeReason!: string | null;
}

export class CollectionTaskListResponse {
  @Many(CollectionTaskResponse) items!: CollectionTaskView[];
  @Int('tasks matching, before the limit') total!: number;
}
