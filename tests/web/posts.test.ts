import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { channels, deliveries } from '../../db/schema';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function communicationsSession() {
  const s = new HttpSession(app.url);
  const u = app.seed.demoUsers.find((x) => x.role === 'communications')!;
  expect((await s.login(u.email, app.seed.demoPassword)).status).toBe(302);
  return s;
}

describe('the plain post form and the posts pages (no JavaScript)', () => {
  it('schedules a post for a channel, lists it and shows its delivery', async () => {
    const s = await communicationsSession();
    const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
    const form = new FormData();
    form.set('text', 'Stadsbiblioteket har förlängda öppettider i jul.');
    form.append('channelIds', x!.id);
    form.set('at', '2031-12-20T09:30');
    const res = await s.postMultipart('/skriv', form);
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/inlagg\/[0-9a-f-]{36}$/);

    const [delivery] = await app.db.db.select().from(deliveries).where(eq(deliveries.channelId, x!.id));
    expect(delivery?.state).toBe('scheduled');
    // 09:30 Swedish winter time is 08:30 UTC.
    expect(delivery?.scheduledAt.toISOString()).toBe('2031-12-20T08:30:00.000Z');

    const list = await (await s.get('/inlagg')).text();
    expect(list).toContain('Stadsbiblioteket har förlängda öppettider i jul.');
    expect(list).toContain('Schemalagd');
    const detail = await (await s.get(location)).text();
    expect(detail).toContain(x!.name);
    expect(detail).toContain('Avbryt');
  });

  it('names each channel’s problem and keeps what was typed when the text breaks a limit', async () => {
    const s = await communicationsSession();
    const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
    const text = `Lång text ${'å'.repeat(300)}`;
    const form = new FormData();
    form.set('text', text);
    form.append('channelIds', x!.id);
    const res = await s.postMultipart('/skriv', form);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('för lång');
    expect(html).toContain(text);
  });
});

describe('who may schedule or publish', () => {
  it.each(['staff_host', 'employer_branding'] as const)('%s gets 403 from the compose action and nothing is written', async (role) => {
    const s = new HttpSession(app.url);
    const u = app.seed.demoUsers.find((x) => x.role === role)!;
    expect((await s.login(u.email, app.seed.demoPassword)).status).toBe(302);
    const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'instagram-jobba'));
    const before = (await app.db.db.select().from(deliveries)).length;
    const form = new FormData();
    form.set('text', `Min vecka som ${role}`);
    form.append('channelIds', x!.id);
    form.set('at', '2031-12-20T09:30');
    const res = await s.postMultipart('/skriv', form);
    expect(res.status).toBe(403);
    expect((await app.db.db.select().from(deliveries)).length).toBe(before);
  });
});
