/**
 * The whole incident journey in a real browser at phone width (360 px), with a real worker publishing to the
 * simulators (issue 11, "Done means"): open an incident with pause-all, publish boil-water advice in Swedish and
 * English to X, Facebook and Instagram (with its image card), all six deliveries turn published on the status board,
 * an update (an X reply on the simulator), the all-clear; a news post scheduled inside the incident stays held and is
 * published after resume. axe-core on every step, and no horizontal overflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { expectAccessible, launchBrowser } from '../support/browser';
import type { DeliveryWorker } from '../../workers/runner';
import { defaultDeliveryPolicy } from '../../workers/lib/policy';
import { createPost } from '../../app/models/posts.server';
import { deliveries } from '../../db/schema';
import { silentLog, startWorkerForApp, waitFor } from '../pipeline/harness';
import { areaFilterOf, parseCapSources, pollCapSources } from '../../workers/lib/cap-poll';

let app: TestApp;
let browser: Browser;
let worker: DeliveryWorker;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  // Instagram fetches the card from the web app's /media route, as in production.
  worker = await startWorkerForApp(app, 'crisis-browser', {
    platformTimeoutMs: 10_000,
    policy: { ...defaultDeliveryPolicy, backoffBaseMs: 200, backoffCapMs: 1_000 },
  });
}, 240_000);
afterAll(async () => {
  await worker?.stop();
  await browser?.close();
  await app?.close();
});

/** The status board of message n: every row published (the page updates itself while something is on its way). */
async function boardPublished(page: Page, seq: number, rows: number) {
  const board = page.locator('article').filter({ has: page.getByRole('heading', { name: new RegExp(`^${seq}\\. `) }) });
  await board.waitFor();
  await expect
    .poll(async () => [await board.locator('tbody tr').count(), await board.locator('.state-published').count()], { timeout: 90_000, interval: 500 })
    .toEqual([rows, rows]);
}

describe('/kris at 360 px', () => {
  it('open with pause-all, publish to X, Facebook and Instagram with the card, update as an X reply, all-clear, resume the held news post', async () => {
    // A news post due inside the incident (in 40 s): the pause must hold it.
    const news = await createPost(app.db.db, {
      text: 'Nyhet: Bibliotekets nya öppettider från måndag.',
      channelKeys: ['x-helsingborg'],
      kind: 'general',
      scheduledAt: new Date(Date.now() + 40_000),
      createdBy: null,
      actorLabel: 'test',
    });
    const newsDelivery = news.deliveries[0]!;
    // An incoming warning for the city from the simulators' VMA-style feed (what cap__poll does every minute).
    const polled = await pollCapSources(app.db.db, parseCapSources(`json:${app.sims.url}/feeds/vma.json`), areaFilterOf('1283,12', 'Helsingborg'), { timeoutMs: 5_000, log: silentLog });
    expect(polled[0]).toMatchObject({ ok: true, recorded: 1 });

    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const u = app.seed.demoUsers.find((x) => x.role === 'emergency')!;
    await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('E-postadress').fill(u.email);
    await page.getByLabel('Lösenord').fill(app.seed.demoPassword);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('heading', { name: 'Översikt' }).waitFor();

    // The banner shows on every page; "open an incident from this" fills in the form.
    await page.getByText('Ny varning för Helsingborg: Rökutveckling vid brand i Helsingborgs hamn (vma@sr.se)').waitFor();
    await expectAccessible(page, 'warning banner');
    await page.getByRole('link', { name: 'Öppna en händelse från den här' }).click();
    await page.getByText('Ifyllt från CAP-larmet ”Rökutveckling vid brand i Helsingborgs hamn”', { exact: false }).waitFor();
    expect(await page.getByLabel('Rubrik', { exact: true }).inputValue()).toBe('Rökutveckling vid brand i Helsingborgs hamn');
    await expectAccessible(page, '/kris');
    await page.getByLabel('Rubrik', { exact: true }).fill('Otjänligt dricksvatten');
    await page.getByLabel('Område', { exact: true }).fill('Ödåkra');
    expect(await page.getByLabel('Pausa alla vanliga schemalagda inlägg i hela organisationen').isChecked()).toBe(true);
    // The warning was in Swedish only: English is added for this message.
    expect(await page.getByLabel('Svenska', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('Engelska', { exact: true }).check();
    await page.getByRole('button', { name: 'Öppna händelse' }).click();
    await page.getByRole('heading', { name: 'Otjänligt dricksvatten' }).waitFor();
    await page.getByText('Alla vanliga inlägg är pausade').waitFor();
    // Opened from the warning: its banner is gone for good.
    expect(await page.getByText('Ny varning för Helsingborg').count()).toBe(0);
    await expectAccessible(page, 'incident');
    await waitFor(async () => (await app.db.db.select().from(deliveries).where(eq(deliveries.id, newsDelivery.id)))[0]?.state === 'held', 20_000, 'news post held');

    // Boil-water advice in Swedish and English; X, Facebook and Instagram are chosen by default, YouTube is added to
    // see that the screen says why it is not sent there.
    // The first message starts from the warning (smoke advice for Helsingborg); this one is about the water.
    await page.getByText('Ifyllt från CAP-larmet ”Rökutveckling vid brand i Helsingborgs hamn”. Välj mall, granska och publicera.').waitFor();
    expect(await page.getByLabel('Mall', { exact: true }).inputValue()).toBe('fire_smoke');
    await page.getByLabel('Mall', { exact: true }).selectOption('boil_water');
    await page.getByLabel('Område', { exact: true }).fill('Ödåkra');
    await page.getByLabel('Vad ska man göra (tomt = mallens råd)').fill('');
    await page.getByLabel('Tid', { exact: true }).fill('kl. 07.00');
    await page.getByLabel('Helsingborgs stad på YouTube', { exact: true }).check();
    for (const name of ['Helsingborgs stad på X', 'Helsingborgs stad på Facebook', 'Helsingborgs stad på Instagram']) expect(await page.getByLabel(name, { exact: true }).isChecked(), name).toBe(true);
    await page.getByRole('button', { name: 'Granska kanalerna' }).click();
    await page.getByRole('heading', { name: 'Så blir det i varje kanal' }).waitFor();
    expect(await page.getByText('Boil drinking water in Ödåkra').count()).toBeGreaterThan(0);
    expect(await page.getByText(/Helsingborgs stad på YouTube: Skickas inte – YouTube tar bara emot meddelandet med en bifogad video/).count()).toBe(2);
    // Instagram is checked with its image card, so it accepts the message.
    expect(await page.getByText('Helsingborgs stad på Instagram: OK').count()).toBe(2);
    await expectAccessible(page, 'preview');

    await page.getByRole('button', { name: 'Publicera' }).click();
    await page.getByRole('heading', { name: /^1\. Larm/ }).waitFor();
    await boardPublished(page, 1, 6);
    await expectAccessible(page, 'status board');
    const posts = app.sims.hub.posts;
    const igPosts = posts.filter((p) => p.platform === 'instagram');
    expect(igPosts).toHaveLength(2);
    for (const p of igPosts) expect(p.media[0]).toMatchObject({ mimeType: 'image/jpeg', altText: expect.stringContaining('Ödåkra') });
    const firstX = posts.find((p) => p.platform === 'x' && p.text.startsWith('Koka dricksvattnet i Ödåkra'))!;
    expect(firstX.media[0]?.altText).toBe(firstX.text);

    // The update: on X a reply to the first post.
    await page.getByLabel('Mall', { exact: true }).selectOption('boil_water');
    await page.getByLabel('Tid', { exact: true }).fill('kl. 09.00');
    await page.getByLabel('Vad ska man göra (tomt = mallens råd)').fill('Koka vattnet i tre minuter.');
    await page.getByRole('button', { name: 'Publicera' }).click();
    await page.getByRole('heading', { name: /^2\. Uppdatering/ }).waitFor();
    await boardPublished(page, 2, 6);
    const reply = app.sims.hub.posts.find((p) => p.platform === 'x' && p.text.startsWith('UPPDATERING: Koka dricksvattnet i Ödåkra'));
    expect(reply?.replyTo).toBe(firstX.id);

    // The all-clear.
    await page.getByLabel('Mall', { exact: true }).selectOption('all_clear');
    await page.getByLabel('Tid', { exact: true }).fill('kl. 15.00');
    await page.getByRole('button', { name: 'Publicera' }).click();
    await page.getByRole('heading', { name: /^3\. Faran över/ }).waitFor();
    await boardPublished(page, 3, 6);
    await expectAccessible(page, 'after the all-clear');

    // The news post stayed held all along; resuming publishes it.
    expect(app.sims.hub.posts.some((p) => p.text.startsWith('Nyhet: Bibliotekets'))).toBe(false);
    await page.goto(`${app.url}/kris`, { waitUntil: 'networkidle' });
    const held = page.getByRole('checkbox', { name: /^Helsingborgs stad på X/ });
    expect(await held.isChecked()).toBe(true);
    await expectAccessible(page, 'resume');
    await page.getByRole('button', { name: 'Återuppta valda' }).click();
    // The pause has ended: the banner is gone from the page the resume leads back to.
    await page.getByText('Alla vanliga inlägg är pausade').waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Kris', exact: true }).waitFor();
    await waitFor(async () => (await app.db.db.select().from(deliveries).where(eq(deliveries.id, newsDelivery.id)))[0]?.state === 'published', 90_000, 'news post published after resume');
    expect(app.sims.hub.posts.filter((p) => p.text.startsWith('Nyhet: Bibliotekets'))).toHaveLength(1);
    await page.close();
  }, 480_000);
});
