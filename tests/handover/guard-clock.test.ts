/**
 * Issue 13's boundaries, asked of the running web app (the request guard, not only the query): Sunday 23:59:59 vs
 * Monday 00:00:00 city time, the weeks holding 2027's daylight-saving changes, and week 53 of 2026 running into
 * week 1 of 2027. The web server's clock is moved (no sleeps); each session stays the same across the second that
 * matters, so what is refused is a live session, judged on that request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { users } from '../../db/schema';
import { acceptGuidelines, acceptInvitation, addHandoverWeek, guidelinesStatus } from '../../app/models/handover.server';
import { parseIsoWeek } from '../../common/time';

let app: TestApp;
const password = 'ett-långt-lösenord-för-veckan';
const booked = new Map<string, string>();

beforeAll(async () => {
  app = await startTestApp();
  const [branding] = await app.db.db.select().from(users).where(eq(users.role, 'employer_branding'));
  const now = new Date('2026-12-03T10:00:00+01:00');
  for (const [week, email] of [
    ['2026-W53', 'femtiotre@helsingborg.example'],
    ['2027-W01', 'vecka.ett@helsingborg.example'],
    ['2027-W12', 'sommartid@helsingborg.example'],
    ['2027-W43', 'vintertid@helsingborg.example'],
  ] as const) {
    const b = await addHandoverWeek(app.db.db, { week, email, name: email.split('@')[0]! }, { userId: branding!.id, label: 'test' }, now);
    const host = await acceptInvitation(app.db.db, b.token, password, now);
    const w = parseIsoWeek(week);
    if (!w.ok) throw new Error(w.message);
    const inside = new Date(w.start.getTime() + 3600_000);
    const status = await guidelinesStatus(app.db.db, host.id, inside);
    await acceptGuidelines(app.db.db, { userId: host.id, guidelinesId: status!.guidelines.id }, inside);
    booked.set(week, email);
  }
});
afterAll(async () => {
  app?.clock.set(null);
  await app?.close();
});

/** A fresh session opened at `at` (city-time ISO string with its offset). */
async function signInAt(email: string, at: string): Promise<HttpSession> {
  app.clock.set(new Date(at));
  const s = new HttpSession(app.url);
  const res = await s.login(email, password);
  expect(res.status, `login at ${at}`).toBe(302);
  return s;
}

/** What the composer answers the host at `at`: 200 inside their week, 403 outside it. */
async function composerAt(s: HttpSession, at: string): Promise<number> {
  app.clock.set(new Date(at));
  return (await s.get('/skriv')).status;
}

describe('the request guard at the edges of a week', () => {
  it('opens at Monday 00:00:00 and not at Sunday 23:59:59, city time, in week 53 of 2026', async () => {
    const s = await signInAt(booked.get('2026-W53')!, '2026-12-27T23:59:59+01:00');
    expect(await composerAt(s, '2026-12-27T23:59:59+01:00')).toBe(403);
    expect(await composerAt(s, '2026-12-28T00:00:00+01:00')).toBe(200);
  });

  it('hands over from week 53 of 2026 to week 1 of 2027 at Monday 4 January 00:00, refusing the live session of the week that ended', async () => {
    const w53 = await signInAt(booked.get('2026-W53')!, '2027-01-03T23:59:59+01:00');
    const w01 = await signInAt(booked.get('2027-W01')!, '2027-01-03T23:59:59+01:00');
    expect(await composerAt(w53, '2027-01-03T23:59:59+01:00')).toBe(200);
    expect(await composerAt(w01, '2027-01-03T23:59:59+01:00')).toBe(403);
    expect(await composerAt(w53, '2027-01-04T00:00:00+01:00')).toBe(403);
    expect(await composerAt(w01, '2027-01-04T00:00:00+01:00')).toBe(200);
    // Off the week, the host keeps only their own posts: the navigation offers no composer.
    app.clock.set(new Date('2027-01-04T00:00:00+01:00'));
    const list = await w53.get('/inlagg');
    expect(list.status).toBe(200);
    expect(await list.text()).not.toContain('href="/skriv"');
  });

  it('keeps the week on the wall clock across the spring change (week 12 of 2027, 167 hours)', async () => {
    const email = booked.get('2027-W12')!;
    const before = await signInAt(email, '2027-03-21T23:59:59+01:00');
    expect(await composerAt(before, '2027-03-21T23:59:59+01:00')).toBe(403);
    expect(await composerAt(before, '2027-03-22T00:00:00+01:00')).toBe(200);
    // Sunday 28 March: 02:00 winter time becomes 03:00 summer time; the week still ends at Monday 00:00 (+02:00).
    const last = await signInAt(email, '2027-03-28T23:59:59+02:00');
    expect(await composerAt(last, '2027-03-28T23:59:59+02:00')).toBe(200);
    expect(await composerAt(last, '2027-03-29T00:00:00+02:00')).toBe(403);
  });

  it('keeps the week on the wall clock across the autumn change (week 43 of 2027, 169 hours)', async () => {
    const email = booked.get('2027-W43')!;
    const before = await signInAt(email, '2027-10-24T23:59:59+02:00');
    expect(await composerAt(before, '2027-10-24T23:59:59+02:00')).toBe(403);
    expect(await composerAt(before, '2027-10-25T00:00:00+02:00')).toBe(200);
    // Sunday 31 October: 03:00 summer time goes back to 02:00; the hour 02:00–02:59 happens twice, inside the week.
    const twice = await signInAt(email, '2027-10-31T02:30:00+02:00');
    expect(await composerAt(twice, '2027-10-31T02:30:00+01:00')).toBe(200);
    const last = await signInAt(email, '2027-10-31T23:59:59+01:00');
    expect(await composerAt(last, '2027-10-31T23:59:59+01:00')).toBe(200);
    expect(await composerAt(last, '2027-11-01T00:00:00+01:00')).toBe(403);
  });
});
