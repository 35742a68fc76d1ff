import {
  CustomerState,
  DEFAULT_GRADE_POLICY,
  applyWithRules,
  decide,
  evaluatePosition,
  initialState,
  parseEvent,
} from '@credit-ledger/domain';
import { toPositionView } from '@credit-ledger/projections';
import type { WireEvent } from './generator';

/** The figures two projections must agree on (sequence numbers legitimately differ between runs). */
export const COMPARED = [
  'customerId',
  'currency',
  'creditLimit',
  'openReceivables',
  'openOrders',
  'unappliedCash',
  'exposure',
  'available',
  'utilisation',
  'aging',
  'overdueAmount',
  'overdueCount',
  'dso',
  'score',
  'grade',
  'status',
  'rating',
  'streamVersion',
] as const;

export function comparable(view: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(COMPARED.map((k) => [k, view[k]]));
}

/** Folds wire events in memory with the pure domain, independent of Kafka and PostgreSQL. */
export function foldInMemory(events: WireEvent[], at: string): Map<string, Record<string, unknown>> {
  const states = new Map<string, CustomerState>();
  let seq = 0;
  for (const w of events) {
    const parsed = parseEvent(JSON.stringify(w), { key: w.customerId });
    if (!parsed.ok) throw new Error(`generator produced an invalid event: ${parsed.reason}`);
    const s = states.get(w.customerId) ?? initialState(w.customerId);
    states.set(w.customerId, s);
    const d = decide(s, parsed.event);
    if (d.kind !== 'accept') throw new Error(`generator produced an inapplicable event: ${d.reason}`);
    // Like the writer: control events the rules derive (held orders, releases, breaches) follow their cause.
    applyWithRules(
      s,
      { event: parsed.event, sequence: String(++seq), streamVersion: s.streamVersion + 1 },
      DEFAULT_GRADE_POLICY,
      () => String(++seq),
    );
  }
  const out = new Map<string, Record<string, unknown>>();
  for (const [id, s] of states) {
    const view = toPositionView(evaluatePosition(s, at), s.rating, {
      ledgerSequence: s.lastSequence,
      streamVersion: s.streamVersion,
    });
    out.set(id, comparable(view as unknown as Record<string, unknown>));
  }
  return out;
}
