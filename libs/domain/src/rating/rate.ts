import type { CustomerState } from '../customer/state';
import { toInstant } from '../dates';
import { computeFactors } from './factors';
import type { Rating } from './rating';
import { gradeFor, type GradePolicy } from './policy';

/** Score and grade of the customer at instant `at` under `policy`. Pure and deterministic. */
export function rate(state: CustomerState, at: string, policy: GradePolicy): Rating {
  const iso = toInstant(at);
  const factors = computeFactors(state, iso.slice(0, 10), policy);
  let sum = 0;
  for (const f of factors) sum += f.contribution;
  const raw = Math.floor((sum + 50) / 100);
  const score = raw < 0 ? 0 : raw > 100 ? 100 : raw;
  return { score, grade: gradeFor(score, policy), policyVersion: policy.version, at: iso, factors };
}
