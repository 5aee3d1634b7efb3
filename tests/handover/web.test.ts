/**
 * Issue 13 over HTTP, without JavaScript: employer branding books a week, the employee takes the invitation and the
 * guidelines, and the host's rights end the second their week ends, with the session still live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp, signedIn } from '../support/app';
import { channels, handoverAcceptances, handoverWeeks, posts, users } from '../../db/schema';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const sessionAs = (role: string) => signedIn(app, role);

describe('the roster (employer branding)', () => {
  it('books a coming week and hands out a single-use invitation link', async () => {
    const s = await sessionAs('employer_branding');
    const page = await s.get('/overlamning');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Jobba i Helsingborgs stad');
    expect(html).toContain('Vilgot Veckans');

    const res = await s.post('/overlamning', { intent: 'add', week: '2031-W07', email: 'Maja.Park@helsingborg.example', name: 'Maja Park', workplace: 'Parkförvaltningen', theme: 'Vinterträdgårdar' });
    expect(res.status).toBe(200);
    const notice = await res.text();
    const link = /http:\/\/[^\s"<]+\/overlamning\/inbjudan\/([A-Za-z0-9_-]{43})/.exec(notice);
    expect(link).not.toBeNull();
    const [week] = await app.db.db.select().from(handoverWeeks).where(eq(handoverWeeks.email, 'maja.park@helsingborg.example'));
    expect(week?.isoWeek).toBe(7);
    expect(week?.workplace).toBe('Parkförvaltningen');

    // The invitation: a password, then straight to the guidelines with a session.
    const guest = new HttpSession(app.url);
    const invitation = await guest.get(`/overlamning/inbjudan/${link![1]}`);
    expect(invitation.status).toBe(200);
    expect(await invitation.text()).toContain('maja.park@helsingborg.example');
    const mismatch = await guest.post(`/overlamning/inbjudan/${link![1]}`, { password: 'ett-långt-lösenord', confirm: 'ett-annat-lösenord' });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('Lösenorden är inte lika');
    const accepted = await guest.post(`/overlamning/inbjudan/${link![1]}`, { password: 'ett-långt-lösenord', confirm: 'ett-långt-lösenord' });
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get('location')).toBe('/overlamning/riktlinjer');
    const guidelines = await guest.get('/overlamning/riktlinjer');
    expect(guidelines.status).toBe(200);
    const text = await guidelines.text();
    expect(text).toContain('Dela aldrig ditt lösenord');
    const guidelinesId = /name="guidelinesId" value="([0-9a-f-]{36})"/.exec(text)![1]!;
    const unticked = await guest.post('/overlamning/riktlinjer', { guidelinesId });
    expect(unticked.status).toBe(400);
    expect((await guest.post('/overlamning/riktlinjer', { guidelinesId, accept: 'yes' })).status).toBe(200);
    expect(await app.db.db.select().from(handoverAcceptances).where(eq(handoverAcceptances.weekId, week!.id))).toHaveLength(1);
    // Before the week the guest may do nothing but read their guidelines and posts.
    expect((await guest.get('/skriv')).status).toBe(403);

    // The link worked once.
    expect((await new HttpSession(app.url).get(`/overlamning/inbjudan/${link![1]}`)).status).toBe(404);
  });

  it('refuses bad input with a clear message, keeps what was typed and writes nothing', async () => {
    const s = await sessionAs('employer_branding');
    const cases: Record<string, string>[] = [
      { intent: 'add', week: '2026-W54', email: 'a.b@helsingborg.example', name: 'Ann Bok' },
      { intent: 'add', week: '2025-W53', email: 'a.b@helsingborg.example', name: 'Ann Bok' },
      { intent: 'add', week: '2031-W09', email: 'a.b@helsingborg.example', name: 'Ann\u0000Bok' },
      { intent: 'add', week: '2031-W09', email: `${'a'.repeat(5000)}@helsingborg.example`, name: 'Ann Bok' },
      { intent: 'add', week: '2031-W09', email: 'registrator@utrop.example', name: 'Rut' },
      { intent: 'cancel', weekId: 'inte-ett-id', reason: 'x' },
      { intent: 'swap', weekId: '00000000-0000-4000-8000-000000000000', otherWeekId: '00000000-0000-4000-8000-000000000001' },
      { intent: 'guidelines', channel: 'x-helsingborg', body: 'kort' },
      { intent: 'nonsense' },
    ];
    for (const fields of cases) {
      const res = await s.post('/overlamning', fields);
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      const html = await res.text();
      if (fields.intent === 'add' && fields.name && !fields.name.includes('\u0000')) expect(html).toContain(fields.name);
    }
    const wrongType = await s.postRaw('/overlamning', JSON.stringify({ intent: 'add' }), 'application/json');
    expect(wrongType.status).toBe(415);
    expect(await app.db.db.select().from(users).where(eq(users.email, 'a.b@helsingborg.example'))).toHaveLength(0);
    expect((await s.get('/overlamning/inte-ett-id')).status).toBe(404);
    expect((await s.get('/overlamning/00000000-0000-4000-8000-000000000000/csv')).status).toBe(404);
  });
});

describe('the host’s access (the demo host holds the current week)', () => {
  it('lets the host draft only inside their week, refuses them one second after it ends, and never shows what is not theirs', async () => {
    const host = await sessionAs('staff_host');
    const hostUser = app.seed.demoUsers.find((x) => x.role === 'staff_host')!;
    const [u] = await app.db.db.select().from(users).where(eq(users.email, hostUser.email));
    // Before the guidelines are accepted the composer sends the host to read them.
    const before = await host.get('/skriv');
    expect(before.status).toBe(302);
    expect(before.headers.get('location')).toBe('/overlamning/riktlinjer');
    const read = await (await host.get('/overlamning/riktlinjer')).text();
    const guidelinesId = /name="guidelinesId" value="([0-9a-f-]{36})"/.exec(read)![1]!;
    expect((await host.post('/overlamning/riktlinjer', { guidelinesId, accept: 'yes' })).status).toBe(200);
    const composer = await host.get('/skriv');
    expect(composer.status).toBe(200);
    const html = await composer.text();
    // Only the account of the week is offered.
    expect(html).toContain('Jobba i Helsingborgs stad');
    expect(html).not.toContain('Helsingborgs stad på X');
    // A forged choice of another channel is refused and nothing is written.
    const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
    const form = new FormData();
    form.set('text', 'Hej från veckans värd!');
    form.append('channelIds', x!.id);
    const forged = await host.postMultipart('/skriv', form);
    expect(forged.status).toBe(403);
    expect(await app.db.db.select().from(posts).where(eq(posts.createdBy, u!.id))).toHaveLength(0);
    for (const path of ['/diarium', '/inkorg', '/kris', '/kanaler', '/admin', '/overlamning', '/simulator']) {
      expect((await host.get(path)).status, path).toBe(403);
    }

    // The week ends: the access window's end moves to one second ago. The session cookie is the same.
    const [week] = await app.db.db.select().from(handoverWeeks).where(and(eq(handoverWeeks.userId, u!.id)));
    const oneSecondAgo = new Date(Date.now() - 1000);
    await app.db.db.update(handoverWeeks).set({ startsAt: new Date(oneSecondAgo.getTime() - 7 * 86_400_000), endsAt: oneSecondAgo }).where(eq(handoverWeeks.id, week!.id));
    expect((await host.get('/skriv')).status).toBe(403);
    const list = await host.get('/inlagg');
    expect(list.status).toBe(200);
    // The navigation no longer offers writing.
    expect(await list.text()).not.toContain('href="/skriv"');
  });

  it('shows employer branding the week’s summary and exports it as CSV', async () => {
    const s = await sessionAs('employer_branding');
    const [week] = await app.db.db.select().from(handoverWeeks).limit(1);
    const page = await s.get(`/overlamning/${week!.id}`);
    expect(page.status).toBe(200);
    const csv = await s.get(`/overlamning/${week!.id}/csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    // The byte order mark Excel needs to read UTF-8 (fetch's text() would hide it).
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = new TextDecoder().decode(bytes);
    expect(body).toContain('week,host,email,created_at,state,permalink,text');
    const host = await sessionAs('staff_host');
    expect((await host.get(`/overlamning/${week!.id}`)).status).toBe(403);
  });
});
