import { DataSource } from 'typeorm';
import {
  FactorName,
  FactorModel,
  FactorScore,
  GradeTerms,
  Rating,
  canonicalJson,
  factorModel,
  isControlEvent,
  toStoredPayload,
  toWireEvent,
} from '@credit-ledger/domain';
import { LedgerReader, PolicyStore, StoredEvent } from '@credit-ledger/ledger-store';
import { PositionView, toPositionView } from '../position-view';
import { TraceStep, traceStream } from './trace';
import { GradeHistoryRow } from './grade-history-row';

export interface FactorValues {
  /** history | profile | blend (assessment policies); null for a five-factor rating. */
  model: FactorModel | null;
  raw: FactorScore['raw'];
  normalised: number;
  weight: number;
  /** weight × normalised, in hundredths of a score point. */
  contribution: number;
}

export interface FactorExplanation extends FactorValues {
  factor: FactorName;
  /** The factor just before the triggering event (null for a customer's first rating). */
  before: FactorValues | null;
  delta: { normalised: number; contribution: number };
  /** Ids of the events that moved this factor since the previous grade change (see the attribution rule). */
  movedBy: string[];
  /** Elapsed time (aging, windows, tenure) moved it since the previous grade change. */
  movedByTime: boolean;
  /** A policy version change moved it since the previous grade change. */
  movedByPolicy: boolean;
}

export interface GradeChangeExplanation {
  sequence: string;
  ratedAt: string;
  occurredAt: string | null;
  trigger: {
    kind: 'event' | 'rerating';
    eventId: string;
    eventType: string;
    /** For a CustomerRerated control event: scheduled, policy-change or manual. */
    rerating: string | null;
  };
  from: { grade: string | null; score: number | null };
  to: { grade: string; score: number };
  /** The segment that graded the customer and the terms the new grade carries (null: a five-factor rating). */
  segment: string | null;
  terms: GradeTerms | null;
  policyVersion: number;
  previousPolicyVersion: number | null;
  factors: FactorExplanation[];
  /** The events since the previous grade change that moved at least one factor, oldest first. */
  events: Array<{
    sequence: string;
    eventId: string;
    type: string;
    occurredAt: string;
    factors: FactorName[];
  }>;
  /** Whether replaying the ledger with the recorded policy versions gives exactly the stored rating. */
  reproduced: boolean;
}

export interface GradeHistoryView {
  customerId: string;
  changes: GradeChangeExplanation[];
}

export interface ExplainView {
  customerId: string;
  at: string;
  change: GradeChangeExplanation;
  positionBefore: PositionView | null;
  positionAfter: PositionView | null;
}

export interface TimelineEntry {
  sequence: string;
  streamVersion: number;
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  source: string;
  payload: Record<string, unknown>;
  /** The customer's position right after the event, aging measured at the event's rating time. */
  after: {
    exposure: string;
    available: string;
    openReceivables: string;
    openOrders: string;
    aging: PositionView['aging'];
    score: number | null;
    grade: string | null;
  } | null;
}

export interface TimelineView {
  customerId: string;
  from: string | null;
  to: string | null;
  items: TimelineEntry[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

export interface TimelineQuery {
  from?: string;
  to?: string;
  limit: number;
  /** Sequence of the last entry already seen. */
  cursor?: string;
}

interface StoredChangeRow extends GradeHistoryRow {
  occurred_at: Date | null;
  trigger: string | null;
}

const values = (rating: Rating, f: FactorScore): FactorValues => ({
  model: factorModel(rating, f.factor),
  raw: f.raw,
  normalised: f.normalised,
  weight: f.weight,
  contribution: f.contribution,
});

/** Audit read side: grade history with explanations, explain-at, and the per-event timeline — all by replay. */
export class AuditQueries {
  private readonly reader: LedgerReader;

  constructor(
    private readonly ds: DataSource,
    private readonly policies: PolicyStore,
  ) {
    this.reader = new LedgerReader(ds);
  }

  /** null when the customer has no ledger events. */
  async gradeHistory(customerId: string): Promise<GradeHistoryView | null> {
    const traced = await this.trace(customerId, false);
    if (!traced) return null;
    const rows: StoredChangeRow[] = await this.ds.query(
      `SELECT g.sequence::text AS sequence, g.event_id, g.event_type, g.rated_at, g.from_grade, g.to_grade, g.from_score,
              g.to_score, g.policy_version, g.rating, l.occurred_at,
              CASE WHEN g.event_type = 'CustomerRerated' THEN l.payload->>'trigger' END AS trigger
       FROM grade_history g LEFT JOIN ledger_events l ON l.sequence = g.sequence
       WHERE g.customer_id = $1 ORDER BY g.sequence`,
      [customerId],
    );
    return { customerId, changes: explainChanges(rows, traced) };
  }

  /** The grade change at or just before `at` (by rating time), with the position before and after it. */
  async explain(customerId: string, at: string): Promise<ExplainView | null> {
    const history = await this.gradeHistory(customerId);
    const change = history?.changes.filter((c) => c.ratedAt <= at).pop();
    if (!change) return null;
    const steps = (await this.trace(customerId, true)) ?? [];
    const step = steps.find((s) => s.stored.sequence === change.sequence);
    const view = (p: TraceStep['positionBefore'], rating: Rating | null, e: StoredEvent | null) =>
      p === null
        ? null
        : toPositionView(p, rating, {
            ledgerSequence: e?.sequence ?? '0',
            streamVersion: e?.streamVersion ?? 0,
          });
    const index = step ? steps.indexOf(step) : -1;
    return {
      customerId,
      at,
      change,
      positionBefore: step
        ? view(step.positionBefore, step.before, index > 0 ? steps[index - 1].stored : null)
        : null,
      positionAfter: step ? view(step.positionAfter, step.after, step.stored) : null,
    };
  }

  /** Ledger events that occurred in [from, to], with the running position after each; paged by sequence. */
  async timeline(customerId: string, q: TimelineQuery): Promise<TimelineView | null> {
    const steps = await this.trace(customerId, true);
    if (!steps) return null;
    const cursor = q.cursor === undefined ? null : BigInt(q.cursor);
    const inWindow = steps.filter(
      (s) =>
        (q.from === undefined || s.stored.event.occurredAt >= q.from) &&
        (q.to === undefined || s.stored.event.occurredAt <= q.to) &&
        (cursor === null || BigInt(s.stored.sequence) > cursor),
    );
    const page = inWindow.slice(0, q.limit);
    return {
      customerId,
      from: q.from ?? null,
      to: q.to ?? null,
      items: page.map(timelineEntry),
      next: inWindow.length > page.length ? page[page.length - 1].stored.sequence : null,
    };
  }

  private async trace(customerId: string, positions: boolean): Promise<TraceStep[] | null> {
    const events = await this.reader.stream(customerId);
    if (events.length === 0) return null;
    await this.policies.refresh();
    return traceStream(customerId, events, (s) => this.policies.inForceAt(s), { positions });
  }
}

function timelineEntry(s: TraceStep): TimelineEntry {
  const e = s.stored.event;
  const p = s.positionAfter;
  const v =
    p === null
      ? null
      : toPositionView(p, s.after, {
          ledgerSequence: s.stored.sequence,
          streamVersion: s.stored.streamVersion,
        });
  return {
    sequence: s.stored.sequence,
    streamVersion: s.stored.streamVersion,
    eventId: e.eventId,
    type: e.type,
    version: e.version,
    occurredAt: e.occurredAt,
    source: e.source,
    payload: isControlEvent(e) ? toStoredPayload(e) : (toWireEvent(e).payload as Record<string, unknown>),
    after:
      v === null
        ? null
        : {
            exposure: v.exposure,
            available: v.available,
            openReceivables: v.openReceivables,
            openOrders: v.openOrders,
            aging: v.aging,
            score: v.score,
            grade: v.grade,
          },
  };
}

/** Joins the stored grade changes with the traced replay: factor deltas and the events behind each change. */
function explainChanges(rows: StoredChangeRow[], steps: TraceStep[]): GradeChangeExplanation[] {
  const out: GradeChangeExplanation[] = [];
  let cursor = 0; // index of the first step after the previous grade change
  let previousPolicy: number | null = null;
  for (const row of rows) {
    const at = steps.findIndex((s, i) => i >= cursor && s.stored.sequence === row.sequence);
    const window = at === -1 ? [] : steps.slice(cursor, at + 1);
    if (at !== -1) cursor = at + 1;
    const step = at === -1 ? null : steps[at];
    const movedBy = new Map<FactorName, string[]>();
    const byTime = new Set<FactorName>();
    const byPolicy = new Set<FactorName>();
    const events: GradeChangeExplanation['events'] = [];
    for (const s of window) {
      for (const f of s.movedByEvent) movedBy.set(f, [...(movedBy.get(f) ?? []), s.stored.event.eventId]);
      for (const f of s.movedByTime) byTime.add(f);
      for (const f of s.movedByPolicy) byPolicy.add(f);
      if (s.movedByEvent.length) {
        events.push({
          sequence: s.stored.sequence,
          eventId: s.stored.event.eventId,
          type: s.stored.event.type,
          occurredAt: s.stored.event.occurredAt,
          factors: s.movedByEvent,
        });
      }
    }
    const before = step?.before ?? null;
    const previous = new Map((before?.factors ?? []).map((f) => [f.factor, f]));
    const factors = row.rating.factors.map((f): FactorExplanation => {
      // By name: the rating before may be of another policy version with other factors.
      const b = previous.get(f.factor) ?? null;
      return {
        factor: f.factor,
        ...values(row.rating, f),
        before: b && values(before!, b),
        delta: {
          normalised: f.normalised - (b?.normalised ?? 0),
          contribution: f.contribution - (b?.contribution ?? 0),
        },
        movedBy: movedBy.get(f.factor) ?? [],
        movedByTime: byTime.has(f.factor),
        movedByPolicy: byPolicy.has(f.factor),
      };
    });
    out.push({
      sequence: row.sequence,
      ratedAt: new Date(row.rated_at).toISOString(),
      occurredAt: row.occurred_at === null ? null : new Date(row.occurred_at).toISOString(),
      trigger: {
        kind: row.event_type === 'CustomerRerated' ? 'rerating' : 'event',
        eventId: row.event_id,
        eventType: row.event_type,
        rerating: row.trigger,
      },
      from: { grade: row.from_grade, score: row.from_score },
      to: { grade: row.to_grade, score: row.to_score },
      segment: row.rating.segment ?? null,
      terms: row.rating.terms ?? null,
      policyVersion: row.policy_version,
      previousPolicyVersion: before?.policyVersion ?? previousPolicy,
      factors,
      events,
      reproduced:
        step?.gradeChange != null && canonicalJson(step.gradeChange.rating) === canonicalJson(row.rating),
    });
    previousPolicy = row.policy_version;
  }
  return out;
}
