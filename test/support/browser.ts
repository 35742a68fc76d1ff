/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page: they see the DOM.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless (installed by .ci/run when missing). One browser per suite keeps suites fast. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** Screenshots go here (git-ignored): one per page a suite visits, to look at after a run. */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (ids and the first offending nodes). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (ctx: Document) => Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
          }>;
        };
      }
    ).axe;
    const r = await axe.run(document);
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

type Strings = { [key: string]: string | Strings };
const flatten = (o: Strings, prefix = ''): Array<[string, string]> =>
  Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : flatten(v, `${prefix}${k}.`),
  );

/**
 * What a page shows untranslated in a language: a raw key (`whatIf.title`: a key no locale has), or a whole
 * English label where the language has its own (a fallback or a label written into a template). Read from the
 * visible text, the labelling attributes and the chart options' strings (charts draw on a canvas).
 */
export async function untranslatedTexts(page: Page, en: Strings, other: Strings): Promise<string[]> {
  const theirs = new Map(flatten(other));
  const keys = flatten(en).map(([k]) => k);
  const english = new Set(
    flatten(en)
      .filter(([k, v]) => theirs.get(k) !== v && /[A-Za-z]{3}/.test(v) && !v.includes('{{'))
      .map(([, v]) => v.trim()),
  );
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest('script, style, textarea') || parent.closest('[hidden]')) continue;
      const t = n.textContent?.trim();
      if (t) out.push(t);
    }
    for (const el of Array.from(document.querySelectorAll('[aria-label], [title], [placeholder]'))) {
      for (const a of ['aria-label', 'title', 'placeholder']) {
        const v = el.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    const strings = (v: unknown): string[] =>
      typeof v === 'string'
        ? [v]
        : Array.isArray(v)
          ? v.flatMap(strings)
          : v && typeof v === 'object'
            ? Object.values(v).flatMap(strings)
            : [];
    for (const s of Array.from(document.querySelectorAll('script.chart-options'))) {
      out.push(...strings(JSON.parse(s.textContent ?? '{}')).map((x) => x.trim()));
    }
    return out;
  });
  const keyIn = (t: string) =>
    keys.some((k) => new RegExp(`(^|[^\\w.])${k.replace(/\./g, '\\.')}($|[^\\w.])`).test(t));
  return [...new Set(texts.filter((t) => english.has(t) || keyIn(t)))];
}
