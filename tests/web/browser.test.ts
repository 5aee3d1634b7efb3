import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { expectNoAxeViolations, launchBrowser, signInBrowser } from '../support/browser';
import { eq } from 'drizzle-orm';
import { publicRecords, registerExports } from '../../db/schema';
import { contentHash } from '../../db/register';

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const login = (page: Page, role: string) => signInBrowser(page, app, role);

describe('the console in a real browser', () => {
  it('logs in, shows the Swedish shell, passes axe on every page, and logs out', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/login`);
    await expectNoAxeViolations(page, '/login');
    const u = await login(page, 'admin');
    await expect(page.getByRole('navigation', { name: 'Huvudmeny' }).isVisible()).resolves.toBe(true);
    for (const name of ['Planering/kalender', 'Skriv inlägg', 'Kris', 'Inkorg', 'Diarium', 'Kanaler', 'Administration']) {
      expect(await page.getByRole('link', { name, exact: true }).count(), name).toBe(1);
    }
    expect(await page.getByText(`Inloggad som ${u.name}`).isVisible()).toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');
    expect(await page.getByText(/Vecka \d{1,2}/).isVisible()).toBe(true);

    const pages = await page.$$eval('nav[aria-label="Huvudmeny"] a', (links) => links.map((a) => (a as HTMLAnchorElement).pathname));
    for (const path of ['/', ...pages, '/kanaler/halsa']) {
      await page.goto(`${app.url}${path}`);
      expect(await page.locator('h1').count(), path).toBeGreaterThan(0);
      await expectNoAxeViolations(page, path);
    }
    await page.goto(`${app.url}/finns-inte`);
    await expectNoAxeViolations(page, '404');

    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.getByRole('heading', { name: 'Logga in' }).waitFor();
    await page.goto(`${app.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.close();
  });

  it('switches to English and back, and shows 403 for a page the role may not see', async () => {
    const page = await browser.newPage();
    await login(page, 'registrar');
    await page.getByRole('button', { name: 'In English' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('button', { name: 'På svenska' }).click();
    await page.getByRole('heading', { name: 'Översikt' }).waitFor();
    const res = await page.goto(`${app.url}/admin`);
    expect(res?.status()).toBe(403);
    expect(await page.getByRole('heading', { name: 'Åtkomst nekad' }).isVisible()).toBe(true);
    await expectNoAxeViolations(page, '403');
    await page.close();
  });

  it('the channel health page passes axe and reflows at 360 px', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 800 } });
    await login(page, 'admin');
    await page.goto(`${app.url}/kanaler/halsa`);
    await page.getByRole('heading', { name: 'Kanalernas hälsa' }).waitFor();
    await expectNoAxeViolations(page, '/kanaler/halsa (360 px)');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), '/kanaler/halsa at 360 px').toBe(true);
    await page.close();
  });

  it('the register: search, an impossible date, a record page and verification pass axe and reflow at 360 px', async () => {
    const content = { text: 'Badplatsen vid Råå öppnar igen efter algblomningen.' };
    const [row] = await app.db.db
      .insert(publicRecords)
      .values({ kind: 'outgoing_post', direction: 'outgoing', counterparty: 'Helsingborgs stad', summary: 'Badplatsen vid Råå öppnar igen', content, contentSha256: contentHash(content) })
      .returning({ id: publicRecords.id });
    const page = await browser.newPage({ viewport: { width: 360, height: 800 } });
    await login(page, 'registrar');
    const fitsWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await page.goto(`${app.url}/diarium`);
    await page.getByLabel('Fritext').fill('badplatsen');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    await page.getByRole('link', { name: /SOC \d{4}\/\d{6}/ }).first().waitFor();
    await expectNoAxeViolations(page, '/diarium (results)');
    expect(await fitsWidth(), '/diarium at 360 px').toBe(true);
    await page.goto(`${app.url}/diarium?from=2026-02-30`);
    expect(await page.getByText('Det datumet finns inte i kalendern').isVisible()).toBe(true);
    await expectNoAxeViolations(page, '/diarium (error)');
    await page.getByRole('button', { name: 'Verifiera diariet' }).click();
    await page.getByText('Diariet är helt').waitFor();
    await expectNoAxeViolations(page, '/diarium (verified)');
    await page.goto(`${app.url}/diarium/${row!.id}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/Post SOC/);
    await expectNoAxeViolations(page, '/diarium/$id');
    expect(await fitsWidth(), '/diarium/$id at 360 px').toBe(true);
    // A long export (ADR 036): the form works without a worker in this app; the finished page is checked (the waiting
    // one reloads itself every three seconds, which would interrupt axe).
    await page.goto(`${app.url}/diarium?q=badplatsen`);
    await page.getByRole('button', { name: 'Skapa CSV-fil' }).click();
    await page.getByRole('heading', { name: 'Export av diariet' }).waitFor();
    const exportId = /\/diarium\/export\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
    await app.db.db.update(registerExports).set({ state: 'done', rowsTotal: 1, rowsWritten: 1, bytes: 10, sha256: 'a'.repeat(64) }).where(eq(registerExports.id, exportId));
    await page.goto(`${app.url}/diarium/export/${exportId}`);
    await page.getByRole('link', { name: 'Ladda ner filen' }).waitFor();
    await expectNoAxeViolations(page, '/diarium/export/$id');
    expect(await fitsWidth(), '/diarium/export/$id at 360 px').toBe(true);
    // Retention (gallring, ADR 036): a class with records past it, so the decision form is shown too.
    await page.goto(`${app.url}/diarium/gallring`);
    await page.getByLabel('Bevarande').selectOption('years');
    await page.getByLabel('Antal år').fill('0');
    await page.locator('#retention-basis').fill('DHP 4.2');
    await page.getByRole('button', { name: 'Spara gallringsklass' }).click();
    await page.getByText('Gallringsklassen sparades').waitFor();
    await expectNoAxeViolations(page, '/diarium/gallring');
    expect(await fitsWidth(), '/diarium/gallring at 360 px').toBe(true);
    await page.close();
  });
});
