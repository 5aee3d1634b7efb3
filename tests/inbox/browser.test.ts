/**
 * Issue 12's browser test: a comment with a personnummer arrives on the simulator, appears in the inbox labelled,
 * the agent hides it with reason personal_data in a real Chromium; the register holds the saved comment before the
 * hide event; the simulator shows it hidden. axe-core finds no violations on the inbox pages, also at 360 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { axeViolations, launchBrowser } from '../support/browser';
import { auditLog, channels, deliveries, inboxItems, publicRecords, type Channel } from '../../db/schema';
import { createPost } from '../../app/models/posts.server';
import { enqueue } from '../../workers/delivery/jobs';
import type { DeliveryWorker } from '../../workers/runner';
import { startWorkerForApp, waitFor } from '../pipeline/harness';

let app: TestApp;
let browser: Browser;
let worker: DeliveryWorker;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  worker = await startWorkerForApp(app, 'inbox-browser');
});
afterAll(async () => {
  await worker?.stop();
  await browser?.close();
  await app?.close();
});

describe('the inbox in a real browser', () => {
  it('a comment with a personnummer arrives, is labelled, and is hidden with reason personal_data after its copy is registered', async () => {
    const [fb] = (await app.db.db.select().from(channels).where(eq(channels.key, 'facebook-helsingborg'))) as [Channel];
    const { deliveries: ds } = await createPost(app.db.db, { text: 'Badplatserna öppnar på lördag.', channelKeys: ['facebook-helsingborg'], createdBy: null, actorLabel: 'test' });
    const postId = await waitFor(async () => {
      const [d] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, ds[0]!.id));
      return d?.state === 'published' ? d.externalId : null;
    }, 20_000, 'the post to publish');
    const res = await fetch(`${app.sims.url}/_sim/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'facebook', postId, author: 'Bertil Badare', text: 'Mitt barn glömde jackan, ring mig, personnummer 811218-9876' }),
    });
    const comment = (await res.json()) as { id: string };
    await enqueue(app.db.db, 'inbox__fetch', {});
    const item = await waitFor(async () => {
      const [row] = await app.db.db.select().from(inboxItems).where(and(eq(inboxItems.channelId, fb.id), eq(inboxItems.externalId, comment.id)));
      return row;
    }, 20_000, 'the comment to be registered');

    const page = await browser.newPage();
    const u = app.seed.demoUsers.find((x) => x.role === 'contact_centre')!;
    await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('E-postadress').fill(u.email);
    await page.getByLabel('Lösenord').fill(app.seed.demoPassword);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('heading', { name: 'Översikt' }).waitFor();

    await page.goto(`${app.url}/inkorg`);
    await page.getByRole('heading', { name: 'Inkorg' }).waitFor();
    expect(await page.locator('strong', { hasText: 'Bertil Badare' }).isVisible()).toBe(true);
    expect(await page.locator('.badge', { hasText: 'Personuppgifter' }).first().isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: /Öppna.*Bertil Badare/ }).click();
    await page.getByRole('heading', { name: 'Kommentar från Bertil Badare' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Dölj').check();
    await page.getByLabel('Skäl enligt riktlinjerna').selectOption('personal_data');
    await page.getByRole('button', { name: 'Registrera och utför' }).click();
    await page.getByText('Kopian är registrerad och åtgärden skickad till plattformen.').waitFor();

    const done = await waitFor(async () => {
      const [row] = await app.db.db.select().from(inboxItems).where(eq(inboxItems.id, item.id));
      return row?.moderationStatus === 'done' ? row : null;
    }, 20_000, 'the comment to be hidden');
    const state = (await (await fetch(`${app.sims.url}/_sim/state`)).json()) as { comments: { id: string; hidden: boolean }[] };
    expect(state.comments.find((c) => c.id === comment.id)?.hidden).toBe(true);
    // The register: the inbound comment, then the moderation record with its saved copy, and the hide came after.
    const records = await app.db.db.select().from(publicRecords).where(eq(publicRecords.externalId, comment.id)).orderBy(asc(publicRecords.id));
    expect(records.map((r) => r.kind)).toEqual(['inbound_comment', 'moderation_event']);
    expect(records[1]!.content).toMatchObject({ reason: 'personal_data', savedCopy: { text: 'Mitt barn glömde jackan, ring mig, personnummer 811218-9876' } });
    const [hidden] = await app.db.db.select().from(auditLog).where(and(eq(auditLog.action, 'inbox.hidden'), eq(auditLog.objectId, done.id)));
    expect(records[1]!.registeredAt.getTime()).toBeLessThanOrEqual(hidden!.at.getTime());

    // Settings and the narrow screen.
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/inkorg', `/inkorg/${item.id}`, '/inkorg/installningar']) {
      await page.goto(`${app.url}${path}`);
      expect(await axeViolations(page), path).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} reflows at 360 px`).toBeLessThanOrEqual(0);
    }
    await page.close();
  });
});
