import { DEFAULT_GRADE_POLICY, GradePolicy, validatePolicy } from '@credit-ledger/domain';

/**
 * A draft that moves people, for what-if runs (the test and the bench): looser bands and, for enterprises, a heavier
 * weight on collection than the default policy.
 */
export function looserDraftPolicy(version: number): GradePolicy {
  const p = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));
  p.version = version;
  [85, 70, 55, 0].forEach((min, i) => (p.bands[i].minScore = min));
  p.segments.enterprise.history.weights = {
    collection: 40,
    overdueOccurrences: 25,
    volume: 15,
    tenure: 10,
    complaints: 10,
  };
  return validatePolicy(p);
}
