import type { Rating } from '@credit-ledger/domain';

/** A grade_history row as the audit queries select it (sequence as text, rating as the stored jsonb). */
export interface GradeHistoryRow {
  sequence: string;
  event_id: string;
  event_type: string;
  rated_at: Date;
  from_grade: string | null;
  to_grade: string;
  from_score: number | null;
  to_score: number;
  policy_version: number;
  rating: Rating;
}
