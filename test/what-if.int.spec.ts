import { createHash } from 'node:crypto';
import {
  CustomerState,
  DEFAULT_GRADE_POLICY,
  GradePolicy,
  applyWithRules,
  initialState,
  parseEvent,
  rate,
  requiredApprovals,
  validatePolicy,
} from '@credit-ledger/domain';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { generateHistory, looserDraftPolicy, type WireEvent } from '@credit-ledger/testing';
import { regradeAll } from '../apps/cli/src/commands/policy';
import { KEYS, LedgerHarness, waitUntil } from './support/ledger-harness';
import { wire } from './support/wire';

/** The draft: looser bands, and for enterprises a heavier weight on collection than the default policy. */
const DRAFT = looserDraftPolicy(2);

/** Folds the published events per customer with the pure domain, as the writer does (no database). */
function fold(events: WireEvent[]): Map<string, CustomerState> {
  const states = new Map<string, CustomerState>();
  let seq = 0;
  for (const w of events) {
    const p = parseEvent(JSON.stringify(w));
    if (!p.ok) throw new Error(p.reason);
    const s = states.get(w.customerId) ?? initialState(w.customerId);
    states.set(w.customerId, s);
    applyWithRules(
      s,
      { event: p.event, sequence: String(++seq), streamVersion: s.streamVersion + 1 },
      DEFAULT_GRADE_POLICY,
      () => String(++seq),
    );
  }
  return states;
}

/**
 * What-if (issue #19): a draft policy replayed over a generated portfolio before it is adopted. The migration
 * matrix matches an independent fold with the pure domain; the same draft over the same ledger gives the same bytes;
 * the ledger is untouched and ingestion goes on while it runs; adopting the simulated draft and re-grading produces
 * exactly the predicted grades.
 */
describe('what-if: simulate a draft policy before adopting it', () => {
  let h: LedgerHarness;
  const history = generateHistory({ seed: 19, customers: 120, eventsPerCustomer: 14 });

  beforeAll(async () => {
    h = await LedgerHarness.start();
    await h.publish(history);
    await h.waitForIngestion();
  });
  afterAll(() => h?.stop());

  const simulate = async (body: Record<string, unknown>) => {
    const started = await h.send('POST', '/policy/simulations', body, KEYS.admin);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'running', draftVersion: 2, requestedBy: 'ada' });
    const id = started.body.simulationId as string;
    await waitUntil(
      async () => (await h.get(`/policy/simulations/${id}`)).body.status !== 'running',
      60_000,
      () => `simulation ${id} still running`,
    );
    return (await h.get(`/policy/simulations/${id}`)).body;
  };
  const ledgerFingerprint = async () =>
    (
      await h.query<{ n: number; head: string; states: string }>(
        `SELECT (SELECT count(*)::int FROM ledger_events) AS n, (SELECT max(sequence)::text FROM ledger_events) AS head,
                (SELECT md5(string_agg(state, '' ORDER BY customer_id)) FROM customer_positions) AS states`,
      )
    )[0];

  it('predicts the grade migration an independent fold predicts, writing nothing, the same bytes twice', async () => {
    const before = await ledgerFingerprint();
    const a = await simulate({ policy: DRAFT });
    const b = await simulate({ policy: DRAFT });
    expect(a.status).toBe('done');
    expect(await ledgerFingerprint()).toEqual(before);

    const expected: Record<string, Record<string, number>> = {};
    let changed = 0;
    // Approvals the change would trigger: who must approve each customer's limit, by amount and grade (seed 004).
    const routes = { before: {} as Record<string, number>, after: {} as Record<string, number> };
    let routedDifferently = 0;
    let unblocked = 0;
    for (const s of fold(history).values()) {
      const from = s.rating!.grade;
      const to = rate(s, s.clock!, DRAFT).grade;
      expected[from] ??= {};
      expected[from][to] = (expected[from][to] ?? 0) + 1;
      if (from !== to) changed++;
      const before = requiredApprovals(DEFAULT_GRADE_POLICY, s.currency!, s.creditLimit, from).join(' + ');
      const after = requiredApprovals(DRAFT, s.currency!, s.creditLimit, to).join(' + ');
      routes.before[before] = (routes.before[before] ?? 0) + 1;
      routes.after[after] = (routes.after[after] ?? 0) + 1;
      if (before !== after) routedDifferently++;
      // Pending requests that extend credit wait while the grade is cash-only: the draft lets them through.
      const cashOnly = (grade: string, p: GradePolicy) =>
        p.bands.find((b) => b.grade === grade)!.terms!.settlement === 'cash-only';
      if (cashOnly(from, DEFAULT_GRADE_POLICY) && !cashOnly(to, DRAFT))
        for (const r of s.limitRequests.values())
          if (
            r.status === 'pending' &&
            ['initial', 'increase', 'temporary', 'order-release'].includes(r.kind)
          )
            unblocked++;
    }
    expect(a.summary.migration).toEqual(expected);
    expect(a.summary.approvals).toMatchObject({
      routesBefore: routes.before,
      routesAfter: routes.after,
      customersRoutedDifferently: routedDifferently,
      pendingBlocked: 0, // the draft only loosens
      pendingUnblocked: unblocked,
      // Adopting it is four-eyes, as the policy in force says; the draft moves grades, not approval rules.
      adoption: { proposers: ['admin', 'cfo'], approvers: ['cfo|general-manager'], rulesChanged: [] },
    });
    expect(unblocked).toBeGreaterThan(0); // first applications waiting on a cash-only grade
    expect(routedDifferently).toBeGreaterThan(0); // some customers move into or out of the simplified band
    expect(a.summary.customers).toBe(120);
    expect(a.summary.changed).toBe(changed);
    expect(changed).toBeGreaterThan(5); // the draft moves people, or this test proves little

    const docA = await h.send('GET', `/policy/simulations/${a.simulationId}/result`, undefined, KEYS.reader);
    const docB = await h.send('GET', `/policy/simulations/${b.simulationId}/result`, undefined, KEYS.reader);
    expect(docB.text).toBe(docA.text);
    expect(createHash('sha256').update(docA.text).digest('hex')).toBe(a.resultHash);
    expect(b.resultHash).toBe(a.resultHash);
    expect(a.ledgerSequence).toBe(before.head);

    // Rows: who moves, and why (factors), as JSON and CSV.
    const movers = await h.get(`/policy/simulations/${a.simulationId}/customers?changed=true`);
    expect(movers.body.items).toHaveLength(changed);
    // Enterprises graded on history see the collection weight move; some movers only cross a band line.
    expect(movers.body.items.some((r: { factorsMoved: unknown[] }) => r.factorsMoved.length > 0)).toBe(true);
    const csv = await h.send(
      'GET',
      `/policy/simulations/${a.simulationId}/customers`,
      undefined,
      KEYS.reader,
      {
        accept: 'text/csv',
      },
    );
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe(
      'customerId,currency,gradeBefore,scoreBefore,gradeAfter,scoreAfter,factorsMoved,ordersReleased,ordersHeld,heldBefore,heldAfter,cashOnlyHeldBefore,cashOnlyHeldAfter,termsBefore,termsAfter,approversBefore,approversAfter,requestsBlocked,requestsUnblocked',
    );
    expect(csv.text.trim().split('\r\n')).toHaveLength(121);
  });

  it('refuses a bad draft with 400 naming the field, and roles that may not propose policy with 403', async () => {
    const bad = await h.send('POST', '/policy/simulations', {
      policy: { ...DRAFT, lookbackDays: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^policy\.lookbackDays: /);
    const reader = await h.send('POST', '/policy/simulations', { policy: DRAFT }, KEYS.reader);
    expect(reader.status).toBe(403);
    // The policy in force lets admin or cfo propose (approvals.policyProposers): they may simulate, a clerk not.
    const clerk = await h.send('POST', '/policy/simulations', { policy: DRAFT }, KEYS.analyst);
    expect(clerk.status).toBe(403);
    expect(clerk.body.message).toMatch(/the policy in force lets admin or cfo propose one/);
    const cfo = await h.send(
      'POST',
      '/policy/simulations',
      { policy: DRAFT, customerId: 'C-000001' },
      KEYS.cfo,
    );
    expect(cfo.status).toBe(202);
    expect((await h.get('/policy/simulations/sim-nope')).status).toBe(404);
  });

  it('runs off the event loop while ingestion goes on', async () => {
    const started = await h.send('POST', '/policy/simulations', { policy: DRAFT }, KEYS.admin);
    // Published right away: appended while the simulation reads its snapshot.
    await h.publish([
      wire('W-1', 'CustomerOnboarded', '2026-01-02T09:00:00Z', {
        name: 'During',
        currency: 'EUR',
        creditLimit: '10.00',
      }),
    ]);
    await h.waitForIngestion();
    expect((await h.get('/customers/W-1')).status).toBe(200);
    await waitUntil(
      async () => (await h.get(`/policy/simulations/${started.body.simulationId}`)).body.status === 'done',
      60_000,
    );
  });

  it('adopts exactly the simulated draft; re-grading then gives the predicted grades', async () => {
    const sim = await simulate({ policy: DRAFT });
    const other = validatePolicy({ ...JSON.parse(JSON.stringify(DRAFT)), lookbackDays: 366 });
    const mismatch = await h.adoptPolicy({ policy: other, simulationId: sim.simulationId });
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.message).toMatch(/policy differs from the draft simulated by sim-/);
    const adopted = await h.adoptPolicy({ policy: DRAFT, simulationId: sim.simulationId });
    expect(adopted.status).toBe(200);
    expect(adopted.body.adopted).toMatchObject({ version: 2, policyHash: sim.draftHash });
    const [row] = await h.query<{ policy_hash: string; simulation_id: string }>(
      `SELECT policy_hash, simulation_id FROM grade_policies WHERE version = 2`,
    );
    expect(row).toEqual({ policy_hash: sim.draftHash, simulation_id: sim.simulationId });
    const [proposal] = await h.query<{ policy_hash: string; simulation_id: string }>(
      `SELECT policy_hash, simulation_id FROM policy_proposals WHERE id = $1`,
      [adopted.proposalId],
    );
    expect(proposal).toEqual(row);

    const ds = await createLedgerDataSource(h.db.url, { poolSize: 2 }).initialize();
    try {
      await regradeAll(ds);
    } finally {
      await ds.destroy();
    }
    const predicted = (await h.get(`/policy/simulations/${sim.simulationId}/customers?limit=1000`)).body
      .items;
    expect(predicted.length).toBeGreaterThan(100);
    // The customers whose held orders re-grading releases (cash-only bands lifted) are the rows that say so.
    expect(sim.summary.customersReleased).toEqual(
      predicted
        .filter((p: { ordersReleased: string[] }) => p.ordersReleased.length > 0)
        .map((p: { customerId: string }) => p.customerId)
        .sort(),
    );
    const held = (await h.get('/orders/held?limit=1000')).body.items as Array<{
      orderId: string;
      reason: string;
    }>;
    for (const p of predicted) {
      const now = await h.get(`/customers/${p.customerId}`);
      expect({
        id: p.customerId,
        grade: now.body.grade,
        score: now.body.score,
        heldOrders: now.body.heldOrders,
        band: now.body.terms?.band ?? null,
      }).toEqual({
        id: p.customerId,
        grade: p.after.grade,
        score: p.after.grade === p.before.grade ? now.body.score : p.after.score,
        heldOrders: p.heldAfter,
        band: p.termsAfter?.band ?? null,
      });
      for (const orderId of p.ordersReleased) expect(held.some((o) => o.orderId === orderId)).toBe(false);
    }
  });
});
