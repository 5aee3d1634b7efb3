import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { createPost } from '../../app/models/posts.server';
import { CALENDAR_DAY_LIMIT } from '../../app/models/planning.server';
import { monthPeriod, weekPeriod, dayKey } from '../../common/calendar';
import { formatClock, formatMonth } from '../../common/time';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // Tuesday 1 April 2031, after the spring-forward day: 10:00 city time is 08:00 UTC.
  await createPost(app.db.db, { text: 'Vårens första loppis i Slottsträdgården', channelKeys: ['x-helsingborg', 'facebook-helsingborg'], scheduledAt: new Date('2031-04-01T08:00:00Z'), createdBy: null, actorLabel: 'test' });
  await createPost(app.db.db, { kind: 'pressmeddelande', text: 'Pressmeddelande om budgeten', channelKeys: ['x-helsingborg'], scheduledAt: new Date('2031-04-02T07:30:00Z'), createdBy: null, actorLabel: 'test' });
});
afterAll(async () => {
  await app?.close();
});

async function session() {
  const s = new HttpSession(app.url);
  const u = app.seed.demoUsers.find((x) => x.role === 'communications')!;
  expect((await s.login(u.email, app.seed.demoPassword)).status).toBe(302);
  return s;
}

describe('calendar periods in city time', () => {
  it('ISO weeks start on Monday, week 53 exists only in long years, days are city midnights across DST', () => {
    const w = weekPeriod('2026-W13')!;
    expect(w.days.map(dayKey)).toEqual(['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29']);
    // Winter time at the start, summer time at the end: a week of 167 hours.
    expect(w.start.toISOString()).toBe('2026-03-22T23:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(weekPeriod('2026-W53')?.next).toBe('2027-W01');
    expect(weekPeriod('2027-W53')).toBeNull();
    expect(weekPeriod('2026-W01')?.days.map(dayKey)[0]).toBe('2025-12-29');
    const m = monthPeriod('2026-03')!;
    expect(m.days.length % 7).toBe(0);
    expect([dayKey(m.days[0]!), dayKey(m.days.at(-1)!)]).toEqual(['2026-02-23', '2026-04-05']);
  });

  it('an instant belongs to its city-time day and shows its city-time clock, on both sides of midnight and of DST', () => {
    // 23:30 UTC is already the next day in Sweden: 00:30 in winter, 01:30 in summer.
    expect(dayKey(new Date('2026-01-14T23:30:00Z'))).toBe('2026-01-15');
    expect(formatClock(new Date('2026-01-14T23:30:00Z'))).toBe('00:30');
    expect(dayKey(new Date('2026-07-14T21:59:59Z'))).toBe('2026-07-14');
    expect(dayKey(new Date('2026-07-14T22:00:00Z'))).toBe('2026-07-15');
    expect(formatClock(new Date('2026-07-14T22:00:00Z'))).toBe('00:00');
    // The spring change (02:00 → 03:00) and the autumn one (03:00 → 02:00, twice 02:30).
    expect(formatClock(new Date('2026-03-29T01:00:00Z'))).toBe('03:00');
    expect(formatClock(new Date('2026-10-25T00:30:00Z'))).toBe('02:30');
    expect(formatClock(new Date('2026-10-25T01:30:00Z'))).toBe('02:30');
    expect(formatMonth(new Date('2026-11-30T23:00:00Z'))).toBe('december 2026');
    expect(formatMonth(new Date('2026-11-30T23:00:00Z'), 'en')).toBe('December 2026');
  });
});

describe('/planering (no JavaScript)', () => {
  it('week view shows each post on its city day with per-channel states; pending posts marked; prev/next links', async () => {
    const s = await session();
    const res = await s.get('/planering?view=week&week=2031-W14');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Vecka 14, 2031');
    expect(html).toContain('Vårens första loppis i Slottsträdgården');
    expect(html).toContain('Helsingborgs stad på X: Schemalagd');
    expect(html).toContain('Pressmeddelande om budgeten');
    expect(html).toContain('Väntar på granskning');
    expect(html).toContain('week=2031-W13');
    expect(html).toContain('week=2031-W15');
    // 10:00 in city time (summer time), not 08:00 UTC.
    expect(html).toMatch(/>10:00<\/time>/);
  });

  it('month view shows whole weeks with their numbers', async () => {
    const s = await session();
    const html = await (await s.get('/planering?view=month&month=2031-03')).text();
    expect(html).toContain('Vårens första loppis');
    expect(html).toContain('v. 9');
    expect(html).toContain('month=2031-04');
  });

  it('a day with more posts than a cell shows draws the first ones and links to the list of that day, which has them all', async () => {
    // Thursday 3 April 2031: 25 posts, 07:00–07:24 city time.
    for (let i = 0; i < CALENDAR_DAY_LIMIT + 5; i++) {
      await createPost(app.db.db, { text: `Massutskick nummer ${String(i).padStart(2, '0')}`, channelKeys: ['x-helsingborg'], scheduledAt: new Date(Date.UTC(2031, 3, 3, 5, i)), createdBy: null, actorLabel: 'test' });
    }
    const s = await session();
    const html = await (await s.get('/planering?view=week&week=2031-W14')).text();
    const drawn = [...html.matchAll(/>Massutskick nummer (\d\d)</g)].map((m) => m[1]);
    expect(drawn).toEqual(Array.from({ length: CALENDAR_DAY_LIMIT }, (_, i) => String(i).padStart(2, '0')));
    expect(html).toContain('href="/planering/lista?day=2031-04-03"');
    expect(html).toContain('5 inlägg till den här dagen');
    // The other days are drawn as before.
    expect(html).toContain('Vårens första loppis i Slottsträdgården');
    const list = await (await s.get('/planering/lista?day=2031-04-03')).text();
    expect(new Set([...list.matchAll(/>Massutskick nummer (\d\d)</g)].map((m) => m[1])).size).toBe(CALENDAR_DAY_LIMIT + 5);
    expect(list).not.toContain('Vårens första loppis');
    expect(list).toContain('value="2031-04-03"');
    // The day is the city's: 1 April's post (10:00 city time) is on 1 April, not on 31 March.
    expect(await (await s.get('/planering/lista?day=2031-04-01')).text()).toContain('Vårens första loppis');
    expect(await (await s.get('/planering/lista?day=2031-03-31')).text()).not.toContain('Vårens första loppis');
    // A date that does not exist, or is no date, is a 400 that keeps what was typed.
    for (const bad of ['2031-02-30', '2031-13-01', '%00', '2031-4-3', '0000-01-01']) {
      const res = await s.get(`/planering/lista?day=${bad}`);
      expect(res.status, bad).toBe(400);
    }
    expect(await (await s.get('/planering/lista?day=2031-02-30')).text()).toContain('value="2031-02-30"');
  });

  it('hostile queries are a 400, never a 500', async () => {
    const s = await session();
    const failed: string[] = [];
    for (const q of ['view=year', 'week=2027-W53', 'week=2026-W99', 'view=month&month=2026-13', 'view=month&month=1999-01', 'week=%00', 'view=week&week=2026-W1', "view=month&month=2026-01' or 1=1"]) {
      const res = await s.get(`/planering?${q}`);
      if (res.status !== 400) failed.push(`${q}: ${res.status}`);
    }
    expect(failed).toEqual([]);
  });
});
