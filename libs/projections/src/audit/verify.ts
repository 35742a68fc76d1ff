import { DataSource } from 'typeorm';
import { CustomerState, canonicalJson, serializeState } from '@credit-ledger/domain';
import {
  LedgerReader,
  PolicyStore,
  RecordedGradeChange,
  StoredEvent,
  settledHead,
} from '@credit-ledger/ledger-store';
import { replayStream } from '../as-of-replay';
import { GradeHistoryRow } from './grade-history-row';
import { customerStreams } from '../rebuild/customer-streams';

export type DifferenceKind =
  'state' | 'grade-history' | 'missing-position' | 'orphan-position' | 'unappliable-event' | 'stream-gap';

export interface Difference {
  customerId: string;
  kind: DifferenceKind;
  detail: string;
}

export interface VerifyOptions {
  customerId?: string;
  /** ISO instant: replay each stream up to its last event that occurred at or before it (a prefix). */
  until?: string;
  pageSize?: number;
  /** Customers compared per round trip (default 500). */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface VerifyResult {
  customers: number;
  events: number;
  gradeChanges: number;
  /** Customers whose current state was not compared: --until cut their stream, or they moved on meanwhile. */
  statesNotCompared: number;
  /** The ledger sequence the verification covers (the settled head when it started). */
  headSequence: string;
  differences: Difference[];
}

interface Folded {
  customerId: string;
  state: CustomerState;
  /** The stream was cut by --until: only grade history up to lastSequence is comparable. */
  partial: boolean;
  lastSequence: string;
  gradeChanges: RecordedGradeChange[];
}

interface StoredGradeRow extends GradeHistoryRow {
  customer_id: string;
}

/**
 * The auditor's proof: re-computes every customer's state and grade history from the ledger, each event rated
 * with the policy version in force at its sequence, and compares them with what is stored — the canonical
 * state bytes in customer_positions and every grade_history row (grades, scores, policy version, the full
 * rating with its factors). It covers the ledger up to the settled head taken at the start, so it
 * can run next to live ingestion (a customer that moved on meanwhile is counted in statesNotCompared).
 */
export async function verifyProjections(ds: DataSource, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const policies = new PolicyStore(ds);
  await policies.load();
  const reader = new LedgerReader(ds);
  // Settled: no append can still commit a sequence <= head, so the replay below sees every event up to it.
  const { sequence: head } = await settledHead(ds);
  const [{ total }] = await ds.query(
    `SELECT count(*)::int AS total FROM ledger_events WHERE sequence <= $1 AND ($2::text IS NULL OR customer_id = $2)`,
    [head, opts.customerId ?? null],
  );
  const result: VerifyResult = {
    customers: 0,
    events: 0,
    gradeChanges: 0,
    statesNotCompared: 0,
    headSequence: head,
    differences: [],
  };
  const until = opts.until === undefined ? undefined : new Date(opts.until).toISOString();
  let batch: Folded[] = [];
  const flush = async (): Promise<void> => {
    await compareBatch(ds, batch, head, result);
    batch = [];
  };
  for await (const stream of customerStreams(reader, {
    customerId: opts.customerId,
    untilSequence: head,
    pageSize: opts.pageSize,
  })) {
    // Completeness: a customer's stream versions run 1…n; a hole means an event is missing. (The global sequence
    // may have gaps from failed appends; it is an order, not a count.)
    const gap = stream.events.findIndex((e, i) => e.streamVersion !== i + 1);
    if (gap >= 0) {
      const e = stream.events[gap];
      result.differences.push({
        customerId: stream.customerId,
        kind: 'stream-gap',
        detail: `stream_version ${e.streamVersion} at sequence ${e.sequence} where ${gap + 1} was expected: an event of this customer is missing`,
      });
    }
    const events = until === undefined ? stream.events : prefixUntil(stream.events, until);
    const r = replayStream(stream.customerId, events, (s) => policies.inForceAt(s));
    for (const s of r.skipped) {
      result.differences.push({
        customerId: stream.customerId,
        kind: 'unappliable-event',
        detail: `event ${s.eventId} at sequence ${s.sequence} does not apply on replay: ${s.reason}`,
      });
    }
    batch.push({
      customerId: stream.customerId,
      state: r.state,
      partial: events.length < stream.events.length,
      lastSequence: events.length ? events[events.length - 1].sequence : '0',
      gradeChanges: r.gradeChanges,
    });
    result.customers++;
    result.events += stream.events.length;
    result.gradeChanges += r.gradeChanges.length;
    if (batch.length >= (opts.batch ?? 500)) {
      await flush();
      opts.onProgress?.(result.events, total);
    }
  }
  await flush();
  opts.onProgress?.(result.events, total);
  if (opts.customerId === undefined) {
    const orphans: Array<{ customer_id: string }> = await ds.query(
      `SELECT customer_id FROM customer_positions p
       WHERE NOT EXISTS (SELECT 1 FROM ledger_events l WHERE l.customer_id = p.customer_id) ORDER BY customer_id`,
    );
    for (const o of orphans) {
      result.differences.push({
        customerId: o.customer_id,
        kind: 'orphan-position',
        detail: 'customer_positions has a row for a customer with no ledger events',
      });
    }
  }
  return result;
}

/** The stream up to (not including) its first event that occurred after `until`: a prefix, as the writer saw it. */
function prefixUntil(events: StoredEvent[], until: string): StoredEvent[] {
  const cut = events.findIndex((e) => e.event.occurredAt > until);
  return cut === -1 ? events : events.slice(0, cut);
}

async function compareBatch(ds: DataSource, batch: Folded[], head: string, out: VerifyResult): Promise<void> {
  if (batch.length === 0) return;
  const ids = batch.map((b) => b.customerId);
  const positions: Array<{ customer_id: string; state: string; last_sequence: string }> = await ds.query(
    `SELECT customer_id, state, last_sequence::text AS last_sequence FROM customer_positions WHERE customer_id = ANY($1)`,
    [ids],
  );
  const history: StoredGradeRow[] = await ds.query(
    `SELECT customer_id, sequence::text AS sequence, event_id, event_type, rated_at, from_grade, to_grade, from_score,
            to_score, policy_version, rating
     FROM grade_history WHERE customer_id = ANY($1) AND sequence <= $2 ORDER BY customer_id, sequence`,
    [ids, head],
  );
  const positionOf = new Map(positions.map((p) => [p.customer_id, p]));
  const historyOf = new Map<string, StoredGradeRow[]>();
  for (const h of history) {
    const list = historyOf.get(h.customer_id) ?? [];
    list.push(h);
    historyOf.set(h.customer_id, list);
  }
  for (const f of batch) {
    const stored = positionOf.get(f.customerId);
    if (!stored) {
      out.differences.push({
        customerId: f.customerId,
        kind: 'missing-position',
        detail: 'the ledger has events for this customer but customer_positions has no row',
      });
    } else if (f.partial || BigInt(stored.last_sequence) > BigInt(head)) {
      out.statesNotCompared++;
    } else {
      const replayed = serializeState(f.state);
      if (replayed !== stored.state) {
        out.differences.push({
          customerId: f.customerId,
          kind: 'state',
          detail: describeStateDiff(stored.state, replayed),
        });
      }
    }
    const rows = (historyOf.get(f.customerId) ?? []).filter(
      (h) => BigInt(h.sequence) <= BigInt(f.lastSequence),
    );
    compareGradeHistory(f.customerId, rows, f.gradeChanges, out.differences);
  }
}

function compareGradeHistory(
  customerId: string,
  stored: StoredGradeRow[],
  replayed: RecordedGradeChange[],
  out: Difference[],
): void {
  const storedBySeq = new Map(stored.map((r) => [r.sequence, r]));
  const replayedBySeq = new Map(replayed.map((r) => [r.sequence, r]));
  for (const r of replayed) {
    const s = storedBySeq.get(r.sequence);
    if (!s) {
      out.push({
        customerId,
        kind: 'grade-history',
        detail: `sequence ${r.sequence}: replay changes the grade ${r.fromGrade ?? '—'} -> ${r.toGrade} (score ${r.toScore}, policy v${r.policyVersion}) but grade_history has no row`,
      });
      continue;
    }
    const expected = canonicalJson(gradeRowOf(r));
    const actual = canonicalJson({
      eventId: s.event_id,
      eventType: s.event_type,
      ratedAt: new Date(s.rated_at).toISOString(),
      fromGrade: s.from_grade,
      toGrade: s.to_grade,
      fromScore: s.from_score,
      toScore: s.to_score,
      policyVersion: s.policy_version,
      rating: s.rating,
    });
    if (expected !== actual) {
      out.push({
        customerId,
        kind: 'grade-history',
        detail: `sequence ${r.sequence}: stored ${s.from_grade ?? '—'} -> ${s.to_grade} (score ${s.to_score}, policy v${s.policy_version}), replayed ${r.fromGrade ?? '—'} -> ${r.toGrade} (score ${r.toScore}, policy v${r.policyVersion})${s.to_grade === r.toGrade && s.to_score === r.toScore ? '; the recorded ratings differ (factors, time or event)' : ''}`,
      });
    }
  }
  for (const s of stored) {
    if (!replayedBySeq.has(s.sequence)) {
      out.push({
        customerId,
        kind: 'grade-history',
        detail: `sequence ${s.sequence}: grade_history records ${s.from_grade ?? '—'} -> ${s.to_grade} but replay does not change the grade there`,
      });
    }
  }
}

function gradeRowOf(r: RecordedGradeChange): Record<string, unknown> {
  return {
    eventId: r.eventId,
    eventType: r.eventType,
    ratedAt: r.ratedAt,
    fromGrade: r.fromGrade,
    toGrade: r.toGrade,
    fromScore: r.fromScore,
    toScore: r.toScore,
    policyVersion: r.policyVersion,
    rating: r.rating,
  };
}

/** Names the top-level state fields that differ, so a report says where to look without dumping both states. */
function describeStateDiff(stored: string, replayed: string): string {
  let a: Record<string, unknown>;
  let b: Record<string, unknown>;
  try {
    a = JSON.parse(stored);
    b = JSON.parse(replayed);
  } catch {
    return 'stored state is not valid JSON';
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const differing = keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
  return differing.length
    ? `stored state differs from replay in: ${differing.join(', ')}`
    : 'stored state bytes are not canonical (same content, different bytes)';
}
