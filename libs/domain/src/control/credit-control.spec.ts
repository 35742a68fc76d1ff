import { TestLedger } from '../../test/builders';
import { cloneState, deserializeState, serializeState, type CustomerState } from '../customer/state';
import { DEFAULT_GRADE_POLICY, type GradePolicy } from '../rating/policy';
import { validatePolicy } from '../rating/validate-policy';
import { apply } from '../customer/apply';
import { decideApproval, type ApprovalCommand } from './approvals';
import { controlEvent, type ControlEvent } from './control-events';
import { creditControlReview } from './credit-review';
import { blacklistCustomer, onTimeMonth, rejectOrder, type CommandResult } from './credit-control';
import { effectiveLimit } from './effective-limit';
import type { Actor } from './limit-approval';

const P = DEFAULT_GRADE_POLICY;
const AT = '2026-06-15T12:00:00.000Z';
let seq = 1000;

/** Applies a command's events like the writer does (decide + apply, next sequence each). */
function run(state: CustomerState, r: CommandResult, policy: GradePolicy = P): ControlEvent[] {
  if (!r.ok) throw new Error(`${r.kind}: ${r.message}`);
  for (const event of r.events) {
    apply(state, { event, sequence: String(++seq), streamVersion: state.streamVersion + 1 }, policy);
  }
  return r.events;
}

function customer(limit = '50000.00'): TestLedger {
  const l = new TestLedger();
  l.onboard('EUR', limit);
  return l;
}

const carl = { name: 'carl', role: 'credit-analyst' };
const sam = { name: 'sam', role: 'sales-manager' };
const cora = { name: 'cora', role: 'finance-clerk' };
const fiona = { name: 'fiona', role: 'finance-manager' };
const cleo = { name: 'cleo', role: 'cfo' };

const decided = (l: TestLedger, command: ApprovalCommand, by: Actor): CommandResult =>
  decideApproval(command, l.state, { by, at: AT, policy: P });

describe('requests made before reminders existed', () => {
  it('expire at their fixed expiresAt, when touched and in the review', () => {
    const l = customer();
    run(l.state, {
      ok: true,
      events: [
        controlEvent('LimitChangeRequested', 'limit-request:C-1:LR-3', 'C-1', AT, {
          requestId: 'LR-3',
          newLimit: 1_000_000n,
          currentLimit: 5_000_000n,
          reason: 'r',
          by: 'carl',
          byRole: 'credit-analyst',
          required: ['sales-manager', 'credit-analyst'],
          expiresAt: '2026-06-29T12:00:00.000Z',
        }),
      ],
    });
    expect(l.state.limitRequests.get('LR-3')!.kind).toBe('decrease');
    const later = '2026-06-29T12:00:00.000Z'; // 14 days
    expect(
      decideApproval({ type: 'ApproveRequest', data: { requestId: 'LR-3' } }, l.state, {
        by: sam,
        at: later,
        policy: P,
      }),
    ).toMatchObject({
      ok: true,
      events: [expect.objectContaining({ type: 'LimitChangeExpired' })],
    });
    expect(creditControlReview(l.state, '2026-06-29T11:59:59.999Z', P)).toEqual([]);
    run(l.state, { ok: true, events: creditControlReview(l.state, later, P) });
    expect(l.state.limitRequests.get('LR-3')!.status).toBe('expired');
  });

  it('count an old credit-analyst approval as the finance-clerk entry', () => {
    const l = customer();
    run(l.state, {
      ok: true,
      events: [
        controlEvent('LimitChangeRequested', 'limit-request:C-1:LR-4', 'C-1', AT, {
          requestId: 'LR-4',
          newLimit: 1_000_000n,
          currentLimit: 5_000_000n,
          reason: 'r',
          by: 'fiona',
          byRole: 'finance-manager',
          required: ['sales-manager', 'credit-analyst'],
          expiresAt: '2026-06-29T12:00:00.000Z',
        }),
      ],
    });
    run(l.state, decided(l, { type: 'ApproveRequest', data: { requestId: 'LR-4' } }, carl));
    const last = run(l.state, decided(l, { type: 'ApproveRequest', data: { requestId: 'LR-4' } }, sam));
    expect(last.map((e) => e.type)).toEqual(['ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged']);
    expect(l.state.creditLimit).toBe(1_000_000n);
  });
});

describe('temporary limits, holds and status', () => {
  it('a temporary limit counts until it expires, then the review removes it', () => {
    const l = customer('1000.00');
    run(
      l.state,
      decided(
        l,
        {
          type: 'RequestTemporaryLimit',
          data: { requestId: 'T', amount: 50_000n, validUntil: '2026-06-20T00:00:00.000Z', reason: 'fair' },
        },
        fiona,
      ),
    );
    run(l.state, decided(l, { type: 'ApproveRequest', data: { requestId: 'T' } }, sam));
    run(l.state, decided(l, { type: 'ApproveRequest', data: { requestId: 'T' } }, carl));
    expect(effectiveLimit(l.state, '2026-06-19T23:59:59.999Z')).toBe(150_000n);
    expect(effectiveLimit(l.state, '2026-06-20T00:00:00.000Z')).toBe(100_000n);
    const expiry = creditControlReview(l.state, '2026-06-20T00:00:00.000Z', P);
    expect(expiry.map((e) => e.type)).toEqual(['TemporaryLimitExpired']);
    run(l.state, { ok: true, events: expiry });
    expect(l.state.temporaryLimit).toBeNull();
  });

  it('holds every order of a blacklisted customer and never releases them by hand', () => {
    const l = customer('100000.00');
    run(l.state, blacklistCustomer(l.state, cleo, AT, 'fraud', 'b'));
    l.add('OrderPlaced', { orderId: 'O-1', amount: '1.00', currency: 'EUR' }, '2026-06-16T00:00:00Z');
    // TestLedger applies billing events without the rules; the order check is deriveOnIngest's (rules.spec).
    l.state.orders.get('O-1')!.status = 'held';
    l.state.openOrdersTotal -= 100n;
    l.state.heldOrdersTotal += 100n;
    expect(
      decided(l, { type: 'ReleaseHeldOrder', data: { requestId: 'R', orderId: 'O-1', reason: 'x' } }, carl),
    ).toMatchObject({ ok: false, kind: 'conflict' });
    // Lifting it is a request (routed by the 100,000 limit to a finance-manager), in force once approved.
    const lift = {
      type: 'RequestStatusChange',
      data: { requestId: 'U', action: 'unblacklist', reason: 'ok' },
    };
    run(l.state, decided(l, lift as ApprovalCommand, cleo));
    const un = run(l.state, decided(l, { type: 'ApproveRequest', data: { requestId: 'U' } }, fiona));
    expect(un.map((e) => e.type)).toEqual([
      'ApprovalGiven',
      'ApprovalCompleted',
      'CustomerUnblacklisted',
      'OrderReleased',
    ]);
    expect(rejectOrder(l.state, carl, AT, { orderId: 'O-1', reason: 'x' })).toMatchObject({ ok: false });
  });
});

describe('credit repair', () => {
  // D extends a little credit here (200.00), so a cut and its repair can be seen.
  const policy = validatePolicy({
    ...JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY)),
    reduceLimitToGradeDefault: true,
    bands: DEFAULT_GRADE_POLICY.bands.map((b) => ({
      ...b,
      terms: {
        ...b.terms,
        settlement: 'credit',
        defaultLimit: { default: b.grade === 'D' ? '200.00' : '1000.00' },
      },
    })),
  });

  it('counts a month on time only with a payment and no invoice overdue in it', () => {
    const l = customer('1000.00');
    l.invoice('I-1', '10.00', '2026-03-01', '2026-03-20');
    l.pay('P-1', '10.00', '2026-03-25'); // five days late: March is not on time
    l.invoice('I-2', '10.00', '2026-04-01', '2026-04-20');
    l.pay('P-2', '10.00', '2026-04-10');
    expect(onTimeMonth(l.state, '2026-03')).toBe(false);
    expect(onTimeMonth(l.state, '2026-04')).toBe(true);
    expect(onTimeMonth(l.state, '2026-05')).toBe(false); // no payment
  });

  it('restores 50 % of the cut per on-time month once three months in a row were on time', () => {
    const l = new TestLedger('C-1', policy);
    l.onboardWith({}, 'EUR', '1000.00'); // no credit file yet: unassessed, the lowest band
    expect(l.state.rating!.grade).toBe('D');
    run(l.state, { ok: true, events: creditControlReview(l.state, '2026-02-01T00:00:00Z', policy) }, policy);
    expect(l.state.creditLimit).toBe(20_000n);
    expect(creditControlReview(l.state, '2026-02-02T00:00:00Z', policy)).toEqual([]); // one grade cuts once
    for (const [i, m] of ['03', '04', '05', '06'].entries()) {
      l.invoice(`I-${i}`, '10.00', `2026-${m}-01`, `2026-${m}-20`);
      l.pay(`P-${i}`, '10.00', `2026-${m}-10`);
    }
    const limitAt = (at: string): bigint => {
      run(l.state, { ok: true, events: creditControlReview(l.state, at, policy) }, policy);
      return l.state.creditLimit;
    };
    expect(limitAt('2026-05-01T00:00:00Z')).toBe(20_000n);
    expect(limitAt('2026-06-01T00:00:00Z')).toBe(60_000n);
    expect(limitAt('2026-07-01T00:00:00Z')).toBe(100_000n);
    expect(l.state.limitRepair).toBeNull();
  });
});

describe('credit repair of any cut (on by default)', () => {
  it('an approved decrease is repaired: 50 % of the cut after three on-time months, naming them', () => {
    const l = customer('50000.00');
    run(
      l.state,
      decideApproval(
        {
          type: 'RequestLimitChange',
          data: {
            requestId: 'LR-1',
            newLimit: 1_000_000n,
            reason: 'cut',
          },
        },
        l.state,
        { by: carl, at: '2026-01-10T00:00:00Z', policy: P },
      ),
    );
    run(
      l.state,
      decideApproval({ type: 'ApproveRequest', data: { requestId: 'LR-1' } }, l.state, {
        by: sam,
        at: '2026-01-11T00:00:00Z',
        policy: P,
      }),
    );
    run(
      l.state,
      decideApproval({ type: 'ApproveRequest', data: { requestId: 'LR-1' } }, l.state, {
        by: cora,
        at: '2026-01-12T00:00:00Z',
        policy: P,
      }),
    );
    expect(l.state.creditLimit).toBe(1_000_000n);
    expect(l.state.limitRepair).toEqual({
      reducedFrom: 5_000_000n,
      reducedTo: 1_000_000n,
      reducedOn: '2026-01-12',
      steps: 0,
    });
    for (const [i, m] of ['02', '03', '04'].entries()) {
      l.invoice(`I-${i}`, '10.00', `2026-${m}-01`, `2026-${m}-20`);
      l.pay(`P-${i}`, '10.00', `2026-${m}-15`);
    }
    expect(creditControlReview(l.state, '2026-04-30T00:00:00Z', P)).toEqual([]); // April not complete
    const [repair] = creditControlReview(l.state, '2026-05-01T00:00:00Z', P);
    // Cut 40,000.00; 50 % restored: 10,000.00 + 20,000.00 = 30,000.00.
    expect(repair).toMatchObject({
      type: 'CreditLimitChanged',
      eventId: 'limit-repair:C-1:2026-01-12:1',
      payload: {
        cause: 'repair',
        creditLimit: 3_000_000n,
        previousLimit: 1_000_000n,
        by: 'system',
        earnedBy: ['2026-02', '2026-03', '2026-04'],
      },
    });
  });

  it('an approved increase ends the repair (a person decided the limit)', () => {
    const l = customer('50000.00');
    run(
      l.state,
      decideApproval(
        { type: 'RequestLimitChange', data: { requestId: 'LR-1', newLimit: 1_000_000n, reason: 'cut' } },
        l.state,
        { by: carl, at: AT, policy: P },
      ),
    );
    run(
      l.state,
      decideApproval({ type: 'ApproveRequest', data: { requestId: 'LR-1' } }, l.state, {
        by: sam,
        at: AT,
        policy: P,
      }),
    );
    run(
      l.state,
      decideApproval({ type: 'ApproveRequest', data: { requestId: 'LR-1' } }, l.state, {
        by: cora,
        at: AT,
        policy: P,
      }),
    );
    run(
      l.state,
      decideApproval(
        { type: 'RequestLimitChange', data: { requestId: 'LR-2', newLimit: 2_000_000n, reason: 'up' } },
        l.state,
        { by: carl, at: AT, policy: P },
      ),
    );
    run(
      l.state,
      decideApproval({ type: 'ApproveRequest', data: { requestId: 'LR-2' } }, l.state, {
        by: sam,
        at: AT,
        policy: P,
      }),
    );
    run(
      l.state,
      decideApproval({ type: 'ApproveRequest', data: { requestId: 'LR-2' } }, l.state, {
        by: cora,
        at: AT,
        policy: P,
      }),
    );
    expect(l.state.limitRepair).toBeNull();
  });
});

describe('state snapshot', () => {
  it('round-trips the credit-control fields and leaves a state without them byte-identical', () => {
    const plain = customer();
    const before = serializeState(plain.state);
    expect(before).not.toMatch(/limitRequests|temporaryLimit/);
    const l = customer();
    run(
      l.state,
      decided(
        l,
        { type: 'RequestLimitChange', data: { requestId: 'LR-9', newLimit: 10n, reason: 'r' } },
        carl,
      ),
    );
    run(
      l.state,
      decided(
        l,
        {
          type: 'RequestTemporaryLimit',
          data: { requestId: 'T', amount: 5n, validUntil: '2027-01-01T00:00:00.000Z', reason: 'r' },
        },
        fiona,
      ),
    );
    run(
      l.state,
      decided(
        l,
        { type: 'ApproveRequest', data: { requestId: 'T' } },
        { name: 'fred', role: 'finance-manager' },
      ),
    );
    const copy = deserializeState(serializeState(l.state));
    expect(serializeState(copy)).toBe(serializeState(l.state));
    expect(cloneState(l.state)).toEqual(l.state);
  });
});

describe('credit-control policy', () => {
  const base = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY)) as Record<string, unknown>;
  it.each([
    [
      { limitApproval: { default: [{ upTo: null, roles: ['admin'] }] } },
      /limitApproval.default\[0\].roles\[0\]/,
    ],
    [{ limitApproval: { default: [{ upTo: '10', roles: ['cfo'] }] } }, /only the last tier is unbounded/],
    [{ limitApproval: { EUR: [{ upTo: null, roles: ['cfo'] }] } }, /limitApproval.default: is missing/],
    [
      {
        limitApproval: {
          default: [
            { upTo: '1.234', roles: ['cfo'] },
            { upTo: null, roles: ['cfo'] },
          ],
          EUR: [
            { upTo: '1.234', roles: ['cfo'] },
            { upTo: null, roles: ['cfo'] },
          ],
        },
      },
      /limitApproval.EUR\[0\].upTo/,
    ],
    [{ limitRequestExpiryDays: 0 }, /limitRequestExpiryDays/],
    [{ creditRepair: { onTimeMonths: 3, restorePct: 0 } }, /creditRepair.restorePct/],
    [{ creditRepair: { onTimeMonths: 3, restorePct: 50, extra: 1 } }, /creditRepair.extra: unknown field/],
    [{ reduceLimitToGradeDefault: 'yes' }, /reduceLimitToGradeDefault/],
  ])('refuses %j', (patch, message) => {
    expect(() => validatePolicy({ ...base, ...patch })).toThrow(message);
  });

  it('defaults the credit-control fields of a policy stored before them', () => {
    const old = { ...base };
    for (const k of ['limitApproval', 'limitRequestExpiryDays', 'creditRepair', 'reduceLimitToGradeDefault'])
      delete old[k];
    const p = validatePolicy(old);
    expect(p.limitRequestExpiryDays).toBe(14);
    expect(p.creditRepair).toEqual({ onTimeMonths: 3, restorePct: 50 });
    expect(p.reduceLimitToGradeDefault).toBe(false);
  });
});
