import { CustomerState } from '@credit-ledger/domain';
import {
  CustomerRange,
  LedgerReader,
  PolicyStore,
  PortablePgConfig,
  Query,
  Queryable,
  RecordedGradeChange,
  insertGradeChanges,
  upsertPositions,
} from '@credit-ledger/ledger-store';
import { replayStream } from '../as-of-replay';
import { customerStreams } from './customer-streams';

/** The shadow table of each projection a rebuild replaces is `${table}${SHADOW}`, same DDL. */
export const SHADOW = '_rebuild';

/** One share of a rebuild's replay: the customers of `range`, each stream cut at `untilSequence`. */
export interface ReplayShare {
  range: CustomerRange;
  untilSequence: string;
  pageSize: number;
  writeBatch: number;
}

export interface ReplayCounts {
  events: number;
  customers: number;
  gradeChanges: number;
}

/** What the main thread hands a rebuild worker (rebuild-worker.ts), and what the worker sends back. */
export interface RebuildWorkerData {
  connection: PortablePgConfig;
  share: ReplayShare;
}
export type RebuildWorkerMessage =
  | { kind: 'batch'; counts: ReplayCounts }
  | { kind: 'done'; counts: ReplayCounts }
  | { kind: 'failed'; error: string };

/**
 * Phase 1 of a rebuild for one share of the customers, in the main thread or a worker: every stream of the range
 * folded with the policy in force at each event's sequence and written to the shadow tables in batches of
 * `writeBatch` customers. `onBatch` hears the counts of each batch as it is handed to the writer.
 */
export async function replayCustomers(
  db: Queryable,
  policies: PolicyStore,
  share: ReplayShare,
  onBatch: (batch: ReplayCounts) => void,
): Promise<ReplayCounts> {
  const q: Query = (sql, params) => db.query(sql, params);
  const total: ReplayCounts = { events: 0, customers: 0, gradeChanges: 0 };
  let batch: ReplayCounts = { events: 0, customers: 0, gradeChanges: 0 };
  let states: CustomerState[] = [];
  let changes: RecordedGradeChange[] = [];
  // One write in flight (its own pooled connection) while the next batch is folded: PostgreSQL writes on one
  // core while node folds on another.
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    const [s, c] = [states, changes];
    states = [];
    changes = [];
    batch.gradeChanges = c.length;
    total.gradeChanges += c.length;
    await writing;
    writing = (async () => {
      await upsertPositions(q, s, `customer_positions${SHADOW}`);
      await insertGradeChanges(q, c, `grade_history${SHADOW}`);
    })();
    writing.catch(() => undefined);
    onBatch(batch);
    batch = { events: 0, customers: 0, gradeChanges: 0 };
  };
  const reader = new LedgerReader(db);
  const streams = customerStreams(reader, {
    untilSequence: share.untilSequence,
    pageSize: share.pageSize,
    range: share.range,
  });
  for await (const stream of streams) {
    const r = replayStream(stream.customerId, stream.events, (s) => policies.inForceAt(s));
    states.push(r.state);
    changes.push(...r.gradeChanges);
    batch.events += stream.events.length;
    batch.customers++;
    total.events += stream.events.length;
    total.customers++;
    if (states.length >= share.writeBatch) await flush();
  }
  await flush();
  await writing;
  return total;
}
