import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { auditLog, sessions, users } from '../../db/schema';
import { disableUser } from '../../app/models/users.server';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const password = () => app.seed.demoPassword;
const userOf = (role: string) => {
  const u = app.seed.demoUsers.find((x) => x.role === role);
  if (!u) throw new Error(`no demo user for ${role}`);
  return u;
};

describe('login and sessions', () => {
  it('lets every role’s demo user log in and see the overview', async () => {
    for (const u of app.seed.demoUsers) {
      const s = new HttpSession(app.url);
      const res = await s.login(u.email, password());
      expect(res.status, u.email).toBe(302);
      expect(res.headers.get('location')).toBe('/');
      const home = await s.get('/');
      expect(home.status).toBe(200);
      expect(await home.text()).toContain(u.name);
    }
  });

  it('rejects a wrong password with a Swedish message and keeps the email typed', async () => {
    const s = new HttpSession(app.url);
    const res = await s.login(userOf('admin').email, 'fel-lösenord-helt');
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Fel e-postadress eller lösenord.');
    expect(html).toContain(`value="${userOf('admin').email}"`);
  });

  it('throttles guessing: after five failures even the right password is refused for a while', async () => {
    const s = new HttpSession(app.url);
    const email = userOf('registrar').email;
    for (let i = 0; i < 5; i += 1) expect((await s.login(email, `gissning-${i}-xxxxx`)).status).toBe(400);
    const res = await s.login(email, password());
    expect(res.status).toBe(429);
    expect(await res.text()).toContain('För många misslyckade inloggningsförsök');
  });

  it('rotates the CSRF token when the session is created, so a token planted before login is worthless after it', async () => {
    const s = new HttpSession(app.url);
    const before = await s.csrf();
    const u = app.seed.demoUsers.find((x) => x.role === 'communications')!;
    expect((await s.login(u.email, app.seed.demoPassword)).status).toBe(302);
    const after = await s.csrf();
    expect(after).not.toBe(before);
    // The old token no longer passes the double-submit check.
    const stale = await fetch(`${app.url}/logout`, {
      method: 'POST',
      headers: { cookie: `utrop_csrf=${encodeURIComponent(before)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: after }).toString(),
      redirect: 'manual',
    });
    expect(stale.status).toBe(403);
  });

  it('refuses a form post without the CSRF token', async () => {
    const s = new HttpSession(app.url);
    const res = await s.post('/login', { email: userOf('admin').email, password: password() }, { csrf: false });
    expect(res.status).toBe(403);
  });

  it('answers 403, not 500, when a role lacks the permission, and redirects when signed out', async () => {
    const s = new HttpSession(app.url);
    expect((await s.get('/admin')).status).toBe(302);
    await s.login(userOf('contact_centre').email, password());
    expect((await s.get('/admin')).status).toBe(403);
    expect((await s.get('/diarium')).status).toBe(403);
    expect((await s.get('/inkorg')).status).toBe(200);
  });

  it('logs out, and "log out everywhere" ends every session of the user', async () => {
    const a = new HttpSession(app.url);
    const b = new HttpSession(app.url);
    const u = userOf('communications');
    await a.login(u.email, password());
    await b.login(u.email, password());
    expect((await b.get('/')).status).toBe(200);
    await a.post('/logout', { everywhere: 'true' });
    expect((await a.get('/')).status).toBe(302);
    expect((await b.get('/')).status).toBe(302);
  });

  it('ends a user’s sessions at once when an admin disables them, and records it in the audit log', async () => {
    const s = new HttpSession(app.url);
    const u = userOf('emergency');
    await s.login(u.email, password());
    expect((await s.get('/')).status).toBe(200);
    const result = await disableUser(app.db.db, u.email, { userId: null, label: 'test' });
    expect(result?.sessionsEnded).toBeGreaterThan(0);
    expect((await s.get('/')).status).toBe(302);
    const [dbUser] = await app.db.db.select().from(users).where(eq(users.email, u.email));
    expect(await app.db.db.select().from(sessions).where(eq(sessions.userId, dbUser!.id))).toHaveLength(0);
    const entries = await app.db.db.select().from(auditLog).where(eq(auditLog.action, 'user.disable'));
    expect(entries.some((e) => e.objectId === dbUser!.id)).toBe(true);
    expect((await new HttpSession(app.url).login(u.email, password())).status).toBe(400);
  });

  it('disables a user through the admin page (a plain form, no JavaScript)', async () => {
    const s = new HttpSession(app.url);
    await s.login(userOf('admin').email, password());
    const [target] = await app.db.db.select().from(users).where(eq(users.email, userOf('staff_host').email));
    const res = await s.post('/admin', { intent: 'disable', userId: target!.id });
    expect(res.status).toBe(200);
    const [after] = await app.db.db.select().from(users).where(eq(users.id, target!.id));
    expect(after?.disabledAt).not.toBeNull();
  });

  it('keeps what was typed and names the problem when the admin’s new-user form is wrong', async () => {
    const s = new HttpSession(app.url);
    await s.login(userOf('admin').email, password());
    const res = await s.post('/admin', { intent: 'create', email: 'ny.person@utrop.example', name: 'Ny Person', role: 'registrar', password: 'kort' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Lösenordet måste ha minst 12 tecken.');
    expect(html).toContain('value="ny.person@utrop.example"');
    expect(html).toContain('value="Ny Person"');
  });

  it('sends security headers and session cookies that scripts cannot read', async () => {
    const res = await fetch(`${app.url}/login`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const s = new HttpSession(app.url);
    const login = await s.login(userOf('admin').email, password());
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('utrop_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });
});
