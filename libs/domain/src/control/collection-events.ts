/**
 * Collection tasks (seed 004 监控与预警: "触发催收流程,生成催收任务给到对应负责人"): work items for the person
 * responsible for a customer, opened when the customer is frozen or an invoice reaches a collections step, and
 * closed when what they were about is cleared. Control events of the customer's stream, published on
 * `credit.tasks.collections`; amounts are bigint minor units of the customer's currency.
 */
import { formatAmount } from '../money';
import type { StoredFields } from './stored-fields';

export const COLLECTION_EVENT_TYPES = [
  'CollectionTaskOpened',
  'CollectionActionRecorded',
  'CollectionTaskClosed',
] as const;
export type CollectionEventType = (typeof COLLECTION_EVENT_TYPES)[number];

export const COLLECTIONS_TOPIC = 'credit.tasks.collections';

/** In ladder order: 'pre-due' comes before the due date (seed 000 提前提醒付款节点), 'legal' last (seed 002). */
export const COLLECTION_STEPS = ['pre-due', 'reminder', 'formal-notice', 'escalation', 'legal'] as const;
export type CollectionStep = (typeof COLLECTION_STEPS)[number];

/** 'freeze': the customer was frozen for overdue invoices; 'step': an invoice reached a collections step. */
export type CollectionTrigger = 'freeze' | 'step';

/**
 * Why a task closed: the invoice was paid (or credited) in full, written off or disputed (collections pause),
 * the customer was unfrozen, or a later step of the same invoice replaced it; or the person working it closed it
 * ('resolved', after a `close` action).
 */
export const TASK_CLOSE_REASONS = [
  'paid',
  'written-off',
  'disputed',
  'unfrozen',
  'superseded',
  'resolved',
] as const;
export type TaskCloseReason = (typeof TASK_CLOSE_REASONS)[number];

export interface CollectionTaskOpenedPayload {
  taskId: string;
  /** The responsible person: the credit file's account owner id, or the policy's default queue. */
  owner: string;
  trigger: CollectionTrigger;
  /** The collections step reached (null for a freeze task). */
  step: CollectionStep | null;
  /** The ladder the customer's segment follows. */
  ladder: string;
  invoiceIds: string[];
  /** What is due: the open amount of `invoiceIds` when the task opened. */
  amountDue: bigint;
  /** Days past due of the oldest of `invoiceIds` (negative before the due date). */
  daysPastDue: number;
}

/** What the person working a task records: a contact made, a promise to pay, or closing it. */
export const COLLECTION_ACTIONS = ['contact', 'promise', 'close'] as const;
export type CollectionAction = (typeof COLLECTION_ACTIONS)[number];

export interface CollectionActionRecordedPayload {
  taskId: string;
  action: CollectionAction;
  note: string;
  /** A promise's day and amount (minor units of the customer's currency); null for the other actions. */
  promisedOn: string | null;
  promisedAmount: bigint | null;
  by: string;
}

export interface CollectionTaskClosedPayload {
  taskId: string;
  reason: TaskCloseReason;
  /** The event that cleared it. */
  causeEventId: string;
}

export interface CollectionPayloadMap {
  CollectionTaskOpened: CollectionTaskOpenedPayload;
  CollectionActionRecorded: CollectionActionRecordedPayload;
  CollectionTaskClosed: CollectionTaskClosedPayload;
}

export type CollectionEvent = {
  [T in CollectionEventType]: { type: T; payload: CollectionPayloadMap[T] };
}[CollectionEventType];

const SET: ReadonlySet<string> = new Set(COLLECTION_EVENT_TYPES);

export function isCollectionType(type: string): type is CollectionEventType {
  return SET.has(type);
}

export function isCollectionEvent<E extends { type: string }>(event: E): event is E & CollectionEvent {
  return SET.has(event.type);
}

/** JSON-safe payload (bigints as minor-unit integer strings). */
export function storedCollectionPayload(event: CollectionEvent): Record<string, unknown> {
  if (event.type === 'CollectionTaskClosed') return { ...event.payload };
  if (event.type === 'CollectionActionRecorded') {
    const a = event.payload;
    return { ...a, promisedAmount: a.promisedAmount === null ? null : a.promisedAmount.toString() };
  }
  const p = event.payload;
  return { ...p, invoiceIds: p.invoiceIds.slice(), amountDue: p.amountDue.toString() };
}

export function collectionPayloadFromStored(
  type: CollectionEventType,
  f: StoredFields,
): CollectionEvent['payload'] {
  if (type === 'CollectionTaskClosed') {
    const reason = f.str('reason');
    if (!(TASK_CLOSE_REASONS as readonly string[]).includes(reason))
      f.bad(`payload.reason ${JSON.stringify(reason)} is not a task close reason`);
    return {
      taskId: f.str('taskId'),
      reason: reason as TaskCloseReason,
      causeEventId: f.str('causeEventId'),
    };
  }
  if (type === 'CollectionActionRecorded') {
    const action = f.str('action');
    if (!(COLLECTION_ACTIONS as readonly string[]).includes(action))
      f.bad(`payload.action ${JSON.stringify(action)} is not a collection action`);
    return {
      taskId: f.str('taskId'),
      action: action as CollectionAction,
      note: f.str('note'),
      promisedOn: f.strOrNull('promisedOn'),
      promisedAmount: f.strOrNull('promisedAmount') === null ? null : f.amount('promisedAmount'),
      by: f.str('by'),
    };
  }
  const trigger = f.str('trigger');
  if (trigger !== 'freeze' && trigger !== 'step')
    f.bad(`payload.trigger ${JSON.stringify(trigger)} is unknown`);
  return {
    taskId: f.str('taskId'),
    owner: f.str('owner'),
    trigger: trigger as CollectionTrigger,
    step: f.strOrNull('step') as CollectionStep | null,
    ladder: f.str('ladder'),
    invoiceIds: f.strings('invoiceIds'),
    amountDue: f.amount('amountDue'),
    daysPastDue: f.int('daysPastDue'),
  };
}

/** Alert details: amounts as decimal strings of `currency`. */
export function collectionAlertDetails(event: CollectionEvent, currency: string): Record<string, unknown> {
  if (event.type === 'CollectionTaskClosed') return { ...event.payload };
  if (event.type === 'CollectionActionRecorded') {
    const a = event.payload;
    return {
      ...a,
      promisedAmount: a.promisedAmount === null ? null : formatAmount(a.promisedAmount, currency),
      currency,
    };
  }
  const p = event.payload;
  return {
    ...p,
    invoiceIds: p.invoiceIds.slice(),
    amountDue: formatAmount(p.amountDue, currency),
    currency,
  };
}
