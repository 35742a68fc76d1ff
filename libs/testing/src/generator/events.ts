import {
  businessDay,
  businessTime,
  CustomerInfo,
  customerInfoFor,
  DAY_MS,
  eventCountFor,
  GeneratorConfig,
  normalizeOptions,
  onboardingMsFor,
  PayerProfile,
} from './customers';
import { formatMinor, minorPerMajor } from './money';
import { deriveSeed, Mulberry32 } from './rng';
import { GeneratorOptions, WireEvent } from './types';

/*
 * How it works
 * ------------
 * Each customer is a small state machine with its own PRNG stream (derived from seed + customer index),
 * a list of open invoices and a short agenda of scheduled actions (pay invoice X on day d, resolve a
 * dispute, invoice an order, …). The customer's next event is the earliest valid agenda item; a
 * "new business" item (invoice or order) is always on the agenda, spaced so that the customer's
 * event budget roughly fills the rest of the history. Agenda items that became invalid (invoice
 * already paid, written off, disputed…) are dropped when reached, so every emitted event is valid.
 *
 * generateEvents merges customers with a binary heap keyed by (next occurredAt, customer index).
 * Customers are materialised lazily at their onboarding time and discarded when their event budget
 * is spent, so memory is O(active customers × small state), never O(events).
 */

const BIZ = 0;
const PAY = 1;
const CREDIT_NOTE = 2;
const DISPUTE_OPEN = 3;
const DISPUTE_RESOLVE = 4;
const WRITE_OFF = 5;
const ORDER_INVOICE = 6;
const ORDER_CANCEL = 7;
const REVERSE = 8;

/** PAY flag: pay a fraction and do not schedule the rest (chronic payer before write-off). */
const PAY_PARTIAL_FINAL = 1;

interface Invoice {
  id: string;
  amount: number;
  open: number;
  dueDay: number;
  disputed: boolean;
  writtenOff: boolean;
  /** Position in issue order (oldest first), used for FIFO application of unallocated payments. */
  n: number;
  /** True while the invoice is in CustomerState.open. */
  listed: boolean;
}

interface Order {
  id: string;
  amount: number;
  open: boolean;
}

interface PaymentRecord {
  id: string;
  invoices: Invoice[];
  amounts: number[];
}

interface Action {
  day: number;
  seq: number;
  kind: number;
  flag: number;
  inv: Invoice | null;
  order: Order | null;
  payment: PaymentRecord | null;
}

interface CustomerState {
  info: CustomerInfo;
  rng: Mulberry32;
  remaining: number;
  lastMs: number;
  nextMs: number;
  emitted: number;
  invSeq: number;
  paySeq: number;
  cnSeq: number;
  ordSeq: number;
  actSeq: number;
  hasBiz: boolean;
  /** The scheduled BIZ item was placed by the "last spare event" rule. */
  bizIsFinal: boolean;
  /** Invoices with open > 0 that are not written off, oldest first. */
  open: Invoice[];
  /** Scheduled actions sorted by (day, seq). */
  agenda: Action[];
}

const DISPUTE_REASONS = [
  'Goods damaged on arrival',
  'Quantity short-shipped',
  'Price differs from order',
  'Duplicate invoice',
  'Service not delivered',
  'Wrong VAT rate',
];
const PARTIAL_PAYMENT_P: Readonly<Record<PayerProfile, number>> = { good: 0.03, average: 0.1, late: 0.15, chronic: 0.2 };
const REVERSAL_P: Readonly<Record<PayerProfile, number>> = { good: 0.003, average: 0.008, late: 0.02, chronic: 0.03 };
/** Expected events produced by one "new business" item (invoice/order + payments + follow-ups). */
const EVENTS_PER_BIZ = 2.4;

function pad4(n: number): string {
  return n < 10000 ? String(n).padStart(4, '0') : String(n);
}

class Simulation {
  private readonly dates: string[] = [];

  constructor(private readonly cfg: GeneratorConfig) {}

  dateOf(day: number): string {
    let s = this.dates[day];
    if (s === undefined) {
      s = new Date(this.cfg.startMs + day * DAY_MS).toISOString().slice(0, 10);
      if (day >= 0) this.dates[day] = s;
    }
    return s;
  }

  dayOf(ms: number): number {
    return Math.floor((ms - this.cfg.startMs) / DAY_MS);
  }

  /** Creates the customer's state and returns its CustomerOnboarded event. */
  activate(index: number): { state: CustomerState; event: WireEvent } {
    const info = customerInfoFor(this.cfg, index);
    const state: CustomerState = {
      info,
      rng: new Mulberry32(deriveSeed(this.cfg.seed, index, 2)),
      remaining: info.eventCount,
      lastMs: info.onboardMs,
      nextMs: info.onboardMs,
      emitted: 0,
      invSeq: 0,
      paySeq: 0,
      cnSeq: 0,
      ordSeq: 0,
      actSeq: 0,
      hasBiz: false,
      bizIsFinal: false,
      open: [],
      agenda: [],
    };
    const payload: Record<string, unknown> = { name: info.name, currency: info.currency };
    if (info.creditLimitMinor !== null) payload.creditLimit = formatMinor(info.creditLimitMinor, info.exponent);
    return { state, event: this.envelope(state, 'CustomerOnboarded', info.onboardMs, payload) };
  }

  private envelope(st: CustomerState, type: string, ms: number, payload: Record<string, unknown>): WireEvent {
    st.emitted++;
    st.remaining--;
    st.lastMs = ms;
    return {
      eventId: `evt-${this.cfg.seed}-${st.info.customerId}-${pad4(st.emitted)}`,
      type,
      version: 1,
      customerId: st.info.customerId,
      occurredAt: new Date(ms).toISOString(),
      source: this.cfg.source,
      payload,
    };
  }

  private schedule(
    st: CustomerState,
    day: number,
    kind: number,
    inv: Invoice | null,
    order: Order | null = null,
    payment: PaymentRecord | null = null,
    flag = 0,
  ): void {
    if (day >= this.cfg.days) return; // beyond the history: never happens
    const action: Action = { day, seq: st.actSeq++, kind, flag, inv, order, payment };
    const agenda = st.agenda;
    let i = agenda.length;
    while (i > 0 && agenda[i - 1].day > day) i--;
    agenda.splice(i, 0, action);
  }

  private pendingObligations(st: CustomerState): number {
    let n = 0;
    for (const a of st.agenda) if (a.kind !== BIZ && this.isValid(a)) n++;
    return n;
  }

  /**
   * Schedules the next invoice/order. `spare` = event budget not yet promised to pending obligations.
   * With a single spare event left the item goes near the end of the history (within the payment
   * terms), so a customer whose budget runs out is not left with invoices that look overdue.
   */
  private scheduleBiz(st: CustomerState, spare: number): void {
    const days = this.cfg.days;
    const rng = st.rng;
    const cur = this.dayOf(st.lastMs);
    const left = Math.max(0, days - cur);
    let day: number;
    st.bizIsFinal = spare <= 1;
    if (spare <= 1) {
      const lo = Math.max(cur + 1, days - st.info.termsDays);
      day = lo <= days - 1 ? rng.int(lo, days - 1) : cur + 1;
    } else if (st.invSeq === 0 && st.ordSeq === 0) {
      day = cur + rng.int(1, Math.max(1, Math.min(20, Math.floor(left / 4))));
    } else {
      const mean = Math.min((EVENTS_PER_BIZ * left) / (spare + EVENTS_PER_BIZ), left / 2);
      day = cur + Math.max(1, Math.round(mean * (0.3 + 1.4 * rng.next())));
    }
    day = businessDay(this.cfg, day);
    if (day >= days) day = Math.max(cur, days - 1);
    st.hasBiz = true;
    const action: Action = { day, seq: st.actSeq++, kind: BIZ, flag: 0, inv: null, order: null, payment: null };
    let i = st.agenda.length;
    while (i > 0 && st.agenda[i - 1].day > day) i--;
    st.agenda.splice(i, 0, action);
  }

  private isValid(a: Action): boolean {
    const inv = a.inv;
    switch (a.kind) {
      case PAY:
        return inv !== null && inv.open > 0 && !inv.writtenOff && !inv.disputed;
      case CREDIT_NOTE:
        return inv !== null && inv.open > 0 && !inv.writtenOff;
      case DISPUTE_OPEN:
        return inv !== null && inv.open > 0 && !inv.writtenOff && !inv.disputed;
      case DISPUTE_RESOLVE:
        return inv !== null && inv.disputed;
      case WRITE_OFF:
        return inv !== null && inv.open > 0 && !inv.writtenOff && !inv.disputed;
      case ORDER_INVOICE:
      case ORDER_CANCEL:
        return a.order !== null && a.order.open;
      case REVERSE:
        return a.payment !== null && a.payment.invoices.every((i) => !i.writtenOff);
      default:
        return true;
    }
  }

  /** Picks the customer's next event time; false when the customer has no more events. */
  prepareNext(st: CustomerState): boolean {
    if (st.remaining <= 0) return false;
    // Keep enough budget for what is already promised (payments, follow-ups) so that a customer's
    // stream never stops with invoices it was going to pay: new business only from the surplus.
    const pending = this.pendingObligations(st);
    const spare = st.remaining - pending;
    if (st.hasBiz && spare === 1 && !st.bizIsFinal) {
      // the last spare event: move the planned invoice/order towards the end of the history
      st.agenda.splice(
        st.agenda.findIndex((a) => a.kind === BIZ),
        1,
      );
      st.hasBiz = false;
    }
    if (!st.hasBiz && (spare > 0 || pending === 0)) this.scheduleBiz(st, spare);
    for (;;) {
      const a = st.agenda[0];
      if (a.kind === BIZ ? pending > 0 && spare <= 0 : !this.isValid(a)) {
        st.agenda.shift();
        if (a.kind === BIZ) st.hasBiz = false;
      } else break;
    }
    const day = st.agenda[0].day;
    let ms = businessTime(this.cfg, st.rng, day);
    if (ms <= st.lastMs) ms = st.lastMs + st.rng.int(60, 600) * 1000 + st.rng.int(0, 999);
    st.nextMs = ms;
    return true;
  }

  /** Emits the event prepared by prepareNext. */
  emit(st: CustomerState): WireEvent {
    const a = st.agenda.shift() as Action;
    const ms = st.nextMs;
    const day = this.dayOf(ms);
    switch (a.kind) {
      case BIZ:
        return this.newBusiness(st, ms, day);
      case PAY:
        return this.pay(st, a, ms, day);
      case CREDIT_NOTE:
        return this.creditNote(st, a.inv as Invoice, ms);
      case DISPUTE_OPEN:
        return this.openDispute(st, a.inv as Invoice, ms, day);
      case DISPUTE_RESOLVE:
        return this.resolveDispute(st, a.inv as Invoice, ms, day);
      case WRITE_OFF: {
        const inv = a.inv as Invoice;
        inv.writtenOff = true;
        this.unlist(st, inv);
        return this.envelope(st, 'InvoiceWrittenOff', ms, { invoiceId: inv.id });
      }
      case ORDER_INVOICE: {
        const order = a.order as Order;
        order.open = false;
        return this.issueInvoice(st, ms, day, order.amount, order.id);
      }
      case ORDER_CANCEL: {
        const order = a.order as Order;
        order.open = false;
        return this.envelope(st, 'OrderCancelled', ms, { orderId: order.id });
      }
      case REVERSE:
        return this.reverse(st, a.payment as PaymentRecord, ms, day);
      default:
        throw new Error(`unknown action ${a.kind}`);
    }
  }

  private money(st: CustomerState, minor: number): string {
    return formatMinor(minor, st.info.exponent);
  }

  private sizeAmount(st: CustomerState): number {
    const rng = st.rng;
    const unit = minorPerMajor(st.info.exponent);
    const u = rng.next();
    const major = Math.max(1, Math.floor((st.info.sizingLimitMinor / unit) * (0.01 + 0.22 * u * u)));
    return major * unit + (unit > 1 ? rng.int(0, unit - 1) : 0);
  }

  private newBusiness(st: CustomerState, ms: number, day: number): WireEvent {
    st.hasBiz = false;
    const rng = st.rng;
    if (rng.chance(0.33)) {
      const order: Order = { id: `ORD-${st.info.customerId}-${pad4(++st.ordSeq)}`, amount: this.sizeAmount(st), open: true };
      if (rng.chance(0.88)) this.schedule(st, businessDay(this.cfg, day + rng.int(1, 10)), ORDER_INVOICE, null, order);
      else this.schedule(st, businessDay(this.cfg, day + rng.int(1, 20)), ORDER_CANCEL, null, order);
      return this.envelope(st, 'OrderPlaced', ms, {
        orderId: order.id,
        amount: this.money(st, order.amount),
        currency: st.info.currency,
      });
    }
    return this.issueInvoice(st, ms, day, this.sizeAmount(st), null);
  }

  private issueInvoice(st: CustomerState, ms: number, day: number, amount: number, orderId: string | null): WireEvent {
    const rng = st.rng;
    const n = ++st.invSeq;
    const dueDay = day + st.info.termsDays;
    const inv: Invoice = {
      id: `INV-${st.info.customerId}-${pad4(n)}`,
      amount,
      open: amount,
      dueDay,
      disputed: false,
      writtenOff: false,
      n,
      listed: true,
    };
    st.open.push(inv);
    this.schedulePaymentPlan(st, inv, day);
    if (rng.chance(0.035)) this.schedule(st, businessDay(this.cfg, day + rng.int(2, 20)), CREDIT_NOTE, inv);
    if (rng.chance(0.03)) this.schedule(st, businessDay(this.cfg, day + rng.int(3, 25)), DISPUTE_OPEN, inv);
    const payload: Record<string, unknown> = {
      invoiceId: inv.id,
      amount: this.money(st, amount),
      currency: st.info.currency,
      issuedOn: this.dateOf(day),
      dueOn: this.dateOf(dueDay),
    };
    if (orderId !== null) payload.orderId = orderId;
    return this.envelope(st, 'InvoiceIssued', ms, payload);
  }

  private schedulePaymentPlan(st: CustomerState, inv: Invoice, issueDay: number): void {
    const rng = st.rng;
    let lateness: number;
    switch (st.info.profile) {
      case 'good':
        lateness = rng.chance(0.95) ? -rng.int(2, 10) : rng.int(1, 5);
        break;
      case 'average':
        lateness = rng.int(-5, 14);
        break;
      case 'late':
        lateness = rng.int(15, 60);
        break;
      case 'chronic':
        if (rng.chance(0.55)) {
          lateness = rng.int(90, 150);
        } else {
          // never pays in full: maybe a token partial payment, then the rest is written off
          if (rng.chance(0.4)) {
            this.schedule(st, businessDay(this.cfg, inv.dueDay + rng.int(45, 100)), PAY, inv, null, null, PAY_PARTIAL_FINAL);
          }
          this.schedule(st, businessDay(this.cfg, inv.dueDay + rng.int(120, 200)), WRITE_OFF, inv);
          return;
        }
        break;
    }
    const payDay = businessDay(this.cfg, Math.max(issueDay + 1, inv.dueDay + lateness));
    this.schedule(st, payDay, PAY, inv);
  }

  private unlist(st: CustomerState, inv: Invoice): void {
    if (!inv.listed) return;
    inv.listed = false;
    const i = st.open.indexOf(inv);
    if (i >= 0) st.open.splice(i, 1);
  }

  private relist(st: CustomerState, inv: Invoice): void {
    if (inv.listed) return;
    inv.listed = true;
    let i = st.open.length;
    while (i > 0 && st.open[i - 1].n > inv.n) i--;
    st.open.splice(i, 0, inv);
  }

  private allocate(st: CustomerState, inv: Invoice, amount: number): void {
    inv.open -= amount;
    if (inv.open === 0) this.unlist(st, inv);
  }

  private pay(st: CustomerState, a: Action, ms: number, day: number): WireEvent {
    const rng = st.rng;
    const inv = a.inv as Invoice;
    const unit = minorPerMajor(st.info.exponent);
    let amount = inv.open;
    let partial = false;
    if (a.flag === PAY_PARTIAL_FINAL) {
      amount = Math.max(1, Math.floor((inv.open * rng.int(20, 50)) / 100));
      partial = true;
    } else if (inv.open >= 4 * unit && rng.chance(PARTIAL_PAYMENT_P[st.info.profile])) {
      // round partial amounts to whole major units, as people do
      amount = Math.max(unit, Math.floor((inv.open * rng.int(30, 70)) / 100 / unit) * unit);
      partial = true;
      this.schedule(st, businessDay(this.cfg, day + rng.int(10, 40)), PAY, inv);
    }
    const targets: Invoice[] = [inv];
    const amounts: number[] = [amount];
    const oldest = st.open[0];
    const anyDisputed = st.open.some((i) => i.disputed);
    let allocated = true;
    if (oldest === inv && !anyDisputed && rng.chance(0.45)) {
      // unallocated: the ledger applies it to the oldest open invoices first, which starts with `inv`
      allocated = false;
    }
    if (!partial && rng.chance(0.2)) {
      // settle a few more invoices falling due soon in the same payment
      for (let k = 0; k < st.open.length && targets.length < 3; k++) {
        const other = st.open[k];
        if (allocated) {
          if (other === inv || other.disputed || other.dueDay > day + 20) continue;
        } else {
          // FIFO must reach these next: only the invoices directly following inv qualify
          if (k === 0) continue;
          if (other.dueDay > day + 20) break;
        }
        targets.push(other);
        amounts.push(other.open);
      }
    }
    let total = 0;
    for (const x of amounts) total += x;
    for (let k = 0; k < targets.length; k++) this.allocate(st, targets[k], amounts[k]);
    const paymentId = `PAY-${st.info.customerId}-${pad4(++st.paySeq)}`;
    const payload: Record<string, unknown> = {
      paymentId,
      amount: this.money(st, total),
      currency: st.info.currency,
      receivedOn: this.dateOf(day),
    };
    if (allocated) {
      payload.allocations = targets.map((t, k) => ({ invoiceId: t.id, amount: this.money(st, amounts[k]) }));
    }
    if (rng.chance(REVERSAL_P[st.info.profile])) {
      this.schedule(st, businessDay(this.cfg, day + rng.int(2, 10)), REVERSE, null, null, {
        id: paymentId,
        invoices: targets,
        amounts,
      });
    }
    return this.envelope(st, 'PaymentReceived', ms, payload);
  }

  private reverse(st: CustomerState, p: PaymentRecord, ms: number, day: number): WireEvent {
    const rng = st.rng;
    for (let k = 0; k < p.invoices.length; k++) {
      const inv = p.invoices[k];
      inv.open += p.amounts[k];
      this.relist(st, inv);
      // the customer pays again after the bounced payment
      this.schedule(st, businessDay(this.cfg, day + rng.int(7, 25)), PAY, inv);
    }
    const reason = rng.chance(0.7) ? 'NSF' : 'chargeback';
    return this.envelope(st, 'PaymentReversed', ms, { paymentId: p.id, reason });
  }

  private creditNote(st: CustomerState, inv: Invoice, ms: number): WireEvent {
    const rng = st.rng;
    const unit = minorPerMajor(st.info.exponent);
    let amount = Math.floor((inv.amount * rng.int(5, 50)) / 100);
    if (amount >= unit && rng.chance(0.6)) amount -= amount % unit;
    amount = Math.min(inv.open, Math.max(1, amount));
    this.allocate(st, inv, amount);
    return this.envelope(st, 'CreditNoteIssued', ms, {
      creditNoteId: `CN-${st.info.customerId}-${pad4(++st.cnSeq)}`,
      invoiceId: inv.id,
      amount: this.money(st, amount),
      currency: st.info.currency,
    });
  }

  private openDispute(st: CustomerState, inv: Invoice, ms: number, day: number): WireEvent {
    const rng = st.rng;
    inv.disputed = true;
    const reason = rng.pick(DISPUTE_REASONS);
    if (rng.chance(0.85)) this.schedule(st, businessDay(this.cfg, day + rng.int(5, 40)), DISPUTE_RESOLVE, inv);
    return this.envelope(st, 'DisputeOpened', ms, { invoiceId: inv.id, reason });
  }

  private resolveDispute(st: CustomerState, inv: Invoice, ms: number, day: number): WireEvent {
    const rng = st.rng;
    inv.disputed = false;
    if (inv.open > 0 && !inv.writtenOff) {
      if (rng.chance(0.4)) this.schedule(st, day, CREDIT_NOTE, inv); // settled with a partial credit
      this.schedule(st, businessDay(this.cfg, day + rng.int(3, 15)), PAY, inv);
    }
    return this.envelope(st, 'DisputeResolved', ms, { invoiceId: inv.id });
  }
}

interface HeapEntry {
  index: number;
  ms: number;
  state: CustomerState | null;
}

function less(a: HeapEntry, b: HeapEntry): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.index < b.index);
}

function siftDown(heap: HeapEntry[], i: number): void {
  const n = heap.length;
  const item = heap[i];
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && less(heap[r], heap[l]) ? r : l;
    if (!less(heap[c], item)) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = item;
}

/**
 * All customers' events, globally sorted by occurredAt (ties: lower customer index first), each
 * customer's stream in causal order. Lazy: memory stays proportional to the active customers.
 */
export function* generateEvents(opts: GeneratorOptions): Generator<WireEvent> {
  const cfg = normalizeOptions(opts);
  const sim = new Simulation(cfg);
  const heap: HeapEntry[] = [];
  for (let index = 0; index < cfg.customers; index++) {
    if (eventCountFor(cfg, index) > 0) heap.push({ index, ms: onboardingMsFor(cfg, index), state: null });
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  while (heap.length > 0) {
    const top = heap[0];
    let event: WireEvent;
    if (top.state === null) {
      const activated = sim.activate(top.index);
      top.state = activated.state;
      event = activated.event;
    } else {
      event = sim.emit(top.state);
    }
    if (sim.prepareNext(top.state)) {
      top.ms = top.state.nextMs;
    } else {
      const last = heap.pop() as HeapEntry;
      if (heap.length === 0) {
        yield event;
        break;
      }
      heap[0] = last;
    }
    siftDown(heap, 0);
    yield event;
  }
}

/** The whole history as an array (fine for demos and tests; use generateEvents for big volumes). */
export function generateHistory(opts: GeneratorOptions): WireEvent[] {
  return Array.from(generateEvents(opts));
}
