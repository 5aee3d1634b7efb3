/**
 * The web test harness run with every log line kept (LOG_FILE, level trace), through the flows that handle secrets:
 * sign-in (right and wrong passwords, an absurd email), creating a user, storing channel credentials by hand, an
 * OAuth callback carrying a code, a post with a personnummer. Then every line is scanned: no password, token, session
 * or CSRF value, argon2 hash or personnummer may appear (issue 14, ADR 027).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Personnummer from 'personnummer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, HttpSession as Session } from '../support/app';

// Before any module that creates a logger is loaded (the imports below are dynamic for this reason).
const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'utrop-logscan-')), 'web.log');
process.env.LOG_FILE = logFile;
process.env.LOG_LEVEL = 'trace';

let app: TestApp;
let HttpSession: typeof Session;
beforeAll(async () => {
  const support = await import('../support/app');
  HttpSession = support.HttpSession;
  app = await support.startTestApp();
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
});

/** Everything secret the flows below typed or were handed, to be looked for literally. */
const secrets: string[] = [];

/** Twelve- or ten-digit numbers with an optional separator, kept when they are valid personnummer. */
function personnummerIn(text: string): string[] {
  return [...text.matchAll(/(?<!\d)(\d{6}|\d{8})[-+]?\d{4}(?!\d)/g)].map((m) => m[0]).filter((c) => Personnummer.valid(c));
}

describe('logs of the web harness', () => {
  it('hold request lines with ids, and no password, token, session, argon2 hash or personnummer', async () => {
    const demoPassword = app.seed.demoPassword;
    secrets.push(demoPassword);
    const admin = app.seed.demoUsers.find((u) => u.role === 'admin')!;
    const comms = app.seed.demoUsers.find((u) => u.role === 'communications')!;

    const wrong = new HttpSession(app.url);
    const wrongPassword = 'fel-losenord-8812-hemligt';
    secrets.push(wrongPassword);
    expect((await wrong.login(admin.email, wrongPassword)).status).toBeGreaterThanOrEqual(400);
    expect((await wrong.login(`${'a'.repeat(1_000_000)}@x.se`, wrongPassword)).status).toBeGreaterThanOrEqual(400);

    const s = new HttpSession(app.url);
    const csrfBefore = await s.csrf();
    expect((await s.login(admin.email, demoPassword)).status).toBe(302);
    const csrf = await s.csrf();
    secrets.push(csrfBefore, csrf);

    const newPassword = 'nytt-losenord-5521-hemligt';
    secrets.push(newPassword);
    expect((await s.post('/admin', { intent: 'create', email: 'loggtest@utrop.example', name: 'Logg Test', role: 'registrar', password: newPassword })).status).toBeLessThan(500);
    // A duplicate: the insert fails in the database, with the hash among the query's parameters.
    expect((await s.post('/admin', { intent: 'create', email: 'loggtest@utrop.example', name: 'Logg Test', role: 'registrar', password: newPassword })).status).toBeLessThan(500);

    // An unexpected database error while a user is created (a constraint the owner added): the failing insert's
    // parameters hold the new argon2 hash and the email. The error is logged; its values must not be.
    await app.db.owner.sql`alter table users add constraint logscan_refuse check (email <> 'avvisad@utrop.example')`;
    const refusedPassword = 'avvisat-losenord-3307-hemligt';
    secrets.push(refusedPassword);
    try {
      await s.post('/admin', { intent: 'create', email: 'avvisad@utrop.example', name: 'Avvisad', role: 'registrar', password: refusedPassword });
    } finally {
      await app.db.owner.sql`alter table users drop constraint logscan_refuse`;
    }

    const [x] = await app.db.sql<{ id: string }[]>`select id from channels where key = 'x-helsingborg'`;
    const accessToken = 'handskriven-hemlig-token-77AbC';
    secrets.push(accessToken);
    expect((await s.post('/kanaler', { intent: 'manual', channelId: x!.id, credentials: JSON.stringify({ accessToken, refreshToken: null, expiresAt: null }) })).status).toBe(200);
    const oauthCode = 'oauth-kod-hemlig-4419';
    secrets.push(oauthCode);
    expect((await s.get(`/kanaler/callback?code=${oauthCode}&state=forged`)).status).toBe(302);

    const c = new HttpSession(app.url);
    expect((await c.login(comms.email, demoPassword)).status).toBe(302);
    const pnr = '19121212-1212';
    const form = new FormData();
    form.set('text', `Ring Anna, personnummer ${pnr}, om bygglovet`);
    form.append('channelIds', x!.id);
    form.set('at', '2031-12-20T09:30');
    expect((await c.postMultipart('/skriv', form)).status).toBeLessThan(500);

    const hashes = await app.db.owner.sql<{ h: string }[]>`select password_hash as h from users`;
    secrets.push(...hashes.map((r) => r.h));

    const log = fs.readFileSync(logFile, 'utf8');
    const lines = log.split('\n').filter(Boolean);
    // The run was logged: one JSON line per request, each with its id.
    const requests = lines.map((l) => JSON.parse(l) as { msg?: string; reqId?: string; path?: string }).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(10);
    expect(requests.every((r) => typeof r.reqId === 'string' && r.reqId.length >= 8)).toBe(true);
    expect(requests.some((r) => r.path === '/kanaler/callback')).toBe(true);
    // And the database error was logged (as an error line with the request's id), so there was something to leak.
    const errors = lines.filter((l) => l.includes('"level":50'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    const dbError = errors.map((l) => JSON.parse(l) as { reqId?: string; err?: { cause?: { message?: string } } }).find((e) => e.err?.cause?.message?.includes('logscan_refuse'));
    expect(requests.some((r) => r.reqId === dbError?.reqId && r.path === '/admin')).toBe(true);

    for (const secret of secrets) expect(log.includes(secret), `a secret of ${secret.length} characters is in the log`).toBe(false);
    expect(log).not.toMatch(/\$argon2(id|i|d)\$/);
    expect(log).not.toMatch(/utrop_session=|utrop_csrf=|Bearer /i);
    expect(personnummerIn(log)).toEqual([]);
    // The scanner itself finds what it looks for.
    expect(personnummerIn(`x ${pnr} y`)).toEqual([pnr]);
  }, 120_000);
});
