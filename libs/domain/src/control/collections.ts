/**
 * Collections, pure: which ladder a customer follows (by segment), and the collection tasks that follow an
 * applied event — opened when the customer is frozen for overdue invoices or an invoice reaches a ladder step,
 * closed when what they were about is cleared. Called after every applied event (see applyControlChain), so a
 * task closes in the same transaction as the payment, write-off, dispute or unfreeze that cleared it.
 */
import type { CustomerState, InvoiceState } from '../customer/state';
import type { Decision } from '../customer/decision';
import { dayNumber } from '../dates';
import type { GradePolicy } from '../rating/policy';
import { DEFAULT_CUSTOMER_TYPE } from '../contract/payloads';
import { ACCEPT, invalid } from './control-decision';
import { controlEvent, type CollectionStep, type ControlEvent, type LedgerEvent } from './control-events';
import {
  isCollectionEvent,
  type CollectionAction,
  type CollectionEvent,
  type CollectionTrigger,
  type TaskCloseReason,
} from './collection-events';
import type { CommandResult } from './credit-control';
import type { Actor } from './limit-approval';
import type { LadderStep } from './collections-policy';

export interface Ladder {
  name: string;
  steps: readonly LadderStep[];
}

/** The ladder of the first segment the customer matches at day `atDay`, else the default one. */
export function ladderFor(state: CustomerState, policy: GradePolicy, atDay: number): Ladder {
  const grade = state.rating?.grade ?? null;
  const type = state.profile?.customerType ?? DEFAULT_CUSTOMER_TYPE;
  const tenure = state.onboardedAt === null ? 0 : atDay - dayNumber(state.onboardedAt.slice(0, 10));
  for (const s of policy.collectionSegments) {
    if (s.grades && (grade === null || !s.grades.includes(grade))) continue;
    if (s.customerTypes && !s.customerTypes.includes(type)) continue;
    if (s.minTenureDays !== undefined && tenure < s.minTenureDays) continue;
    const steps = policy.collectionLadders[s.ladder];
    if (steps) return { name: s.ladder, steps };
  }
  return { name: 'default', steps: policy.collectionsSteps };
}

/** Who works a customer's tasks: the credit file's account owner, else the policy's queue. */
export function taskOwner(state: CustomerState, policy: GradePolicy): string {
  return state.personal?.accountOwner?.id ?? policy.collectionsQueue;
}

/** Why collections no longer chase an invoice, or null while they do. */
function cleared(inv: InvoiceState | undefined): TaskCloseReason | null {
  if (inv === undefined) return null;
  if (inv.writtenOffOn !== null) return 'written-off';
  if (inv.open === 0n) return 'paid';
  if (inv.disputed) return 'disputed';
  return null;
}

interface TaskSpec {
  taskId: string;
  trigger: CollectionTrigger;
  step: CollectionStep | null;
  ladder: string;
  invoiceIds: string[];
}

/** Opens a task with what is due now: the open amount of its invoices, and how late the oldest is. */
function opened(state: CustomerState, policy: GradePolicy, at: string, t: TaskSpec): ControlEvent {
  const atDay = dayNumber(at.slice(0, 10));
  let amountDue = 0n;
  let oldestDue: string | null = null;
  for (const id of t.invoiceIds) {
    const inv = state.invoices.get(id);
    if (!inv) continue;
    amountDue += inv.open;
    if (oldestDue === null || inv.dueOn < oldestDue) oldestDue = inv.dueOn;
  }
  return controlEvent('CollectionTaskOpened', `task-opened:${t.taskId}`, state.customerId, at, {
    ...t,
    invoiceIds: t.invoiceIds.slice(),
    owner: taskOwner(state, policy),
    amountDue,
    daysPastDue: oldestDue === null ? 0 : atDay - dayNumber(oldestDue),
  });
}

function closed(
  state: CustomerState,
  taskId: string,
  reason: TaskCloseReason,
  cause: string,
  at: string,
): ControlEvent {
  return controlEvent('CollectionTaskClosed', `task-closed:${taskId}`, state.customerId, at, {
    taskId,
    reason,
    causeEventId: cause,
  });
}

/**
 * The task events `event` (just applied to `state`) brings: tasks it clears are closed, and a freeze or a
 * ladder step opens one (a step replaces the invoice's task of the previous step). Ids derive from the task,
 * so re-deriving is a no-op.
 */
export function collectionFollowUps(
  state: CustomerState,
  event: LedgerEvent,
  policy: GradePolicy,
): ControlEvent[] {
  if (!state.onboarded || isCollectionEvent(event)) return [];
  const at = event.occurredAt;
  const out: ControlEvent[] = [];
  for (const t of state.openTasks.values()) {
    let reason: TaskCloseReason | null = null;
    if (t.trigger === 'freeze') {
      if (state.status !== 'frozen') reason = 'unfrozen';
    } else {
      reason = cleared(state.invoices.get(t.invoiceIds[0]));
      if (
        reason === null &&
        event.type === 'OverdueNoticeIssued' &&
        event.payload.invoiceId === t.invoiceIds[0] &&
        event.payload.step !== t.step
      )
        reason = 'superseded';
    }
    if (reason !== null) out.push(closed(state, t.taskId, reason, event.eventId, at));
  }
  if (event.type === 'OverdueNoticeIssued') {
    const p = event.payload;
    out.push(
      opened(state, policy, at, {
        taskId: `collection:${state.customerId}:${p.invoiceId}:${p.step}`,
        trigger: 'step',
        step: p.step,
        ladder: p.ladder ?? 'default',
        invoiceIds: [p.invoiceId],
      }),
    );
  } else if (event.type === 'CustomerFrozen' && event.payload.invoiceIds.length > 0) {
    out.push(
      opened(state, policy, at, {
        taskId: `collection:${event.eventId}`,
        trigger: 'freeze',
        step: null,
        ladder: ladderFor(state, policy, dayNumber(at.slice(0, 10))).name,
        invoiceIds: event.payload.invoiceIds,
      }),
    );
  }
  return out;
}

export interface CollectionActionInput {
  taskId: string;
  action: CollectionAction;
  note: string;
  /** For a promise: the day (YYYY-MM-DD, not before today) and the amount (minor units, > 0). */
  promisedOn?: string;
  promisedAmount?: bigint;
}

/**
 * The person working an open collection task records what happened (seed 004: 催收任务给到对应负责人): a contact,
 * a promise to pay (day and amount), or closing it — then the task closes ('resolved', caused by the action).
 * `id` makes the action's event id (one per action; a close's CollectionTaskClosed id is the task's own).
 */
export function recordCollectionAction(
  state: CustomerState,
  actor: Actor,
  at: string,
  input: CollectionActionInput,
  id: string,
): CommandResult {
  const refuse = (kind: 'not-found' | 'conflict' | 'bad-request', message: string): CommandResult => ({
    ok: false,
    kind,
    message,
  });
  if (!state.onboarded) return refuse('not-found', `customer ${state.customerId} is not in the ledger`);
  if (!state.openTasks.has(input.taskId))
    return refuse('conflict', `collection task ${input.taskId} is not open for customer ${state.customerId}`);
  const promise = input.action === 'promise';
  if (promise && (input.promisedOn === undefined || input.promisedAmount === undefined))
    return refuse('bad-request', 'a promise needs promisedOn and promisedAmount');
  if (!promise && (input.promisedOn !== undefined || input.promisedAmount !== undefined))
    return refuse('bad-request', `promisedOn and promisedAmount belong to a promise, not a ${input.action}`);
  if (promise && input.promisedOn! < at.slice(0, 10))
    return refuse('bad-request', `promisedOn ${input.promisedOn} is before today (${at.slice(0, 10)})`);
  if (promise && input.promisedAmount! <= 0n) return refuse('bad-request', 'promisedAmount must be above 0');
  const action = controlEvent(
    'CollectionActionRecorded',
    `task-action:${input.taskId}:${id}`,
    state.customerId,
    at,
    {
      taskId: input.taskId,
      action: input.action,
      note: input.note,
      promisedOn: input.promisedOn ?? null,
      promisedAmount: input.promisedAmount ?? null,
      by: actor.name,
    },
  );
  const events: ControlEvent[] = [action];
  if (input.action === 'close') events.push(closed(state, input.taskId, 'resolved', action.eventId, at));
  return { ok: true, events };
}

export function decideCollection(state: CustomerState, event: CollectionEvent): Decision {
  const open = state.openTasks.has(event.payload.taskId);
  if (event.type === 'CollectionTaskOpened')
    return open ? invalid(`task ${event.payload.taskId} is already open`) : ACCEPT;
  return open ? ACCEPT : invalid(`task ${event.payload.taskId} is not open`);
}

export function mutateCollection(state: CustomerState, event: CollectionEvent): void {
  const p = event.payload;
  // An action is the record of work done on the task; a close action is followed by its CollectionTaskClosed.
  if (event.type === 'CollectionActionRecorded') return;
  if (event.type === 'CollectionTaskClosed') {
    state.openTasks.delete(p.taskId);
    return;
  }
  const o = event.payload;
  state.openTasks.set(o.taskId, {
    taskId: o.taskId,
    trigger: o.trigger,
    step: o.step,
    invoiceIds: o.invoiceIds.slice(),
  });
}
