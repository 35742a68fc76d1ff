/** The collections part of CustomerState: the customer's open collection tasks (closed ones leave the state). */
import { StateReader, type Json } from '../customer/state-reader';
import type { CollectionStep } from './control-events';
import type { CollectionTrigger } from './collection-events';

export interface OpenTaskState {
  taskId: string;
  trigger: CollectionTrigger;
  step: CollectionStep | null;
  invoiceIds: string[];
}

export interface CollectionState {
  /** Open tasks by taskId, in opening order. */
  openTasks: Map<string, OpenTaskState>;
}

export function initialCollections(): CollectionState {
  return { openTasks: new Map() };
}

export function cloneCollections(s: CollectionState): CollectionState {
  const openTasks = new Map<string, OpenTaskState>();
  for (const [k, t] of s.openTasks) openTasks.set(k, { ...t, invoiceIds: t.invoiceIds.slice() });
  return { openTasks };
}

/** Only when there are open tasks, so a state without collections keeps its earlier bytes. */
export function writeCollections(snapshot: Record<string, unknown>, s: CollectionState): void {
  if (s.openTasks.size > 0) snapshot.openTasks = [...s.openTasks.values()];
}

export function readCollections(data: Json, target: CollectionState, read: StateReader): void {
  if (!Array.isArray(data.openTasks)) return;
  for (const v of data.openTasks) {
    const t = read.obj(v, 'openTask');
    const taskId = read.str(t, 'taskId');
    target.openTasks.set(taskId, {
      taskId,
      trigger: read.str(t, 'trigger') as CollectionTrigger,
      step: read.strOrNull(t, 'step') as CollectionStep | null,
      invoiceIds: read.strings(t, 'invoiceIds'),
    });
  }
}
