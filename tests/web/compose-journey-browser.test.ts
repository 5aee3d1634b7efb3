/**
 * The communications officer's whole journey in a real browser (issue 10, "Done means"): a news post with a link
 * card, an image for X, Facebook and Instagram and a video for YouTube; the X variant edited, its counter and a
 * too-long error seen live and fixed; sent to review; approved by a second person; published at its time by a real
 * worker process on all four simulators; shown with its permalinks in the calendar's week view. And: an edit after
 * approval returns the post to review and takes back the approved hash. axe-core on the composer with previews and
 * the link card.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { expectNoAxeViolations, launchBrowser, signInBrowser } from '../support/browser';
import { startLinkPage, type LinkPage } from '../support/link-page';
import { spawnWorker, fastPolicyEnv, type WorkerProcess } from '../support/worker-process';
import { tempDataDir } from '../../db/embedded';
import { deliveries, posts, users } from '../../db/schema';
import { createPost } from '../../app/models/posts.server';
import { approvePost } from '../../app/models/approval.server';
import { hasPendingJob } from '../../workers/delivery/jobs';
import { toCityLocalInput } from '../../common/time';
import { weekKeyOf } from '../../common/calendar';
import { jpeg, mp4 } from '../pipeline/harness';

let app: TestApp;
let browser: Browser;
let worker: WorkerProcess;
let dataDir: string;
let site: LinkPage;

beforeAll(async () => {
  site = await startLinkPage({ title: 'Sommarlov i Helsingborg', description: 'Aktiviteter för alla barn och unga.' }, '/sommarlov');
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  dataDir = tempDataDir('utrop-journey');
  worker = spawnWorker({ databaseUrl: app.db.url, credentialsKey: app.credentialsKey, publicUrl: app.url, dataDir, env: fastPolicyEnv });
});
afterAll(async () => {
  await worker?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  await browser?.close();
  await app?.close();
  await site?.close();
});

const login = (page: Page, role: string) => signInBrowser(page, app, role);

/** Polls a condition (the worker runs in its own process); the failure names what was awaited. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${worker.tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function userId(email: string): Promise<string> {
  const [u] = await app.db.db.select().from(users).where(eq(users.email, email));
  return u!.id;
}

describe('the officer’s journey in a real browser', () => {
  it('composes a news post with a link card and media per channel, gets it approved and published on all four simulators at its time', async () => {
    const page = await browser.newPage();
    await login(page, 'communications');
    await page.goto(`${app.url}/skriv?kind=nyhet`, { waitUntil: 'networkidle' });
    // The news kind ticks X, Facebook, Instagram and YouTube.
    for (const name of ['Helsingborgs stad på X', 'Helsingborgs stad på Facebook', 'Helsingborgs stad på Instagram', 'Helsingborgs stad på YouTube']) {
      expect(await page.getByLabel(name, { exact: true }).isChecked(), name).toBe(true);
    }
    await page.getByLabel('Text', { exact: true }).fill('Sommarlovet är här! Se allt som händer i staden. #sommarlov');
    await page.getByLabel('Länk (valfri)').fill(site.url);

    // The link card, fetched on the server and shown in the fields and the previews (no media yet: X shows it).
    await page.getByRole('button', { name: 'Hämta förhandsvisning' }).click();
    await page.getByText(`Förhandsvisningen hämtades från ${site.url}.`).waitFor();
    expect(await page.getByLabel('Kortets rubrik').inputValue()).toBe('Sommarlov i Helsingborg');
    expect(await page.getByLabel('Kortets beskrivning').inputValue()).toBe('Aktiviteter för alla barn och unga.');
    await page.locator('.preview-x .pv-card-title', { hasText: 'Sommarlov i Helsingborg' }).waitFor();
    await page.locator('.preview-x .pv-hashtag', { hasText: '#sommarlov' }).waitFor();
    // Edited by hand, live in the preview.
    await page.getByLabel('Kortets rubrik').fill('Sommarlov 2026 i Helsingborg');
    await page.locator('.preview-facebook .pv-card-title', { hasText: 'Sommarlov 2026 i Helsingborg' }).waitFor();
    await expectNoAxeViolations(page, '/skriv with previews and the link card');

    // One image for X, Facebook and Instagram (the base), a video of its own for YouTube.
    await page.getByLabel('Bild eller video 1 (valfri)').setInputFiles({ name: 'sommar.jpg', mimeType: 'image/jpeg', buffer: jpeg().data! });
    await page.getByLabel('Alternativtext för bild 1 (krävs för bilder)').fill('Barn som badar vid Fria bad');
    await page.getByLabel('Egen bild eller video för Helsingborgs stad på YouTube').setInputFiles({ name: 'sommar.mp4', mimeType: 'video/mp4', buffer: mp4().data! });
    await page.getByLabel('Titel för Helsingborgs stad på YouTube').fill('Sommarlov i Helsingborg');
    await page.locator('.preview-instagram img.pv-crop-instagram[alt="Barn som badar vid Fria bad"]').waitFor();
    await page.locator('.preview-youtube .pv-video', { hasText: 'sommar.mp4' }).waitFor();

    // The X variant: its own text, the counter, a too-long error beside the field, fixed.
    const xText = page.getByLabel('Egen text för Helsingborgs stad på X');
    const xId = (await xText.getAttribute('id'))!;
    const counter = page.locator(`#${xId.replace(/-text$/, '-counter')}`);
    await xText.fill('Sommarlov! ' + 'Bad, bibliotek och lek. '.repeat(14));
    await counter.filter({ hasText: /av 280/ }).waitFor();
    const problems = page.locator(`#${xId.replace(/-text$/, '-problems')}`);
    await problems.waitFor();
    expect(await problems.textContent()).toContain('för lång');
    expect(await xText.getAttribute('aria-invalid')).toBe('true');
    expect(await counter.getAttribute('class')).toContain('over');
    await expectNoAxeViolations(page, '/skriv with a live error');
    await xText.fill('Sommarlov! Bad, bibliotek och lek hela sommaren. #sommarlov');
    await problems.waitFor({ state: 'detached' });
    expect(await xText.getAttribute('aria-invalid')).toBeNull();
    await page.locator('.preview-x .pv-text', { hasText: 'Bad, bibliotek och lek hela sommaren.' }).waitFor();

    // Its time: a few minutes ahead, so the approval comes first and the worker publishes at that time.
    const at = new Date(Math.ceil((Date.now() + 3 * 60_000) / 60_000) * 60_000);
    await page.locator('#at').fill(toCityLocalInput(at));
    await page.getByRole('button', { name: 'Skicka till granskning' }).click();
    await page.waitForURL(/\/inlagg\/[0-9a-f-]{36}$/);
    const postId = new URL(page.url()).pathname.split('/').pop()!;
    const [post] = await app.db.db.select().from(posts).where(eq(posts.id, postId));
    expect(post!.reviewState).toBe('pending_approval');
    expect(post!.linkCard).toMatchObject({ url: site.url, title: 'Sommarlov 2026 i Helsingborg', description: 'Aktiviteter för alla barn och unga.' });
    await page.close();

    // A second person approves.
    const reviewer = await browser.newPage();
    await login(reviewer, 'admin');
    await reviewer.goto(`${app.url}/granskning/${postId}`, { waitUntil: 'networkidle' });
    await reviewer.getByRole('button', { name: 'Godkänn och schemalägg' }).click();
    await reviewer.waitForURL(new RegExp(`/inlagg/${postId}$`));
    const scheduled = await app.db.db.select().from(deliveries).where(eq(deliveries.postId, postId));
    expect(scheduled.map((d) => d.state).sort()).toEqual(['scheduled', 'scheduled', 'scheduled', 'scheduled']);
    for (const d of scheduled) expect(d.scheduledAt.toISOString()).toBe(at.toISOString());

    // Published by the worker at its time, on every channel.
    const published = await until('all four deliveries published', 6 * 60_000, async () => {
      const rows = await app.db.db.select().from(deliveries).where(eq(deliveries.postId, postId));
      return rows.length === 4 && rows.every((d) => d.state === 'published') ? rows : null;
    });
    for (const d of published) {
      expect(d.publishedAt!.getTime()).toBeGreaterThanOrEqual(at.getTime());
      expect(d.permalink).toMatch(/^http/);
      // The permalink opens the simulator's own page for the post.
      expect((await fetch(d.permalink!)).status, d.permalink!).toBe(200);
    }

    // The calendar's week view shows the post with its permalinks.
    await reviewer.goto(`${app.url}/planering?view=week&week=${weekKeyOf(at)}`, { waitUntil: 'networkidle' });
    for (const d of published) expect(await reviewer.locator(`a[href="${d.permalink}"]`).count(), d.permalink!).toBeGreaterThan(0);
    await expectNoAxeViolations(reviewer, '/planering week with a published post');
    await reviewer.close();
  }, 600_000);

  it('an edit after approval returns the post to review and takes the approved hash and the jobs back', async () => {
    const author = await userId(app.seed.demoUsers.find((u) => u.role === 'communications')!.email);
    const admin = await userId(app.seed.demoUsers.find((u) => u.role === 'admin')!.email);
    const created = await createPost(app.db.db, {
      kind: 'nyhet',
      text: 'Stadsbiblioteket har nya öppettider.',
      channelKeys: ['facebook-helsingborg', 'x-helsingborg'],
      scheduledAt: new Date(Date.now() + 30 * 24 * 3600_000),
      authorRole: 'communications',
      createdBy: author,
      actorLabel: 'user',
    });
    const approved = await approvePost(app.db.db, created.post.id, { userId: admin, role: 'admin', label: 'user' });
    expect(approved.post.reviewState).toBe('approved');
    for (const d of approved.deliveries) {
      expect(d.approvedSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(await hasPendingJob(app.db.db, d.id)).toBe(true);
    }

    const page = await browser.newPage();
    await login(page, 'communications');
    await page.goto(`${app.url}/granskning/${created.post.id}`, { waitUntil: 'networkidle' });
    await page.locator('#edit-text').fill('Stadsbiblioteket har nya öppettider från måndag.');
    await page.getByRole('button', { name: 'Redigera' }).click();
    await page.getByText('Väntar på granskning').first().waitFor();
    const [post] = await app.db.db.select().from(posts).where(eq(posts.id, created.post.id));
    expect(post!.reviewState).toBe('pending_approval');
    expect(post!.approvedHash).toBeNull();
    const rows = await app.db.db.select().from(deliveries).where(eq(deliveries.postId, created.post.id));
    for (const d of rows) {
      expect(d.state).toBe('draft');
      // Nothing the worker could publish: no approved hash, no job.
      expect(d.approvedSha256).toBeNull();
      expect(await hasPendingJob(app.db.db, d.id)).toBe(false);
    }
    await page.close();
  }, 180_000);
});
