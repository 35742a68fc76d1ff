import type { AppliedEvent, ApplyOutcome, Rating } from '@credit-ledger/domain';
import type { GradeChange } from './inbound';

/** A grade change as the writer records it in grade_history (with the full rating). */
export type RecordedGradeChange = GradeChange & { rating: Rating };

/**
 * The grade_history row an applied event produces, or null when the grade did not change. The live writer and
 * every replay (as-of, trace, verify, rebuild) build the row here, so both record it the same way.
 */
export function gradeChangeOf(
  customerId: string,
  applied: Pick<AppliedEvent, 'event' | 'sequence'>,
  outcome: ApplyOutcome,
): RecordedGradeChange | null {
  if (!outcome.gradeChanged) return null;
  return {
    customerId,
    sequence: applied.sequence,
    eventId: applied.event.eventId,
    eventType: applied.event.type,
    ratedAt: outcome.rating.at,
    fromGrade: outcome.gradeChanged.from,
    toGrade: outcome.gradeChanged.to,
    fromScore: outcome.gradeChanged.fromScore,
    toScore: outcome.gradeChanged.toScore,
    policyVersion: outcome.rating.policyVersion,
    rating: outcome.rating,
  };
}
