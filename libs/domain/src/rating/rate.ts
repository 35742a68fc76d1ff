import { DEFAULT_CUSTOMER_TYPE } from '../contract/payloads';
import type { CustomerState } from '../customer/state';
import { dayNumber, toInstant } from '../dates';
import { formatAmount } from '../money';
import { fiveFactorScores } from './five-factor';
import { historyScores } from './history-factors';
import {
  amountFor,
  bandForScore,
  gradeFor,
  type AssessmentPolicy,
  type BlendRule,
  type GradePolicy,
} from './policy';
import { profileScores } from './profile-factors';
import type { FactorScore, GradeTerms, Rating } from './rating';

/** Hundredths of a point as a decimal text: 8450 -> "84.50". */
function points(hundredths: number): string {
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

const sum = (factors: FactorScore[]): number => factors.reduce((a, f) => a + f.contribution, 0);

/**
 * The history model's share of the score in percent (the blend rule, versioned with the policy): the smaller of
 * observed invoices / fullHistoryInvoices and days since the first of them / fullHistoryDays, at most 100. No
 * observed invoice, no share: a new customer is graded on its profile alone.
 */
export function historyShare(
  observedInvoices: number,
  firstObservedIssuedOn: string | null,
  atDate: string,
  rule: BlendRule,
): { share: number; historyDays: number } {
  if (firstObservedIssuedOn === null) return { share: 0, historyDays: 0 };
  const historyDays = Math.max(0, dayNumber(atDate) - dayNumber(firstObservedIssuedOn));
  const byInvoices = Math.floor((100 * observedInvoices) / rule.fullHistoryInvoices);
  const byDays = Math.floor((100 * historyDays) / rule.fullHistoryDays);
  return { share: Math.min(100, byInvoices, byDays), historyDays };
}

function assessmentRating(state: CustomerState, iso: string, policy: AssessmentPolicy): Rating {
  const atDate = iso.slice(0, 10);
  const segmentType = state.profile?.customerType ?? DEFAULT_CUSTOMER_TYPE;
  const segment = policy.segments[segmentType];
  const history = historyScores(state, atDate, policy, segment);
  const profile = profileScores(state, atDate, policy, segment);
  const historyPoints = sum(history.factors);
  const profilePoints = sum(profile.factors);
  const { share, historyDays } = historyShare(
    history.observedInvoices,
    history.firstObservedIssuedOn,
    atDate,
    policy.blend,
  );
  // Both models are in hundredths of a point (0..10000); the share weighs them, rounded half up to a point.
  const raw = Math.floor((share * historyPoints + (100 - share) * profilePoints + 5000) / 10000);
  const score = raw < 0 ? 0 : raw > 100 ? 100 : raw;
  const basis =
    share === 100 ? 'history' : share > 0 ? 'blended' : profile.assessed ? 'profile' : 'unassessed';
  const blend: FactorScore = {
    factor: 'blend',
    raw: {
      basis,
      observedInvoices: history.observedInvoices,
      fullHistoryInvoices: policy.blend.fullHistoryInvoices,
      historyDays,
      fullHistoryDays: policy.blend.fullHistoryDays,
      historyPoints: points(historyPoints),
      profilePoints: points(profilePoints),
    },
    normalised: share,
    weight: 0,
    contribution: 0,
  };
  const band = bandForScore(score, policy);
  const t = band.terms!;
  const terms: GradeTerms = {
    band: band.grade,
    settlement: t.settlement,
    maxPaymentTermsDays: t.maxPaymentTermsDays,
    defaultLimit:
      state.currency === null ? '0' : formatAmount(amountFor(t.defaultLimit, state.currency), state.currency),
    reviewIntervalDays: t.reviewIntervalDays,
    approval: t.approval,
  };
  return {
    score,
    grade: band.grade,
    policyVersion: policy.version,
    at: iso,
    factors: [blend, ...history.factors, ...profile.factors],
    segment: segmentType,
    terms,
  };
}

/** Score, grade and (assessment policies) the band's terms of the customer at instant `at`. Pure and deterministic. */
export function rate(state: CustomerState, at: string, policy: GradePolicy): Rating {
  const iso = toInstant(at);
  if (policy.model === 'assessment') return assessmentRating(state, iso, policy);
  const factors = fiveFactorScores(state, iso.slice(0, 10), policy);
  let total = 0;
  for (const f of factors) total += f.contribution;
  const raw = Math.floor((total + 50) / 100);
  const score = raw < 0 ? 0 : raw > 100 ? 100 : raw;
  return { score, grade: gradeFor(score, policy), policyVersion: policy.version, at: iso, factors };
}
