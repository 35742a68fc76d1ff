import { eventCurrency } from '../contract/envelope';
import { decideControl } from '../control/apply-control';
import { isControlEvent, type LedgerEvent } from '../control/control-events';
import { MAX_FIGURE_MINOR, formatAmount } from '../money';
import { ACCEPT, park, reject, type Decision } from './decision';
import { openAmount, unappliedTotal, type CustomerState, type InvoiceState } from './state';

export type { Decision } from './decision';

/** Open receivables plus open and held orders: the figure new invoices and orders add to. */
function receivablesAndOrders(state: CustomerState): bigint {
  let total = state.openOrdersTotal + state.heldOrdersTotal;
  for (const inv of state.invoices.values()) total += inv.open;
  return total;
}

/**
 * AMOUNT_OUT_OF_RANGE when `amount` would take the customer's `figure` (now `current`) past MAX_FIGURE_MINOR:
 * every sum the ledger keeps must fit its columns, so the event that would overflow one is refused, not the write.
 */
function outOfRange(state: CustomerState, figure: string, current: bigint, amount: bigint): Decision | null {
  const after = current + amount;
  if (after <= MAX_FIGURE_MINOR) return null;
  const cur = state.currency as string;
  return reject(
    'AMOUNT_OUT_OF_RANGE',
    `payload.amount: ${figure} of customer ${state.customerId} would be ${formatAmount(after, cur)} ${cur}, ` +
      `above the largest figure the ledger keeps, ${formatAmount(MAX_FIGURE_MINOR, cur)} ${cur}`,
  );
}

/**
 * Whether `event` can be applied to `state` now (accept), never (reject) or later, once another
 * event has arrived (park). Pure; the order of checks is: customer onboarded, currency,
 * duplicate ids, amounts that are wrong whatever the state, references (park), then state rules.
 */
export function decide(state: CustomerState, event: LedgerEvent): Decision {
  if (event.customerId !== state.customerId) {
    return reject(
      'KEY_MISMATCH',
      `event is for customer ${event.customerId}, state is of ${state.customerId}`,
    );
  }
  if (isControlEvent(event)) return decideControl(state, event);
  if (event.type === 'CustomerOnboarded') {
    return state.onboarded
      ? reject('DUPLICATE_ID', `customer ${state.customerId} already onboarded`)
      : ACCEPT;
  }
  if (!state.onboarded) return park('UNKNOWN_CUSTOMER', 'waits for CustomerOnboarded');

  const currency = eventCurrency(event);
  if (currency !== null && currency !== state.currency) {
    return reject(
      'CURRENCY_MISMATCH',
      `customer ${state.customerId} is in ${state.currency}, event is in ${currency}`,
    );
  }
  const fmt = (v: bigint): string => `${formatAmount(v, state.currency as string)} ${state.currency}`;

  switch (event.type) {
    case 'InvoiceIssued':
      if (state.invoices.has(event.payload.invoiceId))
        return reject('DUPLICATE_ID', `invoice ${event.payload.invoiceId} already exists`);
      return (
        outOfRange(state, 'open receivables and orders', receivablesAndOrders(state), event.payload.amount) ??
        ACCEPT
      );

    case 'CreditNoteIssued': {
      const p = event.payload;
      if (state.creditNotes.has(p.creditNoteId)) {
        return reject('DUPLICATE_ID', `credit note ${p.creditNoteId} already exists`);
      }
      const inv = state.invoices.get(p.invoiceId);
      if (!inv) return park('UNKNOWN_INVOICE', `waits for invoice ${p.invoiceId}`);
      const total = inv.credited + p.amount;
      if (total > inv.amount) {
        return reject(
          'OVER_ALLOCATION',
          `credit notes on invoice ${inv.invoiceId} would total ${fmt(total)}, more than its amount ${fmt(inv.amount)}`,
        );
      }
      return ACCEPT;
    }

    case 'PaymentReceived': {
      const p = event.payload;
      if (state.payments.has(p.paymentId))
        return reject('DUPLICATE_ID', `payment ${p.paymentId} already exists`);
      const allocations = p.allocations ?? [];
      let sum = 0n;
      for (const a of allocations) sum += a.amount;
      if (sum > p.amount) {
        return reject(
          'OVER_ALLOCATION',
          `allocations of payment ${p.paymentId} total ${fmt(sum)}, more than its amount ${fmt(p.amount)}`,
        );
      }
      // At most the whole payment goes on account.
      const range = outOfRange(state, 'cash on account', unappliedTotal(state), p.amount);
      if (range) return range;
      const invoices: InvoiceState[] = [];
      for (const a of allocations) {
        const inv = state.invoices.get(a.invoiceId);
        if (!inv) return park('UNKNOWN_INVOICE', `waits for invoice ${a.invoiceId}`);
        invoices.push(inv);
      }
      for (let i = 0; i < allocations.length; i++) {
        const inv = invoices[i];
        if (inv.writtenOffOn !== null) {
          return reject('INVALID_STATE', `cannot allocate to invoice ${inv.invoiceId}: it is written off`);
        }
        const open = openAmount(inv);
        if (allocations[i].amount > open) {
          return reject(
            'OVER_ALLOCATION',
            `allocation of ${fmt(allocations[i].amount)} to invoice ${inv.invoiceId} exceeds its open amount ${fmt(open)}`,
          );
        }
      }
      return ACCEPT;
    }

    case 'PaymentReversed': {
      const pay = state.payments.get(event.payload.paymentId);
      if (!pay) return park('UNKNOWN_PAYMENT', `waits for payment ${event.payload.paymentId}`);
      return pay.reversed ? reject('INVALID_STATE', `payment ${pay.paymentId} is already reversed`) : ACCEPT;
    }

    case 'OrderPlaced':
      if (state.orders.has(event.payload.orderId))
        return reject('DUPLICATE_ID', `order ${event.payload.orderId} already exists`);
      return (
        outOfRange(state, 'open receivables and orders', receivablesAndOrders(state), event.payload.amount) ??
        ACCEPT
      );

    case 'OrderCancelled': {
      const order = state.orders.get(event.payload.orderId);
      if (!order) return park('UNKNOWN_ORDER', `waits for order ${event.payload.orderId}`);
      return order.status === 'open' || order.status === 'held'
        ? ACCEPT
        : reject(
            'INVALID_STATE',
            `order ${order.orderId} cannot be cancelled: it is already ${order.status}`,
          );
    }

    case 'CustomerProfileUpdated':
      return ACCEPT;

    case 'ExternalCreditReportReceived':
      return state.reports.some((r) => r.reportId === event.payload.reportId)
        ? reject('DUPLICATE_ID', `credit report ${event.payload.reportId} already recorded`)
        : ACCEPT;

    case 'ComplaintRecorded':
      return state.complaints.some((c) => c.complaintId === event.payload.complaintId)
        ? reject('DUPLICATE_ID', `complaint ${event.payload.complaintId} already recorded`)
        : ACCEPT;

    case 'DisputeOpened':
    case 'DisputeResolved':
    case 'InvoiceWrittenOff': {
      const inv = state.invoices.get(event.payload.invoiceId);
      if (!inv) return park('UNKNOWN_INVOICE', `waits for invoice ${event.payload.invoiceId}`);
      if (event.type === 'DisputeOpened') {
        return inv.disputed
          ? reject('INVALID_STATE', `invoice ${inv.invoiceId} is already disputed`)
          : ACCEPT;
      }
      if (event.type === 'DisputeResolved') {
        return inv.disputed ? ACCEPT : reject('INVALID_STATE', `invoice ${inv.invoiceId} is not disputed`);
      }
      if (inv.writtenOffOn !== null) {
        return reject('INVALID_STATE', `invoice ${inv.invoiceId} is already written off`);
      }
      return openAmount(inv) === 0n
        ? reject('INVALID_STATE', `invoice ${inv.invoiceId} has no open amount to write off`)
        : ACCEPT;
    }
  }
}
