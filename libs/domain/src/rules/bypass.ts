import type { InvoiceIssuedEvent } from '../contract/envelope';
import { controlEvent, type BypassReason, type ControlEvent } from '../control/control-events';
import { effectiveLimit } from '../control/effective-limit';
import { onCredit, type CustomerState } from '../customer/state';
import { isCashOnly } from '../rating/rating';
import { exposureOf } from './exposure';

/**
 * Why an invoice just applied went around the credit check, or null. Billing has invoiced, so the ledger records
 * the receivable (it records reality) and flags it: a held or rejected order invoiced anyway, a credit invoice
 * for a blacklisted, frozen or cash-only customer, or one without an order that takes exposure over the credit
 * the order check allows. An invoice for a cash order (paid before delivery) is never a bypass.
 */
function bypassReason(
  state: CustomerState,
  orderId: string | undefined,
  exposure: bigint,
  limit: bigint,
): BypassReason | null {
  const order = orderId === undefined ? undefined : state.orders.get(orderId);
  if (order !== undefined && !onCredit(order)) return null;
  if (order?.status === 'invoiced' && order.holdReason !== undefined) return 'held-order';
  if (order?.status === 'rejected') return 'rejected-order';
  if (state.status === 'blacklisted') return 'blacklisted';
  if (state.status === 'frozen') return 'frozen';
  if (isCashOnly(state.rating)) return 'cash-only';
  if (order === undefined && exposure > limit) return 'over-limit';
  return null;
}

/**
 * The checks an InvoiceIssued meets once applied (`state` is the state after it, before any freeze it causes):
 * CreditBypassDetected with the reason, and TermsExceedGrade when its payment terms are longer than the grade's
 * band offers (seed 004: AAA 90 days, A 30 days; the cash-only band none). Ids name the invoice.
 */
export function invoiceChecks(state: CustomerState, event: InvoiceIssuedEvent): ControlEvent[] {
  if (!state.onboarded) return [];
  const p = event.payload;
  const out: ControlEvent[] = [];
  const exposure = exposureOf(state);
  const limit = effectiveLimit(state);
  const reason = bypassReason(state, p.orderId, exposure, limit);
  if (reason !== null) {
    out.push(
      controlEvent(
        'CreditBypassDetected',
        `bypass:${state.customerId}:${p.invoiceId}`,
        state.customerId,
        event.occurredAt,
        {
          invoiceId: p.invoiceId,
          source: event.source,
          orderId: p.orderId ?? null,
          reason,
          amount: p.amount,
          exposure,
          effectiveLimit: limit,
        },
      ),
    );
  }
  const terms = state.rating?.terms;
  if (terms !== undefined && p.paymentTermsDays > terms.maxPaymentTermsDays) {
    out.push(
      controlEvent(
        'TermsExceedGrade',
        `terms-exceed:${state.customerId}:${p.invoiceId}`,
        state.customerId,
        event.occurredAt,
        {
          invoiceId: p.invoiceId,
          source: event.source,
          grade: state.rating!.grade,
          paymentTermsDays: p.paymentTermsDays,
          maxPaymentTermsDays: terms.maxPaymentTermsDays,
          amount: p.amount,
        },
      ),
    );
  }
  return out;
}
