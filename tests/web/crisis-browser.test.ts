/**
 * The incident journey in a real browser at phone width (360 px): open with pause-all, check the channel variants,
 * publish, the status board and the pause banner; axe-core on every step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { axeViolations, launchBrowser } from '../support/browser';

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function expectAccessible(page: Page, label: string) {
  const violations = await axeViolations(page);
  expect(violations, `${label}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  // Reflow (WCAG 1.4.10): nothing wider than the 360 px viewport.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${label}: horizontal overflow`).toBeLessThanOrEqual(0);
}

describe('/kris at 360 px', () => {
  it('an emergency manager opens an incident, checks every channel and publishes; the banner shows everywhere', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const u = app.seed.demoUsers.find((x) => x.role === 'emergency')!;
    await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('E-postadress').fill(u.email);
    await page.getByLabel('Lösenord').fill(app.seed.demoPassword);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('heading', { name: 'Översikt' }).waitFor();

    await page.goto(`${app.url}/kris`, { waitUntil: 'networkidle' });
    await expectAccessible(page, '/kris');
    await page.getByLabel('Rubrik', { exact: true }).fill('Otjänligt dricksvatten');
    await page.getByLabel('Område', { exact: true }).fill('Ödåkra');
    expect(await page.getByLabel('Pausa alla vanliga schemalagda inlägg i hela organisationen').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Öppna händelse' }).click();
    await page.getByRole('heading', { name: 'Otjänligt dricksvatten' }).waitFor();
    await page.getByText('Alla vanliga inlägg är pausade').waitFor();
    await expectAccessible(page, 'incident');

    await page.getByLabel('Mall', { exact: true }).selectOption('boil_water');
    await page.getByLabel('Tid', { exact: true }).fill('kl. 07.00');
    await page.getByRole('button', { name: 'Granska kanalerna' }).click();
    await page.getByRole('heading', { name: 'Så blir det i varje kanal' }).waitFor();
    expect(await page.getByText('Boil drinking water in Ödåkra').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'preview');

    await page.getByRole('button', { name: 'Publicera' }).click();
    await page.getByRole('heading', { name: /^1\. Larm/ }).waitFor();
    await expectAccessible(page, 'status board');

    await page.goto(`${app.url}/inlagg`);
    await page.getByText('Alla vanliga inlägg är pausade').waitFor();
    await page.close();
  });
});
