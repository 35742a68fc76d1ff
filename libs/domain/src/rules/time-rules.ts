import {
  COLLECTION_STEPS,
  controlEvent,
  type ControlEvent,
  type FreezeCause,
  type RerateTrigger,
} from '../control/control-events';
import { ladderFor } from '../control/collections';
import { decideApproval } from '../control/approvals';
import { cloneState, type CustomerState, type InvoiceState } from '../customer/state';
import { dateOf, dayNumber, toInstant } from '../dates';
import { formatAmount } from '../money';
import { amountFor, bandDefaultLimit, bandFor, type GradePolicy } from '../rating/policy';
import { rate } from '../rating/rate';
import { cashOnlyLifted, limitBreaches, releaseHeldOrders } from './credit-check';
import { exposureOf } from './exposure';

/** Invoices collections chase: money still open, not disputed (collections pause), not written off. */
function chased(inv: InvoiceState): boolean {
  return inv.open > 0n && !inv.disputed && inv.writtenOffOn === null;
}

const stepRank = (step: string): number => (COLLECTION_STEPS as readonly string[]).indexOf(step);

/**
 * Collections ladder at instant `at`: for each chased invoice, the highest step of the customer's ladder (by
 * segment, see ladderFor) its days past due have reached — negative days are reminders before the due date —
 * if that step is beyond the one already issued. A scan that did not run for a while skips straight to the
 * current step (no stale reminder after an escalation). Ids `overdue:<customer>:<invoice>:<step>`.
 */
export function overdueNotices(state: CustomerState, at: string, policy: GradePolicy): ControlEvent[] {
  if (!state.onboarded) return [];
  const iso = toInstant(at);
  const atDay = dayNumber(iso.slice(0, 10));
  const out: ControlEvent[] = [];
  const ladder = ladderFor(state, policy, atDay);
  for (const inv of state.invoices.values()) {
    if (!chased(inv)) continue;
    const dpd = atDay - dayNumber(inv.dueOn);
    let reached: (typeof ladder.steps)[number] | null = null;
    for (const s of ladder.steps) if (dpd >= s.daysPastDue) reached = s;
    if (reached === null) continue;
    const issued = state.notices.get(inv.invoiceId);
    if (issued !== undefined && stepRank(issued) >= stepRank(reached.step)) continue;
    out.push(
      controlEvent(
        'OverdueNoticeIssued',
        `overdue:${state.customerId}:${inv.invoiceId}:${reached.step}`,
        state.customerId,
        iso,
        {
          invoiceId: inv.invoiceId,
          step: reached.step,
          daysPastDue: dpd,
          openAmount: inv.open,
          ladder: ladder.name,
        },
      ),
    );
  }
  return out;
}

/** What the freeze rule sees at an instant: the invoices past its day limit and the overdue amount. */
function overdueAt(state: CustomerState, atDay: number, policy: GradePolicy) {
  const late: string[] = [];
  let overdue = 0n;
  for (const inv of state.invoices.values()) {
    if (!chased(inv)) continue;
    const dpd = atDay - dayNumber(inv.dueOn);
    if (dpd > 0) overdue += inv.open;
    if (dpd > policy.freezeAfterDaysPastDue) late.push(inv.invoiceId);
  }
  return { late, overdue };
}

/**
 * Seed 004: 一旦发生逾期,系统立即自动冻结该客户的下单权限 (frozen once an undisputed invoice is more than
 * `freezeAfterDaysPastDue` days past due, default 0: the first day) and 逾期金额超过1万元 → 锁定其下单权限 (the
 * overdue amount above `freezeOverdueAmount`; this cause wins when both hold, the seed notifies sales and finance
 * for it). A customer the system froze is unfrozen once neither holds (then held orders that fit are released, and
 * breaches checked); a manual freeze (by a principal) is left to its principal. Evaluated on every billing event
 * of the customer (at its clock) and by the freeze review.
 */
export function freezeDecision(state: CustomerState, at: string, policy: GradePolicy): ControlEvent[] {
  if (!state.onboarded || state.currency === null) return [];
  const iso = toInstant(at);
  const { late, overdue } = overdueAt(state, dayNumber(iso.slice(0, 10)), policy);
  const threshold = amountFor(policy.freezeOverdueAmount, state.currency);
  const cause: FreezeCause | null =
    overdue > threshold ? 'overdue-amount' : late.length > 0 ? 'overdue' : null;
  const id = (kind: string): string => `${kind}:${state.customerId}:${state.lastSequence}`;
  const cur = state.currency;
  if (state.status === 'active' && cause !== null) {
    const reason =
      cause === 'overdue-amount'
        ? `overdue amount ${formatAmount(overdue, cur)} ${cur} above ${formatAmount(threshold, cur)} ${cur}`
        : `${late.length} invoice(s) more than ${policy.freezeAfterDaysPastDue} days past due`;
    return [
      controlEvent('CustomerFrozen', id('frozen'), state.customerId, iso, {
        reason,
        invoiceIds: cause === 'overdue' ? late : overdueIds(state, iso),
        by: 'system',
        cause,
        overdueAmount: overdue,
      }),
    ];
  }
  if (state.status === 'frozen' && state.frozenBy === 'system' && cause === null) {
    const unfrozen = controlEvent('CustomerUnfrozen', id('unfrozen'), state.customerId, iso, {
      reason: `no invoice more than ${policy.freezeAfterDaysPastDue} days past due, overdue amount ${formatAmount(overdue, cur)} ${cur}`,
      by: 'system',
    });
    const released = releaseHeldOrders(state, exposureOf(state), iso, 'customer unfrozen', true);
    return [
      unfrozen,
      ...released.events,
      ...limitBreaches(state, released.exposure, policy, iso, unfrozen.eventId),
    ];
  }
  return [];
}

/** The chased invoices past due at `iso` (the ones an amount-based freeze counts). */
function overdueIds(state: CustomerState, iso: string): string[] {
  const atDay = dayNumber(iso.slice(0, 10));
  return [...state.invoices.values()]
    .filter((inv) => chased(inv) && atDay - dayNumber(inv.dueOn) > 0)
    .map((inv) => inv.invoiceId);
}

/** 'YYYY-MM-DD' `months` calendar months before `date`, clamped to the month's last day (08-31 − 6 → 02-28). */
export function monthsBefore(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 - months;
  const d = Number(date.slice(8, 10));
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** The principal of requests the system makes itself; it never approves (four-eyes keeps it out). */
export const SYSTEM_ACTOR = { name: 'system', role: 'system' } as const;

/**
 * What a dormant limit is requested down to: the band's default limit when that is lower (policy
 * `dormantLimitReduction.to: band-default`), else `sharePct` % of the current limit.
 */
export function dormantTarget(state: CustomerState, policy: GradePolicy): bigint {
  const { to, sharePct } = policy.dormantLimitReduction;
  const band = state.rating === null ? undefined : bandFor(state.rating.grade, policy);
  const bandDefault = band === undefined ? null : bandDefaultLimit(band, state.currency!);
  if (to === 'band-default' && bandDefault !== null && bandDefault < state.creditLimit) return bandDefault;
  return (state.creditLimit * BigInt(sharePct)) / 100n;
}

/**
 * A limit above 0 with no exposure and no invoice or order for `dormantLimitMonths` months (last use on or
 * before `at` − months) is flagged, once per dormancy (id names the last use), and submitted (seed 004
 * "额度连续6个月未使用时,系统可以自动提请进行额度复审或调降"): a limit request by the principal `system` down
 * to dormantTarget, which goes through the policy's approval tiers like any other. No request while another
 * is pending (it is flagged all the same).
 */
export function dormantLimit(state: CustomerState, at: string, policy: GradePolicy): ControlEvent[] {
  if (!state.onboarded || state.creditLimit <= 0n || state.onboardedAt === null) return [];
  if (state.heldOrdersTotal > 0n || exposureOf(state) > 0n) return [];
  const lastUsedOn = state.lastCreditUseOn ?? dateOf(state.onboardedAt);
  if (state.dormantFlaggedOn === lastUsedOn) return [];
  const iso = toInstant(at);
  if (lastUsedOn > monthsBefore(iso.slice(0, 10), policy.dormantLimitMonths)) return [];
  const flagged = controlEvent(
    'DormantLimitFlagged',
    `dormant:${state.customerId}:${lastUsedOn}`,
    state.customerId,
    iso,
    { lastUsedOn, creditLimit: state.creditLimit },
  );
  const newLimit = dormantTarget(state, policy);
  if (newLimit >= state.creditLimit) return [flagged];
  const request = decideApproval(
    {
      type: 'RequestLimitChange',
      data: {
        requestId: `dormant-${lastUsedOn}`,
        newLimit,
        reason: `limit unused since ${lastUsedOn} (${policy.dormantLimitMonths} months): reduce to ${formatAmount(newLimit, state.currency!)}`,
      },
    },
    state,
    { by: SYSTEM_ACTOR, at: iso, policy },
  );
  return request.ok ? [flagged, ...request.events] : [flagged];
}

/**
 * Re-rates at `at` (never before the customer's clock, as ratings only move forward) and returns a
 * CustomerRerated when the grade changes, or always with `always` (e.g. to record a policy change).
 * Id `rerate:<customer>:<at>`, so the same run twice appends once.
 */
export function rerate(
  state: CustomerState,
  at: string,
  policy: GradePolicy,
  trigger: RerateTrigger = 'scheduled',
  always = false,
): ControlEvent[] {
  if (!state.onboarded) return [];
  const iso = toInstant(at);
  const effective = state.clock !== null && state.clock > iso ? state.clock : iso;
  const r = rate(state, effective, policy);
  const previous = state.rating;
  if (!always && previous !== null && previous.grade === r.grade) return [];
  const rerated = controlEvent(
    'CustomerRerated',
    `rerate:${state.customerId}:${iso}`,
    state.customerId,
    effective,
    {
      trigger,
      policyVersion: policy.version,
      fromGrade: previous?.grade ?? null,
      toGrade: r.grade,
      fromScore: previous?.score ?? null,
      toScore: r.score,
    },
  );
  // Out of a cash-only band: orders held because of it are released as far as the credit now fits.
  if (!cashOnlyLifted(state, r)) return [rerated];
  const sim = cloneState(state);
  sim.rating = r;
  const released = releaseHeldOrders(
    sim,
    exposureOf(sim),
    effective,
    `grade ${previous?.grade} → ${r.grade}`,
  );
  return [rerated, ...released.events];
}
