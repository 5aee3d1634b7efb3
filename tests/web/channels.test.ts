import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { auditLog, channels } from '../../db/schema';
import { decryptCredentials } from '../../db/credentials';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function adminSession() {
  const s = new HttpSession(app.url);
  const u = app.seed.demoUsers.find((x) => x.role === 'admin')!;
  expect((await s.login(u.email, app.seed.demoPassword)).status).toBe(302);
  return s;
}

const xChannel = async () => (await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg')))[0]!;

/** Approves on the simulator's own consent page, as the admin would in the browser. */
async function approveOnPlatform(authorizeUrl: string): Promise<URL> {
  const html = await (await fetch(authorizeUrl)).text();
  expect(html).toContain('Godkänn');
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(name!, value!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&'));
  }
  form.set('account', /name="account" value="(\d+)" checked/.exec(html)?.[1] ?? '');
  form.set('decision', 'approve');
  const res = await fetch(new URL(action!, authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('Kanaler: connecting a channel', () => {
  it('runs the platform’s OAuth 2.0 + PKCE flow end to end and stores new credentials encrypted', async () => {
    const s = await adminSession();
    const before = await xChannel();
    const start = await s.get(`/kanaler/${before.id}/anslut`);
    expect(start.status).toBe(302);
    const authorizeUrl = start.headers.get('location')!;
    expect(authorizeUrl).toContain(`${app.sims.url}/x/i/oauth2/authorize`);
    expect(authorizeUrl).toContain('code_challenge_method=S256');

    const callback = await approveOnPlatform(authorizeUrl);
    expect(callback.pathname).toBe('/kanaler/callback');
    const done = await s.get(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(`/kanaler?connected=${before.id}`);

    const after = await xChannel();
    expect(after.credentialStatus).toBe('ok');
    expect(after.credentialsEncrypted).not.toBe(before.credentialsEncrypted);
    expect(after.credentialsEncrypted).not.toContain('sim-x');
    const creds = decryptCredentials(app.credentialsKey, after.id, after.credentialsEncrypted!) as { accessToken: string };
    expect(creds.accessToken).not.toBe('sim-x-access-helsingborg');
    const audit = await app.db.db.select().from(auditLog).where(eq(auditLog.action, 'channel.credentials_stored'));
    expect(audit.some((a) => a.objectId === after.id && (a.details as { via?: string }).via === 'oauth')).toBe(true);
  });

  it('refuses a callback whose state does not match', async () => {
    const s = await adminSession();
    const res = await s.get('/kanaler/callback?code=abc&state=forged');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/kanaler\?failed=/);
  });

  it('takes credentials entered by hand, with a specific error for bad JSON or the wrong shape', async () => {
    const s = await adminSession();
    const channel = await xChannel();
    const bad = await s.post('/kanaler', { intent: 'manual', channelId: channel.id, credentials: '{inte json' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('giltig JSON');
    const wrong = await s.post('/kanaler', { intent: 'manual', channelId: channel.id, credentials: '{"pageAccessToken":"x"}' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Uppgifterna passar inte X');
    const ok = await s.post('/kanaler', {
      intent: 'manual',
      channelId: channel.id,
      credentials: JSON.stringify({ accessToken: 'handskriven-token', refreshToken: null, expiresAt: null }),
    });
    expect(ok.status).toBe(200);
    const after = await xChannel();
    expect((decryptCredentials(app.credentialsKey, after.id, after.credentialsEncrypted!) as { accessToken: string }).accessToken).toBe('handskriven-token');
  });
});
