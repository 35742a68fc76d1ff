import { minBig } from '../money';
import { openAmount, refreshOpen, type CustomerState, type InvoiceState, type PaymentState } from './state';

/** Invoices that automatic application may use: open, not disputed, not written off. */
function eligible(inv: InvoiceState): boolean {
  return !inv.disputed && inv.writtenOffOn === null && openAmount(inv) > 0n;
}

/** Oldest first: dueOn, then issuedOn, then issue order. */
export function compareAge(a: InvoiceState, b: InvoiceState): number {
  if (a.dueOn !== b.dueOn) return a.dueOn < b.dueOn ? -1 : 1;
  if (a.issuedOn !== b.issuedOn) return a.issuedOn < b.issuedOn ? -1 : 1;
  return a.issueSeq - b.issueSeq;
}

/** Eligible invoices, oldest first. */
export function oldestOpenInvoices(state: CustomerState): InvoiceState[] {
  const out: InvoiceState[] = [];
  for (const inv of state.invoices.values()) if (eligible(inv)) out.push(inv);
  if (out.length > 1) out.sort(compareAge);
  return out;
}

/** Records `amount` of `pay`'s cash applied to `inv` (both sides) and settles the invoice if it closes. */
export function applyCash(pay: PaymentState, inv: InvoiceState, amount: bigint): void {
  inv.allocated += amount;
  refreshOpen(inv);
  const ia = inv.applications;
  const last = ia.length > 0 ? ia[ia.length - 1] : undefined;
  if (last && last.paymentId === pay.paymentId) last.amount += amount;
  else {
    const existing = ia.find((a) => a.paymentId === pay.paymentId);
    if (existing) existing.amount += amount;
    else ia.push({ paymentId: pay.paymentId, amount });
  }
  const pa = pay.applications.find((a) => a.invoiceId === inv.invoiceId);
  if (pa) pa.amount += amount;
  else pay.applications.push({ invoiceId: inv.invoiceId, amount });
  if (openAmount(inv) === 0n) inv.settledOn = pay.receivedOn;
}

/** Removes `amount` of `pay`'s application to `inv` (both sides). */
export function unapplyCash(pay: PaymentState, inv: InvoiceState, amount: bigint): void {
  inv.allocated -= amount;
  refreshOpen(inv);
  const ia = inv.applications.findIndex((a) => a.paymentId === pay.paymentId);
  if (ia >= 0) {
    inv.applications[ia].amount -= amount;
    if (inv.applications[ia].amount === 0n) inv.applications.splice(ia, 1);
  }
  const pa = pay.applications.findIndex((a) => a.invoiceId === inv.invoiceId);
  if (pa >= 0) {
    pay.applications[pa].amount -= amount;
    if (pay.applications[pa].amount === 0n) pay.applications.splice(pa, 1);
  }
}

/** Applies `amount` of `pay`'s cash to the oldest eligible invoices; returns what is left. */
export function applyOldestFirst(state: CustomerState, pay: PaymentState, amount: bigint): bigint {
  let rest = amount;
  if (rest === 0n) return rest;
  for (const inv of oldestOpenInvoices(state)) {
    const take = minBig(openAmount(inv), rest);
    applyCash(pay, inv, take);
    rest -= take;
    if (rest === 0n) break;
  }
  return rest;
}

/** Puts `amount` of `pay`'s cash on account (end of the FIFO queue). */
export function putOnAccount(state: CustomerState, pay: PaymentState, amount: bigint): void {
  if (amount === 0n) return;
  pay.unapplied += amount;
  state.unappliedCash.push({ source: pay.paymentId, amount });
}

/** Applies cash on account (oldest cash first) to the oldest eligible invoices. */
export function applyUnappliedCash(state: CustomerState): void {
  const queue = state.unappliedCash;
  if (queue.length === 0) return;
  const targets = oldestOpenInvoices(state);
  let t = 0;
  while (queue.length > 0 && t < targets.length) {
    const inv = targets[t];
    const open = openAmount(inv);
    if (open === 0n) {
      t++;
      continue;
    }
    const cash = queue[0];
    const pay = state.payments.get(cash.source) as PaymentState;
    const take = minBig(open, cash.amount);
    applyCash(pay, inv, take);
    pay.unapplied -= take;
    cash.amount -= take;
    if (cash.amount === 0n) queue.shift();
  }
}
