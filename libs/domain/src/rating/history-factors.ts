import { dateFromDayNumber, dateOf, dayNumber } from '../dates';
import type { CustomerState, InvoiceState } from '../customer/state';
import { formatMinor } from '../money';
import { currencyExponent } from '../currencies';
import { amountFor, type AssessmentPolicy, type Segment } from './policy';
import type { FactorScore, HistoryFactor } from './rating';
import { oneDecimal, toTargetSqrt } from './scale';

/** The history model's factors, and what the blend needs to know about how much history there is. */
export interface HistoryScores {
  factors: FactorScore[];
  /** Invoices with a known payment outcome in the lookback (the collection factor's observations). */
  observedInvoices: number;
  /** Earliest issue date among them, null without any. */
  firstObservedIssuedOn: string | null;
}

/** Credit (0..100) of the first collection band whose maxDaysLate (null = any) covers `daysLate`. */
function creditFor(daysLate: number, policy: AssessmentPolicy): number {
  for (const b of policy.history.collectionBands) {
    if (b.maxDaysLate === null || daysLate <= b.maxDaysLate) return b.credit;
  }
  return 0;
}

/**
 * Whether an invoice was ever past due and unpaid (an overdue occurrence, counted once even when it was paid
 * later): written off, settled after its due date, or still open (and not disputed) past it. An invoice closed
 * by credit notes before anything else happened never was.
 */
function wentOverdue(inv: InvoiceState): boolean {
  if (inv.writtenOffOn !== null) return true;
  if (inv.settledOn !== null) return inv.settledOn > inv.dueOn;
  return inv.open > 0n && !inv.disputed;
}

/**
 * The history model at the UTC date `atDate`, over the lookback window (atDate − lookbackDays, atDate] (seed 000
 * FAQ1, with the segment's weights and targets):
 * - collection (回款情况, how and when they pay): every invoice settled or written off in the window, and every
 *   undisputed invoice still open past its due date, weighs its amount net of credit notes (open amount for an
 *   open one) at the credit of its days-late band (write-offs 0); normalised = Σ amount × credit / Σ amount.
 * - overdueOccurrences (逾期次数): invoices that went overdue with their first overdue day in the window, each
 *   once, paid since or not; 100 − overduePenalty per occurrence.
 * - volume (历史交易金额): invoiced in the window against the segment's target, with diminishing returns:
 *   100 × sqrt(invoiced / target), at most 100 (a quarter of the target earns 50).
 * - tenure (合作年限): days since customerSince (else onboarding) against the segment's target.
 * - complaints (投诉记录): complaints recorded and disputes opened in the window, points off each.
 */
export function historyScores(
  state: CustomerState,
  atDate: string,
  policy: AssessmentPolicy,
  segment: Segment,
): HistoryScores {
  const atDay = dayNumber(atDate);
  const windowStart = dateFromDayNumber(atDay - policy.lookbackDays);
  const exponent = state.currency === null ? 0 : currencyExponent(state.currency);
  const fmt = (v: bigint): string => formatMinor(v, exponent);

  let observed = 0;
  let firstObserved: string | null = null;
  let weighed = 0n;
  let credited = 0n;
  let creditSum = 0;
  let onTimeAmount = 0n;
  let daysLateSum = 0;
  let maxDaysLate = 0;
  let writtenOff = 0;
  let occurrences = 0;
  let currentlyOverdue = 0;
  let volume = 0n;
  const observe = (inv: InvoiceState, weight: bigint, daysLate: number, credit: number): void => {
    observed++;
    if (firstObserved === null || inv.issuedOn < firstObserved) firstObserved = inv.issuedOn;
    weighed += weight;
    credited += weight * BigInt(credit);
    creditSum += credit;
    daysLateSum += daysLate;
    if (daysLate > maxDaysLate) maxDaysLate = daysLate;
    if (daysLate === 0) onTimeAmount += weight;
  };
  const inWindow = (date: string): boolean => date > windowStart && date <= atDate;

  for (const inv of state.invoices.values()) {
    if (inv.issuedOn > atDate) continue;
    if (inWindow(inv.issuedOn)) volume += inv.amount;
    const net = inv.amount - inv.credited;
    const due = dayNumber(inv.dueOn);
    if (inv.writtenOffOn !== null) {
      if (inWindow(inv.writtenOffOn)) {
        writtenOff++;
        observe(inv, net, Math.max(0, dayNumber(inv.writtenOffOn) - due), 0);
      }
    } else if (inv.settledOn !== null) {
      if (inWindow(inv.settledOn)) {
        const late = Math.max(0, dayNumber(inv.settledOn) - due);
        observe(inv, net, late, creditFor(late, policy));
      }
    } else if (inv.open > 0n && !inv.disputed && inv.dueOn < atDate) {
      currentlyOverdue++;
      observe(inv, inv.open, atDay - due, creditFor(atDay - due, policy));
    }
    // The first overdue day, dueOn + 1, falls in the window: windowStart < dueOn + 1 <= atDate.
    if (inv.dueOn >= windowStart && inv.dueOn < atDate && wentOverdue(inv)) occurrences++;
  }

  const collection =
    observed === 0 ? 0 : weighed > 0n ? Number(credited / weighed) : Math.floor(creditSum / observed);

  const since = state.profile?.customerSince ?? dateOf(state.onboardedAt ?? state.firstEventAt ?? atDate);
  const tenureDays = Math.max(0, atDay - dayNumber(since));

  let complaints = 0;
  let complaintPoints = 0;
  for (const c of state.complaints) {
    if (!inWindow(c.recordedOn)) continue;
    complaints++;
    complaintPoints += policy.history.complaintPenalty[c.severity];
  }
  let disputes = 0;
  for (const d of state.disputes) if (inWindow(d.openedOn)) disputes++;
  const penaltyPoints = complaintPoints + disputes * policy.history.disputePenalty;

  const target = state.currency === null ? 0n : amountFor(segment.history.volumeTarget, state.currency);
  const w = segment.history.weights;
  const f = (
    factor: HistoryFactor,
    normalised: number,
    raw: Record<string, string | number>,
  ): FactorScore => ({
    factor,
    raw,
    normalised,
    weight: w[factor],
    contribution: w[factor] * normalised,
  });
  return {
    observedInvoices: observed,
    firstObservedIssuedOn: firstObserved,
    factors: [
      f('collection', collection, {
        invoices: observed,
        amount: fmt(weighed),
        onTimeAmount: fmt(onTimeAmount),
        averageDaysLate: observed > 0 ? oneDecimal(daysLateSum, observed) : 0,
        maxDaysLate,
        writtenOff,
      }),
      f('overdueOccurrences', Math.max(0, 100 - policy.history.overduePenalty * occurrences), {
        occurrences,
        currentlyOverdue,
        penaltyPerOccurrence: policy.history.overduePenalty,
      }),
      f('volume', target > 0n ? toTargetSqrt(volume, target) : 0, {
        invoicedAmount: fmt(volume),
        target: fmt(target),
      }),
      f('tenure', Math.min(100, Math.floor((100 * tenureDays) / segment.history.tenureTargetDays)), {
        since,
        days: tenureDays,
        targetDays: segment.history.tenureTargetDays,
      }),
      f('complaints', Math.max(0, 100 - penaltyPoints), { complaints, disputes, penaltyPoints }),
    ],
  };
}
