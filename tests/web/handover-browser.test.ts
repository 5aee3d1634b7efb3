/**
 * Issue 13's whole handover in a real browser: employer branding books the week and hands out the invitation, the
 * employee sets a password and accepts the guidelines, drafts a post with an image for the staff account,
 * employer branding approves it, the worker publishes it on the Instagram simulator, and the week ends — the host's
 * live session is refused one second later (the web server's clock moves; nothing sleeps). Every handover page,
 * the invitation page included, passes axe-core's WCAG 2.1 A/AA rules and reflows at 360 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../support/app';
import { axeViolations, launchBrowser } from '../support/browser';
import { jpeg, startWorkerForApp, waitFor } from '../pipeline/harness';
import type { DeliveryWorker } from '../../workers/runner';
import { deliveries, handoverWeeks, sessions } from '../../db/schema';
import { settleWeeks } from '../../app/models/handover.server';
import { isoWeekLabel, parseIsoWeek } from '../../common/time';

let app: TestApp;
let browser: Browser;
let worker: DeliveryWorker;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  worker = await startWorkerForApp(app, 'handover-browser');
});
afterAll(async () => {
  app?.clock.set(null);
  await worker?.stop();
  await browser?.close();
  await app?.close();
});

async function login(page: Page, email: string, password: string) {
  await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('heading', { name: 'Översikt' }).waitFor();
}

/** axe-core finds nothing, and the page needs no horizontal scrolling at 360 px (the test's viewport). */
async function accessible(page: Page, label: string) {
  const violations = await axeViolations(page);
  expect(violations, `${label}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), `${label} overflows at 360 px`).toBe(false);
}

// A long journey through two browsers and the worker: slow on a loaded machine, so the ceiling is generous; nothing here is timed.
describe('the staff-account handover, end to end', { timeout: 300_000 }, () => {
  it('invite → guidelines → draft with an image → approval → published on the simulator → access ends', async () => {
    const now = new Date();
    const week = parseIsoWeek(isoWeekLabel(now));
    if (!week.ok) throw new Error(week.message);
    // The whole journey happens in the week's last hour on the web server's clock (or now, if later), so every
    // session opened on the way is still live when the week ends.
    const during = new Date(Math.max(now.getTime(), week.end.getTime() - 3600_000));
    app.clock.set(during);
    const viewport = { width: 360, height: 800 };
    const team = await browser.newPage({ viewport });
    const branding = app.seed.demoUsers.find((u) => u.role === 'employer_branding')!;
    await login(team, branding.email, app.seed.demoPassword);

    // The roster: the demo host holds this week; it is cancelled so that the new colleague can have it.
    await team.goto(`${app.url}/overlamning`, { waitUntil: 'networkidle' });
    await accessible(team, '/overlamning');
    await team.getByLabel('Skäl till avbokningen').first().fill('Sjuk resten av veckan');
    await team.getByRole('button', { name: /^Avboka/ }).first().click();
    await team.getByText('Veckan är avbokad.').waitFor();
    await team.waitForLoadState('networkidle');
    await team.getByLabel('Vecka', { exact: true }).fill(week.label);
    await team.getByLabel('E-postadress').fill('Lina.Lund@helsingborg.example');
    await team.getByLabel('Medarbetare', { exact: true }).fill('Lina Lund');
    await team.getByLabel('Arbetsplats/förvaltning').fill('Räddningstjänsten');
    await team.getByLabel('Tema', { exact: true }).fill('En vecka på brandstationen');
    await team.getByRole('button', { name: 'Boka och skapa inbjudan' }).click();
    const notice = await team.getByRole('status').filter({ hasText: 'inbjudningslänken' }).textContent();
    const link = /(http:\/\/\S+\/overlamning\/inbjudan\/[A-Za-z0-9_-]{43})/.exec(notice ?? '')?.[1];
    expect(link, notice ?? '').toBeDefined();
    await accessible(team, '/overlamning after booking');

    // The invitation: the employee sets a password and lands on the guidelines, signed in.
    const host = await browser.newPage({ viewport });
    await host.goto(link!, { waitUntil: 'networkidle' });
    await accessible(host, 'invitation');
    expect(await host.getByText('lina.lund@helsingborg.example').count()).toBeGreaterThan(0);
    await host.getByLabel('Lösenord', { exact: true }).fill('brandstation-vecka-lösen');
    await host.getByLabel('Upprepa lösenordet').fill('brandstation-vecka-lösen');
    await host.getByRole('button', { name: 'Spara lösenord och fortsätt' }).click();
    await host.waitForURL(/\/overlamning\/riktlinjer$/);
    await host.waitForLoadState('networkidle');
    await accessible(host, 'guidelines before accepting');
    await host.getByLabel(/Jag har läst och godkänner riktlinjerna/).check();
    await host.getByRole('button', { name: 'Godkänn' }).click();
    await host.getByText(/Du godkände version/).waitFor();
    await accessible(host, 'guidelines accepted');
    // The used link is dead.
    const again = await browser.newPage({ viewport });
    const dead = await again.goto(link!);
    expect(dead?.status()).toBe(404);
    await accessible(again, 'invitation used');
    await again.close();

    /** A draft with an image through the composer, sent for review; returns the post's id. */
    const draft = async (words: string, file: string, alt: string) => {
      await host.goto(`${app.url}/skriv?kind=staff`, { waitUntil: 'networkidle' });
      await host.getByLabel('Text', { exact: true }).fill(words);
      await host.getByLabel('Bild eller video 1 (valfri)').setInputFiles({ name: file, mimeType: 'image/jpeg', buffer: jpeg().data! });
      await host.getByLabel('Alternativtext för bild 1 (krävs för bilder)').fill(alt);
      await host.getByRole('button', { name: 'Skicka till granskning' }).click();
      await host.waitForURL(/\/inlagg\/[0-9a-f-]{36}$/);
      return new URL(host.url()).pathname.split('/').pop()!;
    };
    // The composer offers the week's account only.
    await host.goto(`${app.url}/skriv?kind=staff`, { waitUntil: 'networkidle' });
    await accessible(host, '/skriv as host');
    expect(await host.getByText('Helsingborgs stad på X').count()).toBe(0);
    const text = 'Tisdag på brandstationen: vi övar rökdykning.';
    const postId = await draft(text, 'rokdykning.jpg', 'Två brandmän i rökdykarutrustning');
    // A second draft nobody approves before the week ends: it goes back to employer branding.
    const unapproved = 'Onsdag på brandstationen: studiebesök från skolan.';
    const unapprovedId = await draft(unapproved, 'skola.jpg', 'Skolklass vid en brandbil');
    // The host sees their account's schedule for the week, their draft on it.
    await host.goto(`${app.url}/planering`, { waitUntil: 'networkidle' });
    await accessible(host, '/planering as host');
    await host.getByRole('link', { name: text }).waitFor();

    // Employer branding approves; the normal pipeline publishes it on the Instagram simulator.
    await team.goto(`${app.url}/granskning/${postId}`, { waitUntil: 'networkidle' });
    await accessible(team, 'review');
    await team.getByRole('button', { name: 'Godkänn och schemalägg' }).click();
    await team.waitForURL(new RegExp(`/inlagg/${postId}$`));
    const published = await waitFor(
      async () => {
        const [d] = await app.db.db.select().from(deliveries).where(eq(deliveries.postId, postId));
        return d?.state === 'published' && d.permalink ? d : null;
      },
      60_000,
      'the approved post to be published',
    );
    const sim = await browser.newPage({ viewport });
    await sim.goto(published.permalink!);
    await sim.getByText(text).first().waitFor();
    await sim.close();

    // The week's summary, with the permalink, for the team.
    const [booked] = await app.db.db.select().from(handoverWeeks).where(eq(handoverWeeks.email, 'lina.lund@helsingborg.example'));
    await team.goto(`${app.url}/overlamning/${booked!.id}`, { waitUntil: 'networkidle' });
    await accessible(team, 'summary');
    await team.getByRole('link', { name: published.permalink! }).waitFor();

    // The week ends. One second later the same live session can no longer draft.
    app.clock.set(new Date(week.end.getTime() + 1000));
    const refused = await host.goto(`${app.url}/skriv`);
    expect(refused?.status()).toBe(403);
    await host.getByRole('heading', { name: 'Åtkomst nekad' }).waitFor();
    await accessible(host, '403 after the week');
    await host.goto(`${app.url}/inlagg`, { waitUntil: 'networkidle' });
    await host.getByRole('link', { name: text }).waitFor();
    expect(await host.getByRole('link', { name: 'Skriv inlägg', exact: true }).count()).toBe(0);
    await host.goto(`${app.url}/overlamning/riktlinjer`, { waitUntil: 'networkidle' });
    await accessible(host, 'guidelines after the week');

    // The end-of-week task (handover__settle) ends the sessions: the next request asks for a login.
    await settleWeeks(app.db.db, app.clock.now());
    expect(await app.db.db.select().from(sessions).where(eq(sessions.userId, booked!.userId))).toHaveLength(0);
    await host.goto(`${app.url}/inlagg`);
    expect(new URL(host.url()).pathname).toBe('/login');

    // The unapproved draft is back with the team: on the week's summary, in the review queue, not published.
    await team.goto(`${app.url}/overlamning/${booked!.id}`, { waitUntil: 'networkidle' });
    await accessible(team, 'summary with a draft handed back');
    await team.getByRole('heading', { name: 'Utkast tillbaka till employer branding' }).waitFor();
    await team.getByText(unapproved).first().waitFor();
    await team.getByRole('link', { name: /^Granska/ }).click();
    await team.waitForURL(new RegExp(`/granskning/${unapprovedId}$`));
    const [kept] = await app.db.db.select().from(deliveries).where(eq(deliveries.postId, unapprovedId));
    expect(kept?.state).toBe('draft');

    // The team's checklist for the week that ended: all four ticked.
    await team.goto(`${app.url}/overlamning`, { waitUntil: 'networkidle' });
    await accessible(team, '/overlamning after the week');
    const checklist = team.getByRole('list', { name: 'Checklista: Lina Lund' });
    for (const item of ['Inbjudan skickad: klart', 'Riktlinjer godkända: klart', 'Första inlägget godkänt: klart', 'Tillgången avslutad: klart']) {
      await checklist.getByText(item).waitFor();
    }
    await host.close();
    await team.close();
  });
});
