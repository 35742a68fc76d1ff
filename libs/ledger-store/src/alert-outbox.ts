import {
  Alert,
  AppliedEvent,
  ApplyOutcome,
  CustomerState,
  alertFor,
  alertRecipients,
  gradeChangedAlert,
  isControlEvent,
} from '@credit-ledger/domain';

/** A row of alert_outbox: written in the transaction of the event that raised it, published later by the relay. */
export interface OutboxAlert extends Alert {
  sequence: string;
}

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * The alert an applied event raises, if any: every control event with an alert topic, and a grade moved by a
 * billing event (the first rating at onboarding is not a change).
 */
export function alertOf(
  state: CustomerState,
  applied: AppliedEvent,
  outcome: ApplyOutcome,
): OutboxAlert | null {
  const e = applied.event;
  const currency = state.currency ?? 'XXX';
  const addressed = (alert: Alert): OutboxAlert => ({
    ...alert,
    value: { ...alert.value, recipients: alertRecipients(state, alert.value) },
    sequence: applied.sequence,
  });
  if (isControlEvent(e)) return addressed(alertFor(e, applied.sequence, currency));
  const g = outcome.gradeChanged;
  if (g === null || g.from === null) return null;
  return addressed(
    gradeChangedAlert({
      customerId: e.customerId,
      sequence: applied.sequence,
      occurredAt: e.occurredAt,
      causeEventId: e.eventId,
      causeEventType: e.type,
      fromGrade: g.from,
      toGrade: g.to,
      fromScore: g.fromScore,
      toScore: g.toScore,
      policyVersion: outcome.rating.policyVersion,
    }),
  );
}

/**
 * alert_id is unique: an alert re-derived after a retry is the same row, never a second one. The caller wakes the
 * relay with a NOTIFY on ALERT_OUTBOX_CHANNEL after its commit (LedgerWriter: never inside the append).
 */
export async function insertOutbox(q: Query, alerts: OutboxAlert[]): Promise<void> {
  if (alerts.length === 0) return;
  await q(
    `INSERT INTO alert_outbox (alert_id, topic, key, payload, sequence)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::bigint[])
     ON CONFLICT (alert_id) DO NOTHING`,
    [
      alerts.map((a) => a.value.alertId),
      alerts.map((a) => a.topic),
      alerts.map((a) => a.key),
      alerts.map((a) => JSON.stringify(a.value)),
      alerts.map((a) => a.sequence),
    ],
  );
}
