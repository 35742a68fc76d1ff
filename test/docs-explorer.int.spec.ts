import { chromium, type Browser } from 'playwright-core';
import { KEYS, LedgerHarness } from './support/ledger-harness';

/**
 * The API explorer as a person uses it, in headless Chromium: the page asks for a key, loads the OpenAPI document
 * with it, lists the operations, and "Try it out" answers with the key sent along.
 */
describe('API explorer (/docs)', () => {
  let h: LedgerHarness;
  let browser: Browser;

  beforeAll(async () => {
    h = await LedgerHarness.start();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('loads the document with the API key typed in, and tries an operation with it', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/docs`);
    await page.fill('#apikey', KEYS.reader);
    await page.click('button[type=submit]');
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths).toEqual(expect.arrayContaining(['/customers/{id}', '/policy', '/health/ready']));

    const policy = page.locator('#operations-policy-PolicyController_current');
    await policy.locator('.opblock-summary').click();
    await policy.locator('button.try-out__btn').click();
    await policy.locator('button.execute').click();
    const status = policy.locator('.live-responses-table .response-col_status');
    await status.nth(1).waitFor({ timeout: 10_000 });
    expect((await status.nth(1).textContent())?.trim()).toBe('200');
    expect(await policy.locator('.live-responses-table .microlight').first().textContent()).toContain(
      '"weights"',
    );
  });

  it('loads nothing without a key: the page itself holds no API description', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/docs`);
    await page.click('button[type=submit]');
    const errors = page.locator('.swagger-ui .errors-wrapper');
    await errors.waitFor({ timeout: 20_000 });
    expect(await errors.textContent()).toMatch(/401|Unauthorized/);
    expect(await page.locator('.opblock').count()).toBe(0);
  });
});
