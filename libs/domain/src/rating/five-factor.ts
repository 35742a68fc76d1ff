import { dateFromDayNumber, dateOf, dayNumber } from '../dates';
import type { CustomerState } from '../customer/state';
import { openAmount } from '../customer/state';
import { formatMinor } from '../money';
import { currencyExponent } from '../currencies';
import { amountFor, type FiveFactorPolicy } from './policy';
import type { FactorScore, FiveFactor } from './rating';

import { clamp, oneDecimal, pct } from './scale';

/**
 * The factors of a five-factor policy (the format before the assessment model), unchanged so the grades they
 * gave replay byte for byte, at the UTC date `atDate` ('YYYY-MM-DD'). Window: dates in
 * (atDate − lookbackDays, atDate]. Dates are compared as strings (same order as the calendar).
 */
export function fiveFactorScores(
  state: CustomerState,
  atDate: string,
  policy: FiveFactorPolicy,
): FactorScore[] {
  const atDay = dayNumber(atDate);
  const windowStart = dateFromDayNumber(atDay - policy.lookbackDays);
  const exponent = state.currency === null ? 0 : currencyExponent(state.currency);
  const fmt = (v: bigint): string => formatMinor(v, exponent);

  let settledInvoices = 0;
  let onTimeInvoices = 0;
  let settledAmount = 0n;
  let onTimeAmount = 0n;
  let paidInvoices = 0;
  let daysLateSum = 0;
  let overdueAmount = 0n;
  let overdueCount = 0;
  let severeCount = 0;
  let openReceivables = 0n;
  let volume = 0n;

  for (const inv of state.invoices.values()) {
    if (inv.issuedOn > windowStart && inv.issuedOn <= atDate) volume += inv.amount;
    const due = inv.dueOn;
    const w = inv.writtenOffOn;
    const s = inv.settledOn;
    if (w !== null) {
      if (w > windowStart && w <= atDate) {
        settledInvoices++;
        settledAmount += inv.amount;
      }
    } else if (s !== null) {
      if (s > windowStart && s <= atDate) {
        settledInvoices++;
        settledAmount += inv.amount;
        paidInvoices++;
        if (s <= due) {
          onTimeInvoices++;
          onTimeAmount += inv.amount;
        } else {
          daysLateSum += dayNumber(s) - dayNumber(due);
        }
      }
    }
    const open = openAmount(inv);
    if (open > 0n) {
      openReceivables += open;
      if (due < atDate) {
        overdueAmount += open;
        overdueCount++;
        if (atDay - dayNumber(due) >= 91) severeCount++;
      }
    }
  }

  const punctuality = settledAmount > 0n ? pct(onTimeAmount, settledAmount) : policy.noHistoryPunctuality;
  const overdue =
    openReceivables > 0n
      ? clamp(100 - pct(overdueAmount, openReceivables) - policy.severeOverduePenalty * severeCount)
      : 100;

  let target = 0n;
  let volumeScore = 0;
  if (state.currency !== null) {
    target = amountFor(policy.volumeTarget, state.currency);
    volumeScore = target > 0n ? Math.min(100, pct(volume, target)) : 100;
  }

  const since = state.onboardedAt ?? state.firstEventAt;
  const tenureDays = since === null ? 0 : Math.max(0, atDay - dayNumber(dateOf(since)));
  const tenure = Math.min(100, Math.floor((100 * tenureDays) / policy.tenureTargetDays));

  let disputesOpened = 0;
  for (const d of state.disputes) {
    if (d.openedOn > windowStart && d.openedOn <= atDate) disputesOpened++;
  }
  const disputes = Math.max(0, 100 - policy.disputePenalty * disputesOpened);

  const w = policy.weights;
  const f = (factor: FiveFactor, normalised: number, raw: Record<string, string | number>): FactorScore => ({
    factor,
    raw,
    normalised,
    weight: w[factor],
    contribution: w[factor] * normalised,
  });
  return [
    f('punctuality', punctuality, {
      settledInvoices,
      onTimeInvoices,
      settledAmount: fmt(settledAmount),
      onTimeAmount: fmt(onTimeAmount),
      averageDaysLate: paidInvoices > 0 ? oneDecimal(daysLateSum, paidInvoices) : 0,
    }),
    f('overdue', overdue, {
      overdueAmount: fmt(overdueAmount),
      overdueCount,
      severeCount,
      openReceivables: fmt(openReceivables),
    }),
    f('volume', volumeScore, { invoicedAmount: fmt(volume), target: fmt(target) }),
    f('tenure', tenure, { days: tenureDays, targetDays: policy.tenureTargetDays }),
    f('disputes', disputes, { disputesOpened, penaltyPerDispute: policy.disputePenalty }),
  ];
}
