import fc from 'fast-check';
import { parseEvent, type BillingEvent } from '../index';
import { DEFAULT_GRADE_POLICY } from '../rating/policy';
import { apply } from './apply';
import { decide } from './decide';
import { deserializeState, initialState, serializeState, type CustomerState } from './state';

// Random event streams over a small id space; only accepted events are applied. After every
// event the ledger's bookkeeping must balance, and replaying the same stream gives the same bytes.

const ids = (prefix: string) => fc.integer({ min: 1, max: 4 }).map((i) => `${prefix}-${i}`);
const amount = fc.integer({ min: 1, max: 50_000 }).map((c) => (c / 100).toFixed(2));
const smallAmount = fc.integer({ min: 1, max: 5_000 }).map((c) => (c / 100).toFixed(2));
const day = fc
  .integer({ min: 0, max: 120 })
  .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));

const command = fc.oneof(
  fc.record({
    type: fc.constant('InvoiceIssued'),
    invoiceId: ids('INV'),
    amount,
    issuedOn: day,
    terms: fc.integer({ min: 0, max: 60 }),
    orderId: fc.option(ids('O'), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('PaymentReceived'),
    paymentId: ids('PAY'),
    amount,
    receivedOn: day,
    alloc: fc.option(fc.tuple(ids('INV'), smallAmount), { nil: undefined, freq: 3 }),
  }),
  fc.record({
    type: fc.constant('CreditNoteIssued'),
    creditNoteId: ids('CN'),
    invoiceId: ids('INV'),
    amount,
  }),
  fc.record({ type: fc.constant('PaymentReversed'), paymentId: ids('PAY') }),
  fc.record({ type: fc.constant('OrderPlaced'), orderId: ids('O'), amount }),
  fc.record({ type: fc.constant('OrderCancelled'), orderId: ids('O') }),
  fc.record({ type: fc.constant('DisputeOpened'), invoiceId: ids('INV') }),
  fc.record({ type: fc.constant('DisputeResolved'), invoiceId: ids('INV') }),
  fc.record({ type: fc.constant('InvoiceWrittenOff'), invoiceId: ids('INV') }),
  // The credit file: grading inputs that touch no balance (the replay must still give the same bytes).
  fc.record({
    type: fc.constant('CustomerProfileUpdated'),
    litigationCount: fc.integer({ min: 0, max: 3 }),
    customerType: fc.constantFrom('enterprise', 'individual', 'channel', 'end-user'),
  }),
  fc.record({
    type: fc.constant('ExternalCreditReportReceived'),
    reportId: ids('R'),
    score: fc.integer({ min: 300, max: 850 }),
  }),
  fc.record({
    type: fc.constant('ComplaintRecorded'),
    complaintId: ids('K'),
    severity: fc.constantFrom('low', 'medium', 'high'),
  }),
);
type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

function toEvent(c: Command, i: number): BillingEvent {
  const cur = { currency: 'EUR' };
  let payload: Record<string, unknown>;
  switch (c.type) {
    case 'InvoiceIssued': {
      const due = new Date(Date.parse(`${c.issuedOn}T00:00:00Z`) + c.terms * 86_400_000)
        .toISOString()
        .slice(0, 10);
      payload = {
        invoiceId: c.invoiceId,
        amount: c.amount,
        ...cur,
        issuedOn: c.issuedOn,
        dueOn: due,
        orderId: c.orderId,
      };
      break;
    }
    case 'PaymentReceived':
      payload = { paymentId: c.paymentId, amount: c.amount, ...cur, receivedOn: c.receivedOn };
      if (c.alloc) payload.allocations = [{ invoiceId: c.alloc[0], amount: c.alloc[1] }];
      break;
    case 'CreditNoteIssued':
      payload = { creditNoteId: c.creditNoteId, invoiceId: c.invoiceId, amount: c.amount, ...cur };
      break;
    case 'PaymentReversed':
      payload = { paymentId: c.paymentId, reason: 'r' };
      break;
    case 'OrderPlaced':
      payload = { orderId: c.orderId, amount: c.amount, ...cur };
      break;
    case 'OrderCancelled':
      payload = { orderId: c.orderId };
      break;
    case 'DisputeOpened':
      payload = { invoiceId: c.invoiceId, reason: 'r' };
      break;
    case 'CustomerProfileUpdated':
      payload = { litigationCount: c.litigationCount, customerType: c.customerType };
      break;
    case 'ExternalCreditReportReceived':
      payload = {
        agency: 'score-bureau',
        reportId: c.reportId,
        score: c.score,
        reportedOn: '2026-01-01',
        validUntil: '2026-12-31',
      };
      break;
    case 'ComplaintRecorded':
      payload = { complaintId: c.complaintId, category: 'quality', severity: c.severity };
      break;
    default:
      payload = { invoiceId: c.invoiceId };
  }
  const r = parseEvent({
    eventId: `E-${i}`,
    type: c.type,
    version: 1,
    customerId: 'C-1',
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    source: 's',
    payload,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

function checkInvariants(s: CustomerState): void {
  const perPayment = new Map<string, bigint>();
  let queued = new Map<string, bigint>();
  for (const c of s.unappliedCash) {
    expect(c.amount > 0n).toBe(true);
    queued = queued.set(c.source, (queued.get(c.source) ?? 0n) + c.amount);
  }
  let eligible = 0;
  for (const inv of s.invoices.values()) {
    const raw = inv.amount - inv.credited - inv.allocated - inv.writtenOff;
    expect(raw >= 0n).toBe(true);
    expect(inv.open).toBe(raw);
    expect(inv.credited <= inv.amount).toBe(true);
    if (inv.writtenOffOn !== null) expect(inv.open).toBe(0n);
    if (inv.settledOn !== null) expect(inv.open).toBe(0n);
    let applied = 0n;
    for (const a of inv.applications) {
      expect(a.amount > 0n).toBe(true);
      applied += a.amount;
      perPayment.set(`${a.paymentId}|${inv.invoiceId}`, a.amount);
    }
    expect(applied).toBe(inv.allocated);
    if (inv.open > 0n && !inv.disputed && inv.writtenOffOn === null) eligible++;
  }
  for (const p of s.payments.values()) {
    let applied = 0n;
    for (const a of p.applications) {
      applied += a.amount;
      expect(perPayment.get(`${p.paymentId}|${a.invoiceId}`)).toBe(a.amount);
    }
    expect(p.unapplied).toBe(queued.get(p.paymentId) ?? 0n);
    if (p.reversed) expect([applied, p.unapplied]).toEqual([0n, 0n]);
    else expect(applied + p.unapplied).toBe(p.amount);
  }
  if (s.unappliedCash.length > 0) expect(eligible).toBe(0);
  let openOrders = 0n;
  for (const o of s.orders.values()) if (o.status === 'open') openOrders += o.amount;
  expect(s.openOrdersTotal).toBe(openOrders);
}

const accepted = new Map<string, number>();

function run(events: BillingEvent[], check: boolean): CustomerState {
  const s = initialState('C-1');
  let seq = 0;
  for (const e of events) {
    if (decide(s, e).kind !== 'accept') continue;
    seq++;
    apply(s, { event: e, sequence: String(seq), streamVersion: seq }, DEFAULT_GRADE_POLICY);
    if (check) {
      checkInvariants(s);
      accepted.set(e.type, (accepted.get(e.type) ?? 0) + 1);
    }
  }
  return s;
}

describe('ledger invariants (property-based)', () => {
  it('balances after every event and replays to the same bytes', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 20, maxLength: 80, size: 'max' }), (commands) => {
        const onboard = parseEvent({
          eventId: 'E-0',
          type: 'CustomerOnboarded',
          version: 1,
          customerId: 'C-1',
          occurredAt: '2026-01-01T00:00:00Z',
          source: 's',
          payload: { name: 'A', currency: 'EUR', creditLimit: '1000.00' },
        });
        if (!onboard.ok) throw new Error(onboard.reason);
        const events = [onboard.event, ...commands.map((c, i) => toEvent(c, i + 1))];
        const a = run(events, true);
        const json = serializeState(a);
        expect(serializeState(run(events, false))).toBe(json);
        expect(serializeState(deserializeState(json))).toBe(json);
      }),
      { numRuns: 150, seed: 20260301 },
    );
    // the streams are not vacuous: every kind of event got applied many times
    for (const type of [
      'InvoiceIssued',
      'PaymentReceived',
      'CreditNoteIssued',
      'PaymentReversed',
      'InvoiceWrittenOff',
      'CustomerProfileUpdated',
      'ExternalCreditReportReceived',
      'ComplaintRecorded',
    ]) {
      expect([type, (accepted.get(type) ?? 0) > 50]).toEqual([type, true]);
    }
  });
});
