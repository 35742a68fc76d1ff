/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page: they see the DOM.
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_GRADE_POLICY, GradePolicy, validatePolicy } from '@credit-ledger/domain';
import { generateHistory } from '@credit-ledger/testing';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { launchChromium, screenshot, seriousA11yViolations, untranslatedTexts } from './support/browser';
import { en } from '../apps/ledger/src/workspace/locales/en';
import { zhCN } from '../apps/ledger/src/workspace/locales/zh-CN';

/** The draft of the what-if suite: looser bands, so customers move up and cash-only grades hold back less. */
function draft(): GradePolicy {
  const p = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));
  p.version = 2;
  [85, 70, 55, 0].forEach((min, i) => (p.bands[i].minScore = min));
  return validatePolicy(p);
}

interface ChartData {
  series: Array<{ type: string; data: unknown[] }>;
  x: unknown[];
  y: unknown[];
}

/**
 * What-if in the workspace (issue #19), in Chromium: an admin submits a draft from the page, follows its progress,
 * and the page's heatmap, distributions, cash-only table and customer lists are exactly what
 * GET /policy/simulations/:id answers; the downloads are the API's bytes. A reader picks the run, cannot start one.
 */
describe('workspace what-if page in Chromium', () => {
  let h: LedgerHarness;
  let browser: Browser;

  const signIn = async (key: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${h.url}/app/sign-in`);
    await page.fill('#key', key);
    await page.click('#sign-in');
    await page.waitForURL(/\/app\/dashboard/);
    return page;
  };
  const chart = (page: Page, id: string): Promise<ChartData> =>
    page.evaluate((chartId) => {
      const w = window as unknown as {
        echarts: {
          getInstanceByDom: (el: Element) => {
            getOption: () => {
              series: Array<{ type: string; data: unknown[] }>;
              xAxis: Array<{ data: unknown[] }>;
              yAxis: Array<{ data: unknown[] }>;
            };
          };
        };
      };
      const o = w.echarts.getInstanceByDom(document.getElementById(chartId)!).getOption();
      return {
        series: o.series.map((s) => ({ type: s.type, data: s.data })),
        x: o.xAxis[0].data,
        y: o.yAxis[0].data,
      };
    }, id);
  const drawn = (page: Page, id: string) =>
    page.waitForFunction((chartId) => {
      const w = window as unknown as { echarts?: { getInstanceByDom: (el: Element) => unknown } };
      const el = document.getElementById(chartId);
      return !!el && !!w.echarts?.getInstanceByDom(el);
    }, id);

  beforeAll(async () => {
    h = await LedgerHarness.start();
    await h.publish(generateHistory({ seed: 19, customers: 60, eventsPerCustomer: 14 }));
    await h.waitForIngestion();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('submits a draft, shows its progress, then charts exactly what the API answers', async () => {
    const page = await signIn(KEYS.admin);
    await page.goto(`${h.url}/app/what-if`);
    // the form starts from the policy in force; the analyst edits it into the draft
    const prefilled = JSON.parse(await page.inputValue('#policy'));
    expect(prefilled.bands.map((b: { grade: string }) => b.grade)).toEqual(
      DEFAULT_GRADE_POLICY.bands.map((b) => b.grade),
    );
    await page.fill('#policy', JSON.stringify(draft(), null, 2));
    await page.click('#simulate');
    await page.waitForURL(/\/app\/what-if\?simulation=sim-/);
    const id = new URL(page.url()).searchParams.get('simulation')!;
    // running, then done: the status fragment polls and reloads the page once the run is over
    await page.locator('#simulation[data-status=done]').waitFor({ timeout: 60_000 });
    await drawn(page, 'chart-migration');
    await drawn(page, 'chart-distribution');

    const api = (await h.get(`/policy/simulations/${id}`)).body;
    expect(api).toMatchObject({ status: 'done', requestedBy: 'ada', draftVersion: 2 });
    const migration = api.summary.migration as Record<string, Record<string, number>>;

    // the heatmap: one cell per (from, to) the API counts, at the grades' places on the axes
    const heat = await chart(page, 'chart-migration');
    expect(heat.x).toEqual(heat.y);
    const grades = heat.x as string[];
    const cells = (heat.series[0].data as Array<[number, number, number]>).map(
      ([x, y, n]) => `${grades[y]}→${grades[x]}:${n}`,
    );
    const expected = Object.entries(migration).flatMap(([from, row]) =>
      Object.entries(row).map(([to, n]) => `${from}→${to}:${n}`),
    );
    expect(cells.sort()).toEqual(expected.sort());
    expect(expected.some((c) => !/^(\w+)→\1:/.test(c))).toBe(true); // the draft moves some customers

    // before and after: the matrix's row and column sums
    const dist = await chart(page, 'chart-distribution');
    expect(dist.x).toEqual(grades);
    const rowSum = (g: string) => Object.values(migration[g] ?? {}).reduce((n, c) => n + c, 0);
    const colSum = (g: string) => Object.values(migration).reduce((n, row) => n + (row[g] ?? 0), 0);
    expect(dist.series.map((s) => s.data)).toEqual([grades.map(rowSum), grades.map(colSum)]);
    expect(grades.map(rowSum).reduce((a, b) => a + b, 0)).toBe(api.summary.customers);

    // exposure held back by cash-only grades, per currency (never summed across them)
    const table = await page
      .locator('#cash-only tr[data-currency]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-currency')));
    expect(table).toEqual(Object.keys(api.summary.byCurrency).sort());
    for (const [currency, figures] of Object.entries(api.summary.byCurrency)) {
      const row = page.locator(`#cash-only tr[data-currency=${currency}]`);
      const shown = await row
        .locator('td[data-field]')
        .evaluateAll((cells) =>
          Object.fromEntries(cells.map((c) => [c.getAttribute('data-field'), c.getAttribute('data-value')])),
        );
      const { customers: _, ...amounts } = figures as Record<string, unknown>;
      expect(shown).toEqual(amounts);
    }
    expect(await page.locator('#sim-summary').textContent()).toContain(
      `${api.summary.customers} customers, ${api.summary.changed} would change grade`,
    );
    const listed = (list: string) =>
      page.locator(`#${list} li`).evaluateAll((items) => items.map((i) => i.textContent));
    expect(await listed('released')).toEqual(api.summary.customersReleased.slice(0, 100));
    expect(await listed('held')).toEqual(api.summary.customersHeld.slice(0, 100));

    // the approvals the change would trigger: the API's summary.approvals, route by route
    const a = api.summary.approvals;
    const effects = page.locator('#approval-summary');
    expect([
      await effects.getAttribute('data-blocked'),
      await effects.getAttribute('data-unblocked'),
      await effects.getAttribute('data-routed'),
    ]).toEqual([a.pendingBlocked, a.pendingUnblocked, a.customersRoutedDifferently].map(String));
    const routes = await page
      .locator('#approval-routes tr[data-route]')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-route'),
          Number(r.querySelector('[data-field=now]')!.textContent),
          Number(r.querySelector('[data-field=after]')!.textContent),
        ]),
      );
    const names = [...new Set([...Object.keys(a.routesBefore), ...Object.keys(a.routesAfter)])];
    expect(routes.map((r) => r[0]).sort()).toEqual(names.sort());
    for (const [route, now, after] of routes)
      expect([now, after]).toEqual([
        a.routesBefore[route as string] ?? 0,
        a.routesAfter[route as string] ?? 0,
      ]);
    expect(await page.locator('#adoption').textContent()).toContain(
      `proposed by ${a.adoption.proposers.join(' / ')}, approved by ${a.adoption.approvers.join(' + ')}`,
    );

    // the downloads are the API's own answers, byte for byte
    const csv = await page.request.get(`${h.url}/app/what-if/${id}/customers.csv`);
    const apiCsv = await h.send(
      'GET',
      `/policy/simulations/${id}/customers?limit=100000`,
      undefined,
      KEYS.reader,
      {
        accept: 'text/csv',
      },
    );
    expect([csv.status(), csv.headers()['content-type']]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(await csv.text()).toBe(apiCsv.text);
    const json = await page.request.get(`${h.url}/app/what-if/${id}/result.json`);
    const apiJson = await h.send('GET', `/policy/simulations/${id}/result`, undefined, KEYS.reader);
    expect(await json.text()).toBe(apiJson.text);
    expect(json.headers()['x-result-hash']).toBe(api.resultHash);

    await screenshot(page, 'what-if');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // "use this draft": the form is prefilled with the run's draft
    await page.click(`#simulations tr[data-simulation="${id}"] a:has-text("Use this draft")`);
    await page.waitForURL(/from=sim-/);
    expect(JSON.parse(await page.inputValue('#policy'))).toEqual(draft());
    await page.close();
  });

  it('shows a finished run in Simplified Chinese: no raw keys, no English labels', async () => {
    const runs = (await h.get('/policy/simulations')).body.items as Array<{
      simulationId: string;
      status: string;
    }>;
    const done = runs.find((r) => r.status === 'done')!;
    expect(done).toBeDefined();
    const page = await signIn(KEYS.admin);
    await page.goto(
      `${h.url}/app/lang/zh-CN?next=${encodeURIComponent(`/app/what-if?simulation=${done.simulationId}`)}`,
    );
    await page.locator('#simulation[data-status=done]').waitFor();
    await drawn(page, 'chart-migration');
    await drawn(page, 'chart-distribution');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect((await page.locator('h1').textContent())?.trim()).toBe(zhCN.whatIf.title);
    expect(await untranslatedTexts(page, en, zhCN)).toEqual([]);
    await screenshot(page, 'zh-what-if-run');
    await page.close();
  });

  it('lets a reader pick a run but not start one (the role list of POST /policy/simulations)', async () => {
    const started = await h.send('POST', '/policy/simulations', { policy: draft() }, KEYS.admin);
    expect(started.status).toBe(202);
    const page = await signIn(KEYS.reader);
    await page.goto(`${h.url}/app/what-if`);
    expect(await page.locator('#policy').count()).toBe(0);
    await page.click(`#simulations tr[data-simulation="${started.body.simulationId}"] a >> nth=0`);
    await page.locator('#simulation[data-status=done]').waitFor({ timeout: 60_000 });
    await drawn(page, 'chart-migration');
    const token = JSON.parse((await page.getAttribute('body', 'hx-headers'))!)['x-csrf-token'];
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await fetch(`${h.url}/app/what-if`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-csrf-token': token },
      body: `policy=${encodeURIComponent(JSON.stringify(draft()))}`,
    });
    expect(forged.status).toBe(403);
    // and without a CSRF token even an admin's post is refused
    const admin = await signIn(KEYS.admin);
    const adminCookie = (await admin.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const noToken = await fetch(`${h.url}/app/what-if`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: adminCookie },
      body: `policy=${encodeURIComponent(JSON.stringify(draft()))}`,
    });
    expect(noToken.status).toBe(403);
    // a draft that is not a policy is refused with the API's message, in the page's flash area
    await admin.goto(`${h.url}/app/what-if`);
    await admin.fill('#policy', '{"version": 2}');
    await admin.click('#simulate');
    await admin.locator('#flash .flash.error').waitFor();
    expect(await admin.locator('#flash').textContent()).toMatch(/polic/i);
    await admin.close();
    await page.close();
  });
});
