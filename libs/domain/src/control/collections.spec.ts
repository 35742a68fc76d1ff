import { soundProfile, wire } from '../../test/builders';
import type { EventType } from '../contract/envelope';
import { initialState, serializeState, deserializeState, type CustomerState } from '../customer/state';
import { DEFAULT_GRADE_POLICY, type GradePolicy } from '../rating/policy';
import { validatePolicy } from '../rating/validate-policy';
import { applyControlChain, applyWithRules } from '../rules/apply-with-rules';
import { freezeDecision, overdueNotices } from '../rules/time-rules';
import type { ControlEvent } from './control-events';
import { ladderFor, recordCollectionAction } from './collections';
import { dayNumber } from '../dates';

/** One customer fed like the writer does: billing events through applyWithRules, job output through the chain. */
class Ledger {
  readonly state: CustomerState = initialState('C-1');
  private seq = 0;
  constructor(readonly policy: GradePolicy = DEFAULT_GRADE_POLICY) {}

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
  job(events: ControlEvent[]): ControlEvent[] {
    return events.flatMap((e) =>
      applyControlChain(this.state, e, this.policy, () => String(++this.seq)).map(
        (d) => d.applied.event as ControlEvent,
      ),
    );
  }
  onboard(extra: Record<string, unknown> = {}, at = '2026-01-01T09:00:00Z'): void {
    const profile = soundProfile('EUR', at.slice(0, 10));
    this.add(
      'CustomerOnboarded',
      // Within the trial limit: an approved limit from the start (the first application is approvals.spec's).
      { name: 'Acme', currency: 'EUR', creditLimit: '5000.00', ...profile, ...extra },
      at,
      2,
    );
  }
  invoice(id: string, amount: string, issuedOn: string, dueOn: string): ControlEvent[] {
    return this.add(
      'InvoiceIssued',
      { invoiceId: id, amount, currency: 'EUR', issuedOn, dueOn },
      `${issuedOn}T09:00:00Z`,
    );
  }
  pay(id: string, amount: string, on: string, invoiceId?: string): ControlEvent[] {
    return this.add(
      'PaymentReceived',
      {
        paymentId: id,
        amount,
        currency: 'EUR',
        receivedOn: on,
        ...(invoiceId ? { allocations: [{ invoiceId, amount }] } : {}),
      },
      `${on}T10:00:00Z`,
    );
  }
}

const brief = (events: ControlEvent[]) =>
  events.map((e) => {
    const p = e.payload as unknown as Record<string, unknown>;
    return `${e.type}:${String(p.taskId ?? p.step ?? '')}${p.reason ? `:${String(p.reason)}` : ''}`;
  });

const OWNER = { accountOwner: { id: 'u-ana', name: 'Ana', email: 'ana@example.test' } };

describe('collection tasks', () => {
  it('given an invoice, when the scan reaches the pre-due reminder and then day 1, then one task per step, the first superseded', () => {
    const l = new Ledger();
    l.onboard(OWNER);
    l.invoice('I-1', '1200.00', '2026-01-05', '2026-02-04');
    // 2026-01-31 is 4 days before due: nothing yet.
    expect(l.job(overdueNotices(l.state, '2026-01-31T06:00:00Z', l.policy))).toEqual([]);
    // 2026-02-01: 3 days before due, the default ladder's pre-due reminder.
    const preDue = l.job(overdueNotices(l.state, '2026-02-01T06:00:00Z', l.policy));
    expect(brief(preDue)).toEqual([
      'OverdueNoticeIssued:pre-due',
      'CollectionTaskOpened:collection:C-1:I-1:pre-due',
    ]);
    expect(preDue[0].payload).toMatchObject({ daysPastDue: -3, ladder: 'default', openAmount: 120000n });
    expect(preDue[1]).toMatchObject({
      eventId: 'task-opened:collection:C-1:I-1:pre-due',
      occurredAt: '2026-02-01T06:00:00.000Z',
      payload: {
        owner: 'u-ana',
        trigger: 'step',
        step: 'pre-due',
        amountDue: 120000n,
        daysPastDue: -3,
        invoiceIds: ['I-1'],
      },
    });
    // Day 1 past due (2026-02-05): reminder replaces the pre-due task.
    const reminder = l.job(overdueNotices(l.state, '2026-02-05T06:00:00Z', l.policy));
    expect(brief(reminder)).toEqual([
      'OverdueNoticeIssued:reminder',
      'CollectionTaskClosed:collection:C-1:I-1:pre-due:superseded',
      'CollectionTaskOpened:collection:C-1:I-1:reminder',
    ]);
    expect([...l.state.openTasks.keys()]).toEqual(['collection:C-1:I-1:reminder']);
    // Paid in full: the open task closes right after the payment.
    expect(brief(l.pay('P-1', '1200.00', '2026-02-06', 'I-1'))).toEqual([
      'CollectionTaskClosed:collection:C-1:I-1:reminder:paid',
    ]);
    expect(l.state.openTasks.size).toBe(0);
  });

  it('given no account owner, tasks go to the policy queue; a partial payment keeps them open', () => {
    const l = new Ledger();
    l.onboard();
    l.invoice('I-1', '1000.00', '2026-01-05', '2026-02-04');
    const e = l.job(overdueNotices(l.state, '2026-02-05T06:00:00Z', l.policy));
    expect(e[1].payload).toMatchObject({ owner: 'collections', step: 'reminder', daysPastDue: 1 });
    // The payment is the customer's first event since the due date: the freeze rule (0 days) freezes on it,
    // and the freeze opens its task for what is still due (600.00).
    const paid = l.pay('P-1', '400.00', '2026-02-06', 'I-1');
    expect(brief(paid)).toEqual([
      'CustomerFrozen::1 invoice(s) more than 0 days past due',
      'CollectionTaskOpened:collection:frozen:C-1:5',
    ]);
    expect(paid[1].payload).toMatchObject({
      owner: 'collections',
      trigger: 'freeze',
      amountDue: 60000n,
      daysPastDue: 2,
    });
    expect([...l.state.openTasks.keys()]).toEqual(['collection:C-1:I-1:reminder', 'collection:frozen:C-1:5']);
  });

  it('given a freeze with overdue invoices, a freeze task with what is due; closed by the unfreeze', () => {
    const policy = validatePolicy({ ...structuredClone(DEFAULT_GRADE_POLICY), freezeAfterDaysPastDue: 1 });
    const l = new Ledger(policy);
    l.onboard(OWNER);
    l.invoice('I-1', '700.00', '2026-01-05', '2026-02-04');
    l.invoice('I-2', '300.00', '2026-01-06', '2026-02-10');
    // 2026-02-12: I-1 8 days, I-2 2 days past due (both > 1).
    const frozen = l.job(freezeDecision(l.state, '2026-02-12T00:00:00Z', policy));
    expect(brief(frozen)).toEqual([
      'CustomerFrozen::2 invoice(s) more than 1 days past due',
      `CollectionTaskOpened:collection:${frozen[0].eventId}`,
    ]);
    expect(frozen[1].payload).toMatchObject({
      owner: 'u-ana',
      trigger: 'freeze',
      step: null,
      invoiceIds: ['I-1', 'I-2'],
      amountDue: 100000n,
      daysPastDue: 8,
    });
    // Paid in full: the freeze rule on the payment unfreezes, and that closes the freeze task.
    const unfrozen = l.pay('P-1', '1000.00', '2026-02-13');
    expect(brief(unfrozen)).toEqual([
      expect.stringMatching(/^CustomerUnfrozen:/),
      `CollectionTaskClosed:collection:${frozen[0].eventId}:unfrozen`,
    ]);
    expect(l.state.openTasks.size).toBe(0);
  });

  it('state with open tasks round-trips through its snapshot', () => {
    const l = new Ledger();
    l.onboard(OWNER);
    l.invoice('I-1', '1200.00', '2026-01-05', '2026-02-04');
    l.job(overdueNotices(l.state, '2026-02-05T06:00:00Z', l.policy));
    const text = serializeState(l.state);
    expect(serializeState(deserializeState(text))).toBe(text);
    expect(text).toContain('"openTasks"');
  });
});

describe('collection actions by the person working a task', () => {
  const carl = { name: 'carl', role: 'finance-clerk' as const };
  const withTask = () => {
    const l = new Ledger();
    l.onboard(OWNER);
    l.invoice('I-1', '1200.00', '2026-01-05', '2026-02-04');
    l.job(overdueNotices(l.state, '2026-02-05T06:00:00Z', l.policy));
    return l;
  };
  const TASK = 'collection:C-1:I-1:reminder';

  it('given an open task, when a contact and a promise are recorded, then they are events and the task stays open', () => {
    const l = withTask();
    const contact = recordCollectionAction(
      l.state,
      carl,
      '2026-02-06T10:00:00.000Z',
      {
        taskId: TASK,
        action: 'contact',
        note: 'called Ana',
      },
      'a1',
    );
    expect(contact.ok && brief(l.job(contact.events))).toEqual([
      'CollectionActionRecorded:collection:C-1:I-1:reminder',
    ]);
    const promise = recordCollectionAction(
      l.state,
      carl,
      '2026-02-06T11:00:00.000Z',
      {
        taskId: TASK,
        action: 'promise',
        note: 'pays Friday',
        promisedOn: '2026-02-13',
        promisedAmount: 120000n,
      },
      'a2',
    );
    expect(promise.ok && promise.events[0]).toMatchObject({
      eventId: `task-action:${TASK}:a2`,
      payload: { action: 'promise', promisedOn: '2026-02-13', promisedAmount: 120000n, by: 'carl' },
    });
    if (promise.ok) l.job(promise.events);
    expect([...l.state.openTasks.keys()]).toEqual([TASK]);
  });

  it('given an open task, when it is closed, then the task closes as resolved, caused by the action', () => {
    const l = withTask();
    const close = recordCollectionAction(
      l.state,
      carl,
      '2026-02-07T10:00:00.000Z',
      {
        taskId: TASK,
        action: 'close',
        note: 'settled by phone, payment on its way',
      },
      'a3',
    );
    expect(close.ok && brief(l.job(close.events))).toEqual([
      'CollectionActionRecorded:collection:C-1:I-1:reminder',
      'CollectionTaskClosed:collection:C-1:I-1:reminder:resolved',
    ]);
    expect(close.ok && close.events[1].payload).toMatchObject({ causeEventId: `task-action:${TASK}:a3` });
    expect(l.state.openTasks.size).toBe(0);
    // closed: nothing more can be recorded on it
    expect(
      recordCollectionAction(
        l.state,
        carl,
        '2026-02-08T10:00:00.000Z',
        { taskId: TASK, action: 'contact', note: 'x' },
        'a4',
      ),
    ).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('refuses a promise without its day or amount, in the past, or of nothing; and promise fields on a contact', () => {
    const l = withTask();
    const at = '2026-02-06T10:00:00.000Z';
    const act = (input: Record<string, unknown>) =>
      recordCollectionAction(
        l.state,
        carl,
        at,
        { taskId: TASK, note: 'n', action: 'promise', ...input },
        'x',
      );
    expect(act({})).toMatchObject({ ok: false, kind: 'bad-request' });
    expect(act({ promisedOn: '2026-02-05', promisedAmount: 100n })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/before today/),
    });
    expect(act({ promisedOn: '2026-02-09', promisedAmount: 0n })).toMatchObject({
      ok: false,
      kind: 'bad-request',
    });
    expect(act({ action: 'contact', promisedOn: '2026-02-09' })).toMatchObject({
      ok: false,
      kind: 'bad-request',
    });
    expect(act({ taskId: 'collection:nope' })).toMatchObject({ ok: false, kind: 'conflict' });
  });
});

describe('ladders per segment', () => {
  const day = (d: string) => dayNumber(d);

  it('a grade-A customer of two years follows the gentle ladder; the same customer new follows the default', () => {
    const l = new Ledger();
    l.onboard(OWNER, '2023-01-01T09:00:00Z');
    const grade = l.state.rating!.grade;
    const policy = validatePolicy({
      ...structuredClone(DEFAULT_GRADE_POLICY),
      collectionSegments: [{ ladder: 'gentle', grades: [grade], minTenureDays: 730 }],
    });
    expect(ladderFor(l.state, policy, day('2025-01-01')).name).toBe('gentle'); // 731 days
    expect(ladderFor(l.state, policy, day('2024-12-30')).name).toBe('default'); // 729 days
  });

  it('by customer type: channel partners on the firm ladder get a legal step', () => {
    const policy = validatePolicy({
      ...structuredClone(DEFAULT_GRADE_POLICY),
      collectionSegments: [{ ladder: 'firm', customerTypes: ['channel'] }],
    });
    const l = new Ledger(policy);
    l.onboard({ ...OWNER, customerType: 'channel' });
    l.invoice('I-1', '500.00', '2026-01-05', '2026-02-04');
    // firm: pre-due −7, reminder 1, formal-notice 7, escalation 15, legal 30. 2026-03-06 is 30 days past due.
    const e = l.job(overdueNotices(l.state, '2026-03-06T00:00:00Z', policy));
    expect(e[0].payload).toMatchObject({ step: 'legal', daysPastDue: 30, ladder: 'firm' });
  });

  it('refuses a ladder out of order and a segment naming an unknown ladder', () => {
    const base = structuredClone(DEFAULT_GRADE_POLICY) as unknown as Record<string, unknown>;
    expect(() =>
      validatePolicy({
        ...base,
        collectionLadders: {
          x: [
            { step: 'reminder', daysPastDue: 5 },
            { step: 'pre-due', daysPastDue: 6 },
          ],
        },
      }),
    ).toThrow(/collectionLadders.x: steps must follow the order/);
    expect(() => validatePolicy({ ...base, collectionSegments: [{ ladder: 'nope' }] })).toThrow(
      /collectionSegments\[0\].ladder: must name a ladder/,
    );
  });
});
