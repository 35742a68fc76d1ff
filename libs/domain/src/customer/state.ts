import { canonicalJson } from '../canonical-json';
import { DomainError } from '../errors';
import { StateReader } from './state-reader';
import type { CollectionStep, HoldReason } from '../control/control-events';
import {
  cloneCreditControl,
  initialCreditControl,
  readCreditControl,
  writeCreditControl,
  type CreditControlState,
} from '../control/credit-control-state';
import {
  cloneCollections,
  initialCollections,
  readCollections,
  writeCollections,
  type CollectionState,
} from '../control/collection-state';
import type { FactorScore, GradeTerms, Rating } from '../rating/rating';
import {
  cloneCreditFile,
  initialCreditFile,
  readCreditFile,
  writeCreditFile,
  type CreditFileState,
} from './credit-file-state';

export type CustomerStatus = 'active' | 'frozen' | 'blacklisted';
/** 'held': placed but stopped by the credit check; it does not count in exposure until released. */
export type OrderStatus = 'open' | 'held' | 'invoiced' | 'cancelled' | 'rejected';

/** One application of a payment's cash to an invoice (net of later de-allocations). */
export interface InvoiceApplication {
  paymentId: string;
  amount: bigint;
}

export interface PaymentApplication {
  invoiceId: string;
  amount: bigint;
}

export interface InvoiceState {
  invoiceId: string;
  /** 0-based position in issue order (tie-break for oldest-first). */
  issueSeq: number;
  amount: bigint;
  /** Σ credit notes on this invoice (never more than amount). */
  credited: bigint;
  /** Σ payment cash applied (explicit, auto and FIFO). */
  allocated: bigint;
  /** Amount written off; a written-off invoice always has open amount 0. */
  writtenOff: bigint;
  /** max(0, amount − credited − allocated − writtenOff), kept in step by apply (read it via openAmount). */
  open: bigint;
  issuedOn: string;
  dueOn: string;
  orderId: string | null;
  disputed: boolean;
  /** receivedOn of the payment whose application brought the open amount to 0; null when open or closed otherwise. */
  settledOn: string | null;
  /** UTC date of the InvoiceWrittenOff event. */
  writtenOffOn: string | null;
  /** Per-payment applications in the order they happened. */
  applications: InvoiceApplication[];
  creditNoteIds: string[];
}

export interface PaymentState {
  paymentId: string;
  amount: bigint;
  receivedOn: string;
  /** Where its cash went, per invoice, in order (emptied by a reversal). */
  applications: PaymentApplication[];
  /** Cash of this payment still on account. amount = Σ applications + unapplied until reversed. */
  unapplied: bigint;
  reversed: boolean;
  reversedOn: string | null;
  reversalReason: string | null;
}

export interface OrderState {
  orderId: string;
  amount: bigint;
  status: OrderStatus;
  /** Invoice that closed the order (status 'invoiced'). */
  invoiceId: string | null;
  /** Cash orders only (paid before delivery): never held, never in open orders or exposure. */
  paymentMethod?: 'cash';
  /** Why the credit check held it; kept once invoiced while held (a bypass), dropped on release. */
  holdReason?: HoldReason;
}

/** Whether an open or held order counts in open / held orders (a cash order never does). */
export function onCredit(order: OrderState): boolean {
  return order.paymentMethod !== 'cash';
}

export interface CreditNoteState {
  creditNoteId: string;
  invoiceId: string;
  amount: bigint;
  /** UTC date of the event. */
  issuedOn: string;
}

/** Cash on account, FIFO (index 0 = oldest). `source` is the paymentId the cash belongs to. */
export interface UnappliedCash {
  source: string;
  amount: bigint;
}

export interface DisputeRecord {
  invoiceId: string;
  /** UTC date of DisputeOpened. */
  openedOn: string;
  resolvedOn: string | null;
}

/**
 * Everything the ledger knows about one customer. Keyed collections are Maps kept in insertion
 * order (invoices: issue order). Persist with serializeState/deserializeState, copy with cloneState.
 */
export interface CustomerState extends CreditControlState, CreditFileState, CollectionState {
  customerId: string;
  onboarded: boolean;
  name: string | null;
  currency: string | null;
  creditLimit: bigint;
  status: CustomerStatus;
  /** occurredAt of CustomerOnboarded. */
  onboardedAt: string | null;
  streamVersion: number;
  /** Global ledger sequence of the last applied event, decimal string; '0' initially. */
  lastSequence: string;
  /** Max occurredAt applied so far: the deterministic 'now' for ratings on ingest. */
  clock: string | null;
  /** occurredAt of the first applied event. */
  firstEventAt: string | null;
  invoices: Map<string, InvoiceState>;
  payments: Map<string, PaymentState>;
  orders: Map<string, OrderState>;
  creditNotes: Map<string, CreditNoteState>;
  /** Σ amounts of orders with status 'open' (kept in step with `orders`). */
  openOrdersTotal: bigint;
  /** Σ amounts of orders with status 'held' (kept in step with `orders`; not in exposure). */
  heldOrdersTotal: bigint;
  /** Highest limit-breach threshold (percent) fired and not yet re-armed; 0 = none. */
  limitBreachPct: number;
  /** Who froze the customer ('system' for the freeze rule); null when not frozen. */
  frozenBy: string | null;
  /** 'YYYY-MM-DD' of the latest invoice issued or order placed: when the limit was last used. */
  lastCreditUseOn: string | null;
  /** lastCreditUseOn at the last DormantLimitFlagged, so one dormancy is flagged once. */
  dormantFlaggedOn: string | null;
  /** Highest collections step issued per invoice. */
  notices: Map<string, CollectionStep>;
  unappliedCash: UnappliedCash[];
  disputes: DisputeRecord[];
  rating: Rating | null;
}

export function initialState(customerId: string): CustomerState {
  return {
    customerId,
    onboarded: false,
    name: null,
    currency: null,
    creditLimit: 0n,
    status: 'active',
    onboardedAt: null,
    streamVersion: 0,
    lastSequence: '0',
    clock: null,
    firstEventAt: null,
    invoices: new Map(),
    payments: new Map(),
    orders: new Map(),
    creditNotes: new Map(),
    openOrdersTotal: 0n,
    heldOrdersTotal: 0n,
    limitBreachPct: 0,
    frozenBy: null,
    lastCreditUseOn: null,
    dormantFlaggedOn: null,
    notices: new Map(),
    unappliedCash: [],
    disputes: [],
    rating: null,
    ...initialCreditControl(),
    ...initialCreditFile(),
    ...initialCollections(),
  };
}

/** Open amount = amount − credited − allocated − writtenOff, never negative. */
export function openAmount(inv: InvoiceState): bigint {
  return inv.open;
}

/** Recomputes the cached open amount after a change of credited/allocated/writtenOff. */
export function refreshOpen(inv: InvoiceState): void {
  const open = inv.amount - inv.credited - inv.allocated - inv.writtenOff;
  inv.open = open > 0n ? open : 0n;
}

export function unappliedTotal(state: CustomerState): bigint {
  let total = 0n;
  for (const c of state.unappliedCash) total += c.amount;
  return total;
}

function cloneInvoice(i: InvoiceState): InvoiceState {
  return {
    ...i,
    applications: i.applications.map((a) => ({ ...a })),
    creditNoteIds: i.creditNoteIds.slice(),
  };
}

function clonePayment(p: PaymentState): PaymentState {
  return { ...p, applications: p.applications.map((a) => ({ ...a })) };
}

function cloneMap<V>(m: Map<string, V>, f: (v: V) => V): Map<string, V> {
  const out = new Map<string, V>();
  for (const [k, v] of m) out.set(k, f(v));
  return out;
}

/** Deep copy. Ratings are immutable values and are shared. */
export function cloneState(s: CustomerState): CustomerState {
  return {
    ...s,
    invoices: cloneMap(s.invoices, cloneInvoice),
    payments: cloneMap(s.payments, clonePayment),
    orders: cloneMap(s.orders, (o) => ({ ...o })),
    creditNotes: cloneMap(s.creditNotes, (c) => ({ ...c })),
    notices: new Map(s.notices),
    unappliedCash: s.unappliedCash.map((c) => ({ ...c })),
    disputes: s.disputes.map((d) => ({ ...d })),
    ...cloneCreditControl(s),
    ...cloneCreditFile(s),
    ...cloneCollections(s),
  };
}

/** Snapshot format version written by serializeState. */
export const STATE_FORMAT = 1;

/** Canonical JSON: sorted keys, bigint as decimal strings, Maps as arrays in insertion order. */
export function serializeState(s: CustomerState): string {
  const snapshot: Record<string, unknown> = {
    format: STATE_FORMAT,
    customerId: s.customerId,
    onboarded: s.onboarded,
    name: s.name,
    currency: s.currency,
    creditLimit: s.creditLimit,
    status: s.status,
    onboardedAt: s.onboardedAt,
    streamVersion: s.streamVersion,
    lastSequence: s.lastSequence,
    clock: s.clock,
    firstEventAt: s.firstEventAt,
    invoices: [...s.invoices.values()],
    payments: [...s.payments.values()],
    orders: [...s.orders.values()],
    creditNotes: [...s.creditNotes.values()],
    unappliedCash: s.unappliedCash,
    disputes: s.disputes,
    rating: s.rating,
  };
  // Credit-control fields only when set, so a state without credit-control history keeps its earlier bytes.
  if (s.limitBreachPct !== 0) snapshot.limitBreachPct = s.limitBreachPct;
  if (s.frozenBy !== null) snapshot.frozenBy = s.frozenBy;
  if (s.lastCreditUseOn !== null) snapshot.lastCreditUseOn = s.lastCreditUseOn;
  if (s.dormantFlaggedOn !== null) snapshot.dormantFlaggedOn = s.dormantFlaggedOn;
  if (s.notices.size > 0) snapshot.notices = [...s.notices].map(([invoiceId, step]) => ({ invoiceId, step }));
  writeCreditControl(snapshot, s);
  writeCreditFile(snapshot, s);
  writeCollections(snapshot, s);
  return canonicalJson(snapshot);
}

function readRating(r: StateReader, v: unknown): Rating | null {
  if (v === null || v === undefined) return null;
  const o = r.obj(v, 'rating');
  const factors: FactorScore[] = r.arr(o.factors, 'rating.factors').map((f) => {
    const fo = r.obj(f, 'factor');
    return {
      factor: r.str(fo, 'factor') as FactorScore['factor'],
      raw: { ...(r.obj(fo.raw, 'factor.raw') as Record<string, string | number>) },
      normalised: r.num(fo, 'normalised'),
      weight: r.num(fo, 'weight'),
      contribution: r.num(fo, 'contribution'),
    };
  });
  const rating: Rating = {
    score: r.num(o, 'score'),
    grade: r.str(o, 'grade'),
    policyVersion: r.num(o, 'policyVersion'),
    at: r.str(o, 'at'),
    factors,
  };
  // Assessment ratings only: five-factor ratings (and their snapshots) have neither.
  if (o.segment !== undefined) rating.segment = r.str(o, 'segment') as Rating['segment'];
  if (o.terms !== undefined) {
    const t = r.obj(o.terms, 'rating.terms');
    rating.terms = {
      band: r.str(t, 'band'),
      settlement: r.str(t, 'settlement') as GradeTerms['settlement'],
      maxPaymentTermsDays: r.num(t, 'maxPaymentTermsDays'),
      defaultLimit: r.str(t, 'defaultLimit'),
      reviewIntervalDays: r.num(t, 'reviewIntervalDays'),
      approval: r.str(t, 'approval') as GradeTerms['approval'],
    };
  }
  return rating;
}

export function deserializeState(json: string | object): CustomerState {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new DomainError('BAD_STATE', `state is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const r = new StateReader('state');
  const o = r.obj(data, 'state');
  if (o.format !== STATE_FORMAT) r.fail(`unsupported format ${JSON.stringify(o.format)}`);
  const s = initialState(r.str(o, 'customerId'));
  s.onboarded = r.bool(o, 'onboarded');
  s.name = r.strOrNull(o, 'name');
  s.currency = r.strOrNull(o, 'currency');
  s.creditLimit = r.big(o, 'creditLimit');
  s.status = r.str(o, 'status') as CustomerStatus;
  s.onboardedAt = r.strOrNull(o, 'onboardedAt');
  s.streamVersion = r.num(o, 'streamVersion');
  s.lastSequence = r.str(o, 'lastSequence');
  s.clock = r.strOrNull(o, 'clock');
  s.firstEventAt = r.strOrNull(o, 'firstEventAt');
  for (const v of r.arr(o.invoices, 'invoices')) {
    const i = r.obj(v, 'invoice');
    const inv: InvoiceState = {
      invoiceId: r.str(i, 'invoiceId'),
      issueSeq: r.num(i, 'issueSeq'),
      amount: r.big(i, 'amount'),
      credited: r.big(i, 'credited'),
      allocated: r.big(i, 'allocated'),
      writtenOff: r.big(i, 'writtenOff'),
      open: 0n,
      issuedOn: r.str(i, 'issuedOn'),
      dueOn: r.str(i, 'dueOn'),
      orderId: r.strOrNull(i, 'orderId'),
      disputed: r.bool(i, 'disputed'),
      settledOn: r.strOrNull(i, 'settledOn'),
      writtenOffOn: r.strOrNull(i, 'writtenOffOn'),
      applications: r.arr(i.applications, 'applications').map((a) => {
        const ao = r.obj(a, 'application');
        return { paymentId: r.str(ao, 'paymentId'), amount: r.big(ao, 'amount') };
      }),
      creditNoteIds: r.arr(i.creditNoteIds, 'creditNoteIds').map((c): string => {
        if (typeof c !== 'string') return r.fail('creditNoteIds item is not a string');
        return c;
      }),
    };
    refreshOpen(inv);
    s.invoices.set(inv.invoiceId, inv);
  }
  for (const v of r.arr(o.payments, 'payments')) {
    const p = r.obj(v, 'payment');
    const pay: PaymentState = {
      paymentId: r.str(p, 'paymentId'),
      amount: r.big(p, 'amount'),
      receivedOn: r.str(p, 'receivedOn'),
      applications: r.arr(p.applications, 'applications').map((a) => {
        const ao = r.obj(a, 'application');
        return { invoiceId: r.str(ao, 'invoiceId'), amount: r.big(ao, 'amount') };
      }),
      unapplied: r.big(p, 'unapplied'),
      reversed: r.bool(p, 'reversed'),
      reversedOn: r.strOrNull(p, 'reversedOn'),
      reversalReason: r.strOrNull(p, 'reversalReason'),
    };
    s.payments.set(pay.paymentId, pay);
  }
  for (const v of r.arr(o.orders, 'orders')) {
    const x = r.obj(v, 'order');
    const order: OrderState = {
      orderId: r.str(x, 'orderId'),
      amount: r.big(x, 'amount'),
      status: r.str(x, 'status') as OrderStatus,
      invoiceId: r.strOrNull(x, 'invoiceId'),
    };
    if (x.paymentMethod === 'cash') order.paymentMethod = 'cash';
    else if (x.paymentMethod !== undefined) r.fail('order.paymentMethod is not "cash"');
    if (x.holdReason !== undefined) order.holdReason = r.str(x, 'holdReason') as HoldReason;
    s.orders.set(order.orderId, order);
    if (!onCredit(order)) continue;
    if (order.status === 'open') s.openOrdersTotal += order.amount;
    else if (order.status === 'held') s.heldOrdersTotal += order.amount;
  }
  for (const v of r.arr(o.creditNotes, 'creditNotes')) {
    const c = r.obj(v, 'creditNote');
    const cn: CreditNoteState = {
      creditNoteId: r.str(c, 'creditNoteId'),
      invoiceId: r.str(c, 'invoiceId'),
      amount: r.big(c, 'amount'),
      issuedOn: r.str(c, 'issuedOn'),
    };
    s.creditNotes.set(cn.creditNoteId, cn);
  }
  s.unappliedCash = r.arr(o.unappliedCash, 'unappliedCash').map((v) => {
    const c = r.obj(v, 'unappliedCash');
    return { source: r.str(c, 'source'), amount: r.big(c, 'amount') };
  });
  s.disputes = r.arr(o.disputes, 'disputes').map((v) => {
    const d = r.obj(v, 'dispute');
    return {
      invoiceId: r.str(d, 'invoiceId'),
      openedOn: r.str(d, 'openedOn'),
      resolvedOn: r.strOrNull(d, 'resolvedOn'),
    };
  });
  s.rating = readRating(r, o.rating);
  // Credit-control fields arrived after format 1 was in use: absent means the initial value.
  if (o.limitBreachPct !== undefined) s.limitBreachPct = r.num(o, 'limitBreachPct');
  s.frozenBy = r.strOrNull(o, 'frozenBy');
  s.lastCreditUseOn = r.strOrNull(o, 'lastCreditUseOn');
  s.dormantFlaggedOn = r.strOrNull(o, 'dormantFlaggedOn');
  if (o.notices !== undefined) {
    for (const v of r.arr(o.notices, 'notices')) {
      const n = r.obj(v, 'notice');
      s.notices.set(r.str(n, 'invoiceId'), r.str(n, 'step') as CollectionStep);
    }
  }
  readCreditControl(o, s, r);
  readCreditFile(o, s, r);
  readCollections(o, s, r);
  return s;
}
