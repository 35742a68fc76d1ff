import { TestLedger } from '../../test/builders';
import { apply } from '../customer/apply';
import { deserializeState, serializeState } from '../customer/state';
import { DEFAULT_GRADE_POLICY } from '../rating/policy';
import { validatePolicy } from '../rating/validate-policy';
import { approvalReminders, decideApproval, firstApplication, type ApprovalCommand } from './approvals';
import type { ControlEvent } from './control-events';
import { blacklistCustomer, type CommandResult } from './credit-control';
import { effectiveLimit } from './effective-limit';
import { requiredApprovals, type Actor } from './limit-approval';

const P = DEFAULT_GRADE_POLICY;
const AT = '2026-06-15T12:00:00.000Z';
const HOUR = 3_600_000;
const hoursAfter = (at: string, h: number): string => new Date(Date.parse(at) + h * HOUR).toISOString();

const sam: Actor = { name: 'sam', role: 'sales-manager' };
const fay: Actor = { name: 'fay', role: 'finance-clerk' };
const carl: Actor = { name: 'carl', role: 'credit-analyst' }; // the old name of finance-clerk
const fiona: Actor = { name: 'fiona', role: 'finance-manager' };
const fred: Actor = { name: 'fred', role: 'finance-manager' };
const cleo: Actor = { name: 'cleo', role: 'cfo' };
const gina: Actor = { name: 'gina', role: 'general-manager' };

type Step = (l: TestLedger) => void;

/** Applies a result's events like the writer does (decide already happened: apply at the next sequence). */
function record(l: TestLedger, r: CommandResult): ControlEvent[] {
  if (!r.ok) throw new Error(`${r.kind}: ${r.message}`);
  for (const event of r.events) {
    apply(
      l.state,
      { event, sequence: String(l.state.lastSequence + 1), streamVersion: l.state.streamVersion + 1 },
      P,
    );
  }
  return r.events;
}

/** A C-grade (standard approval) EUR customer with `limit`. */
const onboarded =
  (limit = '10000.00'): Step =>
  (l) => {
    l.onboard('EUR', limit);
  };

const done =
  (command: ApprovalCommand, by: Actor, at = AT): Step =>
  (l) => {
    record(l, decideApproval(command, l.state, { by, at, policy: P }));
  };

const limitRequested = (requestId: string, newLimit: bigint, by: Actor = sam): Step =>
  done({ type: 'RequestLimitChange', data: { requestId, newLimit, reason: 'growth' } }, by);
const approved = (requestId: string, by: Actor): Step =>
  done({ type: 'ApproveRequest', data: { requestId } }, by);

/** given(history).when(command, by).then(event types) — or .refused(kind, message). */
function given(...history: Step[]) {
  const l = new TestLedger();
  for (const step of history) step(l);
  return {
    ledger: l,
    when(command: ApprovalCommand, by: Actor, at = AT) {
      const result = decideApproval(command, l.state, { by, at, policy: P });
      return {
        then(...types: string[]): ControlEvent[] {
          const events = record(l, result);
          expect(events.map((e) => e.type)).toEqual(types);
          return events;
        },
        refused(kind: string, message: RegExp): void {
          expect(result).toMatchObject({ ok: false, kind, message: expect.stringMatching(message) });
        },
      };
    },
  };
}

const approve = (requestId: string): ApprovalCommand => ({ type: 'ApproveRequest', data: { requestId } });

describe('routing by amount and grade (seed 004 tiers)', () => {
  it.each([
    ['50000.00', null, ['sales-manager', 'finance-clerk']],
    ['50000.01', null, ['finance-manager']],
    ['200000.00', null, ['finance-manager']],
    ['200000.01', null, ['cfo|general-manager']],
    ['30000.00', 'A', ['sales-manager|finance-clerk']],
    ['120000.00', 'A', ['finance-manager']],
    ['900000.00', 'A', ['cfo|general-manager']],
    ['30000.00', 'C', ['sales-manager', 'finance-clerk']],
  ])('%s EUR for grade %s needs %j', (amount, grade, slots) => {
    expect(requiredApprovals(P, 'EUR', BigInt(amount.replace('.', '')), grade)).toEqual(slots);
  });

  it('uses the currency tiers when the policy has them (JPY)', () => {
    expect(requiredApprovals(P, 'JPY', 6_000_000n)).toEqual(['finance-manager']);
  });

  it('reads a stored policy naming credit-analyst as finance-clerk', () => {
    const p = validatePolicy({
      ...JSON.parse(JSON.stringify(P)),
      limitApproval: {
        default: [
          { upTo: '10.00', roles: ['credit-analyst'] },
          { upTo: null, roles: ['cfo'] },
        ],
      },
    });
    expect(p.limitApproval.default[0].roles).toEqual(['finance-clerk']);
  });

  it('refuses a policy that names admin or a role twice', () => {
    const base = JSON.parse(JSON.stringify(P)) as Record<string, unknown>;
    expect(() =>
      validatePolicy({ ...base, limitApproval: { default: [{ upTo: null, roles: ['admin'] }] } }),
    ).toThrow(/limitApproval.default\[0\].roles\[0\]/);
    expect(() =>
      validatePolicy({
        ...base,
        limitApproval: { default: [{ upTo: null, roles: ['cfo', 'cfo|general-manager'] }] },
      }),
    ).toThrow(/names cfo twice/);
    expect(() => validatePolicy({ ...base, approvals: { remindAfterHours: 0 } })).toThrow(
      /approvals.remindAfterHours/,
    );
  });
});

describe('increase and decrease', () => {
  it('a 120,000 increase is in force once a finance-manager approves; the approvers are named', () => {
    const s = given(onboarded(), limitRequested('LR-1', 12_000_000n));
    s.when(approve('LR-1'), fay).refused('forbidden', /finance-clerk.*still needs finance-manager/);
    const events = s
      .when(approve('LR-1'), fiona)
      .then('ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged');
    expect(events[1].payload).toEqual({
      requestId: 'LR-1',
      kind: 'increase',
      approvedBy: ['fiona'],
      approvedRoles: ['finance-manager'],
    });
    expect(s.ledger.state.creditLimit).toBe(12_000_000n);
    s.when(approve('LR-1'), fred).refused('conflict', /approved/);
  });

  it('the lowest tier needs a sales-manager and a finance-clerk: two principals, the requester never approves', () => {
    const s = given(onboarded(), limitRequested('LR-2', 3_000_000n, fay));
    s.when(approve('LR-2'), fay).refused('forbidden', /four-eyes/);
    s.when(approve('LR-2'), { ...fay, name: 'FAY' }).refused('forbidden', /four-eyes/);
    s.when(approve('LR-2'), sam).then('ApprovalGiven');
    s.when(approve('LR-2'), sam).refused('conflict', /already approved/);
    expect(s.ledger.state.creditLimit).toBe(1_000_000n);
    // credit-analyst is the old name of finance-clerk
    s.when(approve('LR-2'), carl).then('ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged');
    expect(s.ledger.state.creditLimit).toBe(3_000_000n);
  });

  it('a decrease goes through approval too, routed by the new limit', () => {
    const s = given(onboarded('10000.00'));
    const [e] = s
      .when(
        { type: 'RequestLimitChange', data: { requestId: 'D-1', newLimit: 0n, reason: 'dormant' } },
        fiona,
      )
      .then('ApprovalRequested');
    expect(e.payload).toMatchObject({ kind: 'decrease', required: ['sales-manager', 'finance-clerk'] });
  });

  it('above 200,000 a cfo OR a general-manager approves alone', () => {
    const s = given(onboarded(), limitRequested('LR-3', 30_000_000n, fiona));
    s.when(approve('LR-3'), fred).refused('forbidden', /cfo\|general-manager/);
    s.when(approve('LR-3'), gina).then('ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged');
    const t = given(onboarded(), limitRequested('LR-4', 30_000_000n, fiona));
    t.when(approve('LR-4'), cleo).then('ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged');
  });

  it('a simplified band (A) needs one approver of the tier', () => {
    const s = given(onboarded(), (l) => {
      l.state.rating = { ...l.state.rating!, grade: 'A' };
    });
    const [e] = s
      .when(
        { type: 'RequestLimitChange', data: { requestId: 'A-1', newLimit: 4_000_000n, reason: 'AAA' } },
        fiona,
      )
      .then('ApprovalRequested');
    expect(e.payload).toMatchObject({ required: ['sales-manager|finance-clerk'], grade: 'A' });
    s.when(approve('A-1'), fay).then('ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged');
  });

  it('refuses a second pending request of the same kind and more credit for a blacklisted customer', () => {
    const s = given(onboarded(), limitRequested('LR-5', 3_000_000n));
    s.when(
      { type: 'RequestLimitChange', data: { requestId: 'LR-6', newLimit: 4_000_000n, reason: 'r' } },
      sam,
    ).refused('conflict', /LR-5 \(increase\) is still pending/);
    s.ledger.state.status = 'blacklisted';
    s.when(approve('LR-5'), fay).then('ApprovalGiven');
    s.when(approve('LR-5'), fiona).refused('forbidden', /still needs sales-manager/);
    s.when(approve('LR-5'), { name: 'sid', role: 'sales-manager' }).refused('conflict', /blacklisted/);
  });

  it('a rejection closes the request', () => {
    const s = given(onboarded(), limitRequested('LR-7', 3_000_000n));
    s.when({ type: 'RejectRequest', data: { requestId: 'LR-7', reason: 'no' } }, fiona).then(
      'ApprovalRejected',
    );
    s.when(approve('LR-7'), fay).refused('conflict', /rejected/);
  });
});

describe('temporary limits, freeze and unfreeze, order release', () => {
  it('a temporary limit counts once approved, routed by the limit plus the amount', () => {
    const s = given(onboarded('40000.00'));
    const [e] = s
      .when(
        {
          type: 'RequestTemporaryLimit',
          data: {
            requestId: 'T-1',
            amount: 2_000_000n,
            validUntil: '2026-07-01T00:00:00.000Z',
            reason: 'fair',
          },
        },
        sam,
      )
      .then('ApprovalRequested');
    expect(e.payload).toMatchObject({ kind: 'temporary', required: ['finance-manager'] });
    expect(effectiveLimit(s.ledger.state, AT)).toBe(4_000_000n);
    s.when(approve('T-1'), fiona).then('ApprovalGiven', 'ApprovalCompleted', 'TemporaryLimitGranted');
    expect(effectiveLimit(s.ledger.state, AT)).toBe(6_000_000n);
  });

  it('a manual freeze and unfreeze each need their approvals', () => {
    const s = given(onboarded('10000.00'));
    s.when(
      { type: 'RequestStatusChange', data: { requestId: 'F-1', action: 'freeze', reason: 'dispute' } },
      sam,
    ).then('ApprovalRequested');
    expect(s.ledger.state.status).toBe('active');
    s.when(approve('F-1'), fay).then('ApprovalGiven');
    s.when(approve('F-1'), { name: 'sid', role: 'sales-manager' }).then(
      'ApprovalGiven',
      'ApprovalCompleted',
      'CustomerFrozen',
    );
    expect(s.ledger.state.status).toBe('frozen');
    s.when(
      { type: 'RequestStatusChange', data: { requestId: 'F-2', action: 'unfreeze', reason: 'settled' } },
      fay,
    ).then('ApprovalRequested');
    s.when(approve('F-2'), fay).refused('forbidden', /four-eyes/);
    s.when(approve('F-2'), sam).then('ApprovalGiven');
    s.when(approve('F-2'), carl).then('ApprovalGiven', 'ApprovalCompleted', 'CustomerUnfrozen');
    expect(s.ledger.state.status).toBe('active');
  });

  const held =
    (orderId: string, amount: string): Step =>
    (l) => {
      l.add('OrderPlaced', { orderId, amount, currency: 'EUR' }, '2026-06-10T00:00:00Z');
      // TestLedger applies billing events without the rules; the hold is deriveOnIngest's (rules.spec).
      const o = l.state.orders.get(orderId)!;
      o.status = 'held';
      l.state.openOrdersTotal -= o.amount;
      l.state.heldOrdersTotal += o.amount;
    };
  const release = (orderId: string, requestId: string): ApprovalCommand => ({
    type: 'ReleaseHeldOrder',
    data: { requestId, orderId, reason: 'good customer' },
  });

  it('up to the cap one finance-clerk releases a held order; above it the release is a request', () => {
    const s = given(onboarded('100.00'), held('O-1', '10000.00'), held('O-2', '10000.01'));
    s.when(release('O-1', 'R-1'), fay).then('OrderReleased');
    const [e] = s.when(release('O-2', 'R-2'), fay).then('ApprovalRequested');
    expect(e.payload).toMatchObject({
      kind: 'order-release',
      orderId: 'O-2',
      required: ['sales-manager', 'finance-clerk'],
    });
    s.when(approve('R-2'), sam).then('ApprovalGiven');
    s.when(approve('R-2'), carl).then('ApprovalGiven', 'ApprovalCompleted', 'OrderReleased');
    expect(s.ledger.state.orders.get('O-2')!.status).toBe('open');
  });

  it('a manager releasing below the cap asks for approval too (the cap is the finance-clerk’s)', () => {
    const s = given(onboarded('100.00'), held('O-3', '50.00'));
    s.when(release('O-3', 'R-3'), cleo).then('ApprovalRequested');
  });

  const blacklisted: Step = (l) => {
    record(l, blacklistCustomer(l.state, fiona, AT, 'fraud suspicion', 'b-1'));
  };
  const unblacklist = (requestId: string): ApprovalCommand => ({
    type: 'RequestStatusChange',
    data: { requestId, action: 'unblacklist', reason: 'cleared by audit' },
  });

  it('lifting a blacklist is a manager’s request, routed by the limit, in force (and releasing) once approved', () => {
    const s = given(onboarded('10000.00'), blacklisted, held('O-5', '500.00'));
    s.when(unblacklist('U-1'), sam).refused('forbidden', /finance-manager or cfo or general-manager/);
    s.when(unblacklist('U-1'), carl).refused('forbidden', /lift a blacklist/);
    const [e] = s.when(unblacklist('U-1'), fiona).then('ApprovalRequested');
    expect(e.payload).toMatchObject({
      kind: 'unblacklist',
      amount: 1_000_000n,
      by: 'fiona',
      byRole: 'finance-manager',
      required: ['sales-manager', 'finance-clerk'],
    });
    s.when(unblacklist('U-2'), cleo).refused('conflict', /U-1 \(unblacklist\) is still pending/);
    s.when(approve('U-1'), fiona).refused('forbidden', /four-eyes/);
    s.when(approve('U-1'), sam).then('ApprovalGiven');
    expect(s.ledger.state.status).toBe('blacklisted');
    const events = s
      .when(approve('U-1'), fay)
      .then('ApprovalGiven', 'ApprovalCompleted', 'CustomerUnblacklisted', 'OrderReleased');
    expect(events[1].payload).toEqual({
      requestId: 'U-1',
      kind: 'unblacklist',
      approvedBy: ['sam', 'fay'],
      approvedRoles: ['sales-manager', 'finance-clerk'],
    });
    expect(events[2].payload).toEqual({ reason: 'cleared by audit', by: 'fay' });
    expect(s.ledger.state.status).toBe('active');
    expect(s.ledger.state.orders.get('O-5')!.status).toBe('open');
  });

  it('an unblacklist is routed by the current limit and refused unless the customer is blacklisted', () => {
    given(onboarded('10000.00'))
      .when(unblacklist('U-3'), fiona)
      .refused('conflict', /active, not blacklisted/);
    const s = given(onboarded('120000.00'), blacklisted);
    const [e] = s.when(unblacklist('U-4'), cleo).then('ApprovalRequested');
    expect(e.payload).toMatchObject({ kind: 'unblacklist', required: ['finance-manager'] });
    s.when(approve('U-4'), fred).then('ApprovalGiven', 'ApprovalCompleted', 'CustomerUnblacklisted');
    expect(s.ledger.state.status).toBe('active');
  });

  it('a lifted blacklist leaves a recorded freeze in force', () => {
    const s = given(onboarded('10000.00'), blacklisted);
    s.ledger.state.frozenBy = 'system';
    s.when(unblacklist('U-5'), gina).then('ApprovalRequested');
    s.when(approve('U-5'), sam).then('ApprovalGiven');
    s.when(approve('U-5'), fay).then('ApprovalGiven', 'ApprovalCompleted', 'CustomerUnblacklisted');
    expect(s.ledger.state.status).toBe('frozen');
  });
});

describe('the first application (seed 003: a small trial credit first)', () => {
  it('puts the trial limit in force and makes the rest an initial request by billing', () => {
    const l = new TestLedger();
    l.onboard('EUR', '80000.00');
    const events = firstApplication(l.state, P, '2026-01-01T00:00:00.000Z');
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      [
        'CreditLimitChanged',
        expect.objectContaining({
          creditLimit: 500_000n,
          previousLimit: 8_000_000n,
          cause: 'trial',
          by: 'system',
        }),
      ],
      [
        'ApprovalRequested',
        expect.objectContaining({
          kind: 'initial',
          amount: 8_000_000n,
          currentLimit: 500_000n,
          by: 'billing',
          required: ['finance-manager'],
        }),
      ],
    ]);
    record(l, { ok: true, events });
    expect(l.state.creditLimit).toBe(500_000n);
    const s = given();
    Object.assign(s.ledger.state, l.state);
    s.when(approve('initial-C-1'), fiona).then('ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged');
    expect(s.ledger.state.creditLimit).toBe(8_000_000n);
  });

  it('asks nothing when the request is within the trial limit', () => {
    const l = new TestLedger();
    l.onboard('EUR', '5000.00');
    expect(firstApplication(l.state, P, '2026-01-01T00:00:00.000Z')).toEqual([]);
  });

  it('gives a cash-only grade no credit: effective limit 0, and the request cannot be approved while it lasts', () => {
    const l = new TestLedger();
    l.onboardWith({}, 'EUR', '30000.00'); // no credit file: unassessed, D (cash only)
    const events = firstApplication(l.state, P, '2026-01-01T00:00:00.000Z');
    expect(events.map((e) => e.type)).toEqual(['CreditLimitChanged', 'ApprovalRequested']);
    record(l, { ok: true, events });
    expect([l.state.creditLimit, effectiveLimit(l.state, AT)]).toEqual([500_000n, 0n]);
    record(l, decideApproval(approve('initial-C-1'), l.state, { by: fay, at: AT, policy: P }));
    expect(decideApproval(approve('initial-C-1'), l.state, { by: sam, at: AT, policy: P })).toMatchObject({
      ok: false,
      kind: 'conflict',
      message: expect.stringMatching(/cash-only grade D: no credit/),
    });
    expect(
      decideApproval(
        { type: 'RequestLimitChange', data: { requestId: 'X', newLimit: 1_000_000n, reason: 'r' } },
        l.state,
        { by: sam, at: AT, policy: P },
      ),
    ).toMatchObject({ ok: false, kind: 'conflict' });
  });
});

describe('reminders, escalation and expiry (seed 004: 超时自动提醒)', () => {
  /** Runs the reminder step at `h` hours after AT and applies what it appends. */
  const stepAt = (l: TestLedger, h: number): string[] => {
    const events = approvalReminders(l.state, hoursAfter(AT, h), P);
    record(l, { ok: true, events });
    return events.map((e) => e.type);
  };

  it('reminds every 24 h with the missing roles, escalates after 3 reminders, expires at the top tier', () => {
    const s = given(onboarded(), limitRequested('LR-R', 3_000_000n));
    const l = s.ledger;
    expect(stepAt(l, 23.99)).toEqual([]);
    const first = approvalReminders(l.state, hoursAfter(AT, 24), P);
    expect(first.map((e) => e.payload)).toEqual([
      {
        requestId: 'LR-R',
        kind: 'increase',
        reminder: 1,
        missing: ['sales-manager', 'finance-clerk'],
        requestedAt: AT,
      },
    ]);
    record(l, { ok: true, events: first });
    expect(stepAt(l, 24)).toEqual([]); // the same instant again: nothing new
    expect(stepAt(l, 47)).toEqual([]);
    expect(stepAt(l, 48)).toEqual(['ApprovalReminderSent']);
    expect(stepAt(l, 72)).toEqual(['ApprovalReminderSent']);
    const escalated = approvalReminders(l.state, hoursAfter(AT, 96), P);
    expect(escalated.map((e) => [e.type, e.payload])).toEqual([
      [
        'ApprovalEscalated',
        { requestId: 'LR-R', kind: 'increase', tier: 1, required: ['finance-manager'], reminders: 3 },
      ],
    ]);
    record(l, { ok: true, events: escalated });
    for (const h of [120, 144, 168]) expect(stepAt(l, h)).toEqual(['ApprovalReminderSent']);
    expect(stepAt(l, 192)).toEqual(['ApprovalEscalated']);
    expect(l.state.limitRequests.get('LR-R')!.required).toEqual(['cfo|general-manager']);
    for (const h of [216, 240, 264]) expect(stepAt(l, h)).toEqual(['ApprovalReminderSent']);
    const expired = approvalReminders(l.state, hoursAfter(AT, 288), P);
    expect(expired.map((e) => [e.type, e.payload])).toEqual([
      [
        'ApprovalExpired',
        { requestId: 'LR-R', kind: 'increase', reminders: 9, missing: ['cfo|general-manager'] },
      ],
    ]);
    record(l, { ok: true, events: expired });
    expect(l.state.limitRequests.get('LR-R')!.status).toBe('expired');
    expect(stepAt(l, 400)).toEqual([]);
  });

  it('counts approvals given before an escalation where their role fits the new tier', () => {
    const s = given(onboarded(), limitRequested('LR-E', 3_000_000n, fiona), approved('LR-E', sam));
    for (const h of [24, 48, 72, 96]) stepAt(s.ledger, h);
    expect(s.ledger.state.limitRequests.get('LR-E')!.required).toEqual(['finance-manager']);
    s.when(approve('LR-E'), fred, hoursAfter(AT, 97)).then(
      'ApprovalGiven',
      'ApprovalCompleted',
      'CreditLimitChanged',
    );
  });

  it('round-trips a request with reminders through the snapshot', () => {
    const s = given(onboarded(), limitRequested('LR-S', 3_000_000n), approved('LR-S', fay));
    stepAt(s.ledger, 24);
    const text = serializeState(s.ledger.state);
    expect(serializeState(deserializeState(text))).toBe(text);
    expect(deserializeState(text).limitRequests.get('LR-S')).toMatchObject({
      reminders: 1,
      kind: 'increase',
    });
  });
});
