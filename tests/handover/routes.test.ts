/**
 * Issue 13, "every route refuses a host outside their scope": every route file in app/routes — the list is read from
 * the folder, so a route added later is walked too — is requested (GET and POST) by a staff host
 *   1. outside their week, with their session still live (the web server's clock one second after the week), and
 *   2. inside their week, with every id in the address belonging to another channel, another host or nobody.
 * A refusal is a redirect to the login page, 401, 403, 404 or 405; never a 500, and never a page carrying what the
 * host may not see. The few routes a host legitimately uses (their overview, own posts, composer, guidelines, their
 * account's schedule) and the public ones (login, language, media by unguessable id, invitation by token) are named
 * below with why; they may answer, but never with the planted data of other channels.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { acceptHostGuidelines, HttpSession, startTestApp, type TestApp } from '../support/app';
import { channels, handoverWeeks, postMedia, users } from '../../db/schema';
import { createPost } from '../../app/models/posts.server';
import { addHandoverWeek } from '../../app/models/handover.server';
import { jpeg } from '../pipeline/harness';

const routesDir = path.resolve(import.meta.dirname, '..', '..', 'app', 'routes');

/** Route module names, as Remix's flat routes see them (a folder with a route file counts as its folder's name). */
function routeNames(): string[] {
  return readdirSync(routesDir)
    .filter((f) => /\.(tsx?|jsx?)$/.test(f) || statSync(path.join(routesDir, f)).isDirectory())
    .map((f) => f.replace(/\.(tsx?|jsx?)$/, ''))
    .filter((f) => !f.startsWith('__'))
    .sort();
}

/** The address of a flat route: `kris.$id_.cap.$messageId` → /kris/<id>/cap/<messageId>, `$` → any unknown path. */
function addressOf(name: string, valueOf: (param: string) => string): string {
  if (name === '$') return `/finns-inte-${randomBytes(4).toString('hex')}`;
  const parts: string[] = [];
  for (const raw of name.split('.')) {
    if (raw === '_index' || (raw.startsWith('_') && !raw.startsWith('_$'))) continue;
    const seg = raw.replace(/_$/, '').replace(/^\[(.*)\]$/, '$1');
    parts.push(seg.startsWith('$') ? encodeURIComponent(valueOf(seg.slice(1))) : seg);
  }
  return `/${parts.join('/')}`;
}

interface Scope {
  /** Route names that may answer this host (200, or 400 for an empty form); the rest must refuse. */
  usable: Record<string, string>;
  /** Text planted outside the host's scope that no answer may contain. */
  forbidden: string[];
}

/** Public by design, for anyone: the reasons are the routes' own. */
const publicRoutes: Record<string, string> = {
  login: 'the sign-in page (a signed-in visitor is sent on)',
  logout: 'signing out is always allowed',
  sprak: 'the language switch keeps no data',
  'media.$id': 'published media by unguessable id: platforms (Instagram) fetch it without a session',
  'overlamning.inbjudan.$token': 'the token is the credential; an unknown one is a 404',
  $: 'unknown addresses are a 404 with the layout',
};

let app: TestApp;
let weekEnd: Date;
const marker = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;
const otherChannelText = marker('HEMLIGT-X');
const teamPostText = marker('JOBBA-TEAMET');
const otherHostEmail = `annan.${randomBytes(3).toString('hex')}@helsingborg.example`;
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  const byRole = async (role: string) => {
    const email = app.seed.demoUsers.find((u) => u.role === role)!.email;
    const [u] = await app.db.db.select().from(users).where(eq(users.email, email));
    return u!;
  };
  const [comms, branding, host] = await Promise.all([byRole('communications'), byRole('employer_branding'), byRole('staff_host')]);
  const xPost = await createPost(app.db.db, { text: otherChannelText, media: [jpeg()], channelKeys: ['x-helsingborg'], authorRole: 'communications', createdBy: comms.id, actorLabel: 'user' });
  // Employer branding's own post on the host's account: on the host's schedule in their week, nowhere after it.
  const teamPost = await createPost(app.db.db, { text: teamPostText, media: [jpeg()], channelKeys: ['instagram-jobba'], kind: 'staff', authorRole: 'employer_branding', createdBy: branding.id, actorLabel: 'user' });
  const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
  const [media] = await app.db.db.select().from(postMedia).where(eq(postMedia.postId, xPost.post.id));
  const other = await addHandoverWeek(app.db.db, { week: '2031-W40', email: otherHostEmail, name: 'Annan Värd' }, { userId: branding.id, label: 'user' });
  Object.assign(ids, { xPost: xPost.post.id, teamPost: teamPost.post.id, xChannel: x!.id, xMedia: media!.id, otherWeek: other.weekId });
  const [week] = await app.db.db.select().from(handoverWeeks).where(eq(handoverWeeks.userId, host.id));
  weekEnd = week!.endsAt;
});
afterAll(async () => {
  await app?.close();
});

/** Another channel's, another host's or nobody's: what each address parameter is filled with. */
function outOfScopeValue(route: string, param: string): string {
  if (param === 'token') return randomBytes(32).toString('base64url');
  if (param === 'weekId') return ids.otherWeek!;
  const head = route.split('.')[0];
  if (head === 'granskning' || head === 'inlagg') return ids.xPost!;
  if (head === 'kanaler') return ids.xChannel!;
  if (head === 'media') return ids.xMedia!;
  if (head === 'diarium') return '1';
  return randomUUID();
}

const refusal = (res: Response) =>
  [401, 403, 404, 405].includes(res.status) || ((res.status === 302 || res.status === 303) && (res.headers.get('location') ?? '').startsWith('/login'));

async function walk(s: HttpSession, scope: Scope): Promise<string[]> {
  const problems: string[] = [];
  for (const route of routeNames()) {
    const address = addressOf(route, (p) => outOfScopeValue(route, p));
    for (const method of ['GET', 'POST'] as const) {
      // Signing out would end the very session under test; that it is always allowed is tested in tests/web/auth.
      if (route === 'logout' && method === 'POST') continue;
      const res = method === 'GET' ? await s.get(address) : await s.post(address, { intent: 'approve', comment: 'x' });
      const body = res.status === 200 || res.status === 400 ? await res.text() : '';
      const label = `${method} ${address} (${route}) → ${res.status} ${res.headers.get('location') ?? ''}`;
      if (res.status >= 500) problems.push(`${label}: server error`);
      const leaked = scope.forbidden.filter((m) => body.includes(m));
      if (leaked.length) problems.push(`${label}: shows ${leaked.join(', ')}`);
      const usable = route in scope.usable || route in publicRoutes;
      if (!usable && !refusal(res)) problems.push(`${label}: not refused`);
    }
  }
  return problems;
}

describe('every route, asked by a staff host outside their scope', () => {
  it('derives the addresses from the route files (a new route is walked without touching this test)', () => {
    const names = routeNames();
    expect(names.length).toBeGreaterThan(20);
    expect(addressOf('kris.$id_.cap.$messageId', (p) => `<${p}>`)).toBe('/kris/%3Cid%3E/cap/%3CmessageId%3E');
    expect(addressOf('overlamning._index', () => '')).toBe('/overlamning');
    expect(addressOf('_index', () => '')).toBe('/');
    expect(addressOf('overlamning.$weekId.csv', () => 'w')).toBe('/overlamning/w/csv');
  });

  it('inside their week: refuses everything of other channels, other hosts and the team, and leaks nothing', async () => {
    // The session is opened a minute before the week ends (the web server's clock), so it outlives the week.
    app.clock.set(new Date(weekEnd.getTime() - 60_000));
    const s = new HttpSession(app.url);
    const u = app.seed.demoUsers.find((x) => x.role === 'staff_host')!;
    expect((await s.login(u.email, app.seed.demoPassword)).status).toBe(302);
    await acceptHostGuidelines(s);
    const inWeek: Scope = {
      usable: {
        _index: 'their overview',
        'inlagg._index': 'their own posts',
        skriv: 'drafting for their account (an empty form is a 400)',
        'overlamning.riktlinjer': 'their guidelines (an empty form is a 400)',
        planering: "their account's schedule for their week",
      },
      forbidden: [otherChannelText, otherHostEmail],
    };
    expect(await walk(s, inWeek)).toEqual([]);
    // Their schedule shows the team's post on their account, not the other channel's.
    const schedule = await (await s.get('/planering')).text();
    expect(schedule).toContain(teamPostText);
    expect(schedule).not.toContain(`/inlagg/${ids.teamPost}`);
    for (const q of ['?view=month', '?view=week&week=2031-W40']) expect((await s.get(`/planering${q}`)).status, q).toBe(404);
    // Hostile queries of the host's schedule: a clear 400 (or 404 for another week), never a 500, never data.
    for (const q of ['?week=2026-W99', '?week=%00', `?week=${'9'.repeat(5000)}`, '?view=year', '?week=2026-W53&week=2027-W01', '?month=%FF%FE', '?week=']) {
      const res = await s.get(`/planering${q}`);
      expect([400, 404], `${q} → ${res.status}`).toContain(res.status);
      expect(await res.text()).not.toContain(teamPostText);
    }

    // One second after the week ends, the same live session: only the overview, their own posts and the guidelines
    // page (which says the week is over) answer; nothing of the account's schedule remains.
    app.clock.set(new Date(weekEnd.getTime() + 1000));
    const offWeek: Scope = {
      usable: {
        _index: 'their overview',
        'inlagg._index': 'their own earlier posts',
        'overlamning.riktlinjer': 'says there is no current week (an empty form is a 400)',
      },
      forbidden: [otherChannelText, otherHostEmail, teamPostText],
    };
    expect(await walk(s, offWeek)).toEqual([]);
    expect((await s.get('/skriv')).status).toBe(403);
    expect((await s.get('/planering')).status).toBe(403);
    app.clock.set(null);
  });
});
