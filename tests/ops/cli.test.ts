import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { users, auditLog, deliveries, posts } from '../../db/schema';
import { seedDemo } from '../../app/demo/seed.server';
import { createUser } from '../../app/models/users.server';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';

const root = path.resolve(import.meta.dirname, '..', '..');
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

function utrop(args: string[], input = '') {
  return spawnSync(path.join(root, 'app', 'cli', 'bin.js'), args, {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: t.url },
  });
}

describe('npx utrop', () => {
  it('adds a user with the password from stdin and disables them, recording both', async () => {
    const add = utrop(['user', 'add', '--email', 'Ny.Registrator@utrop.example', '--name', 'Ny Registrator', '--role', 'registrar'], 'ett-långt-lösenord\n');
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    const [user] = await t.db.select().from(users).where(eq(users.email, 'ny.registrator@utrop.example'));
    expect(user?.role).toBe('registrar');
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);

    const dup = utrop(['user', 'add', '--email', 'ny.registrator@utrop.example', '--name', 'X', '--role', 'registrar'], 'ett-långt-lösenord\n');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('already exists');

    const disable = utrop(['user', 'disable', '--email', 'ny.registrator@utrop.example']);
    expect(disable.status).toBe(0);
    const [after] = await t.db.select().from(users).where(eq(users.id, user!.id));
    expect(after?.disabledAt).not.toBeNull();
    const actions = (await t.db.select().from(auditLog).where(eq(auditLog.objectId, user!.id))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.disable']));
  });

  it('explains bad input instead of failing with a stack trace', () => {
    const badRole = utrop(['user', 'add', '--email', 'a@b.se', '--name', 'A', '--role', 'chef'], 'ett-långt-lösenord\n');
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/role/);
    expect(badRole.stderr).not.toMatch(/at .*\.ts:\d+/);
    const shortPassword = utrop(['user', 'add', '--email', 'a@b.se', '--name', 'A', '--role', 'admin'], 'kort\n');
    expect(shortPassword.status).toBe(2);
    expect(shortPassword.stderr).toContain('password');
    expect(utrop(['frobnicate']).status).toBe(2);
  });

  it('checks text against a channel’s limits and prints JSON', () => {
    const ok = utrop(['check', '--channel', 'x'], 'Hej Helsingborg! https://helsingborg.se/nyheter/en-mycket-lang-adress-som-anda-raknas-som-23-tecken');
    expect(ok.status).toBe(0);
    const report = JSON.parse(ok.stdout) as { ok: boolean; length: number; limit: number; problems: unknown[] };
    expect(report).toMatchObject({ ok: true, limit: 280, problems: [] });
    expect(report.length).toBe('Hej Helsingborg! '.length + 23);

    const tooLong = utrop(['check', '--channel', 'x'], 'å'.repeat(281));
    expect(tooLong.status).toBe(1);
    const bad = JSON.parse(tooLong.stdout) as { ok: boolean; problems: { code: string; message: string }[] };
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]?.message).toMatch(/för lång/);
    expect(tooLong.stderr).toBe('utrop check: the text does not pass the checks for x (see the report)\n');

    const ig = utrop(['check', '--channel', 'instagram'], 'En bildtext utan bild');
    expect(ig.status).toBe(1);
    expect(JSON.parse(ig.stdout).problems.length).toBeGreaterThan(0);

    expect(utrop(['check', '--channel', 'myspace'], 'x').status).toBe(2);
  });

  it('creates a post from a text file and shows it as JSON; refuses text over a channel’s limit', async () => {
    await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'utrop-cli-'));
    const textFile = path.join(dir, 'text.txt');
    writeFileSync(textFile, 'Vattenavstängning på Drottninggatan i morgon kl. 8–12.\n');
    const created = utrop(['post', 'create', '--text-file', textFile, '--channels', 'x-helsingborg,facebook', '--at', '2031-06-01T08:00:00+02:00']);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.postId, id));
    expect(rows.map((r) => r.state)).toEqual(['scheduled', 'scheduled']);

    const shown = utrop(['post', 'show', id, '--json']);
    expect(shown.status).toBe(0);
    const post = JSON.parse(shown.stdout) as { text: string; deliveries: { channel: string; state: string; attempts: unknown[]; permalink: string | null }[] };
    expect(post.text).toBe('Vattenavstängning på Drottninggatan i morgon kl. 8–12.');
    expect(post.deliveries.map((d) => d.channel).sort()).toEqual(['facebook-helsingborg', 'x-helsingborg']);
    expect(post.deliveries.every((d) => d.state === 'scheduled' && Array.isArray(d.attempts) && d.permalink === null)).toBe(true);

    writeFileSync(textFile, 'x'.repeat(300));
    const tooLong = utrop(['post', 'create', '--text-file', textFile, '--channels', 'x-helsingborg']);
    expect(tooLong.status).toBe(1);
    expect(tooLong.stderr).toMatch(/för lång/);
    expect(utrop(['post', 'create', '--text-file', textFile, '--channels', 'x', '--at', 'i morgon']).status).toBe(2);

    // Kinds (ADR 022/030): a press release waits for review; an unknown kind is a usage error.
    writeFileSync(textFile, 'Pressmeddelande: nya öppettider.');
    const press = utrop(['post', 'create', '--text-file', textFile, '--channels', 'x-helsingborg', '--kind', 'pressmeddelande', '--at', '2031-06-01T08:00:00+02:00']);
    expect(press.status).toBe(0);
    const pressRows = await t.db.select().from(deliveries).where(eq(deliveries.postId, press.stdout.trim()));
    expect(pressRows.map((r) => r.state)).toEqual(['draft']);
    for (const kind of ['crisis', "nyhet'; drop table posts; --", 'å'.repeat(5000)]) {
      expect(utrop(['post', 'create', '--text-file', textFile, '--channels', 'x-helsingborg', '--kind', kind]).status, kind.slice(0, 20)).toBe(2);
    }
  });

  it('post create --as refuses a user whose role lacks post:publish: one line, exit 1, nothing written', async () => {
    await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
    const admin = { userId: null, label: 'test' };
    await createUser(t.db, { email: 'cli-vard@utrop.example', name: 'Veckans Värd', role: 'staff_host', password: 'ett-långt-lösenord' }, admin);
    await createUser(t.db, { email: 'cli-kim@utrop.example', name: 'Kim K', role: 'communications', password: 'ett-långt-lösenord' }, admin);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'utrop-cli-'));
    const textFile = path.join(dir, 'text.txt');
    writeFileSync(textFile, 'Personalfest på fredag!\n');
    const count = async () => (await t.db.select({ id: posts.id }).from(posts)).length;
    const before = await count();
    const args = ['post', 'create', '--text-file', textFile, '--channels', 'x-helsingborg', '--at', '2031-06-01T08:00:00+02:00'];

    const refused = utrop([...args, '--as', 'Cli-Vard@utrop.example']);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('utrop: cli-vard@utrop.example (role staff_host) may not schedule or publish posts (post:publish); nothing was created\n');
    expect(await count()).toBe(before);

    const unknown = utrop([...args, '--as', 'ingen@utrop.example']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('utrop: no active user ingen@utrop.example\n');
    // Hostile values: a control character, a huge value (each CLI run starts a process: kept to two).
    for (const bad of ['cli-vard\u0001@utrop.example', `${'a'.repeat(100_000)}@utrop.example`]) {
      const r = utrop([...args, '--as', bad]);
      expect(r.status, JSON.stringify(bad.slice(0, 40))).toBe(2);
      // A usage error: the reason on the first line, then the usage text.
      expect(r.stderr.split('\n')[0]).toBe('utrop: --as must be the email address of a user of Utrop');
    }
    expect(await count()).toBe(before);

    const allowed = utrop([...args, '--as', 'cli-kim@utrop.example']);
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
    const [row] = await t.db.select().from(posts).where(eq(posts.id, allowed.stdout.trim()));
    const [kim] = await t.db.select().from(users).where(eq(users.email, 'cli-kim@utrop.example'));
    expect(row?.createdBy).toBe(kim!.id);
  }, 240_000);
});
