/**
 * /planering/lista without JavaScript (issue 10): the calendar as a list with filters (channel, state, author, kind,
 * text), cancel with a confirmation step, and hostile filters and forms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { startTestApp, signedIn, type TestApp } from '../support/app';
import { channels, deliveries, users } from '../../db/schema';
import { cancelPost, createPost } from '../../app/models/posts.server';

let app: TestApp;
const ids: Record<string, string> = {};
beforeAll(async () => {
  app = await startTestApp();
  const byRole = async (role: string) => {
    const email = app.seed.demoUsers.find((u) => u.role === role)!.email;
    return (await app.db.db.select().from(users).where(eq(users.email, email)))[0]!;
  };
  const officer = await byRole('communications');
  const manager = await byRole('emergency');
  const later = new Date(Date.now() + 3 * 86_400_000);
  const news = await createPost(app.db.db, { text: 'Lista: Nyhet om 100% förnybar el i Helsingborg', channelKeys: ['x-helsingborg'], kind: 'nyhet', authorRole: 'communications', createdBy: officer.id, actorLabel: 'user', scheduledAt: later });
  const general = await createPost(app.db.db, { text: 'Lista: Allmänt om vägarbete på Kullavägen', channelKeys: ['facebook-helsingborg'], kind: 'general', authorRole: 'emergency', createdBy: manager.id, actorLabel: 'user', scheduledAt: later });
  const gone = await createPost(app.db.db, { text: 'Lista: Avbruten konsert i Slottshagen', channelKeys: ['facebook-helsingborg'], kind: 'general', authorRole: 'communications', createdBy: officer.id, actorLabel: 'user', scheduledAt: later });
  await cancelPost(app.db.db, gone.post.id, { userId: officer.id, label: 'user' });
  Object.assign(ids, { news: news.post.id, general: general.post.id, gone: gone.post.id, officer: officer.id, manager: manager.id });
  const [fb] = await app.db.db.select().from(channels).where(eq(channels.key, 'facebook-helsingborg'));
  ids.fb = fb!.id;
});
afterAll(async () => {
  await app?.close();
});

const shown = (html: string) => ['Nyhet om 100% förnybar el', 'Allmänt om vägarbete', 'Avbruten konsert'].filter((t) => html.includes(t));

describe('/planering/lista', () => {
  it('lists posts with their channels’ states and filters by channel, state, author, kind and text', async () => {
    const s = await signedIn(app, 'communications');
    const all = await s.get('/planering/lista');
    expect(all.status).toBe(200);
    const html = await all.text();
    expect(shown(html)).toEqual(['Nyhet om 100% förnybar el', 'Allmänt om vägarbete', 'Avbruten konsert']);
    expect(html).toContain('Avbruten');
    const q = async (query: string) => shown(await (await s.get(`/planering/lista?${query}`)).text());
    expect(await q('kind=nyhet')).toEqual(['Nyhet om 100% förnybar el']);
    expect(await q(`channel=${ids.fb}`)).toEqual(['Allmänt om vägarbete', 'Avbruten konsert']);
    expect(await q('state=cancelled')).toEqual(['Avbruten konsert']);
    expect(await q(`author=${ids.manager}`)).toEqual(['Allmänt om vägarbete']);
    expect(await q('text=V%C3%84GARBETE')).toEqual(['Allmänt om vägarbete']);
    // What is typed is literal: "%" finds the post that has one, "_" none.
    expect(await q('text=100%25')).toEqual(['Nyhet om 100% förnybar el']);
    expect(await q('text=_')).toEqual([]);
    expect(await q(`channel=${ids.fb}&state=scheduled&kind=general`)).toEqual(['Allmänt om vägarbete']);
    // Empty fields are "any" (the form sends them).
    expect(await q('channel=&state=&author=&kind=&text=')).toHaveLength(3);
    // The week view links to the list.
    expect(await (await s.get('/planering')).text()).toContain('href="/planering/lista"');
  });

  it('hostile filters are a 400 naming the problem, with what was typed kept; never a 500', async () => {
    const s = await signedIn(app, 'communications');
    for (const query of ['channel=inte-ett-id', 'state=bogus', 'state=PUBLISHED', 'author=%27%3B%20drop%20table%20posts', 'kind=crisis2', `text=${'a'.repeat(201)}`, 'text=a%00b', 'text=%FF%FE']) {
      const res = await s.get(`/planering/lista?${query}`);
      const html = await res.text();
      if (query === 'text=%FF%FE') {
        // Undecodable bytes become U+FFFD in the URL parser: a harmless search.
        expect(res.status, query).toBe(200);
        continue;
      }
      expect(res.status, query).toBe(400);
      expect(html, query).toContain('Filtret kunde inte läsas');
    }
    const kept = await (await s.get('/planering/lista?channel=inte-ett-id&text=beh%C3%A5ll')).text();
    expect(kept).toContain('value="behåll"');
    expect((await (await signedIn(app, 'contact_centre')).get('/planering/lista')).status).toBe(403);
  });

  it('cancel asks first; only the confirmed form cancels the post’s waiting deliveries', async () => {
    const s = await signedIn(app, 'communications');
    const ask = await s.post('/planering/lista?kind=nyhet', { intent: 'cancel_post', postId: ids.news! });
    expect(ask.status).toBe(200);
    const html = await ask.text();
    expect(html).toContain('Avbryta inlägget?');
    expect(html).toContain('Nyhet om 100% förnybar el');
    const states = async () => (await app.db.db.select().from(deliveries).where(inArray(deliveries.postId, [ids.news!]))).map((d) => d.state);
    // A news post waits for approval (the city's rule), as a draft.
    expect(await states()).toEqual(['draft']);
    const yes = await s.post('/planering/lista?kind=nyhet', { intent: 'cancel_post', postId: ids.news!, confirm: 'yes' });
    expect(yes.status).toBe(302);
    expect(yes.headers.get('location')).toBe('/planering/lista?kind=nyhet');
    expect(await states()).toEqual(['cancelled']);
    // Nothing left to cancel: said so, not a 500.
    expect((await s.post('/planering/lista', { intent: 'cancel_post', postId: ids.news!, confirm: 'yes' })).status).toBe(409);
    for (const [fields, status] of [
      [{ intent: 'cancel_post', postId: 'inte-ett-id' }, 400],
      [{ intent: 'cancel_post', postId: '00000000-0000-0000-0000-000000000000', confirm: 'yes' }, 404],
      [{ intent: 'cancel_post', postId: ids.general!, confirm: 'ja' }, 400],
      [{ intent: 'cancel_post\u0000', postId: ids.general! }, 400],
    ] as const) {
      expect((await s.post('/planering/lista', fields)).status, JSON.stringify(fields)).toBe(status);
    }
    const drafter = await signedIn(app, 'employer_branding');
    expect((await drafter.post('/planering/lista', { intent: 'cancel_post', postId: ids.general!, confirm: 'yes' })).status).toBe(403);
    expect((await app.db.db.select().from(deliveries).where(eq(deliveries.postId, ids.general!)))[0]!.state).toBe('scheduled');
  });
});
