/**
 * The real web app for tests: the Remix build served by our Express server over HTTP, on a database of its own,
 * with the platform simulators running and the demo data seeded.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './db';
import { loadBuild, startWebServer, type RunningWeb } from '../../app/server/web';
import type { OpsOptions } from '../../app/server/ops';
import { seedDemo, type SeedData } from '../../app/demo/seed.server';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { allSimulators } from '../../workers/platforms/sim/all';

export interface TestApp {
  url: string;
  db: TestDatabase;
  sims: RunningSimulators;
  seed: SeedData;
  credentialsKey: Buffer;
  /** The web server's clock: `set` moves every request's instant (the guard, sessions, handover pages); `set(null)` is real time again. */
  clock: TestClock;
  close(): Promise<void>;
}

export interface TestClock {
  now(): Date;
  set(at: Date | null): void;
}

function testClock(): TestClock {
  let fixed: Date | null = null;
  return {
    now: () => (fixed ? new Date(fixed) : new Date()),
    set(at) {
      fixed = at ? new Date(at) : null;
    },
  };
}

export async function startTestApp(opts: { ops?: OpsOptions } = {}): Promise<TestApp> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const db = await createTestDatabase();
  const sims = await startSimulatorServer(allSimulators, { port: 0 });
  const credentialsKey = randomBytes(32);
  const seed = await seedDemo(db.db, { simulatorUrl: sims.url, credentialsKey });
  const clock = testClock();
  const web: RunningWeb = await startWebServer({
    db: db.db,
    build: await loadBuild(root),
    port: 0,
    host: '127.0.0.1',
    sessionSecret: randomBytes(32).toString('hex'),
    credentialsKey,
    simulatorUrl: sims.url,
    root,
    ops: opts.ops,
    now: clock.now,
  });
  return {
    url: web.url.replace('localhost', '127.0.0.1'),
    db,
    sims,
    seed,
    credentialsKey,
    clock,
    close: async () => {
      await web.close();
      await sims.close();
      await db.destroy();
    },
  };
}

/** A cookie-keeping HTTP client for form posts without a browser (the console works without JavaScript). */
export class HttpSession {
  private cookies = new Map<string, string>();
  private token: string | null = null;
  constructor(private readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The Cookie header this session sends (the bench hands it to autocannon). */
  get cookie(): string {
    return this.cookieHeader();
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
      // The console hands out a new CSRF token at login; the one remembered is then stale.
      if (name === 'utrop_csrf') this.token = null;
    }
  }

  async get(pathname: string): Promise<Response> {
    const res = await fetch(this.base + pathname, { headers: { cookie: this.cookieHeader() }, redirect: 'manual' });
    this.remember(res);
    return res;
  }

  /** The CSRF token the root loader hands out (also sets its cookie). */
  async csrf(): Promise<string> {
    // The token lives as long as its cookie; fetch it once from a page every visitor may load.
    if (this.token) return this.token;
    let res = await this.get('/login');
    // Signed in, /login redirects; every page carries the token in its header forms.
    if (res.status === 302) res = await this.get('/');
    const html = await res.text();
    const match = /name="csrf" value="([^"]+)"/.exec(html);
    if (!match?.[1]) throw new Error('no csrf token on /login or /');
    this.token = match[1];
    return this.token;
  }

  async post(pathname: string, fields: Record<string, string>, opts: { csrf?: boolean } = {}): Promise<Response> {
    const body = new URLSearchParams(fields);
    if (opts.csrf !== false) body.set('csrf', await this.csrf());
    const res = await fetch(this.base + pathname, {
      method: 'POST',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
    this.remember(res);
    return res;
  }

  /** A multipart form post, as a browser sends a form with a file field. */
  async postMultipart(pathname: string, form: FormData): Promise<Response> {
    form.set('csrf', await this.csrf());
    const res = await fetch(this.base + pathname, { method: 'POST', headers: { cookie: this.cookieHeader() }, body: form, redirect: 'manual' });
    this.remember(res);
    return res;
  }

  /** A post with any body and content type, to send what no browser would (wrong encodings, hostile multipart). */
  async postRaw(pathname: string, body: string | Uint8Array, contentType: string): Promise<Response> {
    const res = await fetch(this.base + pathname, {
      method: 'POST',
      headers: { cookie: this.cookieHeader(), 'content-type': contentType },
      body: typeof body === 'string' ? body : new Uint8Array(body),
      redirect: 'manual',
    });
    this.remember(res);
    return res;
  }

  async login(email: string, password: string): Promise<Response> {
    return this.post('/login', { email, password, redirectTo: '/' });
  }
}

/**
 * A staff host drafts only after accepting the account guidelines of their week (issue 13): the demo host holds the
 * current week in the seed; this accepts the version in force through the form, as the host would.
 */
export async function acceptHostGuidelines(s: HttpSession): Promise<void> {
  const page = await s.get('/overlamning/riktlinjer');
  const html = await page.text();
  const id = /name="guidelinesId" value="([0-9a-f-]{36})"/.exec(html)?.[1];
  if (!id) return; // Already accepted: the page shows the confirmation instead of the form.
  const res = await s.post('/overlamning/riktlinjer', { guidelinesId: id, accept: 'yes' });
  if (res.status !== 200) throw new Error(`accepting the guidelines answered ${res.status}`);
}

/** A session signed in as the seeded demo user of `role` (every web test file needs one). */
export async function signedIn(app: TestApp, role: string): Promise<HttpSession> {
  const s = new HttpSession(app.url);
  const u = app.seed.demoUsers.find((x) => x.role === role);
  if (!u) throw new Error(`no demo user with role ${role}`);
  const res = await s.login(u.email, app.seed.demoPassword);
  if (res.status !== 302) throw new Error(`login as ${role} answered ${res.status}`);
  return s;
}
