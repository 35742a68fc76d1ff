/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page: they see the DOM.
import type { Browser, Page } from 'playwright-core';
import { KEYS, LedgerHarness, TRIAL_COVERS_ALL } from './support/ledger-harness';
import { launchChromium, screenshot, seriousA11yViolations, untranslatedTexts } from './support/browser';
import { en } from '../apps/ledger/src/workspace/locales/en';
import { zhCN } from '../apps/ledger/src/workspace/locales/zh-CN';
import { invoiced, onboarded, wire } from './support/wire';
import { soundProfile } from '../libs/domain/test/builders';

const NOW = new Date('2026-06-15T12:00:00Z');
/** The ledger's clock: NOW, moved forward only by the session-expiry test. */
let now = NOW;

const owner = (id: string, name: string) => ({ accountOwner: { id, name } });
const invoice = invoiced;

/**
 * The workspace in headless Chromium against a whole ledger (embedded broker, PostgreSQL, the Nest app), at
 * NOW = 2026-06-15. The fixture, by hand:
 *   W-1 EUR limit 10,000 (owner Sara): INV-1 4,000 due 03-31 (76 days late), INV-2 2,000 due 05-31 less 500 paid
 *       06-10 (15 days late, so the 500 is recovered overdue cash) → open 5,500.00, overdue 5,500.00
 *   W-2 JPY limit 100,000 (owner Sven): INV-5 50,000 due 06-05 → overdue 50,000
 *   W-3 EUR limit 1,000: order O-9 of 1,500 exceeds the limit → held
 */
describe('finance workspace (/app) in Chromium', () => {
  let h: LedgerHarness;
  let browser: Browser;

  const signIn = async (key: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/app`);
    await page.waitForURL(/\/app\/sign-in$/);
    await page.fill('#key', key);
    await page.click('#sign-in');
    await page.waitForURL(/\/app\/dashboard/);
    return page;
  };

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => now, policy: TRIAL_COVERS_ALL });
    await h.publish([
      onboarded(
        'W-1',
        '2026-01-02T09:00:00Z',
        { name: 'Wolf & Co', currency: 'EUR', creditLimit: '10000.00' },
        {
          ...soundProfile('EUR', '2026-01-02'),
          ...owner('S-1', 'Sara'),
        },
      ),
      onboarded(
        'W-2',
        '2026-01-02T09:00:00Z',
        { name: 'Kaito KK', currency: 'JPY', creditLimit: '100000' },
        {
          ...soundProfile('JPY', '2026-01-02'),
          ...owner('S-2', 'Sven'),
        },
      ),
      onboarded('W-3', '2026-01-02T09:00:00Z', {
        name: 'Small Ltd',
        currency: 'EUR',
        creditLimit: '1000.00',
      }),
      invoice('W-1', 'INV-1', '4000.00', 'EUR', '2026-03-01', '2026-03-31'),
      invoice('W-1', 'INV-2', '2000.00', 'EUR', '2026-05-01', '2026-05-31'),
      invoice('W-2', 'INV-5', '50000', 'JPY', '2026-05-20', '2026-06-05'),
      wire('W-1', 'PaymentReceived', '2026-06-10T09:00:00Z', {
        paymentId: 'PAY-1',
        amount: '500.00',
        currency: 'EUR',
        receivedOn: '2026-06-10',
        allocations: [{ invoiceId: 'INV-2', amount: '500.00' }],
      }),
      wire('W-3', 'OrderPlaced', '2026-06-11T09:00:00Z', {
        orderId: 'O-9',
        amount: '1500.00',
        currency: 'EUR',
      }),
    ]);
    await h.waitForIngestion();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('signs in with an API key per role, refuses an unknown key, and signs out', async () => {
    for (const [key, role] of [
      [KEYS.reader, 'reader'],
      [KEYS.analyst, 'finance-clerk'],
      [KEYS.cfo, 'cfo'],
    ] as const) {
      const page = await signIn(key);
      expect(await page.getAttribute('.user', 'data-role')).toBe(role);
      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.name === 'cl_session')!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/app' });
      expect(session.expires).toBeGreaterThan(0);
      await page.click('#sign-out');
      await page.waitForURL(/\/app\/sign-in$/);
      await page.goto(`${h.url}/app/dashboard`);
      expect(page.url()).toMatch(/\/app\/sign-in$/);
      await page.close();
    }
    const page = await browser.newPage();
    await page.goto(`${h.url}/app/sign-in`);
    await page.fill('#key', 'not-a-key-0123456789');
    await page.click('#sign-in');
    await expect(page.locator('.flash.error').textContent()).resolves.toContain('Unknown API key');
    await screenshot(page, 'sign-in');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('draws the dashboard with the figures the API answers, per currency', async () => {
    const page = await signIn(KEYS.reader);
    await page.waitForFunction(() => {
      const w = window as unknown as { echarts?: { getInstanceByDom: (el: Element) => unknown } };
      return !!w.echarts && !!w.echarts.getInstanceByDom(document.getElementById('chart-collections')!);
    });
    const series = (id: string) =>
      page.evaluate((chartId) => {
        const w = window as unknown as {
          echarts: {
            getInstanceByDom: (el: Element) => {
              getOption: () => {
                series: Array<{ data: unknown[] }>;
                xAxis: Array<{ data?: unknown[] }>;
                yAxis: Array<{ data?: unknown[] }>;
              };
            };
          };
        };
        const o = w.echarts.getInstanceByDom(document.getElementById(chartId)!).getOption();
        return { data: o.series.map((s) => s.data), x: o.xAxis[0].data ?? null, y: o.yAxis[0].data ?? null };
      }, id);

    const aging = (await h.get('/reports/aging')).body.currencies.find(
      (c: { currency: string }) => c.currency === 'EUR',
    );
    expect((await series('chart-aging')).data[0]).toEqual([
      aging.current,
      aging.d1_30,
      aging.d31_60,
      aging.d61_90,
      aging.d90plus,
    ]);
    // by hand: EUR 1,500 in 1–30 (INV-2, 15 days late), 4,000 in 61–90 (INV-1, 76 days)
    expect((await series('chart-aging')).data[0]).toEqual(['0.00', '1500.00', '0.00', '4000.00', '0.00']);

    const grades = (await h.get('/reports/exposure-by-grade')).body.items.filter(
      (i: { currency: string }) => i.currency === 'EUR',
    );
    const g = await series('chart-grades');
    expect(g.x).toEqual(grades.map((i: { grade: string }) => i.grade));
    expect(g.data[0]).toEqual(grades.map((i: { exposure: string }) => i.exposure));

    const dso = (await h.get('/reports/dso-trend?months=6')).body.months.flatMap(
      (m: { currencies: Array<{ currency: string; dso: number | null }> }) =>
        m.currencies.filter((c) => c.currency === 'EUR').map((c) => c.dso),
    );
    expect((await series('chart-dso')).data[0]).toEqual(dso);

    const util = (await h.get('/reports/utilisation?limit=10')).body.items;
    const u = await series('chart-utilisation');
    expect(u.data[0]).toEqual(util.map((i: { utilisation: string }) => i.utilisation));
    expect(u.y).toEqual(
      util.map((i: { customerId: string; currency: string }) => `${i.customerId} (${i.currency})`),
    );

    const overdue = (await h.get('/reports/top-overdue?limit=10')).body.currencies.find(
      (c: { currency: string }) => c.currency === 'EUR',
    ).items;
    expect((await series('chart-overdue')).data[0]).toEqual(
      overdue.map((i: { overdueAmount: string }) => i.overdueAmount),
    );

    const owners = (await h.get('/reports/collections-by-owner')).body.items.filter(
      (i: { currency: string }) => i.currency === 'EUR',
    );
    const c = await series('chart-collections');
    expect(c.data[0]).toEqual(owners.map((i: { collected: string }) => i.collected));
    // by hand: Sara collected the 500.00 of PAY-1 in the 90 days to 06-15; W-3 has no owner and collected nothing.
    // A reader never sees personal data: the owner's name is restricted, as in the API.
    expect(c.y).toEqual(['S-1 [restricted]', 'unassigned']);
    expect(c.data[0]).toEqual(['500.00', '0.00']);

    // KPI tiles, EUR: exposure 5,500 (W-1) + 0 (W-3: the held order is not exposure); overdue rate 100 %;
    // recovered 500 / (500 + 5,500) = 8.33 %; held orders 1
    const eur = page.locator('section.kpis[data-currency=EUR]');
    const tile = async (kpi: string) =>
      (await eur.locator(`[data-kpi=${kpi}] .value`).textContent())?.replace(/\s/g, ' ');
    expect(await tile('exposure')).toBe('EUR 5,500.00');
    expect(await tile('overdueRate')).toBe('100.00%');
    expect(await tile('overdueRecoveryRate')).toBe('8.33%');
    expect(await tile('heldOrders')).toBe('1');
    const kpis = (await h.get('/reports/kpis')).body.currencies.find(
      (k: { currency: string }) => k.currency === 'EUR',
    );
    expect(kpis).toMatchObject({
      exposure: '5500.00',
      overdueRate: '1.0000',
      overdueRecoveryRate: '0.0833',
      heldOrders: 1,
    });

    // JPY on its own tab: never summed with EUR
    await page.click('.tabs a:has-text("JPY")');
    await page.waitForURL(/currency=JPY/);
    await page.waitForFunction(() => !!(window as unknown as { echarts?: unknown }).echarts);
    await page.waitForFunction(() => {
      const w = window as unknown as { echarts: { getInstanceByDom: (el: Element) => unknown } };
      return !!w.echarts.getInstanceByDom(document.getElementById('chart-aging')!);
    });
    // JPY has no minor unit: INV-5 is 10 days late
    expect((await series('chart-aging')).data[0]).toEqual(['0', '50000', '0', '0', '0']);
    await screenshot(page, 'dashboard');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('switches the language to Simplified Chinese and back, numbers formatted per locale', async () => {
    const page = await signIn(KEYS.reader);
    await page.click('#lang-zh');
    await page.waitForURL(/\/app\/dashboard/);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect(page.locator('h1').textContent()).resolves.toBe('组合概览');
    await expect(
      page.locator('section.kpis[data-currency=EUR] [data-kpi=overdueRate] .label').textContent(),
    ).resolves.toBe('逾期率');
    await screenshot(page, 'dashboard-zh');
    await page.click('#lang-en');
    await page.waitForURL(/\/app\/dashboard/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Portfolio');
    await page.close();
  });

  it('renders the dashboard, a customer and the what-if page in Simplified Chinese: no raw keys, no English labels', async () => {
    const page = await signIn(KEYS.admin);
    await page.goto(`${h.url}/app/lang/zh-CN?next=/app/dashboard`);
    await page.waitForURL(/\/app\/dashboard/);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    const zh = (n: string, ccy: string) =>
      new Intl.NumberFormat('zh-CN', { style: 'currency', currency: ccy, currencyDisplay: 'code' }).format(
        n as unknown as number,
      );
    const text = async (sel: string) => (await page.locator(sel).first().textContent())?.trim();

    // dashboard: zh labels (not the English ones), money the zh-CN way
    expect(await text('h1')).toBe(zhCN.kpi.title);
    expect(await text('section.kpis[data-currency=EUR] [data-kpi=exposure] .label')).toBe(zhCN.kpi.exposure);
    expect(zhCN.kpi.exposure).not.toBe(en.kpi.exposure);
    expect(await text('section.kpis[data-currency=JPY] [data-kpi=exposure] .value')).toBe(zh('50000', 'JPY'));
    expect(await untranslatedTexts(page, en, zhCN)).toEqual([]);
    await screenshot(page, 'zh-dashboard');

    // the customer page: labels, money and the as-of instant written the zh-CN way (年/月/日)
    await page.goto(`${h.url}/app/customers/W-1`);
    expect(await text('#position [data-field=exposure]')).toBe(zh('5500.00', 'EUR'));
    expect(await text('#position-h')).toContain('2026年6月15日');
    expect(await text('#requests-h')).toBe(zhCN.customer.limitRequests);
    // statuses are the API's values, shown in the language: W-1 is frozen (INV-1 two months late), its task open
    expect(await text('#position [data-field=status]')).toMatch(new RegExp(`^${zhCN.state.frozen} · `));
    expect(await page.locator('#customer-tasks tr[data-task] td').nth(1).textContent()).toBe(zhCN.state.open);
    expect(await untranslatedTexts(page, en, zhCN)).toEqual([]);
    await screenshot(page, 'zh-customer');

    // the what-if page (the form of a role that may propose policy)
    await page.goto(`${h.url}/app/what-if`);
    expect(await text('h1')).toBe(zhCN.whatIf.title);
    expect(await untranslatedTexts(page, en, zhCN)).toEqual([]);
    await screenshot(page, 'zh-what-if');
    // and the check sees labels: in English the same page is all English labels
    await page.goto(`${h.url}/app/lang/en?next=/app/what-if`);
    expect(await untranslatedTexts(page, en, zhCN)).toContain(en.whatIf.runs);
    await page.close();
  });

  it("redraws a customer's position as of a past date, and explains a grade change", async () => {
    const page = await signIn(KEYS.analyst);
    await page.goto(`${h.url}/app/customers/W-1`);
    const field = async (name: string) =>
      (await page.locator(`#position [data-field=${name}]`).textContent())?.replace(/\s/g, ' ');
    // now (06-15): open 4,000 + 1,500 = 5,500.00, all overdue
    expect(await field('exposure')).toBe('EUR 5,500.00');
    await page.fill('#as-of', '2026-05-31');
    await page.click('#as-of-show');
    await page.waitForURL(/asOf=2026-05-31/);
    // by hand, at the end of 05-31: INV-1 4,000 (61 days late) and INV-2 2,000 (due that day: current), PAY-1 not
    // yet received → open and exposure 6,000.00, overdue 4,000.00; graded cash-only by then (INV-1 two months
    // late), so nothing is available: 0 − 6,000.00
    expect(await field('exposure')).toBe('EUR 6,000.00');
    expect(await field('overdueAmount')).toBe('EUR 4,000.00');
    expect(await field('available')).toBe('-EUR 6,000.00');
    const api = await h.get('/customers/W-1?asOf=2026-05-31T23:59:59.999Z');
    expect([api.body.exposure, api.body.overdueAmount, api.body.available]).toEqual([
      '6000.00',
      '4000.00',
      '-6000.00',
    ]);
    await page.waitForFunction(() => {
      const w = window as unknown as { echarts?: { getInstanceByDom: (el: Element) => unknown } };
      return !!w.echarts?.getInstanceByDom(document.getElementById('chart-grade-history')!);
    });
    // the first grade change, explained in place: its factors and the events behind it
    await page.click('.changes a >> nth=0');
    await page.locator('#explain .explained tr[data-factor]').first().waitFor();
    expect(await page.locator('#explain .explained tr[data-factor]').count()).toBeGreaterThan(0);
    await screenshot(page, 'customer');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("releases a held order from the queue: it leaves the queue and the customer's position takes it", async () => {
    // a reader sees the queue without the buttons, and the server refuses the action even with a valid token
    const reader = await signIn(KEYS.reader);
    await reader.goto(`${h.url}/app/queues/held-orders`);
    expect(await reader.locator('tr[data-order=O-9]').count()).toBe(1);
    expect(await reader.locator('button.release').count()).toBe(0);
    const token = JSON.parse((await reader.getAttribute('body', 'hx-headers'))!)['x-csrf-token'];
    const cookie = (await reader.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await fetch(`${h.url}/app/held-orders/O-9/release`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-csrf-token': token },
      body: 'customerId=W-3&reason=mine',
    });
    expect(forged.status).toBe(403);
    await reader.close();

    const page = await signIn(KEYS.analyst);
    await page.goto(`${h.url}/app/customers/W-3`);
    const field = async (name: string) =>
      (await page.locator(`#position [data-field=${name}]`).textContent())?.replace(/\s/g, ' ');
    expect([await field('heldOrders'), await field('exposure')]).toEqual(['EUR 1,500.00', 'EUR 0.00']);
    await page.goto(`${h.url}/app/queues/held-orders`);
    await screenshot(page, 'held-orders');
    expect(await seriousA11yViolations(page)).toEqual([]);
    const row = page.locator('tr[data-order=O-9]');
    await row.locator('input[name=reason]').fill('customer paid a deposit');
    await row.locator('button.release').click();
    await page.locator('#held-orders .flash').waitFor();
    await page.reload();
    expect(await page.locator('tr[data-order=O-9]').count()).toBe(0);
    await page.goto(`${h.url}/app/customers/W-3`);
    // released: the order is open and counts in exposure (1,500.00 of a 1,000.00 limit)
    expect([await field('heldOrders'), await field('openOrders'), await field('exposure')]).toEqual([
      'EUR 0.00',
      'EUR 1,500.00',
      'EUR 1,500.00',
    ]);
    const events = await h.query<{ type: string; payload: { releasedBy: string; reason: string } }>(
      `SELECT type, payload FROM ledger_events WHERE customer_id = 'W-3' AND type = 'OrderReleased'`,
    );
    expect(events.map((e) => [e.payload.releasedBy, e.payload.reason])).toEqual([
      ['carl', 'customer paid a deposit'],
    ]);
    await page.close();
  });

  it('approves a limit request with four eyes: not the requester, one per required role', async () => {
    const asked = await h.send(
      'POST',
      '/customers/W-1/limit-requests',
      // W-1 is overdue: a cash-only grade gets no more credit, so the request is a decrease (approved alike).
      { newLimit: '8000.00', reason: 'overdue', requestId: 'LR-W1' },
      KEYS.analyst,
    );
    expect(asked.status).toBe(201);
    // The page is the inbox of GET /approvals: the same requests for the same principal.
    const inboxOf = async (page: Page, key: string) => {
      await page.goto(`${h.url}/app/queues/approvals`);
      const shown = await page
        .locator('#approvals tr[data-request]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request')));
      const api = (await h.get('/approvals', key)).body.items.map((i: { requestId: string }) => i.requestId);
      expect(shown).toEqual(api);
      return shown;
    };
    const approveAs = async (key: string) => {
      const page = await signIn(key);
      expect(await inboxOf(page, key)).toContain('LR-W1');
      await page.locator('tr[data-request=LR-W1] button.approve').click();
      await page.locator('#flash .flash, #approvals .flash').first().waitFor();
      const text = (await page.locator('#flash, #approvals .flash').allTextContents()).join(' ');
      // approved by this principal: no longer in its inbox
      expect(await inboxOf(page, key)).not.toContain('LR-W1');
      await page.close();
      return text;
    };
    // carl asked for it: not in his inbox, and the API's four-eyes rule refuses it if he posts anyway
    const carl = await signIn(KEYS.analyst);
    expect(await inboxOf(carl, KEYS.analyst)).not.toContain('LR-W1');
    const token = JSON.parse((await carl.getAttribute('body', 'hx-headers'))!)['x-csrf-token'];
    const cookie = (await carl.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const own = await fetch(`${h.url}/app/customers/W-1/limit-requests/LR-W1/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-csrf-token': token },
      body: '',
    });
    expect(own.status).toBe(403);
    expect(await own.text()).toMatch(/four-eyes|own request|requester/i);
    await carl.close();
    expect(await approveAs(KEYS.sales)).toContain('Done');
    let r = await h.get('/customers/W-1/limit-requests');
    expect(r.body.items[0]).toMatchObject({ status: 'pending', missing: ['finance-clerk'] });
    expect(await approveAs(KEYS.analyst2)).toContain('Done');
    r = await h.get('/customers/W-1/limit-requests');
    expect(r.body.items[0]).toMatchObject({ status: 'approved', missing: [] });
    expect(r.body.items[0].approvals.map((a: { by: string }) => a.by)).toEqual(['sam', 'cora']);
    const pos = await h.get('/customers/W-1');
    expect(pos.body.creditLimit).toBe('8000.00');
  });

  it('as of a past date, the lists beside the position show only what existed then', async () => {
    // After the four-eyes test W-1 has LR-W1, asked and approved now (06-15 12:00), and the alerts those raised.
    const alertsUpTo = async (until: string) =>
      (
        await h.query<{ sequence: string }>(
          `SELECT o.sequence::text AS sequence FROM alert_outbox o JOIN ledger_events e ON e.sequence = o.sequence
            WHERE o.key = 'W-1' AND e.occurred_at <= $1 ORDER BY o.id DESC LIMIT 20`,
          [until],
        )
      ).map((r) => r.sequence);
    const now = await alertsUpTo(NOW.toISOString());
    const before = await alertsUpTo('2026-06-14T23:59:59.999Z');
    // the fixture has alerts after 06-14 (the request and its approvals), so the cut is visible
    expect(now.filter((s) => !before.includes(s)).length).toBeGreaterThan(0);
    const tasksUpTo = async (until: string) =>
      (
        (await h.get('/collections/tasks?status=all')).body.items as Array<{
          taskId: string;
          customerId: string;
          openedAt: string;
        }>
      )
        .filter((k) => k.customerId === 'W-1' && k.openedAt <= until)
        .map((k) => k.taskId);
    const page = await signIn(KEYS.reader);
    const shown = (list: string, attr: string) =>
      page.locator(`#${list} [${attr}]`).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);

    await page.goto(`${h.url}/app/customers/W-1`);
    expect(await shown('customer-requests', 'data-request')).toEqual(['LR-W1']);
    expect(await shown('customer-alerts', 'data-sequence')).toEqual(now);
    expect(await shown('customer-tasks', 'data-task')).toEqual(await tasksUpTo(NOW.toISOString()));

    await page.goto(`${h.url}/app/customers/W-1?asOf=2026-06-14`);
    expect(await shown('customer-requests', 'data-request')).toEqual([]);
    expect(await shown('customer-alerts', 'data-sequence')).toEqual(before);
    expect(await shown('customer-tasks', 'data-task')).toEqual(await tasksUpTo('2026-06-14T23:59:59.999Z'));
    // held orders are the as-of state's too: W-3's O-9, placed and held 06-11, released now (06-15)
    await page.goto(`${h.url}/app/customers/W-3`);
    expect(await shown('customer-held', 'data-order')).toEqual([]);
    await page.goto(`${h.url}/app/customers/W-3?asOf=2026-06-12`);
    expect(await shown('customer-held', 'data-order')).toEqual(['O-9']);
    await page.goto(`${h.url}/app/customers/W-3?asOf=2026-06-10`);
    expect(await shown('customer-held', 'data-order')).toEqual([]);
    await page.close();
  });

  it('pushes a live alert to the page within a second of its event', async () => {
    const page = await signIn(KEYS.analyst);
    await page.goto(`${h.url}/app/alerts`);
    await page.locator('#feed[data-ready]').waitFor({ state: 'attached' });
    const done = await h.send(
      'POST',
      '/customers/W-2/blacklist',
      { reason: 'fraud suspected' },
      KEYS.finance,
    );
    expect(done.status).toBe(200);
    const sent = Date.now();
    const item = page.locator('#feed li', { hasText: 'CustomerBlacklisted' });
    await item.waitFor({ timeout: 5000 });
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(await item.textContent()).toContain('W-2');
    await screenshot(page, 'alerts');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('lists the month-end reports with PDF and CSV downloads', async () => {
    const page = await signIn(KEYS.reader);
    const pdf = await page.request.get(`${h.url}/app/reports/2026-05/pdf`);
    expect([pdf.status(), pdf.headers()['content-type']]).toEqual([200, 'application/pdf']);
    const csv = await page.request.get(`${h.url}/app/reports/2026-05/csv`);
    expect(await csv.text()).toMatch(/^section,month,.*\r\nkpis,2026-05,/s);
    await page.goto(`${h.url}/app/reports`);
    expect(await page.locator('#reports a[href="/app/reports/2026-05/pdf"]').count()).toBe(1);
    await screenshot(page, 'reports');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('works the collection-task queue: contact, promise and close through the API command, role-checked', async () => {
    const apiTasks = async (status = 'open') =>
      (await h.get(`/collections/tasks?status=${status}`)).body.items as Array<{
        taskId: string;
        customerId: string;
        status: string;
        closeReason: string | null;
        lastAction: {
          action: string;
          by: string;
          promisedOn: string | null;
          promisedAmount: string | null;
        } | null;
      }>;
    const task = (await apiTasks()).find((k) => k.customerId === 'W-1')!;
    expect(task).toBeDefined();
    const row = (page: Page) => page.locator(`#collection-tasks tr[data-task="${task.taskId}"]`);

    // a reader sees the queue (the same open tasks as the API), no forms, and the server refuses the action
    const reader = await signIn(KEYS.reader);
    await reader.goto(`${h.url}/app/queues/collections`);
    const shown = await reader
      .locator('#collection-tasks tr[data-task]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task')));
    expect(shown).toEqual((await apiTasks()).map((k) => k.taskId));
    expect(await row(reader).locator('form').count()).toBe(0);
    const token = JSON.parse((await reader.getAttribute('body', 'hx-headers'))!)['x-csrf-token'];
    const cookie = (await reader.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const actionUrl = `${h.url}/app/collections/tasks/${encodeURIComponent(task.taskId)}/actions`;
    const forged = await fetch(actionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-csrf-token': token },
      body: 'customerId=W-1&action=close&note=mine',
    });
    expect(forged.status).toBe(403);
    await reader.close();

    const page = await signIn(KEYS.analyst);
    await page.goto(`${h.url}/app/queues/collections?owner=S-1`);
    expect(await row(page).count()).toBe(1);
    await screenshot(page, 'collections');
    expect(await seriousA11yViolations(page)).toEqual([]);
    // without a CSRF token the same post is refused
    const analystCookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const noToken = await fetch(actionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: analystCookie },
      body: 'customerId=W-1&action=contact&note=x',
    });
    expect(noToken.status).toBe(403);

    await row(page).locator('input[name=note]').fill('called Sara, invoice INV-1 acknowledged');
    await row(page).locator('button.contact').click();
    await row(page).locator('.last-action [data-action=contact]').waitFor();
    await row(page).locator('input[name=note]').fill('pays part at month end');
    await row(page).locator('input[name=promisedOn]').fill('2026-06-30');
    await row(page).locator('input[name=promisedAmount]').fill('1000.00');
    await row(page).locator('button.promise').click();
    await row(page).locator('.last-action [data-action=promise]').waitFor();
    expect((await apiTasks()).find((k) => k.taskId === task.taskId)!.lastAction).toMatchObject({
      action: 'promise',
      by: 'carl',
      promisedOn: '2026-06-30',
      promisedAmount: '1000.00',
    });
    // a promise in the past is refused with the domain's message, in the flash area
    await row(page).locator('input[name=note]').fill('late');
    await row(page).locator('input[name=promisedOn]').fill('2026-06-01');
    await row(page).locator('input[name=promisedAmount]').fill('1000.00');
    await row(page).locator('button.promise').click();
    await page.locator('#flash .flash.error').waitFor();
    expect(await page.locator('#flash').textContent()).toContain('before today');

    await row(page).locator('input[name=note]').fill('agreed plan, closing');
    await row(page).locator('input[name=promisedOn]').fill('');
    await row(page).locator('input[name=promisedAmount]').fill('');
    await row(page).locator('button.close').click();
    await page.locator('#collection-tasks .flash[role=status]').waitFor();
    await page.reload();
    expect(await row(page).count()).toBe(0);
    expect((await apiTasks('closed')).find((k) => k.taskId === task.taskId)).toMatchObject({
      status: 'closed',
      closeReason: 'resolved',
    });
    const events = await h.query<{
      type: string;
      payload: { action?: string; by?: string; reason?: string };
    }>(
      `SELECT type, payload FROM ledger_events WHERE customer_id = 'W-1'
          AND type IN ('CollectionActionRecorded', 'CollectionTaskClosed') ORDER BY sequence`,
    );
    expect(events.map((e) => [e.type, e.payload.action ?? e.payload.reason, e.payload.by ?? null])).toEqual([
      ['CollectionActionRecorded', 'contact', 'carl'],
      ['CollectionActionRecorded', 'promise', 'carl'],
      ['CollectionActionRecorded', 'close', 'carl'],
      ['CollectionTaskClosed', 'resolved', null],
    ]);
    await page.close();
  });

  it('refuses a session past its expiry: back to the sign-in page', async () => {
    const page = await signIn(KEYS.reader);
    await page.goto(`${h.url}/app/queues/held-orders`);
    expect(page.url()).toMatch(/\/app\/queues\/held-orders$/);
    // SESSION_TTL_MINUTES defaults to 480: one minute past it, the same cookie is no session
    now = new Date(NOW.getTime() + 481 * 60_000);
    try {
      await page.goto(`${h.url}/app/queues/held-orders`);
      expect(page.url()).toMatch(/\/app\/sign-in$/);
      const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const r = await fetch(`${h.url}/app/dashboard`, { redirect: 'manual', headers: { cookie } });
      expect([r.status, r.headers.get('location')]).toEqual([303, '/app/sign-in']);
      const htmx = await fetch(`${h.url}/app/queues/approvals`, {
        redirect: 'manual',
        headers: { cookie, 'hx-request': 'true' },
      });
      expect([htmx.status, htmx.headers.get('hx-redirect')]).toEqual([401, '/app/sign-in']);
    } finally {
      now = NOW;
    }
    await page.close();
  });

  it('pages a timeline beyond 50 events, newest first', async () => {
    // W-5: onboarded, then 35 invoices and 35 payments in GBP (71 events), all before NOW
    const day = (i: number) => new Date(Date.UTC(2026, 0, 10) + i * 86_400_000).toISOString().slice(0, 10);
    const events = [
      onboarded('W-5', '2026-01-02T09:00:00Z', {
        name: 'Many Events plc',
        currency: 'GBP',
        creditLimit: '5000.00',
      }),
    ];
    for (let i = 0; i < 35; i++) {
      events.push(invoice('W-5', `INV-5-${i}`, '10.00', 'GBP', day(i * 4), day(i * 4 + 30)));
      events.push(
        wire('W-5', 'PaymentReceived', `${day(i * 4 + 2)}T10:00:00Z`, {
          paymentId: `PAY-5-${i}`,
          amount: '10.00',
          currency: 'GBP',
          receivedOn: day(i * 4 + 2),
          allocations: [{ invoiceId: `INV-5-${i}`, amount: '10.00' }],
        }),
      );
    }
    await h.publish(events);
    await h.waitForIngestion();
    const api = await h.get('/customers/W-5/timeline?limit=500');
    const versions = api.body.items.map((e: { streamVersion: number }) => e.streamVersion).reverse();
    expect(versions.length).toBeGreaterThan(70);

    const page = await signIn(KEYS.reader);
    await page.goto(`${h.url}/app/customers/W-5`);
    const shown = () =>
      page
        .locator('#timeline tr[data-version]')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-version'))));
    expect(await shown()).toEqual(versions.slice(0, 50));
    await page.click('#timeline-older');
    await page.locator(`#timeline tr[data-version="${versions[versions.length - 1]}"]`).waitFor();
    expect(await shown()).toEqual(versions);
    expect(await page.locator('#timeline-older').count()).toBe(0);
    await screenshot(page, 'customer-timeline');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('refuses forged requests: no CSRF token, a foreign token, a tampered session', async () => {
    const page = await signIn(KEYS.analyst);
    // (an analyst may see the account owner's name: it is opened for that role, and the read is logged)
    expect(await page.locator('script.chart-options').textContent()).toContain('S-1 Sara');
    const cookieHeader = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${h.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader, ...headers },
        body,
      });
    expect((await post('/app/sign-out', '')).status).toBe(403);
    expect((await post('/app/sign-out', '_csrf=forged-token')).status).toBe(403);
    expect((await post('/app/sign-in', `key=${KEYS.admin}`, { cookie: '' })).status).toBe(403);
    // a session cookie whose signature does not match is no session
    const tampered = cookieHeader.replace(/cl_session=([^;.]+)/, (_, v: string) => `cl_session=${v}x`);
    const r = await fetch(`${h.url}/app/dashboard`, { redirect: 'manual', headers: { cookie: tampered } });
    expect([r.status, r.headers.get('location')]).toEqual([303, '/app/sign-in']);
    // the pages carry a strict Content-Security-Policy
    const csp = (await fetch(`${h.url}/app/sign-in`)).headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self'");
    await page.close();
  });

  // Last: it puts a policy version in force (the same rules, the next version number).
  it('approves and rejects policy proposals from the approvals page: four eyes, CSRF, the API handler', async () => {
    const current = (await h.get('/policy')).body.policy;
    const propose = async (key: string, note: string): Promise<string> => {
      const r = await h.send(
        'POST',
        '/policy/proposals',
        { policy: { ...current, version: current.version + 1 }, note },
        key,
      );
      expect(r.status).toBe(201);
      return r.body.proposalId;
    };
    // The page's proposals are the inbox's (GET /approvals policyProposals) for the same principal.
    const proposalsOn = async (page: Page, key: string) => {
      await page.goto(`${h.url}/app/queues/approvals`);
      const shown = await page
        .locator('#policy-proposals tr[data-proposal]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-proposal')));
      const api = (await h.get('/approvals', key)).body.policyProposals.map(
        (p: { proposalId: string }) => p.proposalId,
      );
      expect(shown).toEqual(api);
      return shown;
    };
    const outcome = async (page: Page) => {
      await page.locator('#flash .flash, #policy-proposals .flash').first().waitFor();
      return (await page.locator('#flash, #policy-proposals .flash').allTextContents()).join(' ');
    };

    // An admin's proposal: not for a reader; a cfo turns it down with a reason.
    const first = await propose(KEYS.admin, 'same rules, next version');
    const reader = await signIn(KEYS.reader);
    expect(await proposalsOn(reader, KEYS.reader)).toEqual([]);
    await reader.close();
    const cleo = await signIn(KEYS.cfo);
    expect(await proposalsOn(cleo, KEYS.cfo)).toEqual([first]);
    await cleo.fill(`#preason-${first}`, 'not this quarter');
    await cleo.locator(`tr[data-proposal="${first}"] button.reject`).click();
    expect(await outcome(cleo)).toContain('Done');
    expect(await proposalsOn(cleo, KEYS.cfo)).toEqual([]);
    expect((await h.get(`/policy/proposals/${first}`)).body).toMatchObject({
      status: 'rejected',
      closedBy: 'cleo',
      closeReason: 'not this quarter',
    });

    // The cfo's own proposal: not in her inbox; posted anyway it is refused (four eyes), and without a token (CSRF).
    const second = await propose(KEYS.cfo, 'again');
    expect(await proposalsOn(cleo, KEYS.cfo)).toEqual([]);
    const token = JSON.parse((await cleo.getAttribute('body', 'hx-headers'))!)['x-csrf-token'];
    const cookie = (await cleo.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (headers: Record<string, string>) =>
      fetch(`${h.url}/app/policy/proposals/${second}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
        body: '',
      });
    expect((await post({})).status).toBe(403);
    const own = await post({ 'x-csrf-token': token });
    expect(own.status).toBe(403);
    expect(await own.text()).toMatch(/four-eyes/);
    await cleo.close();
    // A finance-manager is not a policy approver: no buttons, no proposals.
    const fiona = await signIn(KEYS.finance);
    expect(await proposalsOn(fiona, KEYS.finance)).toEqual([]);
    await fiona.close();

    // The general manager approves it: the last approval needed puts the version in force.
    const gina = await signIn(KEYS.gm);
    expect(await proposalsOn(gina, KEYS.gm)).toEqual([second]);
    await gina.locator(`tr[data-proposal="${second}"] button.approve`).click();
    expect(await outcome(gina)).toContain(`policy version ${current.version + 1} is now in force`);
    expect(await proposalsOn(gina, KEYS.gm)).toEqual([]);
    expect(await seriousA11yViolations(gina)).toEqual([]);
    await gina.close();
    const latest = (await h.get('/policy/versions')).body.items.at(-1);
    expect(latest).toMatchObject({
      version: current.version + 1,
      createdBy: 'cleo',
      approvedBy: ['gina'],
      approvedRoles: ['general-manager'],
    });
  });
});
