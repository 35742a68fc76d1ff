import { soundProfile, wire } from '../../test/builders';
import type { EventType } from '../contract/envelope';
import { controlEvent, type ControlEvent } from '../control/control-events';
import { alertFor } from '../control/alerts';
import { deserializeState, initialState, serializeState, type CustomerState } from '../customer/state';
import { DEFAULT_GRADE_POLICY, type GradePolicy } from '../rating/policy';
import { validatePolicy } from '../rating/validate-policy';
import { evaluatePosition } from '../position/position';
import { applyControl, applyWithRules } from './apply-with-rules';
import { dormantLimit, freezeDecision, monthsBefore, overdueNotices, rerate } from './time-rules';

/**
 * The default policy with a trial limit above every limit these rules are tested with: the first application
 * (approvals.spec) leaves their onboarding limits in force, so each test starts from an approved limit.
 */
const RULES_POLICY = validatePolicy({
  ...JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY)),
  approvals: { trialLimit: { default: '1000000.00' } },
});

/** A customer fed through applyWithRules, like the writer: each call returns the control events derived. */
class Ledger {
  readonly state: CustomerState = initialState('C-1');
  private seq = 0;
  constructor(readonly policy: GradePolicy = RULES_POLICY) {}

  add(type: EventType, payload: Record<string, unknown>, at: string, version = 1): ControlEvent[] {
    const event = wire(type, payload, at, 'C-1', version);
    const r = applyWithRules(
      this.state,
      { event, sequence: String(++this.seq), streamVersion: this.state.streamVersion + 1 },
      this.policy,
      () => String(++this.seq),
    );
    return r.derived.map((d) => d.applied.event as ControlEvent);
  }

  /** Applies what a time-driven rule returned, as the worker's appendControl does. */
  control(events: ControlEvent[]): ControlEvent[] {
    return events.filter((e) => applyControl(this.state, e, this.policy, () => String(++this.seq)) !== null);
  }

  /** With the sound test credit file: a credit band (C), so the limit is the credit extended. */
  onboard(limit: string, at = '2026-01-01T09:00:00Z'): void {
    const profile = soundProfile('EUR', at.slice(0, 10));
    this.add('CustomerOnboarded', { name: 'Acme', currency: 'EUR', creditLimit: limit, ...profile }, at, 2);
  }
  invoice(id: string, amount: string, issuedOn: string, dueOn: string): ControlEvent[] {
    return this.add(
      'InvoiceIssued',
      { invoiceId: id, amount, currency: 'EUR', issuedOn, dueOn },
      `${issuedOn}T09:00:00Z`,
    );
  }
  order(id: string, amount: string, at: string): ControlEvent[] {
    return this.add('OrderPlaced', { orderId: id, amount, currency: 'EUR' }, at);
  }
  pay(id: string, amount: string, on: string): ControlEvent[] {
    return this.add(
      'PaymentReceived',
      { paymentId: id, amount, currency: 'EUR', receivedOn: on },
      `${on}T10:00:00Z`,
    );
  }
}

const kinds = (events: ControlEvent[]) =>
  events.map((e) => {
    const p = e.payload as unknown as Record<string, unknown>;
    return `${e.type}:${String(p.thresholdPct ?? p.orderId ?? p.step ?? '')}`;
  });

describe('limit warnings measure receivables by default (seed 004: 应收账款超过信用额度的90%)', () => {
  it('ignores orders, warns on invoices; the alert says which measure and which figure', () => {
    const l = new Ledger();
    l.onboard('1000.00');
    l.invoice('I-1', '850.00', '2026-01-02', '2026-02-01'); // receivables 85 %
    expect(l.order('O-1', '60.00', '2026-01-03T00:00:00Z')).toEqual([]); // exposure 91 %, receivables 85 %
    const [warning] = l.invoice('I-2', '50.00', '2026-01-04', '2026-02-03'); // receivables 900.00 = 90 %
    expect(warning).toMatchObject({
      type: 'LimitBreached',
      payload: { thresholdPct: 90, measure: 'receivables', receivables: 90000n, exposure: 96000n },
    });
    expect(alertFor(warning, '9', 'EUR').value.details).toMatchObject({
      measure: 'receivables',
      receivables: '900.00',
      exposure: '960.00',
    });
    // 100.01 paid: receivables 799.99 re-arms 90 (exposure 859.99 would have too).
    l.pay('P-1', '100.01', '2026-01-05');
    expect(l.state.limitBreachPct).toBe(0);
  });
});

describe('limit breach on ingest', () => {
  it('fires at 90 % and 100 % exactly at the threshold, not while exposure stays above, again after it fell back', () => {
    const l = new Ledger();
    l.onboard('10000.00');
    expect(l.invoice('I-1', '8999.99', '2026-01-02', '2026-02-01')).toEqual([]); // 89.9999 %
    const at90 = l.invoice('I-2', '0.01', '2026-01-03', '2026-02-01'); // exactly 9000.00 = 90 %
    expect(at90).toHaveLength(1);
    expect(at90[0]).toMatchObject({
      eventId: 'limit-breach:C-1:3:90',
      type: 'LimitBreached',
      source: 'credit-ledger',
      occurredAt: '2026-01-03T09:00:00.000Z',
      payload: { thresholdPct: 90, exposure: 900000n, creditLimit: 1000000n },
    });
    expect(l.invoice('I-3', '500.00', '2026-01-04', '2026-02-01')).toEqual([]); // 95 %: still above 90
    expect(kinds(l.invoice('I-4', '500.00', '2026-01-05', '2026-02-01'))).toEqual(['LimitBreached:100']); // 10000.00
    expect(l.state.limitBreachPct).toBe(100);
    // 10000 − 600 = 9400 (94 %): 100 re-armed, 90 still fired.
    expect(l.pay('P-1', '600.00', '2026-01-06')).toEqual([]);
    expect(l.state.limitBreachPct).toBe(90);
    expect(kinds(l.invoice('I-5', '600.00', '2026-01-07', '2026-02-01'))).toEqual(['LimitBreached:100']);
    // Down to 8999.99 re-arms both; one jump to 110 % fires both again.
    l.pay('P-2', '1000.01', '2026-01-08');
    expect(l.state.limitBreachPct).toBe(0);
    // (11000.01 of 10000.00 without an order: billing went around the check, flagged as a bypass.)
    expect(kinds(l.invoice('I-6', '2000.01', '2026-01-09', '2026-02-01'))).toEqual([
      'CreditBypassDetected:',
      'LimitBreached:90',
      'LimitBreached:100',
    ]);
  });

  it('never fires without a limit', () => {
    const l = new Ledger();
    l.onboard('0');
    // No breach; an invoice without an order for a customer with no credit is a bypass, though.
    expect(kinds(l.invoice('I-1', '100.00', '2026-01-02', '2026-02-01'))).toEqual(['CreditBypassDetected:']);
  });
});

/** Orders count in the limit warnings only when the policy measures exposure (the default measures receivables). */
const EXPOSURE_WARNINGS = validatePolicy({
  ...structuredClone(DEFAULT_GRADE_POLICY),
  limitWarningMeasure: 'exposure',
});

describe('order credit check', () => {
  it('holds an order that would take exposure over the limit, and keeps it out of exposure', () => {
    const l = new Ledger(EXPOSURE_WARNINGS);
    l.onboard('1000.00');
    expect(l.order('O-1', '1000.00', '2026-01-02T00:00:00Z')).toMatchObject([
      { type: 'LimitBreached', payload: { thresholdPct: 90 } },
      { type: 'LimitBreached', payload: { thresholdPct: 100 } },
    ]); // exactly the limit: accepted
    const held = l.order('O-2', '0.01', '2026-01-03T00:00:00Z');
    expect(held).toEqual([
      {
        eventId: 'order-held:C-1:O-2',
        type: 'OrderHeld',
        version: 1,
        customerId: 'C-1',
        occurredAt: '2026-01-03T00:00:00.000Z',
        source: 'credit-ledger',
        payload: { orderId: 'O-2', reason: 'over-limit', exposure: 100000n, available: 0n },
      },
    ]);
    const p = evaluatePosition(l.state, '2026-01-03T00:00:00Z');
    expect([p.openOrders, p.heldOrders, p.exposure]).toEqual([100000n, 1n, 100000n]);
  });

  it('releases held orders oldest first when a payment frees credit, stopping at the first that does not fit', () => {
    const l = new Ledger(EXPOSURE_WARNINGS);
    l.onboard('1000.00');
    l.invoice('I-1', '800.00', '2026-01-02', '2026-02-01');
    expect(kinds(l.order('O-1', '300.00', '2026-01-03T00:00:00Z'))).toEqual(['OrderHeld:O-1']);
    // 800 + 100 = 900.00: exactly 90 % fires the first threshold.
    expect(kinds(l.order('O-2', '100.00', '2026-01-04T00:00:00Z'))).toEqual(['LimitBreached:90']);
    expect(kinds(l.order('O-3', '150.00', '2026-01-05T00:00:00Z'))).toEqual(['OrderHeld:O-3']); // 1050 > 1000
    // Pay 199.99: exposure 700.01 (re-arms 90); O-1 would make 1000.01 > 1000: nothing moves, not even O-3.
    expect(l.pay('P-1', '199.99', '2026-01-06')).toEqual([]);
    expect(l.state.limitBreachPct).toBe(0);
    // Another 0.01: 700.00 + 300 = 1000.00 fits; O-3 (150) then does not; 100 % is reached.
    const released = l.pay('P-2', '0.01', '2026-01-07');
    expect(kinds(released)).toEqual(['OrderReleased:O-1', 'LimitBreached:90', 'LimitBreached:100']);
    expect(released[0]).toMatchObject({
      eventId: 'order-released:C-1:O-1',
      payload: { orderId: 'O-1', releasedBy: 'auto' },
    });
    expect((released[0].payload as { reason: string }).reason).toMatch(
      /^credit freed by PaymentReceived E-\d+$/,
    );
    const p = evaluatePosition(l.state, '2026-01-07T12:00:00Z');
    expect([p.openOrders, p.heldOrders, p.exposure]).toEqual([40000n, 15000n, 100000n]);
  });

  it('holds the orders of a cash-only customer, and releases them when its credit file lifts the grade', () => {
    const l = new Ledger();
    // No credit file, no history: unassessed, grade D, cash only (effective limit 0, the 5000.00 is kept).
    l.add(
      'CustomerOnboarded',
      { name: 'New Co', currency: 'EUR', creditLimit: '5000.00' },
      '2026-01-01T09:00:00Z',
      2,
    );
    expect(l.state.rating!.terms!.settlement).toBe('cash-only');
    expect(l.order('O-1', '100.00', '2026-01-02T00:00:00Z')).toMatchObject([
      { type: 'OrderHeld', payload: { orderId: 'O-1', reason: 'cash-only', exposure: 0n } },
    ]);
    expect(l.state.orders.get('O-1')!.holdReason).toBe('cash-only');
    // The sound credit file arrives: 78, C, credit: the held order fits the recorded limit again.
    const after = l.add('CustomerProfileUpdated', soundProfile('EUR', '2026-01-03'), '2026-01-03T09:00:00Z');
    expect(kinds(after)).toEqual(['OrderReleased:O-1']);
    expect(l.state.openOrdersTotal).toBe(10000n);
    expect(l.state.orders.get('O-1')!.holdReason).toBeUndefined();
  });

  it('never holds a cash order nor counts it in exposure, even for a cash-only customer', () => {
    const l = new Ledger();
    l.add(
      'CustomerOnboarded',
      { name: 'New Co', currency: 'EUR', creditLimit: '50000.00' },
      '2026-01-01T09:00:00Z',
      2,
    );
    expect(l.state.rating!.grade).toBe('D'); // unassessed: cash only
    // Seed 000: D 不授信 只接受现款交易 — the 40,000.00 credit order is held, the same order in cash is not.
    expect(kinds(l.order('O-1', '40000.00', '2026-01-02T00:00:00Z'))).toEqual(['OrderHeld:O-1']);
    expect(
      l.add(
        'OrderPlaced',
        { orderId: 'O-2', amount: '40000.00', currency: 'EUR', paymentMethod: 'cash' },
        '2026-01-02T01:00:00Z',
      ),
    ).toEqual([]);
    expect(l.state.orders.get('O-2')).toEqual({
      orderId: 'O-2',
      amount: 4000000n,
      status: 'open',
      invoiceId: null,
      paymentMethod: 'cash',
    });
    let p = evaluatePosition(l.state, '2026-01-02T02:00:00Z');
    expect([p.openOrders, p.heldOrders, p.exposure]).toEqual([0n, 4000000n, 0n]);
    // Invoiced (and so closed) and cancelled cash orders leave the totals alone.
    l.add(
      'OrderPlaced',
      { orderId: 'O-3', amount: '10.00', currency: 'EUR', paymentMethod: 'cash' },
      '2026-01-02T03:00:00Z',
    );
    l.add('OrderCancelled', { orderId: 'O-3' }, '2026-01-02T04:00:00Z');
    l.add(
      'InvoiceIssued',
      {
        invoiceId: 'I-1',
        amount: '40000.00',
        currency: 'EUR',
        issuedOn: '2026-01-03',
        dueOn: '2026-01-03',
        orderId: 'O-2',
      },
      '2026-01-03T09:00:00Z',
    );
    p = evaluatePosition(l.state, '2026-01-03T10:00:00Z');
    expect([p.openOrders, p.heldOrders, p.openReceivables]).toEqual([0n, 4000000n, 4000000n]);
    expect(l.state.orders.get('O-2')!.status).toBe('invoiced');
    // Both survive a snapshot round trip; a credit order's object keeps its old keys only.
    const back = deserializeState(serializeState(l.state));
    expect(back.orders.get('O-2')!.paymentMethod).toBe('cash');
    expect(back.orders.get('O-1')!.holdReason).toBe('cash-only');
    expect([back.openOrdersTotal, back.heldOrdersTotal]).toEqual([0n, 4000000n]);
  });

  it('releases cash-only holds when a re-grade lifts the customer into a credit band', () => {
    const l = new Ledger();
    l.add(
      'CustomerOnboarded',
      { name: 'New Co', currency: 'EUR', creditLimit: '500.00' },
      '2026-01-01T09:00:00Z',
      2,
    );
    const score = l.state.rating!.score;
    l.order('O-1', '300.00', '2026-01-02T00:00:00Z');
    l.order('O-2', '300.00', '2026-01-02T01:00:00Z');
    // A policy whose lowest band (from the customer's own score) grants credit: O-1 fits the 500.00, O-2 not.
    const lenient = validatePolicy({
      ...DEFAULT_GRADE_POLICY,
      version: 2,
      bands: [
        ...DEFAULT_GRADE_POLICY.bands
          .slice(0, 3)
          .map((b) => ({ ...b, minScore: Math.max(b.minScore, score + 1) })),
        { ...DEFAULT_GRADE_POLICY.bands[3], terms: DEFAULT_GRADE_POLICY.bands[2].terms },
      ],
    });
    const events = rerate(l.state, '2026-01-03T00:00:00Z', lenient, 'policy-change', true);
    expect(kinds(events)).toEqual(['CustomerRerated:', 'OrderReleased:O-1']);
    expect(events[1].payload).toEqual({ orderId: 'O-1', releasedBy: 'auto', reason: 'grade D → D' });
  });

  it('holds every order of a frozen customer, with reason frozen', () => {
    const l = new Ledger();
    l.onboard('1000.00');
    l.invoice('I-1', '10.00', '2026-01-02', '2026-01-10');
    l.control(freezeDecision(l.state, '2026-02-10T00:00:00Z', l.policy)); // 31 days past due
    expect(l.state.status).toBe('frozen');
    expect(l.order('O-1', '1.00', '2026-02-11T00:00:00Z')).toMatchObject([
      { type: 'OrderHeld', payload: { reason: 'frozen' } },
    ]);
  });

  it('lets a held order be cancelled or invoiced, leaving held totals consistent', () => {
    const l = new Ledger();
    l.onboard('100.00');
    l.order('O-1', '200.00', '2026-01-02T00:00:00Z');
    l.order('O-2', '300.00', '2026-01-02T00:00:00Z');
    expect(l.state.heldOrdersTotal).toBe(50000n);
    l.add('OrderCancelled', { orderId: 'O-1' }, '2026-01-03T00:00:00Z');
    l.add(
      'InvoiceIssued',
      {
        invoiceId: 'I-1',
        amount: '300.00',
        currency: 'EUR',
        issuedOn: '2026-01-04',
        dueOn: '2026-02-04',
        orderId: 'O-2',
      },
      '2026-01-04T00:00:00Z',
    );
    expect([l.state.heldOrdersTotal, l.state.openOrdersTotal]).toEqual([0n, 0n]);
    expect(l.state.orders.get('O-2')!.status).toBe('invoiced');
  });
});

describe('bypass detection', () => {
  const inv = (id: string, amount: string, on: string, due: string, orderId?: string) => ({
    invoiceId: id,
    amount,
    currency: 'EUR',
    issuedOn: on,
    dueOn: due,
    ...(orderId === undefined ? {} : { orderId }),
  });

  it('flags a held order invoiced anyway, and records the receivable', () => {
    const l = new Ledger();
    l.onboard('100.00');
    expect(kinds(l.order('O-1', '200.00', '2026-01-02T00:00:00Z'))).toEqual(['OrderHeld:O-1']);
    const out = l.add(
      'InvoiceIssued',
      inv('I-1', '200.00', '2026-01-04', '2026-02-03', 'O-1'),
      '2026-01-04T09:00:00Z',
    );
    expect(out[0]).toEqual({
      eventId: 'bypass:C-1:I-1',
      type: 'CreditBypassDetected',
      version: 1,
      customerId: 'C-1',
      occurredAt: '2026-01-04T09:00:00.000Z',
      source: 'credit-ledger',
      payload: {
        invoiceId: 'I-1',
        source: 'test',
        orderId: 'O-1',
        reason: 'held-order',
        amount: 20000n,
        exposure: 20000n,
        effectiveLimit: 10000n,
      },
    });
    // 30 days' terms are the C band's longest: no terms alert; exposure 200 of 100 fires both thresholds.
    expect(kinds(out)).toEqual(['CreditBypassDetected:O-1', 'LimitBreached:90', 'LimitBreached:100']);
    expect(evaluatePosition(l.state, '2026-01-05T00:00:00Z').openReceivables).toBe(20000n);
  });

  it('flags a rejected order, a blacklisted, frozen or cash-only customer, and an invoice without order over the limit', () => {
    const l = new Ledger();
    l.onboard('100.00');
    l.order('O-1', '200.00', '2026-01-02T00:00:00Z');
    l.control([
      controlEvent('OrderRejected', 'rej', 'C-1', '2026-01-02T01:00:00Z', {
        orderId: 'O-1',
        by: 'a',
        reason: 'no',
      }),
    ]);
    const reason = (events: ControlEvent[]) =>
      events
        .filter((e) => e.type === 'CreditBypassDetected')
        .map((e) => (e.payload as { reason: string }).reason);
    expect(
      reason(
        l.add('InvoiceIssued', inv('I-1', '1.00', '2026-01-03', '2026-01-20', 'O-1'), '2026-01-03T09:00:00Z'),
      ),
    ).toEqual(['rejected-order']);
    // Without an order: 1.00 + 99.00 = 100.00 is the limit exactly (allowed), 0.01 more is not.
    expect(
      reason(l.add('InvoiceIssued', inv('I-2', '99.00', '2026-01-03', '2026-01-20'), '2026-01-03T10:00:00Z')),
    ).toEqual([]);
    expect(
      reason(l.add('InvoiceIssued', inv('I-3', '0.01', '2026-01-03', '2026-01-20'), '2026-01-03T11:00:00Z')),
    ).toEqual(['over-limit']);
    l.pay('P-1', '100.01', '2026-01-04');
    l.control([
      controlEvent('CustomerBlacklisted', 'bl', 'C-1', '2026-01-04T12:00:00Z', { reason: 'fraud', by: 'a' }),
    ]);
    expect(
      reason(l.add('InvoiceIssued', inv('I-4', '1.00', '2026-01-05', '2026-01-20'), '2026-01-05T09:00:00Z')),
    ).toEqual(['blacklisted']);
    const f = new Ledger();
    f.onboard('1000.00');
    f.invoice('I-1', '10.00', '2026-01-02', '2026-01-10');
    // I-2 is checked as billing found the customer (active); its own event then freezes for I-1, past due.
    expect(kinds(f.invoice('I-2', '10.00', '2026-01-12', '2026-01-20'))).toEqual([
      'CustomerFrozen:',
      'CollectionTaskOpened:',
    ]);
    expect(reason(f.invoice('I-3', '10.00', '2026-01-13', '2026-01-20'))).toEqual(['frozen']);
    // A cash-only customer: a credit invoice is a bypass, the invoice of a cash order is not.
    const d = new Ledger();
    d.add(
      'CustomerOnboarded',
      { name: 'New Co', currency: 'EUR', creditLimit: '500.00' },
      '2026-01-01T09:00:00Z',
      2,
    );
    d.add(
      'OrderPlaced',
      { orderId: 'O-9', amount: '50.00', currency: 'EUR', paymentMethod: 'cash' },
      '2026-01-02T00:00:00Z',
    );
    expect(
      d.add('InvoiceIssued', inv('I-9', '50.00', '2026-01-02', '2026-01-02', 'O-9'), '2026-01-02T01:00:00Z'),
    ).toEqual([]);
    expect(
      reason(d.add('InvoiceIssued', inv('I-8', '50.00', '2026-01-02', '2026-01-02'), '2026-01-02T02:00:00Z')),
    ).toEqual(['cash-only']);
  });

  it('alerts when the invoice terms are longer than the grade offers', () => {
    const l = new Ledger();
    l.onboard('1000.00'); // C: at most 30 days
    expect(l.invoice('I-1', '10.00', '2026-01-02', '2026-02-01')).toEqual([]); // 30 days
    expect(l.invoice('I-2', '10.00', '2026-01-02', '2026-02-02')).toEqual([
      controlEvent('TermsExceedGrade', 'terms-exceed:C-1:I-2', 'C-1', '2026-01-02T09:00:00.000Z', {
        invoiceId: 'I-2',
        source: 'test',
        grade: 'C',
        paymentTermsDays: 31,
        maxPaymentTermsDays: 30,
        amount: 1000n,
      }),
    ]);
  });
});

describe('overdue notices', () => {
  // The ladder without its pre-due reminder (collections.spec covers that step and the ladders per segment).
  const policy = validatePolicy({
    ...structuredClone(DEFAULT_GRADE_POLICY),
    collectionsSteps: [
      { step: 'reminder', daysPastDue: 1 },
      { step: 'formal-notice', daysPastDue: 15 },
      { step: 'escalation', daysPastDue: 30 },
    ],
  });
  const ledger = () => {
    const l = new Ledger(policy);
    l.onboard('10000.00');
    l.invoice('I-1', '100.00', '2026-01-01', '2026-01-31');
    l.invoice('I-2', '50.00', '2026-01-01', '2026-02-10');
    return l;
  };

  it('issues each step once, on the day its days past due are reached', () => {
    const l = ledger();
    const at = (d: string) => l.control(overdueNotices(l.state, `${d}T06:00:00Z`, l.policy));
    expect(at('2026-01-31')).toEqual([]); // due today: not past due
    const reminder = at('2026-02-01');
    expect(reminder).toEqual([
      {
        eventId: 'overdue:C-1:I-1:reminder',
        type: 'OverdueNoticeIssued',
        version: 1,
        customerId: 'C-1',
        occurredAt: '2026-02-01T06:00:00.000Z',
        source: 'credit-ledger',
        payload: {
          invoiceId: 'I-1',
          step: 'reminder',
          daysPastDue: 1,
          openAmount: 10000n,
          ladder: 'default',
        },
      },
    ]);
    expect(at('2026-02-01')).toEqual([]); // again: nothing
    expect(at('2026-02-10')).toEqual([]); // I-2 due today, I-1 10 days
    expect(kinds(at('2026-02-11'))).toEqual(['OverdueNoticeIssued:reminder']); // I-2, 1 day
    expect(at('2026-02-14')).toEqual([]); // I-1 14 days
    expect(kinds(at('2026-02-15'))).toEqual(['OverdueNoticeIssued:formal-notice']); // I-1, 15
    expect(kinds(at('2026-02-25'))).toEqual(['OverdueNoticeIssued:formal-notice']); // I-2, 15
    expect(kinds(at('2026-03-02'))).toEqual(['OverdueNoticeIssued:escalation']); // I-1, 30
    expect(kinds(at('2026-03-12'))).toEqual(['OverdueNoticeIssued:escalation']); // I-2, 30
    expect(at('2026-06-01')).toEqual([]); // nothing beyond escalation
    expect([...l.state.notices]).toEqual([
      ['I-1', 'escalation'],
      ['I-2', 'escalation'],
    ]);
  });

  it('skips to the step reached, and ignores paid, disputed and written-off invoices', () => {
    const l = ledger();
    l.add('DisputeOpened', { invoiceId: 'I-2', reason: 'x' }, '2026-01-05T00:00:00Z');
    expect(kinds(overdueNotices(l.state, '2026-03-15T00:00:00Z', l.policy))).toEqual([
      'OverdueNoticeIssued:escalation',
    ]);
    l.pay('P-1', '100.00', '2026-03-01');
    expect(overdueNotices(l.state, '2026-03-15T00:00:00Z', l.policy)).toEqual([]);
  });

  it('follows the policy ladder', () => {
    const policy = validatePolicy({
      ...DEFAULT_GRADE_POLICY,
      collectionsSteps: [{ step: 'formal-notice', daysPastDue: 5 }],
    });
    const l = new Ledger(policy);
    l.onboard('10000.00');
    l.invoice('I-1', '100.00', '2026-01-01', '2026-01-31');
    expect(overdueNotices(l.state, '2026-02-04T23:59:59Z', policy)).toEqual([]);
    expect(kinds(overdueNotices(l.state, '2026-02-05T00:00:00Z', policy))).toEqual([
      'OverdueNoticeIssued:formal-notice',
    ]);
  });
});

describe('freeze and unfreeze', () => {
  it('freezes from the first day past due, unfreezes on the payment that clears it and releases what fits', () => {
    const l = new Ledger();
    l.onboard('1000.00');
    // An AA report keeps the customer in a credit band through its one late payment (otherwise D, cash only,
    // and nothing would be released): at the payment (03-05) I-1 was settled 33 days late (credit 25 × 30 =
    // 750), one occurrence (90 × 25 = 2250), volume 600 of 50000 -> floor(sqrt(120)) = 10 (200), 63 days -> 8
    // (120), 1000: 4320 at a share of min(33, 35) = 33 %; profile 7800 + 90 × 20 = 9600:
    // floor((33 × 4320 + 67 × 9600 + 5000) / 10000) = floor(79.1) = 79, C.
    l.add(
      'ExternalCreditReportReceived',
      {
        agency: 'rating-agency',
        reportId: 'R-1',
        rating: 'AA',
        reportedOn: '2026-01-01',
        validUntil: '2026-12-31',
      },
      '2026-01-01T10:00:00Z',
    );
    l.invoice('I-1', '600.00', '2026-01-01', '2026-01-31');
    expect(freezeDecision(l.state, '2026-01-31T23:59:59Z', l.policy)).toEqual([]); // due today
    const frozen = l.control(freezeDecision(l.state, '2026-02-01T00:00:00Z', l.policy)); // 1 day past due
    expect(frozen).toMatchObject([
      {
        eventId: 'frozen:C-1:3',
        type: 'CustomerFrozen',
        payload: {
          reason: '1 invoice(s) more than 0 days past due',
          invoiceIds: ['I-1'],
          by: 'system',
          cause: 'overdue',
          overdueAmount: 60000n,
        },
      },
    ]);
    expect(freezeDecision(l.state, '2026-03-04T00:00:00Z', l.policy)).toEqual([]); // already frozen
    expect(l.order('O-1', '300.00', '2026-03-04T00:00:00Z')).toMatchObject([
      { type: 'OrderHeld', payload: { orderId: 'O-1', reason: 'frozen' } },
    ]);
    expect(kinds(l.order('O-2', '200.00', '2026-03-04T00:00:00Z'))).toEqual(['OrderHeld:O-2']);
    // The payment that clears I-1 unfreezes at once (the rule runs on every event) and releases both orders.
    const un = l.pay('P-1', '600.00', '2026-03-05');
    expect(kinds(un)).toEqual(['CustomerUnfrozen:', 'OrderReleased:O-1', 'OrderReleased:O-2']);
    expect(un[0]).toMatchObject({ payload: { by: 'system' } });
    expect([l.state.rating!.score, l.state.rating!.grade]).toEqual([79, 'C']);
    expect([l.state.status, l.state.openOrdersTotal, l.state.heldOrdersTotal]).toEqual([
      'active',
      50000n,
      0n,
    ]);
  });

  it('holds a credit order that arrives once an invoice is past due, before any scan ran', () => {
    const l = new Ledger();
    l.onboard('1000.00');
    l.invoice('I-1', '10.00', '2026-01-02', '2026-01-10');
    expect(l.order('O-1', '1.00', '2026-01-10T23:00:00Z')).toEqual([]); // due today: not overdue
    expect(l.order('O-2', '1.00', '2026-01-11T08:00:00Z')).toMatchObject([
      { eventId: 'frozen:C-1:4', type: 'CustomerFrozen', payload: { cause: 'overdue', invoiceIds: ['I-1'] } },
      { eventId: 'task-opened:collection:frozen:C-1:4', type: 'CollectionTaskOpened' },
      { eventId: 'order-held:C-1:O-2', type: 'OrderHeld', payload: { orderId: 'O-2', reason: 'frozen' } },
    ]);
    // A cash order is paid before delivery: never held, frozen or not.
    expect(
      l.add(
        'OrderPlaced',
        { orderId: 'O-3', amount: '5.00', currency: 'EUR', paymentMethod: 'cash' },
        '2026-01-11T09:00:00Z',
      ),
    ).toEqual([]);
    // A disputed invoice is not chased: disputing the only overdue one unfreezes.
    expect(kinds(l.add('DisputeOpened', { invoiceId: 'I-1', reason: 'x' }, '2026-01-12T00:00:00Z'))).toEqual([
      'CustomerUnfrozen:',
      'CollectionTaskClosed:',
      'OrderReleased:O-2',
    ]);
  });

  it('freezes on the overdue amount above the threshold when the day limit has not been reached', () => {
    const policy = validatePolicy({ ...DEFAULT_GRADE_POLICY, freezeAfterDaysPastDue: 30 });
    const l = new Ledger(policy);
    l.onboard('30000.00');
    l.invoice('I-1', '10000.00', '2026-01-01', '2026-01-31');
    l.invoice('I-2', '0.01', '2026-01-02', '2026-01-31');
    expect(freezeDecision(l.state, '2026-01-31T12:00:00Z', policy)).toEqual([]); // not yet past due
    // 10000.01 overdue: above 10000.00 although only 1 day past due.
    const frozen = l.control(freezeDecision(l.state, '2026-02-01T00:00:00Z', policy));
    expect(frozen).toMatchObject([
      {
        type: 'CustomerFrozen',
        payload: {
          reason: 'overdue amount 10000.01 EUR above 10000.00 EUR',
          invoiceIds: ['I-1', 'I-2'],
          by: 'system',
          cause: 'overdue-amount',
          overdueAmount: 1000001n,
        },
      },
    ]);
    // Exactly 10000.00 overdue is not above: the payment of 0.01 unfreezes (2 days < 30).
    expect(kinds(l.pay('P-1', '0.01', '2026-02-02'))).toEqual(['CustomerUnfrozen:']);
    // The same 10000.01 with the default day limit 0: both rules hold and the amount names the cause.
    const d = new Ledger();
    d.onboard('30000.00');
    d.invoice('I-1', '10000.01', '2026-01-01', '2026-01-31');
    expect(freezeDecision(d.state, '2026-02-01T00:00:00Z', d.policy)).toMatchObject([
      { payload: { cause: 'overdue-amount', overdueAmount: 1000001n } },
    ]);
  });

  it('leaves a manual freeze alone', () => {
    const l = new Ledger();
    l.onboard('1000.00');
    l.state.status = 'frozen';
    l.state.frozenBy = 'admin:1234';
    expect(freezeDecision(l.state, '2026-03-06T00:00:00Z', l.policy)).toEqual([]);
  });
});

describe('dormant limit', () => {
  it('flags a limit with no use for six calendar months, once per dormancy', () => {
    const l = new Ledger();
    l.onboard('1000.00', '2026-01-15T09:00:00Z');
    l.invoice('I-1', '100.00', '2026-02-28', '2026-03-31');
    expect(dormantLimit(l.state, '2026-09-01T00:00:00Z', l.policy)).toEqual([]); // still exposed
    l.pay('P-1', '100.00', '2026-03-10');
    expect(dormantLimit(l.state, '2026-08-27T23:00:00Z', l.policy)).toEqual([]); // cutoff 02-27
    const flagged = l.control(dormantLimit(l.state, '2026-08-28T00:00:00Z', l.policy)); // cutoff 02-28
    // Submitted, not only flagged: grade C's default (10,000.00) is above 1,000.00, so 50 % of it: 500.00.
    expect(flagged).toMatchObject([
      { eventId: 'dormant:C-1:2026-02-28', payload: { lastUsedOn: '2026-02-28', creditLimit: 100000n } },
      {
        eventId: 'approval-request:C-1:dormant-2026-02-28',
        type: 'ApprovalRequested',
        payload: {
          requestId: 'dormant-2026-02-28',
          kind: 'decrease',
          amount: 50000n,
          currentLimit: 100000n,
          by: 'system',
          byRole: 'system',
          required: ['sales-manager', 'finance-clerk'],
        },
      },
    ]);
    expect(l.state.limitRequests.get('dormant-2026-02-28')!.requestedBy).toBe('system');
    expect(dormantLimit(l.state, '2027-01-01T00:00:00Z', l.policy)).toEqual([]);
  });

  it('counts months on the calendar, clamped to month ends', () => {
    expect(monthsBefore('2026-08-31', 6)).toBe('2026-02-28');
    expect(monthsBefore('2026-03-15', 6)).toBe('2025-09-15');
    expect(monthsBefore('2024-08-31', 6)).toBe('2024-02-29');
  });

  it('uses the onboarding date when the limit was never used; never flags a zero limit', () => {
    const l = new Ledger();
    l.onboard('1000.00', '2026-01-31T23:00:00Z');
    expect(kinds(dormantLimit(l.state, '2026-07-31T00:00:00Z', l.policy))).toEqual([
      'DormantLimitFlagged:',
      'ApprovalRequested:',
    ]);
    const z = new Ledger();
    z.onboard('0');
    expect(dormantLimit(z.state, '2030-01-01T00:00:00Z', z.policy)).toEqual([]);
  });
});

describe('re-rating', () => {
  it('appends CustomerRerated only when the grade changes, and applying it re-rates at its time', () => {
    // Two bands, so the hand-computed scores land on different sides (the sound test credit file):
    // at 2024-01-02 no invoice has a payment outcome yet, the profile alone: 7800 -> 78 (A).
    // At 2025-01-10 (window (2024-01-11, 2025-01-10]) I-1 is 344 days past due: one observed invoice, first issued
    // 2024-01-02, 374 days -> share min(floor(100 / 3) = 33, 207) = 33. History: collection 0 (> 90 days late),
    // one occurrence 90 × 25 = 2250, volume 0 (issued before the window), tenure 375 / 730 -> 51 × 15 = 765,
    // complaints 1000 = 4015. Profile still 7800 (statements of 2024-01-01, 375 days old).
    // floor((33 × 4015 + 67 × 7800 + 5000) / 10000) = floor(66.0) = 66 -> D.
    const policy = validatePolicy({
      ...DEFAULT_GRADE_POLICY,
      bands: [
        { ...DEFAULT_GRADE_POLICY.bands[0], minScore: 75 },
        { ...DEFAULT_GRADE_POLICY.bands[3], minScore: 0 },
      ],
    });
    const l = new Ledger(policy);
    l.onboard('10000.00', '2024-01-01T09:00:00Z');
    l.invoice('I-1', '5000.00', '2024-01-02', '2024-02-01');
    const before = l.state.rating!;
    expect([before.grade, before.score]).toEqual(['A', 78]);
    // Long overdue a year later: history weighs in and drops the grade.
    const r = rerate(l.state, '2025-01-10T00:00:00Z', l.policy);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({
      eventId: 'rerate:C-1:2025-01-10T00:00:00.000Z',
      type: 'CustomerRerated',
      occurredAt: '2025-01-10T00:00:00.000Z',
      payload: {
        trigger: 'scheduled',
        policyVersion: 1,
        fromGrade: 'A',
        fromScore: 78,
        toGrade: 'D',
        toScore: 66,
      },
    });
    l.control(r);
    const p = r[0].payload as { toGrade: string; toScore: number };
    expect([l.state.rating!.grade, l.state.rating!.score, l.state.clock]).toEqual([
      p.toGrade,
      p.toScore,
      '2025-01-10T00:00:00.000Z',
    ]);
    expect(rerate(l.state, '2025-01-11T00:00:00Z', l.policy)).toEqual([]);
    expect(rerate(l.state, '2025-01-11T00:00:00Z', l.policy, 'policy-change', true)).toHaveLength(1);
  });
});

describe('control policy fields', () => {
  const base = { ...DEFAULT_GRADE_POLICY } as Record<string, unknown>;
  it('defaults the credit-control fields of an older stored policy', () => {
    const {
      collectionsSteps: _c,
      freezeAfterDaysPastDue: _f,
      freezeOverdueAmount: _a,
      dormantLimitMonths: _d,
      ...old
    } = base;
    const p = validatePolicy(old);
    expect([
      p.collectionsSteps.map((s) => s.daysPastDue),
      p.freezeAfterDaysPastDue,
      p.freezeOverdueAmount,
      p.dormantLimitMonths,
    ]).toEqual([[-3, 1, 15, 30], 0, { default: '10000.00' }, 6]);
  });
  it('reads the old name freezeGraceDays of a stored version as freezeAfterDaysPastDue', () => {
    const { freezeAfterDaysPastDue: _f, ...old } = base;
    expect(validatePolicy({ ...old, freezeGraceDays: 30 }).freezeAfterDaysPastDue).toBe(30);
    expect(() => validatePolicy({ ...base, freezeGraceDays: 30 })).toThrow(
      'policy.freezeGraceDays: is the old name of freezeAfterDaysPastDue',
    );
  });
  it.each([
    [{ collectionsSteps: [] }, 'policy.collectionsSteps: must be a non-empty array'],
    [
      { collectionsSteps: [{ step: 'nag', daysPastDue: 1 }] },
      'policy.collectionsSteps[0].step: must be one of',
    ],
    [
      {
        collectionsSteps: [
          { step: 'reminder', daysPastDue: 5 },
          { step: 'escalation', daysPastDue: 5 },
        ],
      },
      'policy.collectionsSteps: must be ascending',
    ],
    [
      { collectionsSteps: [{ step: 'reminder', daysPastDue: 1, x: 1 }] },
      'policy.collectionsSteps[0].x: unknown',
    ],
    [{ freezeAfterDaysPastDue: -1 }, 'policy.freezeAfterDaysPastDue: must be an integer between 0'],
    [{ freezeOverdueAmount: { EUR: '1.00' } }, 'policy.freezeOverdueAmount.default: is missing'],
    [{ dormantLimitMonths: 1.5 }, 'policy.dormantLimitMonths: must be an integer'],
  ])('rejects %j', (override, message) => {
    expect(() => validatePolicy({ ...base, ...override })).toThrow(message);
  });
});
