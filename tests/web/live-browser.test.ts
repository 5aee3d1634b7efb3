/**
 * The live post page in a real browser at 360 px (ADR 039): the delivery state turns published by itself (the
 * event stream, no reload), cancel and "delete from platform" ask first, the deletion shows up live; the import page.
 * axe-core on every step, and nothing wider than the viewport.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { expectAccessible, launchBrowser, signInBrowser } from '../support/browser';
import { startWorkerForApp } from '../pipeline/harness';
import type { DeliveryWorker } from '../../workers/runner';
import { createPost } from '../../app/models/posts.server';
import { users } from '../../db/schema';

let app: TestApp;
let browser: Browser;
let worker: DeliveryWorker | null = null;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});
afterAll(async () => {
  await worker?.stop();
  await browser?.close();
  await app?.close();
});

async function login(page: Page, role: string) {
  const u = await signInBrowser(page, app, role);
  const [row] = await app.db.db.select().from(users).where(eq(users.email, u.email));
  return row!;
}

describe('the live post page at 360 px', () => {
  it('turns published by itself, then deletes from the platform after asking, live; cancel asks first; /import', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const officer = await login(page, 'communications');
    const { post } = await createPost(app.db.db, { text: 'Webbläsartest: Dunkers kulturhus har ny utställning.', channelKeys: ['x-helsingborg'], kind: 'general', authorRole: 'communications', createdBy: officer.id, actorLabel: 'user' });

    await page.goto(`${app.url}/inlagg/${post.id}`, { waitUntil: 'networkidle' });
    await page.getByText('I kö', { exact: true }).waitFor();
    await expectAccessible(page, 'post page (queued)');
    // A mark on this document: if the page reloaded, it would be gone.
    await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 1));

    worker = await startWorkerForApp(app, 'live-browser', { concurrency: 2 });
    await page.getByText('Publicerad', { exact: true }).waitFor({ timeout: 20_000 });
    await page.getByRole('link', { name: /^http/ }).waitFor();
    expect(await page.getByText(/^\d+([,.]\d)? s$/).count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).toBe(1);
    await expectAccessible(page, 'post page (published)');

    await page.getByRole('button', { name: /Ta bort från plattformen/ }).click();
    await page.getByRole('heading', { name: 'Ta bort inlägget från Helsingborgs stad på X?' }).waitFor();
    await expectAccessible(page, 'delete confirmation');
    await page.getByLabel('Skäl till borttagningen').fill('Fel bild');
    await page.getByRole('button', { name: 'Ja, ta bort från plattformen' }).click();
    await page.getByText('Borttaget från plattformen').waitFor({ timeout: 20_000 });
    await expectAccessible(page, 'post page (deleted)');

    const later = await createPost(app.db.db, {
      text: 'Webbläsartest: ska kanske avbrytas.',
      channelKeys: ['facebook-helsingborg'],
      kind: 'general',
      authorRole: 'communications',
      createdBy: officer.id,
      actorLabel: 'user',
      scheduledAt: new Date(Date.now() + 86_400_000),
    });
    await page.goto(`${app.url}/inlagg/${later.post.id}`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: /Avbryt/ }).click();
    await page.getByRole('heading', { name: 'Avbryta publiceringen?' }).waitFor();
    await expectAccessible(page, 'cancel confirmation');
    await page.getByRole('link', { name: 'Nej, gå tillbaka' }).click();
    await page.getByText('Schemalagd', { exact: true }).waitFor();

    // The calendar's list view (issue 10), filtered, and its cancel question.
    await page.goto(`${app.url}/planering/lista?kind=general&text=avbrytas`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Planering – lista' }).waitFor();
    await expectAccessible(page, '/planering/lista');
    await page.getByRole('button', { name: /Avbryt inlägget/ }).click();
    await page.getByRole('heading', { name: 'Avbryta inlägget?' }).waitFor();
    await expectAccessible(page, '/planering/lista (cancel question)');
    await page.getByRole('button', { name: 'Ja, avbryt publiceringen' }).click();
    await page.locator('.state-cancelled').first().waitFor();

    await page.goto(`${app.url}/import`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Import från flöden' }).waitFor();
    await expectAccessible(page, '/import');
    await page.close();
  });
});
