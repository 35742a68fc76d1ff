import { TestLedger, wire } from '../../test/builders';
import { initialState } from '../customer/state';
import { DEFAULT_GRADE_POLICY, FIVE_FACTOR_GRADE_POLICY } from '../rating/policy';
import { applyWithRules } from './apply-with-rules';
import { apply } from '../customer/apply';
import { decideApproval } from '../control/approvals';
import { validatePolicy } from '../rating/validate-policy';
import { regradeEvents, summariseWhatIf, whatIfCustomer, whatIfRow } from './what-if';

// The five-factor model keeps the hand computation short; the what-if machinery is model-agnostic.
const BASE = FIVE_FACTOR_GRADE_POLICY;
const DRAFT = validatePolicy({
  ...JSON.parse(JSON.stringify(BASE)),
  version: 2,
  weights: { punctuality: 40, overdue: 25, volume: 15, tenure: 10, disputes: 10 },
  bands: [
    { grade: 'A', minScore: 85 },
    { grade: 'B', minScore: 70 },
    { grade: 'C', minScore: 55 },
    { grade: 'D', minScore: 0 },
  ],
});

/** Onboarded 2026-01-01, one 100.00 invoice paid on time on 2026-01-20 (the customer's clock). */
function paidOnTime(): TestLedger {
  const l = new TestLedger('C-1', BASE);
  l.onboard('EUR', '1000.00');
  l.invoice('I-1', '100.00', '2026-01-01', '2026-01-31');
  l.pay('P-1', '100.00', '2026-01-20');
  return l;
}

describe('what-if', () => {
  it('re-grades a copy under the draft: hand-computed scores, factor moves, the state untouched', () => {
    const l = paidOnTime();
    // Default: punctuality 100×30 + overdue 100×25 + volume 0×20 + tenure floor(100×19/730)=2 ×15 + disputes 100×10
    // = 6530 → 65 (D). Draft: 100×40 + 100×25 + 0×15 + 2×10 + 100×10 = 7520 → 75, B under its bands.
    expect(l.state.rating).toMatchObject({ score: 65, grade: 'D' });
    const before = JSON.stringify(l.state.rating);
    const r = whatIfCustomer(l.state, DRAFT, l.state.clock!, BASE)!;
    expect(r).toMatchObject({
      customerId: 'C-1',
      before: { grade: 'D', score: 65, policyVersion: 1 },
      after: { grade: 'B', score: 75, policyVersion: 2 },
      events: ['CustomerRerated'],
      ordersReleased: [],
      ordersHeld: [],
    });
    expect(r.factorsMoved).toEqual([
      { factor: 'punctuality', before: 3000, after: 4000, delta: 1000 },
      { factor: 'tenure', before: 30, after: 20, delta: -10 },
    ]);
    expect(JSON.stringify(l.state.rating)).toBe(before);
    expect(whatIfRow(r)).toMatchObject({ exposureBefore: '0.00', heldAfter: '0.00' });
  });

  it('predicts exactly the events `policy regrade` appends, with ids naming the version', () => {
    const l = paidOnTime();
    expect(regradeEvents(l.state, DRAFT).map((e) => [e.type, e.eventId])).toEqual([
      ['CustomerRerated', 'rerate:C-1:2026-01-20T10:00:00.000Z:policy-v2'],
    ]);
    // Same grade under a policy that changes nothing: no event, and the draft's own score still shown.
    const same = validatePolicy({ ...JSON.parse(JSON.stringify(BASE)), version: 3 });
    expect(regradeEvents(l.state, same)).toEqual([]);
    expect(whatIfCustomer(l.state, same, l.state.clock!, BASE)).toMatchObject({
      after: { grade: 'D', score: 65, policyVersion: 3 },
      events: [],
      factorsMoved: [],
    });
  });

  it('summarises a migration matrix and per-currency sums, whatever the row order', () => {
    const a = whatIfCustomer(paidOnTime().state, DRAFT, '2026-01-20T10:00:00.000Z', BASE)!;
    const b = {
      ...a,
      customerId: 'C-2',
      after: { ...a.before, policyVersion: 2 },
      exposureBefore: 12345n,
      exposureAfter: 12345n,
    };
    const s = summariseWhatIf([b, a], BASE, DRAFT);
    expect(s).toEqual(summariseWhatIf([a, b], BASE, DRAFT));
    expect(s).toMatchObject({
      customers: 2,
      changed: 1,
      migration: { D: { B: 1, D: 1 } },
      byCurrency: { EUR: { customers: 2, exposureBefore: '123.45', exposureAfter: '123.45' } },
    });
  });

  it('shows the credit cash-only bands hold back, the releases and the terms before and after', () => {
    // Unassessed (no credit file): D, cash only; its 300.00 credit order is held cash-only.
    const state = initialState('C-1');
    let seq = 0;
    for (const [type, payload, at, version] of [
      [
        'CustomerOnboarded',
        { name: 'New', currency: 'EUR', creditLimit: '500.00' },
        '2026-01-01T09:00:00Z',
        2,
      ],
      ['OrderPlaced', { orderId: 'O-1', amount: '300.00', currency: 'EUR' }, '2026-01-02T09:00:00Z', 1],
    ] as const) {
      const event = wire(type, payload, at, 'C-1', version);
      applyWithRules(
        state,
        { event, sequence: String(++seq), streamVersion: state.streamVersion + 1 },
        DEFAULT_GRADE_POLICY,
        () => String(++seq),
      );
    }
    expect(state.orders.get('O-1')!.holdReason).toBe('cash-only');
    // The draft has no cash-only band: C (credit, 30 days) from 0 up.
    const p = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));
    const draft = validatePolicy({
      ...p,
      version: 2,
      bands: [p.bands[0], p.bands[1], { ...p.bands[2], minScore: 0 }],
    });
    const r = whatIfCustomer(state, draft, state.clock!, DEFAULT_GRADE_POLICY)!;
    expect(r).toMatchObject({
      before: { grade: 'D' },
      after: { grade: 'C' },
      events: ['CustomerRerated', 'OrderReleased'],
      ordersReleased: ['O-1'],
      heldBefore: 30000n,
      heldAfter: 0n,
      cashOnlyHeldBefore: 30000n,
      cashOnlyHeldAfter: 0n,
      exposureBefore: 0n,
      exposureAfter: 30000n,
      termsBefore: { band: 'D', settlement: 'cash-only', maxPaymentTermsDays: 0 },
      termsAfter: { band: 'C', settlement: 'credit', maxPaymentTermsDays: 30 },
    });
    expect(summariseWhatIf([r], DEFAULT_GRADE_POLICY, draft)).toMatchObject({
      customersReleased: ['C-1'],
      customersWithOrdersReleased: 1,
      customersHeld: [],
      byCurrency: {
        EUR: { cashOnlyHeldBefore: '300.00', cashOnlyHeldAfter: '0.00', exposureAfter: '300.00' },
      },
    });
  });

  describe('the approval work a draft changes (seed 004: routed by amount and grade)', () => {
    const P = DEFAULT_GRADE_POLICY;
    /** A C-grade EUR customer with 5,000.00 and a pending increase to 20,000.00 asked for by a sales manager. */
    function withPendingIncrease(): TestLedger {
      const l = new TestLedger('C-1', P);
      l.onboard('EUR', '5000.00');
      const r = decideApproval(
        { type: 'RequestLimitChange', data: { requestId: 'R-1', newLimit: 2_000_000n, reason: 'growth' } },
        l.state,
        { by: { name: 'sam', role: 'sales-manager' }, at: l.state.clock!, policy: P },
      );
      if (!r.ok) throw new Error(r.message);
      for (const event of r.events)
        apply(
          l.state,
          { event, sequence: String(l.state.lastSequence + 1), streamVersion: l.state.streamVersion + 1 },
          P,
        );
      return l;
    }
    const withBands = (version: number, minScores: [number, number, number]) => {
      const p = JSON.parse(JSON.stringify(P));
      return validatePolicy({
        ...p,
        version,
        bands: p.bands.map((b: { minScore: number }, i: number) => ({
          ...b,
          minScore: [...minScores, 0][i],
        })),
      });
    };

    it('a draft that makes the grade cash-only stops the pending increase; the route of the limit is unchanged', () => {
      const l = withPendingIncrease();
      expect(l.state.rating!.grade).toBe('C');
      const r = whatIfCustomer(l.state, withBands(2, [100, 99, 98]), l.state.clock!, P)!;
      expect(r.after.grade).toBe('D');
      expect(r.approvals).toEqual({
        blocked: ['R-1'],
        unblocked: [],
        // 5,000.00 is in the lowest tier: a sales manager and a finance clerk, whatever the grade's band.
        routingBefore: ['sales-manager', 'finance-clerk'],
        routingAfter: ['sales-manager', 'finance-clerk'],
        releasesToApproveBefore: 0,
        releasesToApproveAfter: 0,
      });
      expect(summariseWhatIf([r], P, withBands(2, [100, 99, 98])).approvals).toEqual({
        pendingBlocked: 1,
        pendingUnblocked: 0,
        customersRoutedDifferently: 0,
        routesBefore: { 'sales-manager + finance-clerk': 1 },
        routesAfter: { 'sales-manager + finance-clerk': 1 },
        releasesToApproveBefore: 0,
        releasesToApproveAfter: 0,
        // Bands only: no approval rule moves; adopting it takes a proposer and a cfo or general manager.
        adoption: { proposers: ['admin', 'cfo'], approvers: ['cfo|general-manager'], rulesChanged: [] },
      });
    });

    it('a draft that lifts the customer into the simplified band needs one approver of the tier', () => {
      const l = withPendingIncrease();
      const r = whatIfCustomer(l.state, withBands(2, [3, 2, 1]), l.state.clock!, P)!;
      expect(r.after.grade).toBe('A');
      expect(r.approvals).toMatchObject({
        blocked: [],
        unblocked: [],
        routingBefore: ['sales-manager', 'finance-clerk'],
        routingAfter: ['sales-manager|finance-clerk'],
      });
      expect(summariseWhatIf([r], P, withBands(2, [3, 2, 1])).approvals).toMatchObject({
        customersRoutedDifferently: 1,
        routesAfter: { 'sales-manager|finance-clerk': 1 },
      });
    });

    it('names the approval rules a draft changes', () => {
      const p = JSON.parse(JSON.stringify(P));
      p.version = 2;
      p.approvals.orderReleaseCap = { ...p.approvals.orderReleaseCap, default: '20000.00' };
      p.limitApproval.default[0].upTo = '60000.00';
      const draft = validatePolicy(p);
      expect(summariseWhatIf([], P, draft).approvals.adoption.rulesChanged).toEqual([
        'limitApproval',
        'approvals.orderReleaseCap',
      ]);
    });
  });
});
