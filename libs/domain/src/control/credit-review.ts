/**
 * The time-driven credit-control review, pure: what time alone changes (request reminders, escalation and expiry,
 * ended temporary limits, grade-default cuts and credit repair).
 */
import type { CustomerState } from '../customer/state';
import { toInstant } from '../dates';
import { formatAmount } from '../money';
import { bandDefaultLimit, bandFor, type GradePolicy } from '../rating/policy';
import { approvalReminders, legacyExpiry } from './approvals';
import { controlEvent, type ControlEvent } from './control-events';
import { repairSteps } from './credit-control';

/**
 * The time-driven credit-control review at `at`: expires stale limit requests and ended temporary limits, cuts a
 * limit above the grade's default (when the policy says so) and restores cut limits step by step. Ids are
 * stable, so running it twice appends once.
 */
export function creditControlReview(state: CustomerState, at: string, policy: GradePolicy): ControlEvent[] {
  if (!state.onboarded) return [];
  const iso = toInstant(at);
  const c = state.customerId;
  const out: ControlEvent[] = [];
  for (const r of state.limitRequests.values()) {
    if (r.status === 'pending' && r.expiresAt !== null && r.expiresAt <= iso)
      out.push(legacyExpiry(state, r, iso));
  }
  out.push(...approvalReminders(state, iso, policy));
  const t = state.temporaryLimit;
  if (t !== null && t.expiresAt <= iso) {
    out.push(
      controlEvent('TemporaryLimitExpired', `temporary-limit-expired:${t.grantId}`, c, iso, {
        amount: t.amount,
        expiresAt: t.expiresAt,
      }),
    );
  }
  const grade = state.rating?.grade ?? null;
  const band = grade === null ? undefined : bandFor(grade, policy);
  const to = band === undefined ? null : bandDefaultLimit(band, state.currency!);
  if (
    policy.reduceLimitToGradeDefault &&
    to !== null &&
    grade !== state.limitReviewedGrade &&
    to < state.creditLimit
  ) {
    out.push(
      controlEvent('CreditLimitChanged', `limit-review:${c}:${state.lastSequence}`, c, iso, {
        creditLimit: to,
        previousLimit: state.creditLimit,
        cause: 'review',
        requestId: null,
        by: 'system',
        reason: `grade ${grade}: default limit ${formatAmount(to, state.currency!)}`,
      }),
    );
    return out;
  }
  const repair = state.limitRepair;
  if (repair !== null) {
    const steps = repairSteps(state, iso, policy);
    const earned = steps.length;
    // One step per run: a review that did not run for months catches up on its following runs.
    const stepNo = repair.steps + 1;
    if (earned >= stepNo) {
      const cut = repair.reducedFrom - repair.reducedTo;
      const step = (cut * BigInt(policy.creditRepair.restorePct)) / 100n;
      let to = repair.reducedTo + step * BigInt(stepNo);
      if (to > repair.reducedFrom || stepNo * policy.creditRepair.restorePct >= 100) to = repair.reducedFrom;
      if (to > state.creditLimit) {
        out.push(
          controlEvent('CreditLimitChanged', `limit-repair:${c}:${repair.reducedOn}:${stepNo}`, c, iso, {
            creditLimit: to,
            previousLimit: state.creditLimit,
            cause: 'repair',
            requestId: null,
            by: 'system',
            reason: `repair step ${stepNo}: ${earned} step(s) earned after ${policy.creditRepair.onTimeMonths} on-time months`,
            earnedBy: steps[stepNo - 1],
          }),
        );
      }
    }
  }
  return out;
}
