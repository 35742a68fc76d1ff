import {
  BUSINESS_CLOSE_MS,
  BUSINESS_OPEN_MS,
  BUSINESS_OPEN_S,
  businessDay,
  CustomerInfo,
  customerInfoFor,
  DAY_MS,
  eventCountFor,
  GeneratorConfig,
  latestStart,
  normalizeOptions,
  onboardingMsFor,
  PayerProfile,
} from './customers';
import {
  complaintPayload,
  creditFileFor,
  reportPayload,
  statementsUpdate,
  type GeneratedCreditFile,
} from './credit-file';
import { LedgerView } from './ledger-view';
import { formatMinor, minorPerMajor } from './money';
import { deriveSeed, Mulberry32 } from './rng';
import { GeneratorOptions, WireEvent } from './types';

// Builtins are bound to module constants: under jest's vm sandbox every global lookup (Math, …) goes
// through an interceptor and hot loops run several times slower.
const { floor, max, min, round } = Math;

/*
 * How it works
 * ------------
 * Each customer is a small state machine with its own PRNG stream (derived from seed + customer index),
 * a list of open invoices and a short agenda of scheduled actions (pay invoice X on day d, resolve a
 * dispute, invoice an order, …). The customer's next event is the earliest valid agenda item; a
 * "new business" item (invoice or order) is kept on the agenda, spaced so that the customer's event
 * budget (exactly eventCountFor(index) events) roughly fills the rest of the history, with budget
 * reserved for already-promised follow-ups. Agenda items that became invalid (invoice already paid,
 * written off, disputed…) are dropped when reached, so every emitted event is valid in order.
 *
 * generateEvents merges customers through a calendar queue keyed by (next occurredAt, customer index).
 * Customers are materialised lazily at their onboarding time and released when their budget is spent,
 * so memory is O(active customers × small state), never O(events).
 *
 * All amounts are integers in minor units; floats only ever pick random integers, never hold money.
 *
 * With billing 'controlled' each customer also folds its own events through the pure domain (LedgerView) and
 * asks it before selling on credit (controlledBusiness, awaitRelease, invoiceOrder). That changes which events
 * are drawn, never how many: the count per customer stays exact and memory stays O(active customers).
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
/** PAY flag: pay the whole invoice, no split (a cash order's invoice). */
const PAY_IN_FULL = 2;
/** ORDER_INVOICE flag: controlled billing invoices this order around the credit check, on purpose. */
const INVOICE_AROUND_CHECK = 1;
/** Controlled billing waits this long for the ledger to release a held order before it cancels it. */
const HELD_ORDER_PATIENCE_DAYS = 45;

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
  /** Paid before delivery (seed 000: the cash-only band); never held, never a bypass. */
  cash: boolean;
  placedDay: number;
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
  /** Number of non-BIZ items on the agenda. */
  obligations: number;
  /** The scheduled BIZ item was placed by the "last spare event" rule. */
  bizIsFinal: boolean;
  /** Invoices with open > 0 that are not written off, oldest first as the ledger ages them (due date, then issue). */
  open: Invoice[];
  /** Scheduled actions sorted by (day, seq) DESCENDING: the next one is last (cheap pop). */
  agenda: Action[];
  /** 'evt-<seed>-<customerId>-' */
  eventIdPrefix: string;
  file: GeneratedCreditFile;
  /** The background-check report is still to be sent (the first new-business slot after onboarding). */
  reportPending: boolean;
  /** History day of the statements on file (null: none); a year's later ones are sent ~13 months after. */
  statementsDay: number | null;
  fileSeq: number;
  /** Controlled billing: what the ledger knows of the customer (null: billing ignores the ledger). */
  ledger: LedgerView | null;
}

const DISPUTE_REASONS = [
  'Goods damaged on arrival',
  'Quantity short-shipped',
  'Price differs from order',
  'Duplicate invoice',
  'Service not delivered',
  'Wrong VAT rate',
];
const PARTIAL_PAYMENT_P: Readonly<Record<PayerProfile, number>> = {
  good: 0.03,
  average: 0.1,
  late: 0.15,
  chronic: 0.2,
};
const REVERSAL_P: Readonly<Record<PayerProfile, number>> = {
  good: 0.006,
  average: 0.016,
  late: 0.04,
  chronic: 0.06,
};
/** Expected events produced by one "new business" item (invoice/order + payments + follow-ups). */
const EVENTS_PER_BIZ = 2.4;

/** A packed array (new Array(n) with large n yields slow dictionary-mode elements in V8). */
function filled<T>(n: number, value: T): T[] {
  const xs: T[] = [];
  for (let i = 0; i < n; i++) xs.push(value);
  return xs;
}

const SUFFIX_CACHE = 10000;
/** Cached id suffixes like '-0042' / '-INV-0042' (fewer string allocations per event). */
function suffixes(tag: string): string[] {
  return Array.from({ length: SUFFIX_CACHE }, (_, i) => `${tag}-${String(i).padStart(4, '0')}`);
}
const SEQ = suffixes('');
const INV = suffixes('-INV');
const PAY_ID = suffixes('-PAY');
const CN = suffixes('-CN');
const ORD = suffixes('-ORD');
function suffix(cache: string[], tag: string, n: number): string {
  return n < SUFFIX_CACHE ? cache[n] : `${tag}-${n}`;
}

class Simulation {
  private readonly dates: string[];
  /**
   * Controlled billing's deliberate bypasses still owed: bypassRate per invoice issued, spent (1 each) only where
   * the credit check would object, so that about bypassRate of all invoices are bypasses the ledger detects.
   * One account for the whole history: the customers where the check objects are few.
   */
  private bypassesOwed = 0;
  /** 'THH:MM:SS.000Z' by second of day. */
  private readonly times: string[] = filled(86400, '');

  constructor(private readonly cfg: GeneratorConfig) {
    this.dates = filled(cfg.days + 512, '');
  }

  dateOf(day: number): string {
    let s = day >= 0 && day < this.dates.length ? this.dates[day] : '';
    if (s === '') {
      s = new Date(this.cfg.startMs + day * DAY_MS).toISOString().slice(0, 10);
      if (day >= 0 && day < this.dates.length) this.dates[day] = s;
    }
    return s;
  }

  /** Same as new Date(ms).toISOString() for whole-second instants at or after startMs, but cheaper. */
  isoOf(ms: number): string {
    const day = floor((ms - this.cfg.startMs) / DAY_MS);
    const tod = ms - this.cfg.startMs - day * DAY_MS;
    if (day < 0 || tod % 1000 !== 0) return new Date(ms).toISOString();
    const sec = tod / 1000;
    let t = this.times[sec];
    if (t === '') {
      t = new Date(sec * 1000).toISOString().slice(10);
      this.times[sec] = t;
    }
    return this.dateOf(day) + t;
  }

  dayOf(ms: number): number {
    return floor((ms - this.cfg.startMs) / DAY_MS);
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
      obligations: 0,
      bizIsFinal: false,
      open: [],
      agenda: [],
      eventIdPrefix: `evt-${this.cfg.seed}-${info.customerId}`,
      file: creditFileFor(this.cfg, info),
      reportPending: false,
      statementsDay: null,
      fileSeq: 0,
      ledger: this.cfg.controlled ? new LedgerView(info.customerId) : null,
    };
    state.reportPending = state.file.report !== null;
    state.statementsDay = state.file.statementsDay;
    const payload: Record<string, unknown> = { name: info.name, currency: info.currency };
    if (info.creditLimitMinor !== null)
      payload.creditLimit = formatMinor(info.creditLimitMinor, info.exponent);
    // With a credit file: contract v2. Without one: v1, as a sender that has none would still send it.
    const profile = state.file.profile;
    const event =
      profile === null
        ? this.envelope(state, 'CustomerOnboarded', info.onboardMs, payload)
        : this.envelope(state, 'CustomerOnboarded', info.onboardMs, { ...payload, ...profile }, 2);
    return { state, event };
  }

  private envelope(
    st: CustomerState,
    type: string,
    ms: number,
    payload: Record<string, unknown>,
    version = 1,
  ): WireEvent {
    st.emitted++;
    st.remaining--;
    st.lastMs = ms;
    const event = this.wire(st, type, ms, payload, version, st.eventIdPrefix + suffix(SEQ, '', st.emitted));
    if (st.ledger !== null) st.ledger.evolve(event);
    return event;
  }

  private wire(
    st: CustomerState,
    type: string,
    ms: number,
    payload: Record<string, unknown>,
    version: number,
    eventId: string,
  ): WireEvent {
    return {
      eventId,
      type,
      version,
      customerId: st.info.customerId,
      occurredAt: this.isoOf(ms),
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
    st.obligations++;
    this.insert(st.agenda, action);
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
    const left = max(0, days - cur);
    let day: number;
    st.bizIsFinal = spare <= 1;
    if (spare <= 1) {
      const lo = max(cur + 1, days - st.info.termsDays);
      day = lo <= days - 1 ? rng.int(lo, days - 1) : cur + 1;
    } else if (st.invSeq === 0 && st.ordSeq === 0) {
      day = cur + rng.int(1, max(1, min(20, floor(left / 4))));
    } else {
      // a new invoice costs ~EVENTS_PER_BIZ events if its payment still falls inside the history, else ~1
      const perBiz = 1 + (EVENTS_PER_BIZ - 1) * min(1, max(0, (left - st.info.termsDays) / 60));
      const mean = min((perBiz * left) / (spare + perBiz), left / 2);
      // normally at least a day apart; dense histories (big budget, little time) may share a day
      day = cur + max(mean >= 1 ? 1 : 0, round(mean * (0.3 + 1.4 * rng.next())));
    }
    day = businessDay(this.cfg, day);
    if (day >= days) {
      // clamp to the last business day of the history (never before the customer's current day)
      let last = days - 1;
      while (last > cur && businessDay(this.cfg, last) !== last) last--;
      day = max(cur, last);
    }
    st.hasBiz = true;
    const action: Action = {
      day,
      seq: st.actSeq++,
      kind: BIZ,
      flag: 0,
      inv: null,
      order: null,
      payment: null,
    };
    this.insert(st.agenda, action);
  }

  private insert(agenda: Action[], action: Action): void {
    let i = 0;
    while (i < agenda.length && agenda[i].day > action.day) i++;
    agenda.splice(i, 0, action);
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
    // `obligations` counts scheduled non-BIZ items, including a few that turn out stale (dropped when
    // reached), which only makes the reservation slightly conservative.
    const agenda = st.agenda;
    for (;;) {
      let head = agenda.length > 0 ? agenda[agenda.length - 1] : null;
      if (head !== null && head.kind !== BIZ && !this.isValid(head)) {
        agenda.pop();
        st.obligations--;
        continue;
      }
      if (
        head !== null &&
        head.kind === ORDER_INVOICE &&
        st.ledger !== null &&
        this.awaitRelease(st, st.ledger, head)
      )
        continue;
      const spare = st.remaining - st.obligations;
      if (st.hasBiz && spare === 1 && !st.bizIsFinal) {
        // the last spare event: move the planned invoice/order towards the end of the history
        agenda.splice(
          agenda.findIndex((a) => a.kind === BIZ),
          1,
        );
        st.hasBiz = false;
      }
      if (!st.hasBiz && (spare > 0 || st.obligations === 0)) this.scheduleBiz(st, spare);
      head = agenda[agenda.length - 1];
      if (head.kind === BIZ && st.obligations > 0 && spare <= 0) {
        agenda.pop();
        st.hasBiz = false;
        continue;
      }
      if (head.kind === BIZ || this.isValid(head)) break;
    }
    const day = st.agenda[st.agenda.length - 1].day;
    // first event of a day: a business-hours time early enough for the rest of the budget to fit that day
    let ms = st.lastMs;
    if (day > this.dayOf(st.lastMs)) {
      ms = this.cfg.startMs + day * DAY_MS + st.rng.int(BUSINESS_OPEN_S, latestStart(st.remaining)) * 1000;
    }
    if (ms <= st.lastMs) {
      // several events on one day: a few minutes apart, rolling over to the next business morning
      ms = st.lastMs + st.rng.int(60, 600) * 1000;
      const d = this.dayOf(ms);
      if (ms - this.cfg.startMs - d * DAY_MS >= BUSINESS_CLOSE_MS) {
        ms =
          this.cfg.startMs +
          businessDay(this.cfg, d + 1) * DAY_MS +
          BUSINESS_OPEN_MS +
          st.rng.int(0, 7200) * 1000;
      }
    }
    st.nextMs = ms;
    return true;
  }

  /** Emits the event prepared by prepareNext. */
  emit(st: CustomerState): WireEvent {
    const a = st.agenda.pop() as Action;
    if (a.kind !== BIZ) st.obligations--;
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
      case ORDER_INVOICE:
        return this.invoiceOrder(st, a, ms, day);
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

  /**
   * Budget left after the event being emitted and everything already scheduled. Optional follow-ups
   * (credit notes, disputes, split payments, reversals, orders) are only planned when it allows, so
   * small customers keep simple, complete stories instead of stopping half-way.
   */
  private free(st: CustomerState): number {
    return st.remaining - 1 - st.obligations;
  }

  private money(st: CustomerState, minor: number): string {
    return formatMinor(minor, st.info.exponent);
  }

  private sizeAmount(st: CustomerState): number {
    const rng = st.rng;
    const unit = minorPerMajor(st.info.exponent);
    const u = rng.next();
    const major = max(1, floor((st.info.sizingLimitMinor / unit) * (0.01 + 0.22 * u * u)));
    return major * unit + (unit > 1 ? rng.int(0, unit - 1) : 0);
  }

  private newBusiness(st: CustomerState, ms: number, day: number): WireEvent {
    st.hasBiz = false;
    const rng = st.rng;
    const fileEvent = this.creditFileEvent(st, ms, day);
    if (fileEvent !== null) return fileEvent;
    if (st.ledger !== null) return this.controlledBusiness(st, st.ledger, ms, day);
    if (this.free(st) >= 2 && rng.chance(0.44)) {
      const order: Order = {
        id: st.info.customerId + suffix(ORD, '-ORD', ++st.ordSeq),
        amount: this.sizeAmount(st),
        open: true,
        cash: false,
        placedDay: day,
      };
      if (rng.chance(0.88))
        this.schedule(st, businessDay(this.cfg, day + rng.int(1, 10)), ORDER_INVOICE, null, order);
      else this.schedule(st, businessDay(this.cfg, day + rng.int(1, 20)), ORDER_CANCEL, null, order);
      return this.envelope(st, 'OrderPlaced', ms, {
        orderId: order.id,
        amount: this.money(st, order.amount),
        currency: st.info.currency,
      });
    }
    return this.issueInvoice(st, ms, day, this.sizeAmount(st), null, st.info.termsDays);
  }

  /**
   * New business of a billing system integrated with credit control (seed 004: orders pass the credit check
   * before delivery): it asks the ledger first. An invoice the check would flag becomes an order instead, on
   * credit when only the limit is in the way (the ledger holds or passes it), for cash when the customer gets
   * no credit at all (cash-only band, frozen, blacklisted). Terms never exceed what the grade's band allows.
   * Now and then billing goes around the check on purpose (see bypassesOwed).
   */
  private controlledBusiness(st: CustomerState, ledger: LedgerView, ms: number, day: number): WireEvent {
    const amount = this.sizeAmount(st);
    if (!ledger.creditRefused() && this.free(st) >= 2 && st.rng.chance(0.44))
      return this.placeOrder(st, ms, day, amount, false);
    const terms = st.info.termsDays;
    const verdict = ledger.verdict(this.invoiceWire(st, ms, day, amount, null, terms));
    if (verdict.bypass === null)
      return this.issueInvoice(st, ms, day, amount, null, this.allowedTerms(st, verdict.maxTermsDays));
    if (this.goAround()) return this.issueInvoice(st, ms, day, amount, null, terms);
    return this.placeOrder(st, ms, day, amount, verdict.bypass !== 'over-limit');
  }

  private placeOrder(st: CustomerState, ms: number, day: number, amount: number, cash: boolean): WireEvent {
    const rng = st.rng;
    const order: Order = {
      id: st.info.customerId + suffix(ORD, '-ORD', ++st.ordSeq),
      amount,
      open: true,
      cash,
      placedDay: day,
    };
    if (this.free(st) >= 1) {
      // paid before delivery: invoiced within days; a credit order is mostly invoiced, sometimes cancelled
      if (cash) this.schedule(st, businessDay(this.cfg, day + rng.int(1, 5)), ORDER_INVOICE, null, order);
      else if (rng.chance(0.88))
        this.schedule(st, businessDay(this.cfg, day + rng.int(1, 10)), ORDER_INVOICE, null, order);
      else this.schedule(st, businessDay(this.cfg, day + rng.int(1, 20)), ORDER_CANCEL, null, order);
    }
    const payload: Record<string, unknown> = {
      orderId: order.id,
      amount: this.money(st, order.amount),
      currency: st.info.currency,
    };
    if (cash) payload.paymentMethod = 'cash';
    return this.envelope(st, 'OrderPlaced', ms, payload);
  }

  private invoiceOrder(st: CustomerState, a: Action, ms: number, day: number): WireEvent {
    const order = a.order as Order;
    order.open = false;
    const ledger = st.ledger;
    const terms = st.info.termsDays;
    if (ledger === null || a.flag === INVOICE_AROUND_CHECK)
      return this.issueInvoice(st, ms, day, order.amount, order.id, terms);
    const verdict = ledger.verdict(this.invoiceWire(st, ms, day, order.amount, order.id, terms));
    // awaitRelease asked the ledger as of the customer's last event; at the invoice's own time it may re-grade
    // the customer into the cash-only band: billing then cancels the order rather than ship it on credit.
    if (verdict.bypass !== null) return this.envelope(st, 'OrderCancelled', ms, { orderId: order.id });
    const allowed = this.allowedTerms(st, verdict.maxTermsDays);
    return this.issueInvoice(st, ms, day, order.amount, order.id, allowed, order.cash);
  }

  /**
   * Controlled billing does not invoice a credit order the ledger holds, nor one for a customer that gets no
   * credit now: it looks again in a week or two (a payment may release it) and cancels the order after
   * HELD_ORDER_PATIENCE_DAYS. True when the invoice was put off (the agenda changed).
   */
  private awaitRelease(st: CustomerState, ledger: LedgerView, a: Action): boolean {
    const order = a.order as Order;
    if (order.cash || a.flag === INVOICE_AROUND_CHECK) return false;
    if (ledger.orderStatus(order.id) !== 'held' && !ledger.creditRefused()) return false;
    if (this.goAround()) {
      a.flag = INVOICE_AROUND_CHECK;
      return false;
    }
    const retry = businessDay(this.cfg, a.day + st.rng.int(5, 15));
    if (retry < this.cfg.days && retry - order.placedDay <= HELD_ORDER_PATIENCE_DAYS) {
      st.agenda.pop();
      a.day = retry;
      this.insert(st.agenda, a);
      return true;
    }
    a.kind = ORDER_CANCEL;
    return false;
  }

  /** Spends one owed deliberate bypass, if any. */
  private goAround(): boolean {
    if (this.bypassesOwed < 1) return false;
    this.bypassesOwed -= 1;
    return true;
  }

  private allowedTerms(st: CustomerState, maxTermsDays: number | null): number {
    return maxTermsDays === null ? st.info.termsDays : min(st.info.termsDays, maxTermsDays);
  }

  /**
   * A credit-file event in place of new business, now and then: the background-check report first (seed 003:
   * check, score, then decide on credit), a complaint (more often from weak payers), or the statements of a
   * later year end.
   */
  private creditFileEvent(st: CustomerState, ms: number, day: number): WireEvent | null {
    const rng = st.rng;
    const id = (tag: string): string => `${st.info.customerId}-${tag}-${++st.fileSeq}`;
    if (st.reportPending) {
      st.reportPending = false;
      const payload = reportPayload(this.cfg, st.file.report!, id('RPT'), day);
      return this.envelope(st, 'ExternalCreditReportReceived', ms, payload);
    }
    if (rng.chance(st.file.complaintChance)) {
      return this.envelope(st, 'ComplaintRecorded', ms, complaintPayload(rng, id('CMP'), st.info.profile));
    }
    // The next year's statements, once filed (a year end plus ~a month), so the file stays current.
    if (st.statementsDay !== null && day >= st.statementsDay + 395 && rng.chance(0.7)) {
      st.statementsDay += 365;
      const payload = statementsUpdate(this.cfg, st.info, rng, st.statementsDay);
      return this.envelope(st, 'CustomerProfileUpdated', ms, payload);
    }
    return null;
  }

  /** The InvoiceIssued issueInvoice would emit next, not emitted: what billing shows the ledger's check. */
  private invoiceWire(
    st: CustomerState,
    ms: number,
    day: number,
    amount: number,
    orderId: string | null,
    termsDays: number,
  ): WireEvent {
    const id = st.info.customerId + suffix(INV, '-INV', st.invSeq + 1);
    const payload = this.invoicePayload(st, id, amount, day, day + termsDays, orderId);
    return this.wire(st, 'InvoiceIssued', ms, payload, 1, `${st.eventIdPrefix}-trial`);
  }

  private invoicePayload(
    st: CustomerState,
    invoiceId: string,
    amount: number,
    day: number,
    dueDay: number,
    orderId: string | null,
  ): Record<string, unknown> {
    const payload: Record<string, unknown> = {
      invoiceId,
      amount: this.money(st, amount),
      currency: st.info.currency,
      issuedOn: this.dateOf(day),
      dueOn: this.dateOf(dueDay),
    };
    if (orderId !== null) payload.orderId = orderId;
    return payload;
  }

  /** `cash`: the invoice of a cash order, paid in full the day it is issued (cash before delivery). */
  private issueInvoice(
    st: CustomerState,
    ms: number,
    day: number,
    amount: number,
    orderId: string | null,
    termsDays: number,
    cash = false,
  ): WireEvent {
    const rng = st.rng;
    const n = ++st.invSeq;
    const dueDay = day + termsDays;
    if (st.ledger !== null) this.bypassesOwed += this.cfg.bypassRate;
    const inv: Invoice = {
      id: st.info.customerId + suffix(INV, '-INV', n),
      amount,
      open: amount,
      dueDay,
      disputed: false,
      writtenOff: false,
      n,
      listed: false,
    };
    this.relist(st, inv);
    if (cash) {
      this.schedule(st, day, PAY, inv, null, null, PAY_IN_FULL);
    } else {
      this.schedulePaymentPlan(st, inv, day);
      if (this.free(st) >= 1 && rng.chance(0.055))
        this.schedule(st, businessDay(this.cfg, day + rng.int(2, 20)), CREDIT_NOTE, inv);
      if (this.free(st) >= 3 && rng.chance(0.06))
        this.schedule(st, businessDay(this.cfg, day + rng.int(3, 25)), DISPUTE_OPEN, inv);
    }
    const payload = this.invoicePayload(st, inv.id, amount, day, dueDay, orderId);
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
        // About half of B2B invoices are paid late, mostly by days (ours, after trade-credit surveys).
        lateness = rng.chance(0.55) ? -rng.int(0, 5) : rng.int(1, 20);
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
            this.schedule(
              st,
              businessDay(this.cfg, inv.dueDay + rng.int(45, 100)),
              PAY,
              inv,
              null,
              null,
              PAY_PARTIAL_FINAL,
            );
          }
          this.schedule(st, businessDay(this.cfg, inv.dueDay + rng.int(120, 200)), WRITE_OFF, inv);
          return;
        }
        break;
    }
    const payDay = businessDay(this.cfg, max(issueDay + 1, inv.dueDay + lateness));
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
    // Controlled billing varies terms, so a later invoice can fall due first: keep the ledger's order.
    let i = st.open.length;
    while (
      i > 0 &&
      (st.open[i - 1].dueDay > inv.dueDay ||
        (st.open[i - 1].dueDay === inv.dueDay && st.open[i - 1].n > inv.n))
    )
      i--;
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
      amount = max(1, floor((inv.open * rng.int(20, 50)) / 100));
      partial = true;
    } else if (
      a.flag !== PAY_IN_FULL &&
      inv.open >= 4 * unit &&
      this.free(st) >= 1 &&
      rng.chance(PARTIAL_PAYMENT_P[st.info.profile])
    ) {
      // round partial amounts to whole major units, as people do
      amount = max(unit, floor((inv.open * rng.int(30, 70)) / 100 / unit) * unit);
      partial = true;
      this.schedule(st, businessDay(this.cfg, day + rng.int(10, 40)), PAY, inv);
    }
    const targets: Invoice[] = [inv];
    const amounts: number[] = [amount];
    const oldest = st.open[0];
    const anyDisputed = st.open.some((i) => i.disputed);
    let allocated = true;
    if (oldest === inv && !anyDisputed && rng.chance(0.42)) {
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
    const paymentId = st.info.customerId + suffix(PAY_ID, '-PAY', ++st.paySeq);
    const payload: Record<string, unknown> = {
      paymentId,
      amount: this.money(st, total),
      currency: st.info.currency,
      receivedOn: this.dateOf(day),
    };
    if (allocated) {
      payload.allocations = targets.map((t, k) => ({ invoiceId: t.id, amount: this.money(st, amounts[k]) }));
    }
    if (this.free(st) >= 1 + targets.length && rng.chance(REVERSAL_P[st.info.profile])) {
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
    let amount = floor((inv.amount * rng.int(5, 50)) / 100);
    if (amount >= unit && rng.chance(0.6)) amount -= amount % unit;
    amount = min(inv.open, max(1, amount));
    this.allocate(st, inv, amount);
    return this.envelope(st, 'CreditNoteIssued', ms, {
      creditNoteId: st.info.customerId + suffix(CN, '-CN', ++st.cnSeq),
      invoiceId: inv.id,
      amount: this.money(st, amount),
      currency: st.info.currency,
    });
  }

  private openDispute(st: CustomerState, inv: Invoice, ms: number, day: number): WireEvent {
    const rng = st.rng;
    inv.disputed = true;
    const reason = rng.pick(DISPUTE_REASONS);
    if (this.free(st) >= 1 && rng.chance(0.85))
      this.schedule(st, businessDay(this.cfg, day + rng.int(5, 40)), DISPUTE_RESOLVE, inv);
    return this.envelope(st, 'DisputeOpened', ms, { invoiceId: inv.id, reason });
  }

  private resolveDispute(st: CustomerState, inv: Invoice, ms: number, day: number): WireEvent {
    const rng = st.rng;
    inv.disputed = false;
    if (inv.open > 0 && !inv.writtenOff) {
      if (this.free(st) >= 2 && rng.chance(0.4)) this.schedule(st, day, CREDIT_NOTE, inv); // settled with a partial credit
      this.schedule(st, businessDay(this.cfg, day + rng.int(3, 15)), PAY, inv);
    }
    return this.envelope(st, 'DisputeResolved', ms, { invoiceId: inv.id });
  }
}

/**
 * Priority queue of customers keyed by (next event ms, customer index): a calendar of per-day buckets
 * plus a small binary heap for the day being drained. Only ~one day of customers is ever in the heap,
 * so it stays cache-resident even with 100k+ customers (a single global heap is memory-bound).
 */
class CalendarQueue {
  private readonly buckets: Array<number[] | undefined>;
  private day = -1;
  private heapMs = new Float64Array(1024);
  private heapIdx = new Int32Array(1024);
  private size = 0;
  private readonly nextMs: Float64Array;

  constructor(
    private readonly startMs: number,
    customers: number,
    days: number,
  ) {
    this.nextMs = new Float64Array(customers);
    this.buckets = filled<number[] | undefined>(days + 1, undefined);
  }

  push(index: number, ms: number): void {
    const day = floor((ms - this.startMs) / DAY_MS);
    if (day <= this.day) {
      this.heapPush(ms, index);
    } else {
      this.nextMs[index] = ms;
      const bucket = this.buckets[day];
      if (bucket === undefined) this.buckets[day] = [index];
      else bucket.push(index);
    }
  }

  /** Index of the customer with the earliest next event, or -1 when empty. */
  pop(): number {
    while (this.size === 0) {
      let d = this.day + 1;
      while (d < this.buckets.length && this.buckets[d] === undefined) d++;
      if (d >= this.buckets.length) return -1;
      const bucket = this.buckets[d] as number[];
      this.buckets[d] = undefined;
      this.day = d;
      for (const index of bucket) this.heapPush(this.nextMs[index], index);
    }
    const top = this.heapIdx[0];
    this.size--;
    if (this.size > 0) this.siftDown(this.heapMs[this.size], this.heapIdx[this.size]);
    return top;
  }

  private heapPush(ms: number, index: number): void {
    if (this.size === this.heapMs.length) {
      const ms2 = new Float64Array(this.size * 2);
      ms2.set(this.heapMs);
      this.heapMs = ms2;
      const idx2 = new Int32Array(this.size * 2);
      idx2.set(this.heapIdx);
      this.heapIdx = idx2;
    }
    const hm = this.heapMs;
    const hi = this.heapIdx;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hm[p] < ms || (hm[p] === ms && hi[p] < index)) break;
      hm[i] = hm[p];
      hi[i] = hi[p];
      i = p;
    }
    hm[i] = ms;
    hi[i] = index;
  }

  /** Places (ms, index) at the root and sifts it down. */
  private siftDown(ms: number, index: number): void {
    const hm = this.heapMs;
    const hi = this.heapIdx;
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (hm[r] < hm[l] || (hm[r] === hm[l] && hi[r] < hi[l])) ? r : l;
      if (ms < hm[c] || (ms === hm[c] && index < hi[c])) break;
      hm[i] = hm[c];
      hi[i] = hi[c];
      i = c;
    }
    hm[i] = ms;
    hi[i] = index;
  }
}

/** Pull-based merge of all customers (kept out of the generator function so V8 optimises it fully). */
class EventMerger {
  private readonly sim: Simulation;
  private readonly queue: CalendarQueue;
  private readonly states: Array<CustomerState | null>;

  constructor(cfg: GeneratorConfig) {
    this.sim = new Simulation(cfg);
    this.queue = new CalendarQueue(cfg.startMs, cfg.customers, cfg.days);
    this.states = filled<CustomerState | null>(cfg.customers, null);
    for (let index = 0; index < cfg.customers; index++) {
      if (eventCountFor(cfg, index) > 0) this.queue.push(index, onboardingMsFor(cfg, index));
    }
  }

  next(): WireEvent | null {
    const index = this.queue.pop();
    if (index < 0) return null;
    let state = this.states[index];
    let event: WireEvent;
    if (state === null) {
      const activated = this.sim.activate(index);
      state = activated.state;
      this.states[index] = state;
      event = activated.event;
    } else {
      event = this.sim.emit(state);
    }
    if (this.sim.prepareNext(state)) this.queue.push(index, state.nextMs);
    else this.states[index] = null; // done: let the customer's state be collected
    return event;
  }
}

/**
 * All customers' events, globally sorted by occurredAt (ties: lower customer index first), each
 * customer's stream in causal order. Lazy: memory stays proportional to the active customers.
 */
export function* generateEvents(opts: GeneratorOptions): Generator<WireEvent> {
  const merger = new EventMerger(normalizeOptions(opts));
  for (let e = merger.next(); e !== null; e = merger.next()) yield e;
}

/** The whole history as an array (fine for demos and tests; use generateEvents for big volumes). */
export function generateHistory(opts: GeneratorOptions): WireEvent[] {
  return Array.from(generateEvents(opts));
}
