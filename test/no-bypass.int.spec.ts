import { ModulesContainer } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { listRoutes } from '../apps/ledger/src/docs/routes';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { onboarded, wire } from './support/wire';

/**
 * No bypass (seed 004: 将这些规则固化在系统中，可以彻底杜绝"越权审批"和"流程绕道"). Walks the live route table —
 * the Nest controllers and the workspace's own form routes — and classifies every route that writes; a new
 * writing route fails this suite until it is classified here. Then, for every principal of the test keys:
 * no principal completes alone an operation that changes a customer's credit or the policy (it may make the
 * request; it never approves its own; alone it never fills a tier that needs two), and every operation
 * completed in the ledger names all its approvers (ApprovalCompleted, the policy version's approvedBy).
 */

/** Who each key is (API_KEYS of the harness): name and canonical role. */
const PRINCIPALS: Record<keyof typeof KEYS, { name: string; role: string }> = {
  reader: { name: 'reader-1', role: 'reader' },
  finance: { name: 'fiona', role: 'finance-manager' },
  finance2: { name: 'fred', role: 'finance-manager' },
  admin: { name: 'ada', role: 'admin' },
  admin2: { name: 'abe', role: 'admin' },
  analyst: { name: 'carl', role: 'finance-clerk' },
  analyst2: { name: 'cora', role: 'finance-clerk' },
  sales: { name: 'sam', role: 'sales-manager' },
  sales2: { name: 'sid', role: 'sales-manager' },
  cfo: { name: 'cleo', role: 'cfo' },
  gm: { name: 'gina', role: 'general-manager' },
};
type KeyName = keyof typeof PRINCIPALS;
const ALL = Object.keys(PRINCIPALS) as KeyName[];

/**
 * Every route that writes, by what it does. `operation`: opens a credit or policy operation (in force only once
 * approved); `decision`: approves or rejects one (the only way an operation completes); `takes-credit`: a
 * single-person decision that only takes credit away (docs/approvals.md); `none`: changes no credit and no policy.
 */
const CLASSIFIED: Record<string, 'operation' | 'decision' | 'takes-credit' | 'none'> = {
  'POST /customers/:id/limit-requests': 'operation',
  'POST /customers/:id/temporary-limit': 'operation',
  'POST /customers/:id/freeze': 'operation',
  'POST /customers/:id/unfreeze': 'operation',
  // Lifting a blacklist releases held orders that fit the limit: it gives credit back.
  'POST /customers/:id/unblacklist': 'operation',
  'POST /orders/:orderId/release': 'operation',
  'POST /policy/proposals': 'operation',
  'POST /customers/:id/limit-requests/:requestId/approve': 'decision',
  'POST /customers/:id/limit-requests/:requestId/reject': 'decision',
  'POST /policy/proposals/:proposalId/approve': 'decision',
  'POST /policy/proposals/:proposalId/reject': 'decision',
  // Blacklisting holds every new order.
  'POST /customers/:id/blacklist': 'takes-credit',
  'POST /orders/:orderId/reject': 'takes-credit',
  // What-if runs change nothing; jobs and the review apply the policy's automatic rules as `system`.
  'POST /policy/simulations': 'none',
  'POST /control/review': 'none',
  'POST /jobs/:name/run': 'none',
  // Collection work (contact, promise to pay, close) is recorded on the task; it changes no limit and no freeze.
  'POST /collections/tasks/:taskId/actions': 'none',
  'POST /app/collections/tasks/:taskId/actions': 'none',
  // Forgetting erases personal fields only: figures and grades replay unchanged (four eyes of their own).
  'POST /customers/:id/forget-requests': 'none',
  'POST /customers/:id/forget-requests/:requestId/approve': 'none',
  // The workspace's forms dispatch the API's commands (RunApprovalCommand) with the signed-in principal.
  'POST /app/sign-in': 'none',
  'POST /app/sign-out': 'none',
  'POST /app/what-if': 'none', // starts a what-if run (the API's PolicySimulations): adopts nothing
  'POST /app/held-orders/:orderId/release': 'operation',
  'POST /app/held-orders/:orderId/reject': 'takes-credit',
  'POST /app/customers/:id/limit-requests/:requestId/approve': 'decision',
  'POST /app/customers/:id/limit-requests/:requestId/reject': 'decision',
  'POST /app/policy/proposals/:proposalId/approve': 'decision',
  'POST /app/policy/proposals/:proposalId/reject': 'decision',
};

/**
 * Every writing route Fastify serves (the Nest controllers and the workspace's own form routes), read from its
 * printed radix tree: each line's segment continues its parent's path.
 */
function fastifyWrites(fastify: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    const path = (depth > 0 ? stack[depth - 1] : '') + m[2];
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of m[3].split(', '))
      if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) out.push(`${method} ${path}`);
  }
  return out;
}

describe('no bypass: no principal completes a credit or policy operation above its authority alone', () => {
  let h: LedgerHarness;
  const now = new Date('2026-06-15T12:00:00Z');
  const AT = '2026-06-01T09:00:00Z';
  const customer = (id: string, limit = '5000.00') =>
    onboarded(id, AT, { name: `Customer ${id}`, currency: 'EUR', creditLimit: limit });
  const heldOrder = (id: string, orderId: string, amount: string) =>
    wire(id, 'OrderPlaced', '2026-06-10T09:00:00Z', { orderId, amount, currency: 'EUR' });

  // Response and payload bodies are free-form JSON read field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Json = any;

  /** One operation a principal might try to complete alone, on its own customer. */
  interface Operation {
    name: string;
    route: string;
    /** Customer setup (wire events) for `id`. */
    setup: (id: string) => ReturnType<typeof wire>[];
    /** Setup through the API once the customer is in the ledger. */
    prepare?: (id: string) => Promise<void>;
    request: (id: string, key: string) => Promise<{ status: number; body: Json }>;
  }
  const send = (path: string, body: unknown, key: string) => h.send('POST', path, body, key);
  const OPERATIONS: Operation[] = [
    ...[
      ['increase, tier 1 (<= 50,000: sales-manager AND finance-clerk)', '20000.00'],
      ['increase, tier 2 (<= 200,000: finance-manager)', '100000.00'],
      ['increase, tier 3 (cfo OR general-manager)', '300000.00'],
      ['decrease', '1000.00'],
    ].map(([name, newLimit]): Operation => ({
      name,
      route: 'POST /customers/:id/limit-requests',
      setup: (id) => [customer(id)],
      request: (id, key) => send(`/customers/${id}/limit-requests`, { newLimit, reason: 'alone' }, key),
    })),
    {
      name: 'temporary limit',
      route: 'POST /customers/:id/temporary-limit',
      setup: (id) => [customer(id)],
      request: (id, key) =>
        send(
          `/customers/${id}/temporary-limit`,
          { amount: '8000.00', expiresAt: '2026-07-15T00:00:00Z', reason: 'alone' },
          key,
        ),
    },
    {
      name: 'freeze',
      route: 'POST /customers/:id/freeze',
      setup: (id) => [customer(id)],
      request: (id, key) => send(`/customers/${id}/freeze`, { reason: 'alone' }, key),
    },
    {
      name: 'unblacklist',
      route: 'POST /customers/:id/unblacklist',
      setup: (id) => [customer(id)],
      // Blacklisted by one manager (it only takes credit away), so each principal can try to lift it alone.
      prepare: async (id) => {
        expect((await send(`/customers/${id}/blacklist`, { reason: 'setup' }, KEYS.cfo)).status).toBe(200);
      },
      request: (id, key) => send(`/customers/${id}/unblacklist`, { reason: 'alone' }, key),
    },
    {
      name: 'order release above the cap',
      route: 'POST /orders/:orderId/release',
      setup: (id) => [customer(id, '100.00'), heldOrder(id, `O-${id}`, '25000.00')],
      request: (id, key) => send(`/orders/O-${id}/release`, { customerId: id, reason: 'alone' }, key),
    },
  ];

  const customerOf = (op: Operation, k: KeyName) => `NB-op${OPERATIONS.indexOf(op)}-${k}`;

  async function events(customerId: string) {
    return h.query<{ type: string; event_id: string; payload: Record<string, Json> }>(
      'SELECT type, event_id, payload FROM ledger_events WHERE customer_id = $1 ORDER BY sequence',
      [customerId],
    );
  }
  const position = async (id: string) => {
    const p = (await h.get(`/customers/${id}`)).body;
    return { creditLimit: p.creditLimit, status: p.status, available: p.available, openOrders: p.openOrders };
  };

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => now });
    await h.publish([
      ...OPERATIONS.flatMap((op) => ALL.flatMap((k) => op.setup(customerOf(op, k)))),
      ...ALL.map((k) => customer(`NB-unfreeze-${k}`)),
      ...ALL.map((k) => customer(`NB-approver-${k}`)),
      customer('NB-initial', '30000.00'),
      customer('NB-direct', '100.00'),
      heldOrder('NB-direct', 'O-NB-direct', '900.00'),
    ]);
    await h.waitForIngestion();
    for (const op of OPERATIONS) for (const k of ALL) await op.prepare?.(customerOf(op, k));
    // Frozen the proper way (sam asks; sid and cora approve), so each principal can try to unfreeze alone.
    for (const k of ALL) {
      const id = `NB-unfreeze-${k}`;
      const r = await send(`/customers/${id}/freeze`, { reason: 'setup' }, KEYS.sales);
      expect(r.status).toBe(202);
      const approve = `/customers/${id}/limit-requests/${r.body.requestId}/approve`;
      expect((await send(approve, undefined, KEYS.sales2)).status).toBe(200);
      expect((await send(approve, undefined, KEYS.analyst2)).body.status).toBe('done');
      expect((await position(id)).status).toBe('frozen');
    }
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('classifies every writing route of the live route table (a new one fails here until it is classified)', () => {
    const nest = listRoutes(h.app!.get(ModulesContainer))
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`);
    const live = fastifyWrites(h.app!.getHttpAdapter().getInstance() as FastifyInstance).sort();
    // The parse is sound: every Nest route that writes is in Fastify's table, besides the workspace's.
    expect(nest.filter((r) => !live.includes(r))).toEqual([]);
    expect(live.filter((r) => r.startsWith('POST /app/')).length).toBeGreaterThan(4);
    expect(live.filter((r) => !(r in CLASSIFIED))).toEqual([]);
    // And nothing classified has gone (the list stays the truth).
    expect(Object.keys(CLASSIFIED).filter((r) => !live.includes(r))).toEqual([]);
    // Every operation route is exercised below for every principal.
    const exercised = new Set([
      ...OPERATIONS.map((o) => o.route),
      'POST /customers/:id/unfreeze',
      'POST /policy/proposals',
    ]);
    const operations = Object.entries(CLASSIFIED)
      .filter(([r, c]) => c === 'operation' && !r.startsWith('POST /app/'))
      .map(([r]) => r);
    expect(operations.filter((r) => !exercised.has(r))).toEqual([]);
  });

  it.each(ALL)('%s alone: may ask, never approves its own request, and nothing changes', async (k) => {
    const key = KEYS[k];
    const me = PRINCIPALS[k];
    const attempts = [
      ...OPERATIONS.map((op) => ({
        op: op.name,
        id: customerOf(op, k),
        request: () => op.request(customerOf(op, k), key),
      })),
      {
        op: 'unfreeze',
        id: `NB-unfreeze-${k}`,
        request: () => send(`/customers/NB-unfreeze-${k}/unfreeze`, { reason: 'alone' }, key),
      },
    ];
    for (const a of attempts) {
      const before = await position(a.id);
      const asked = await a.request();
      // Not a role that may ask (403), or a request now pending: never done by the asking alone.
      expect([200, 201, 202, 403]).toContain(asked.status);
      if (asked.status !== 403) {
        expect({ op: a.op, status: asked.body.status }).toEqual({ op: a.op, status: 'pending' });
        const self = await send(
          `/customers/${a.id}/limit-requests/${asked.body.requestId}/approve`,
          undefined,
          key,
        );
        expect({ op: a.op, status: self.status }).toEqual({ op: a.op, status: 403 });
        expect(self.body.message).toContain(`four-eyes: ${me.name} made request`);
      }
      expect({ op: a.op, position: await position(a.id) }).toEqual({ op: a.op, position: before });
      const completions = (await events(a.id)).filter((e) => e.type === 'ApprovalCompleted');
      // The unfreeze customer's one completion is the setup's freeze.
      expect(completions.map((e) => e.payload.kind)).toEqual(a.op === 'unfreeze' ? ['freeze'] : []);
    }
  });

  it.each(ALL)(
    '%s as the only approver of a request of each tier: completes only within its authority',
    async (k) => {
      const me = PRINCIPALS[k];
      const requester = k === 'sales' ? KEYS.sales2 : KEYS.sales;
      const tiers: Array<[string, string, string[]]> = [
        ['T1', '20000.00', []], // two entries: nobody completes it alone
        ['T2', '100000.00', ['finance-manager']],
        ['T3', '300000.00', ['cfo', 'general-manager']],
      ];
      const id = `NB-approver-${k}`;
      for (const [tier, newLimit, alone] of tiers) {
        const before = (await position(id)).creditLimit;
        const requestId = `${tier}-${k}`;
        expect(
          (
            await send(
              `/customers/${id}/limit-requests`,
              { newLimit, reason: 'one approver', requestId },
              requester,
            )
          ).status,
        ).toBe(201);
        const r = await send(`/customers/${id}/limit-requests/${requestId}/approve`, undefined, KEYS[k]);
        const completes = alone.includes(me.role);
        if (completes) {
          expect(r.body.status).toBe('done');
          expect((await position(id)).creditLimit).toBe(newLimit);
          const [completed] = (await events(id)).filter(
            (e) => e.type === 'ApprovalCompleted' && e.payload.requestId === requestId,
          );
          expect(completed.payload).toMatchObject({ approvedBy: [me.name], approvedRoles: [me.role] });
        } else {
          expect({ tier, status: r.status === 200 ? r.body.status : r.status }).toEqual({
            tier,
            status:
              me.role === 'sales-manager' || me.role === 'finance-clerk'
                ? tier === 'T1'
                  ? 'pending'
                  : 403
                : 403,
          });
          expect((await position(id)).creditLimit).toBe(before);
          // Close it, so the next tier's request may be made (one pending increase per customer).
          expect(
            (
              await send(
                `/customers/${id}/limit-requests/${requestId}/reject`,
                { reason: 'next tier' },
                KEYS.gm,
              )
            ).status,
          ).toBe(200);
        }
      }
    },
  );

  it.each(ALL)(
    '%s alone never puts a policy in force: proposing is not adopting, its own approval is refused',
    async (k) => {
      const current = (await h.get('/policy')).body.policy;
      const versions = (await h.get('/policy/versions')).body.items.length;
      const proposed = await send(
        '/policy/proposals',
        { policy: { ...current, version: current.version + 1 } },
        KEYS[k],
      );
      expect([201, 403]).toContain(proposed.status);
      if (proposed.status === 201) {
        const id = proposed.body.proposalId;
        const self = await send(`/policy/proposals/${id}/approve`, undefined, KEYS[k]);
        expect(self.status).toBe(403);
        expect((await send(`/policy/proposals/${id}/reject`, { reason: 'withdrawn' }, KEYS[k])).status).toBe(
          200,
        );
      }
      expect((await h.get('/policy/versions')).body.items.length).toBe(versions);
      // As the only approver of another's proposal: only the roles the policy in force names complete it.
      const other = k === 'admin' ? KEYS.admin2 : KEYS.admin;
      const id = (
        await send('/policy/proposals', { policy: { ...current, version: current.version + 1 } }, other)
      ).body.proposalId;
      const r = await send(`/policy/proposals/${id}/approve`, undefined, KEYS[k]);
      if (['cfo', 'general-manager'].includes(PRINCIPALS[k].role)) {
        expect(r.body.adopted).toMatchObject({
          approvedBy: [PRINCIPALS[k].name],
          version: current.version + 1,
        });
      } else {
        expect(r.status).toBe(403);
        expect((await send(`/policy/proposals/${id}/reject`, { reason: 'withdrawn' }, other)).status).toBe(
          200,
        );
      }
    },
  );

  it('operations completed by the rules are in force, and every completion in the ledger names all its approvers', async () => {
    // The first application (by billing) and a direct release within the cap by one finance-clerk, for the record.
    expect(
      (await send('/customers/NB-initial/limit-requests/initial-NB-initial/approve', undefined, KEYS.sales))
        .status,
    ).toBe(200);
    const initial = await send(
      '/customers/NB-initial/limit-requests/initial-NB-initial/approve',
      undefined,
      KEYS.analyst,
    );
    expect(initial.body.status).toBe('done');
    const direct = await send(
      '/orders/O-NB-direct/release',
      { customerId: 'NB-direct', reason: 'within cap' },
      KEYS.analyst,
    );
    expect(direct.body.status).toBe('done');
    const current = (await h.get('/policy')).body.policy;
    expect((await h.adoptPolicy({ policy: { ...current, version: current.version + 1 } })).status).toBe(200);

    const rows = await h.query<{
      customer_id: string;
      type: string;
      event_id: string;
      payload: Record<string, Json>;
    }>(
      `SELECT customer_id, type, event_id, payload FROM ledger_events
       WHERE type IN ('ApprovalRequested', 'ApprovalGiven', 'ApprovalCompleted', 'CreditLimitChanged',
                      'TemporaryLimitGranted', 'CustomerFrozen', 'CustomerUnfrozen', 'CustomerUnblacklisted',
                      'OrderReleased')
       ORDER BY sequence`,
    );
    const key = (c: string, r: string) => `${c}/${r}`;
    const requested = new Map<string, string>();
    const given = new Map<string, string[]>();
    const completed = new Map<string, Record<string, Json>>();
    for (const e of rows) {
      const k = key(e.customer_id, e.payload.requestId);
      if (e.type === 'ApprovalRequested') requested.set(k, e.payload.by);
      if (e.type === 'ApprovalGiven') given.set(k, [...(given.get(k) ?? []), e.payload.by]);
      if (e.type === 'ApprovalCompleted') completed.set(k, e.payload);
    }
    expect(completed.size).toBeGreaterThanOrEqual(ALL.length + 1); // the setup's freezes and the initial
    for (const [k, c] of completed) {
      expect({ k, approvedBy: c.approvedBy }).toEqual({ k, approvedBy: given.get(k) });
      expect(c.approvedBy.length).toBe(new Set(c.approvedBy.map((b: string) => b.toLowerCase())).size);
      expect(c.approvedBy.map((b: string) => b.toLowerCase())).not.toContain(requested.get(k)!.toLowerCase());
      expect(c.approvedRoles).toHaveLength(c.approvedBy.length);
    }
    // Every effect a principal caused follows its request's completion; only `system` and `billing` act by rule.
    const byRule = (by: string | undefined) => by === undefined || by === 'system';
    let effects = 0;
    for (const e of rows) {
      if (
        ![
          'CreditLimitChanged',
          'TemporaryLimitGranted',
          'CustomerFrozen',
          'CustomerUnfrozen',
          'CustomerUnblacklisted',
          'OrderReleased',
        ].includes(e.type)
      )
        continue;
      const by = e.payload.by ?? e.payload.releasedBy;
      if (byRule(by) || (e.type === 'CreditLimitChanged' && e.payload.cause !== 'request')) continue;
      effects++;
      const requestId = e.event_id.split(':').pop()!;
      if (e.type === 'OrderReleased' && !completed.has(key(e.customer_id, requestId))) {
        // Released at once: only by a finance-clerk, only within the policy's cap.
        expect({ id: e.event_id, by }).toEqual({ id: e.event_id, by: 'carl' });
        continue;
      }
      expect({ id: e.event_id, completed: completed.has(key(e.customer_id, requestId)) }).toEqual({
        id: e.event_id,
        completed: true,
      });
    }
    expect(effects).toBeGreaterThanOrEqual(ALL.length + 2);
    // Every policy version adopted through the API names its proposer and approvers, distinct.
    const versions = await h.query<{
      created_by: string;
      approved_by: string[] | null;
      proposal_id: string | null;
    }>('SELECT created_by, approved_by, proposal_id FROM grade_policies WHERE proposal_id IS NOT NULL');
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) {
      expect(v.approved_by!.length).toBeGreaterThan(0);
      expect(v.approved_by!.map((b) => b.toLowerCase())).not.toContain(v.created_by.toLowerCase());
    }
  });
});
