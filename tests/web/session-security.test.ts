/**
 * Session security (issue 14): idle and absolute timeouts (SESSION_IDLE_MINUTES, SESSION_MAX_HOURS; defaults here),
 * no session fixation, and the security headers with a CSP that allows no inline script without this response's
 * nonce. Revocation (log out everywhere, disabling a user) and CSRF are in tests/web/auth.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { HttpSession, signedIn, startTestApp, type TestApp } from '../support/app';
import { sessions, users } from '../../db/schema';
import { config } from '../../common/config.server';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const minutes = (n: number) => n * 60_000;

/** The newest session of a demo role's user (the one the test just signed in). */
async function newestSession(role: string) {
  const email = app.seed.demoUsers.find((u) => u.role === role)!.email;
  const [user] = await app.db.db.select().from(users).where(eq(users.email, email));
  const rows = await app.db.db.select().from(sessions).where(eq(sessions.userId, user!.id));
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]!;
}

async function age(id: string, set: { lastSeenAt?: Date; createdAt?: Date }) {
  await app.db.owner.db.update(sessions).set(set).where(eq(sessions.id, id));
}

const signedOut = (res: Response) => res.status === 302 && (res.headers.get('location') ?? '').startsWith('/login');

describe('session timeouts', () => {
  const { SESSION_IDLE_MINUTES: idle, SESSION_MAX_HOURS: maxHours } = config();

  it('ends a session idle for longer than SESSION_IDLE_MINUTES', async () => {
    const s = await signedIn(app, 'communications');
    const session = await newestSession('communications');
    await age(session.id, { lastSeenAt: new Date(Date.now() - minutes(idle + 1)) });
    expect(signedOut(await s.get('/'))).toBe(true);
  });

  it('keeps a session in use: each request moves its idle deadline', async () => {
    const s = await signedIn(app, 'registrar');
    const session = await newestSession('registrar');
    const almost = new Date(Date.now() - minutes(idle - 1));
    await age(session.id, { lastSeenAt: almost });
    expect((await s.get('/')).status).toBe(200);
    const [after] = await app.db.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(after!.lastSeenAt.getTime()).toBeGreaterThan(almost.getTime() + minutes(1));
    expect((await s.get('/diarium')).status).toBe(200);
  });

  it('ends a session SESSION_MAX_HOURS after sign-in however busy it is', async () => {
    const s = await signedIn(app, 'emergency');
    const session = await newestSession('emergency');
    await age(session.id, { createdAt: new Date(Date.now() - maxHours * 3600_000 - minutes(1)), lastSeenAt: new Date() });
    expect(signedOut(await s.get('/'))).toBe(true);
  });

  it('gives the cookie the absolute lifetime', async () => {
    const res = await new HttpSession(app.url).login(app.seed.demoUsers.find((u) => u.role === 'admin')!.email, app.seed.demoPassword);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('utrop_session='));
    expect(cookie).toMatch(new RegExp(`Max-Age=${maxHours * 3600}(;|$)`, 'i'));
  });
});

describe('session fixation', () => {
  it('issues a new session at sign-in: a cookie planted beforehand stays what it was', async () => {
    // The attacker signs in as themselves and plants their own cookie in the victim's browser.
    const attacker = await signedIn(app, 'contact_centre');
    const planted = attacker.cookie.split('; ').find((c) => c.startsWith('utrop_session='))!;
    const victimLogin = await fetch(`${app.url}/login`, {
      method: 'POST',
      headers: { cookie: `${planted}; ${attacker.cookie.split('; ').find((c) => c.startsWith('utrop_csrf='))}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: app.seed.demoUsers.find((u) => u.role === 'admin')!.email, password: app.seed.demoPassword, redirectTo: '/', csrf: await attacker.csrf() }),
      redirect: 'manual',
    });
    expect(victimLogin.status).toBe(302);
    const issued = victimLogin.headers.getSetCookie().find((c) => c.startsWith('utrop_session='))!.split(';')[0];
    expect(issued).not.toBe(planted);
    // The planted cookie still belongs to the attacker's own role: no admin page through it.
    expect((await attacker.get('/admin')).status).toBe(403);
  });
});

describe('security headers', () => {
  it('sends a CSP without unsafe-inline or unsafe-eval scripts, and every inline script carries this response’s nonce', async () => {
    const res = await fetch(`${app.url}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    const scripts = directives.get('script-src') ?? [];
    expect(scripts).toContain("'self'");
    expect(scripts.some((v) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(v))).toBe(true);
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'self'"]);
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(directives.get('style-src')).not.toContain("'unsafe-inline'");
    const nonce = scripts.find((v) => v.startsWith("'nonce-"))!.slice(7, -1);
    const html = await res.text();
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1] ?? '');
    expect(inline.length).toBeGreaterThan(0);
    for (const attrs of inline) expect(attrs).toContain(`nonce="${nonce}"`);
    // A fresh nonce per response.
    const again = (await fetch(`${app.url}/login`)).headers.get('content-security-policy');
    expect(again).not.toBe(csp);
  });

  it('sends the other security headers on pages and on refusals, and no HSTS over plain http', async () => {
    for (const res of [await fetch(`${app.url}/login`), await fetch(`${app.url}/admin`, { redirect: 'manual' }), await fetch(`${app.url}/finns-inte`)]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('permissions-policy')).toMatch(/camera=\(\)/);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('strict-transport-security')).toBeNull();
      await res.arrayBuffer();
    }
  });
});
