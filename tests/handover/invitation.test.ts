/**
 * Issue 13, the invitation link "lets the employee set a password or sign in": an employee back for another week may
 * sign in with the password they already have; and the link's page and form refuse hostile input with a 4xx,
 * never a 500, leaving the link unused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { handoverInvitations, users } from '../../db/schema';
import { addHandoverWeek } from '../../app/models/handover.server';

let app: TestApp;
let team: { userId: string; label: string };
beforeAll(async () => {
  app = await startTestApp();
  const [branding] = await app.db.db.select().from(users).where(eq(users.role, 'employer_branding'));
  team = { userId: branding!.id, label: 'test' };
});
afterAll(async () => {
  await app?.close();
});

const password = 'ett-långt-eget-lösenord';

describe('the invitation page', () => {
  it('offers signing in instead to an employee who already set a password in an earlier week', async () => {
    const first = await addHandoverWeek(app.db.db, { week: '2031-W10', email: 'atervandare@helsingborg.example', name: 'Åter Vändare' }, team);
    const guest = new HttpSession(app.url);
    const page = await (await guest.get(first.invitationPath)).text();
    expect(page).not.toContain('logga in med ditt lösenord');
    expect((await guest.post(first.invitationPath, { password, confirm: password })).status).toBe(302);

    const second = await addHandoverWeek(app.db.db, { week: '2031-W30', email: 'atervandare@helsingborg.example', name: 'Åter Vändare' }, team);
    const later = new HttpSession(app.url);
    const html = await (await later.get(second.invitationPath)).text();
    expect(html).toContain('logga in med ditt lösenord');
    expect(html).toContain('href="/login?redirectTo=%2Foverlamning%2Friktlinjer"');
    const login = await later.post('/login', { email: 'atervandare@helsingborg.example', password, redirectTo: '/overlamning/riktlinjer' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/overlamning/riktlinjer');
    expect((await later.get('/overlamning/riktlinjer')).status).toBe(200);
  });

  it('refuses hostile tokens and passwords with a 4xx, never a 500, and the link stays unused', async () => {
    const booked = await addHandoverWeek(app.db.db, { week: '2031-W45', email: 'fientlig@helsingborg.example', name: 'Fi Entlig' }, team);
    const s = new HttpSession(app.url);
    for (const token of ['..%2F..%2Fetc%2Fpasswd', '%00', 'a'.repeat(10_000), '%FF%FE', `${booked.token}%00`, booked.token.toUpperCase()]) {
      const get = await s.get(`/overlamning/inbjudan/${token}`);
      expect([400, 404, 414, 431], `GET ${token.slice(0, 30)} → ${get.status}`).toContain(get.status);
      const post = await s.post(`/overlamning/inbjudan/${token}`, { password, confirm: password });
      expect([400, 404, 414, 431], `POST ${token.slice(0, 30)} → ${post.status}`).toContain(post.status);
    }
    const forms: Record<string, string>[] = [
      { password: `${password}\u0000`, confirm: `${password}\u0000` },
      { password: 'x'.repeat(5000), confirm: 'x'.repeat(5000) },
      { password: 'kort', confirm: 'kort' },
      { password, confirm: `${password}!` },
      { password },
      {},
    ];
    for (const fields of forms) {
      const res = await s.post(booked.invitationPath, fields);
      expect(res.status, JSON.stringify(fields).slice(0, 60)).toBe(400);
      // A refused password is never echoed back.
      if (fields.password) expect(await res.text()).not.toContain(fields.password.slice(0, 40));
    }
    const wrongEncoding = await s.postRaw(booked.invitationPath, new Uint8Array([0x70, 0x61, 0x73, 0x73, 0x3d, 0xff, 0xfe, 0xfd]), 'application/x-www-form-urlencoded');
    expect([400, 403]).toContain(wrongEncoding.status);
    const json = await s.postRaw(booked.invitationPath, JSON.stringify({ password, confirm: password }), 'application/json');
    expect(json.status).toBe(415);
    const [invitation] = await app.db.db.select().from(handoverInvitations).where(eq(handoverInvitations.weekId, booked.weekId));
    expect(invitation?.usedAt).toBeNull();
  });
});
