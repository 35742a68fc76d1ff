import type { BillingEvent } from '../contract/envelope';
import { mutateControl, rearmLimitBreach } from '../control/apply-control';
import { isControlEvent, type LedgerEvent } from '../control/control-events';
import { dateOf } from '../dates';
import { DomainError } from '../errors';
import { minBig } from '../money';
import type { Rating } from '../rating/rating';
import type { GradePolicy } from '../rating/policy';
import { rate } from '../rating/rate';
import { applyCash, applyOldestFirst, applyUnappliedCash, putOnAccount, unapplyCash } from './allocation';
import { recordComplaint, recordProfile, recordReport } from './credit-file-state';
import { decide } from './decide';
import {
  onCredit,
  openAmount,
  refreshOpen,
  type CustomerState,
  type InvoiceState,
  type OrderState,
  type PaymentState,
} from './state';

export interface AppliedEvent {
  event: LedgerEvent;
  /** Global ledger sequence, decimal string. */
  sequence: string;
  /** Per-customer stream version after this event. */
  streamVersion: number;
}

export interface GradeChange {
  from: string | null;
  to: string;
  fromScore: number | null;
  toScore: number;
}

export interface ApplyOutcome {
  rating: Rating;
  gradeChanged: GradeChange | null;
}

/**
 * Applies an accepted event to `state` IN PLACE, then re-rates at state.clock. Throws
 * DomainError (code = the decision's code) when decide() would not accept the event.
 */
export function apply(state: CustomerState, applied: AppliedEvent, policy: GradePolicy): ApplyOutcome {
  const event = applied.event;
  const decision = decide(state, event);
  if (decision.kind !== 'accept') {
    throw new DomainError(
      decision.code,
      `cannot apply ${event.type} ${event.eventId} (${decision.kind}): ${decision.reason}`,
    );
  }
  state.streamVersion = applied.streamVersion;
  state.lastSequence = applied.sequence;
  if (isControlEvent(event)) {
    mutateControl(state, event);
    // Control events leave the rating alone, except an explicit re-rating (at its own time, with the policy
    // the caller passes: the one of payload.policyVersion).
    if (event.type !== 'CustomerRerated') return { rating: state.rating!, gradeChanged: null };
  } else {
    mutate(state, event);
    rearmLimitBreach(state, policy);
  }
  if (state.clock === null || event.occurredAt > state.clock) state.clock = event.occurredAt;
  if (state.firstEventAt === null) state.firstEventAt = event.occurredAt;

  const previous = state.rating;
  const rating = rate(state, state.clock, policy);
  state.rating = rating;
  const gradeChanged =
    previous === null || previous.grade !== rating.grade
      ? {
          from: previous === null ? null : previous.grade,
          to: rating.grade,
          fromScore: previous === null ? null : previous.score,
          toScore: rating.score,
        }
      : null;
  return { rating, gradeChanged };
}

function invoice(state: CustomerState, id: string): InvoiceState {
  return state.invoices.get(id) as InvoiceState;
}

function payment(state: CustomerState, id: string): PaymentState {
  return state.payments.get(id) as PaymentState;
}

function mutate(state: CustomerState, event: BillingEvent): void {
  switch (event.type) {
    case 'CustomerOnboarded': {
      const p = event.payload;
      state.onboarded = true;
      state.name = p.name;
      state.currency = p.currency;
      state.creditLimit = p.creditLimit ?? 0n;
      state.onboardedAt = event.occurredAt;
      recordProfile(state, p, event.occurredAt);
      return;
    }
    case 'CustomerProfileUpdated':
      if (event.payload.name !== undefined) state.name = event.payload.name;
      recordProfile(state, event.payload, event.occurredAt);
      return;
    case 'ExternalCreditReportReceived':
      recordReport(state, event.payload, event.occurredAt);
      return;
    case 'ComplaintRecorded':
      recordComplaint(state, event.payload, event.occurredAt);
      return;
    case 'InvoiceIssued': {
      const p = event.payload;
      state.invoices.set(p.invoiceId, {
        invoiceId: p.invoiceId,
        issueSeq: state.invoices.size,
        amount: p.amount,
        credited: 0n,
        allocated: 0n,
        writtenOff: 0n,
        open: p.amount,
        issuedOn: p.issuedOn,
        dueOn: p.dueOn,
        orderId: p.orderId ?? null,
        disputed: false,
        settledOn: null,
        writtenOffOn: null,
        applications: [],
        creditNoteIds: [],
      });
      if (p.orderId !== undefined) {
        const order = state.orders.get(p.orderId);
        if (order && (order.status === 'open' || order.status === 'held')) {
          if (onCredit(order)) {
            if (order.status === 'open') state.openOrdersTotal -= order.amount;
            else state.heldOrdersTotal -= order.amount;
          }
          order.status = 'invoiced';
          order.invoiceId = p.invoiceId;
        }
      }
      if (state.lastCreditUseOn === null || p.issuedOn > state.lastCreditUseOn)
        state.lastCreditUseOn = p.issuedOn;
      applyUnappliedCash(state);
      return;
    }
    case 'CreditNoteIssued': {
      const p = event.payload;
      const inv = invoice(state, p.invoiceId);
      const open = openAmount(inv);
      inv.credited += p.amount;
      refreshOpen(inv);
      inv.creditNoteIds.push(p.creditNoteId);
      state.creditNotes.set(p.creditNoteId, {
        creditNoteId: p.creditNoteId,
        invoiceId: p.invoiceId,
        amount: p.amount,
        issuedOn: dateOf(event.occurredAt),
      });
      if (p.amount > open) {
        // The invoice is over-covered: shrink the write-off first, then hand back payment cash
        // (latest application first) as cash on account, and apply that cash elsewhere.
        let excess = p.amount - open;
        const w = minBig(inv.writtenOff, excess);
        inv.writtenOff -= w;
        refreshOpen(inv);
        excess -= w;
        for (let i = inv.applications.length - 1; i >= 0 && excess > 0n; i--) {
          const app = inv.applications[i];
          const take = minBig(app.amount, excess);
          const pay = payment(state, app.paymentId);
          unapplyCash(pay, inv, take);
          putOnAccount(state, pay, take);
          excess -= take;
        }
        if (inv.allocated === 0n) inv.settledOn = null;
        applyUnappliedCash(state);
      }
      return;
    }
    case 'PaymentReceived': {
      const p = event.payload;
      const pay: PaymentState = {
        paymentId: p.paymentId,
        amount: p.amount,
        receivedOn: p.receivedOn,
        applications: [],
        unapplied: 0n,
        reversed: false,
        reversedOn: null,
        reversalReason: null,
      };
      state.payments.set(p.paymentId, pay);
      let rest = p.amount;
      if (p.allocations) {
        for (const a of p.allocations) {
          applyCash(pay, invoice(state, a.invoiceId), a.amount);
          rest -= a.amount;
        }
      }
      rest = applyOldestFirst(state, pay, rest);
      putOnAccount(state, pay, rest);
      return;
    }
    case 'PaymentReversed': {
      const pay = payment(state, event.payload.paymentId);
      const applications = pay.applications.map((a) => ({ invoiceId: a.invoiceId, amount: a.amount }));
      for (const { invoiceId, amount } of applications) {
        const inv = invoice(state, invoiceId);
        unapplyCash(pay, inv, amount);
        if (inv.writtenOffOn !== null) {
          inv.writtenOff += amount;
          refreshOpen(inv);
        } else if (openAmount(inv) > 0n) inv.settledOn = null;
      }
      if (pay.unapplied > 0n)
        state.unappliedCash = state.unappliedCash.filter((c) => c.source !== pay.paymentId);
      pay.unapplied = 0n;
      pay.reversed = true;
      pay.reversedOn = dateOf(event.occurredAt);
      pay.reversalReason = event.payload.reason;
      applyUnappliedCash(state);
      return;
    }
    case 'OrderPlaced': {
      const p = event.payload;
      let invoicedBy: string | null = null;
      for (const inv of state.invoices.values()) {
        if (inv.orderId === p.orderId) {
          invoicedBy = inv.invoiceId;
          break;
        }
      }
      const order: OrderState = {
        orderId: p.orderId,
        amount: p.amount,
        status: invoicedBy === null ? 'open' : 'invoiced',
        invoiceId: invoicedBy,
      };
      if (p.paymentMethod === 'cash') order.paymentMethod = 'cash';
      state.orders.set(p.orderId, order);
      if (invoicedBy === null && onCredit(order)) state.openOrdersTotal += p.amount;
      const placedOn = dateOf(event.occurredAt);
      if (state.lastCreditUseOn === null || placedOn > state.lastCreditUseOn)
        state.lastCreditUseOn = placedOn;
      return;
    }
    case 'OrderCancelled': {
      const order = state.orders.get(event.payload.orderId);
      if (order && onCredit(order)) {
        if (order.status === 'held') state.heldOrdersTotal -= order.amount;
        else state.openOrdersTotal -= order.amount;
      }
      if (order) order.status = 'cancelled';
      return;
    }
    case 'DisputeOpened': {
      invoice(state, event.payload.invoiceId).disputed = true;
      state.disputes.push({
        invoiceId: event.payload.invoiceId,
        openedOn: dateOf(event.occurredAt),
        resolvedOn: null,
      });
      return;
    }
    case 'DisputeResolved': {
      const inv = invoice(state, event.payload.invoiceId);
      inv.disputed = false;
      for (let i = state.disputes.length - 1; i >= 0; i--) {
        const d = state.disputes[i];
        if (d.invoiceId === inv.invoiceId && d.resolvedOn === null) {
          d.resolvedOn = dateOf(event.occurredAt);
          break;
        }
      }
      applyUnappliedCash(state);
      return;
    }
    case 'InvoiceWrittenOff': {
      const inv = invoice(state, event.payload.invoiceId);
      inv.writtenOff += openAmount(inv);
      refreshOpen(inv);
      inv.writtenOffOn = dateOf(event.occurredAt);
      return;
    }
  }
}
