import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/**
 * Chromium from @sparticuz/chromium (inside the npm package, so a fresh machine needs no other install), or
 * CHROMIUM_PATH (e.g. Debian's /usr/bin/chromium) when set.
 */
export async function launchBrowser(): Promise<Browser> {
  if (process.env.CHROMIUM_PATH) {
    return playwright.launch({ executablePath: process.env.CHROMIUM_PATH, headless: true, args: ['--disable-dev-shm-usage', '--disable-gpu'] });
  }
  const { default: chromium } = await import('@sparticuz/chromium');
  // Its defaults are for one-shot serverless use: in --single-process mode closing the last page ends the browser,
  // and the tests open several pages in turn.
  const args = chromium.args.filter((a: string) => a !== '--single-process');
  return playwright.launch({ executablePath: await chromium.executablePath(), args, headless: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

let axeSource: string | undefined;

/** Runs axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP (rightly) does not allow as an inline script.
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/**
 * Signs in through the login form as the seeded demo user of `role` and waits for the overview; returns that user.
 * Fills in only once the page is hydrated, as a person would: React must not reset what was typed.
 */
export async function signInBrowser<U extends { role: string; email: string }>(page: Page, app: { url: string; seed: { demoUsers: U[]; demoPassword: string } }, role: string): Promise<U> {
  const u = app.seed.demoUsers.find((x) => x.role === role);
  if (!u) throw new Error(`no demo user with role ${role}`);
  await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('E-postadress').fill(u.email);
  await page.getByLabel('Lösenord').fill(app.seed.demoPassword);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('heading', { name: 'Översikt' }).waitFor();
  return u;
}

/** axe-core finds nothing on the page as it is now; the failure lists what it found. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) throw new Error(`${label}: axe found ${JSON.stringify(violations, null, 1)}`);
}

/** axe-core finds nothing, and the page reflows (WCAG 1.4.10): nothing wider than the viewport. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await expectNoAxeViolations(page, label);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`${label}: horizontal overflow of ${overflow} px`);
}
