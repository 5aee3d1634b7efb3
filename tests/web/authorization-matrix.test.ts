/**
 * The authorization matrix (issue 14): every route file in app/routes × every role and a signed-out visitor, GET and
 * POST, against the rule written below for that file. The route list comes from the folder and the Remix build, so a
 * new route file without a rule here fails the first test, and a route whose guard is missing or different from its
 * rule fails the second (a signed-out visitor is not sent to /login, or a role without the permission gets in).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, signedIn, startTestApp, type TestApp } from '../support/app';
import { loadBuild } from '../../app/server/web';
import { rolePermissions, type Permission } from '../../app/utils/permissions';
import { roleValues, type Role } from '../../db/schema/users';

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * Who may do what, per route file and method:
 * - 'public': anyone, signed in or not (login, language, media the platforms fetch, invitation links, 404 page);
 * - 'user': any signed-in user, a signed-out visitor goes to /login;
 * - a permission: signed-out → /login, a role without it → 403;
 * - { roles, deny }: signed-out → /login, only these roles get in, the others get `deny`;
 * - 'none': the route has no action, so a POST is refused with 405 before any code of ours runs;
 * - 'signs-out': anyone may post, and it ends with the login page (logging out);
 * - { api }: a JSON API route taking only bearer tokens: every cookie visitor, signed in or not, gets 401 (a session
 *   cookie never reaches the API, so no CSRF there); which token role may do what is the API's own tests' matter.
 */
type Rule = 'public' | 'user' | 'none' | 'signs-out' | Permission | { roles: readonly Role[]; deny: number } | { api: Permission };
const rules: Record<string, { get: Rule; post: Rule }> = {
  '$': { get: 'public', post: 'none' },
  _index: { get: 'view:overview', post: 'none' },
  admin: { get: 'manage:users', post: 'manage:users' },
  'api.v1.$': { get: 'public', post: 'public' },
  'api.v1.media': { get: 'none', post: { api: 'create:post' } },
  'api.v1.openapi[.json]': { get: 'public', post: 'none' },
  'api.v1.posts.$id.approve': { get: 'none', post: { api: 'approve:post' } },
  'api.v1.posts.$id.return': { get: 'none', post: { api: 'approve:post' } },
  'api.v1.posts.$id.submit': { get: 'none', post: { api: 'create:post' } },
  'api.v1.posts.$id': { get: { api: 'view:posts' }, post: 'none' },
  'api.v1.posts': { get: { api: 'view:posts' }, post: { api: 'create:post' } },
  'diarium.export_.$id': { get: 'export:register', post: 'none' },
  'diarium.export_.$id_.fil': { get: 'export:register', post: 'none' },
  'diarium.gallring': { get: 'manage:retention', post: 'manage:retention' },
  import: { get: 'post:publish', post: 'none' },
  'inlagg.$id.events': { get: 'view:posts', post: 'none' },
  'kris.$id.events': { get: 'create:crisis', post: 'none' },
  // The team's list of every channel (a staff host's week is at /planering).
  'planering_.lista': { get: 'view:planning:all', post: 'manage:delivery' },
  'skriv_.media.$sha': { get: 'view:posts', post: 'none' },
  'diarium.$id': { get: 'view:register', post: 'none' },
  'diarium._index': { get: 'view:register', post: 'verify:register' },
  'diarium.export': { get: 'export:register', post: 'export:register' },
  'granskning.$id': { get: 'view:posts', post: 'create:post' },
  'granskning._index': { get: 'approve:post', post: 'none' },
  'inkorg.$id': { get: 'view:inbox', post: 'moderate:comment' },
  'inkorg._index': { get: 'view:inbox', post: 'none' },
  'inkorg.installningar': { get: 'moderate:comment', post: 'moderate:comment' },
  'inlagg.$id': { get: 'view:posts', post: 'manage:delivery' },
  'inlagg._index': { get: 'view:posts', post: 'none' },
  'kanaler.$id.anslut': { get: 'manage:channels', post: 'none' },
  'kanaler.callback': { get: 'manage:channels', post: 'manage:channels' },
  kanaler: { get: 'view:channels', post: 'manage:channels' },
  'kanaler_.halsa': { get: 'view:channels', post: 'none' },
  'kris.$id': { get: 'create:crisis', post: 'create:crisis' },
  'kris.$id_.cap.$messageId': { get: 'create:crisis', post: 'none' },
  'kris._index': { get: 'create:crisis', post: 'create:crisis' },
  login: { get: 'public', post: 'public' },
  logout: { get: 'public', post: 'signs-out' },
  'media.$id': { get: 'public', post: 'none' },
  'overlamning.$weekId.csv': { get: 'manage:handover', post: 'none' },
  'overlamning.$weekId': { get: 'manage:handover', post: 'none' },
  'overlamning._index': { get: 'manage:handover', post: 'manage:handover' },
  'overlamning.inbjudan.$token': { get: 'public', post: 'public' },
  'overlamning.riktlinjer': { get: { roles: ['staff_host'], deny: 404 }, post: { roles: ['staff_host'], deny: 404 } },
  planering: { get: 'view:planning', post: 'none' },
  simulator: { get: 'view:simulator', post: 'none' },
  skriv: { get: 'create:post', post: 'create:post' },
  sprak: { get: 'public', post: 'public' },
};

type Outcome = 'allowed' | 'login' | 'unauthorized' | 'forbidden' | 'no-action' | `deny ${number}`;

function expected(rule: Rule, role: Role | null): Outcome {
  if (rule === 'none') return 'no-action';
  if (rule === 'public') return 'allowed';
  if (rule === 'signs-out') return 'login';
  if (typeof rule === 'object' && 'api' in rule) return 'unauthorized';
  if (role === null) return 'login';
  if (rule === 'user') return 'allowed';
  if (typeof rule === 'object') return 'roles' in rule && rule.roles.includes(role) ? 'allowed' : `deny ${'deny' in rule ? rule.deny : 0}`;
  return (rolePermissions[role] as readonly Permission[]).includes(rule) ? 'allowed' : 'forbidden';
}

/** What the response means for access; a 5xx is never an outcome, it fails the test on its own. */
function observed(res: Response, rule: Rule): Outcome {
  if (res.status === 302 && (res.headers.get('location') ?? '').startsWith('/login')) return 'login';
  if (typeof rule === 'object' && 'deny' in rule && res.status === rule.deny) return `deny ${rule.deny}`;
  if (res.status === 401) return 'unauthorized';
  if (res.status === 403) return 'forbidden';
  if (res.status === 405) return 'no-action';
  return 'allowed';
}

const routeFiles = () =>
  readdirSync(path.join(root, 'app', 'routes'))
    .filter((f) => /\.(tsx?|jsx?)$/.test(f))
    .map((f) => f.replace(/\.(tsx?|jsx?)$/, ''))
    .sort();

let app: TestApp;
/** Route file → a concrete address: ids are fresh UUIDs (nothing found is fine: the guard runs first). */
let addresses: Map<string, string>;

beforeAll(async () => {
  app = await startTestApp();
  const build = await loadBuild(root);
  const fullPath = (id: string): string => {
    const r = build.routes[id];
    if (!r) return '';
    const own = r.path ?? '';
    const parent = r.parentId ? fullPath(r.parentId) : '';
    return [parent, own].filter(Boolean).join('/');
  };
  addresses = new Map();
  for (const file of routeFiles()) {
    const id = `routes/${file}`;
    if (!build.routes[id]) continue;
    const pattern = fullPath(id);
    const concrete = pattern
      .split('/')
      .map((seg) => (seg === '*' ? 'ingen-sida-finns-har' : seg.startsWith(':') ? (seg === ':token' ? 'inte-en-inbjudan' : randomUUID()) : seg))
      .join('/');
    addresses.set(file, `/${concrete}`);
  }
});
afterAll(async () => {
  await app?.close();
});

describe('authorization matrix', () => {
  it('has a rule for every route file, and every route file is in the build', () => {
    const files = routeFiles();
    expect(files.length).toBeGreaterThan(20);
    const withoutRule = files.filter((f) => !(f in rules));
    expect(withoutRule, 'route files without a rule in this matrix').toEqual([]);
    const stale = Object.keys(rules).filter((f) => !files.includes(f));
    expect(stale, 'rules for route files that no longer exist').toEqual([]);
    const unbuilt = files.filter((f) => !addresses.has(f));
    expect(unbuilt, 'route files missing from the build (run npm run build)').toEqual([]);
  });

  it('gives every role and a signed-out visitor exactly the expected outcome, GET and POST, never a 5xx', async () => {
    const who: (Role | null)[] = [null, ...roleValues];
    const mismatches: string[] = [];
    let checked = 0;
    // Logging out ends the session, so that route comes last for each visitor.
    const order = [...addresses.keys()].sort((a, b) => Number(a === 'logout') - Number(b === 'logout'));
    for (const role of who) {
      const s = role === null ? new HttpSession(app.url) : await signedIn(app, role);
      for (const file of order) {
        const url = addresses.get(file)!;
        const rule = rules[file]!;
        for (const method of ['GET', 'POST'] as const) {
          const r = method === 'GET' ? rule.get : rule.post;
          const res = method === 'GET' ? await s.get(url) : await s.post(url, {});
          await res.arrayBuffer();
          checked += 1;
          const label = `${method} ${url} (${file}) as ${role ?? 'signed-out'}`;
          if (res.status >= 500) {
            mismatches.push(`${label}: ${res.status}`);
            continue;
          }
          const want = expected(r, role);
          const got = observed(res, r);
          if (want !== got) mismatches.push(`${label}: expected ${want}, got ${got} (${res.status} ${res.headers.get('location') ?? ''})`);
        }
      }
      // The last route posted was /logout: the session is over.
      if (role !== null) expect(observed(await s.get('/'), 'view:overview'), `after logging out as ${role}`).toBe('login');
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(who.length * addresses.size * 2);
  }, 300_000);
});
