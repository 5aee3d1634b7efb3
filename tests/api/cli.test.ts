/**
 * `npx utrop token create|revoke` and `npx utrop post approve` (issue 10): the token is printed once and stored only
 * as its SHA-256; the approval follows the review page's rules (never the author, the kind's approver role). Hostile
 * arguments get one line and exit 2 (usage) or 1 (refused), never a stack trace, and nothing is written.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { seedDemo } from '../../app/demo/seed.server';
import { apiTokens, deliveries, posts, users } from '../../db/schema';
import { hashApiToken } from '../../app/models/api-tokens.server';
import { randomBytes } from 'node:crypto';
import { extraCommands } from '../../app/cli/commands';
import { UsageError } from '../../app/cli/io';

const root = path.resolve(import.meta.dirname, '..', '..');
// Each spawned `npx utrop` starts tsx: on a loaded shared machine that alone can take 20 s.
const SPAWNING = { timeout: 240_000 };
let t: TestDatabase;
let comms: string;
beforeAll(async () => {
  t = await createTestDatabase();
  const seed = await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
  comms = seed.demoUsers.find((u) => u.role === 'communications')!.email;
  process.env.DATABASE_URL = t.url;
});
afterAll(async () => {
  await t.destroy();
});

function utrop(args: string[]) {
  return spawnSync(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: t.url } });
}

/**
 * The same command in this process, as app/cli/index.ts runs it (UsageError → 2): the hostile cases go through the
 * command's own code without paying a process start each (the machine is shared; the spawned cases prove the wiring).
 */
async function inProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const command = extraCommands.find((c) => c.matches(args));
  if (!command) throw new Error(`no command for ${args.join(' ')}`);
  let stdout = '';
  let stderr = '';
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { status: await command.run(args), stdout, stderr };
  } catch (e) {
    if (e instanceof UsageError) return { status: 2, stdout, stderr: stderr + e.message };
    throw e;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const noStack = (stderr: string) => expect(stderr).not.toMatch(/at .*\.ts:\d+|\n\s+at /);
const tokenCount = async () => (await t.db.select({ n: count() }).from(apiTokens))[0]!.n;

describe('npx utrop token', () => {
  it('creates a token, prints it once, stores only its SHA-256, and revokes it by name or id', SPAWNING, async () => {
    const made = utrop(['token', 'create', '--name', 'Webbplatsens nyhetsflöde', '--role', 'communications', '--user', comms.toUpperCase()]);
    expect(made.stderr).toContain('shown once');
    expect(made.status).toBe(0);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^utr_[A-Za-z0-9_-]{43}$/);
    const [row] = await t.db.select().from(apiTokens).where(eq(apiTokens.name, 'Webbplatsens nyhetsflöde'));
    expect(row?.tokenSha256).toBe(hashApiToken(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
    const [user] = await t.db.select().from(users).where(eq(users.email, comms));
    expect(row?.userId).toBe(user!.id);

    const service = await inProcess(['token', 'create', '--name', 'intranät', '--role', 'communications', '--per-minute', '30']);
    expect(service.status).toBe(0);
    expect(service.stdout.trim()).not.toBe(secret);

    const revoked = utrop(['token', 'revoke', 'Webbplatsens nyhetsflöde']);
    expect(revoked.status).toBe(0);
    expect((await t.db.select().from(apiTokens).where(eq(apiTokens.id, row!.id)))[0]?.revokedAt).not.toBeNull();
    const again = await inProcess(['token', 'revoke', row!.id]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('was revoked');
  });

  it('refuses hostile or wrong arguments with one line, writing nothing', SPAWNING, async () => {
    const before = await tokenCount();
    const usage: string[][] = [
      ['token', 'create'],
      ['token', 'create', '--name', 'x'],
      ['token', 'create', '--name', '', '--role', 'admin'],
      ['token', 'create', '--name', 'a'.repeat(10_000), '--role', 'admin'],
      ['token', 'create', '--name', 'klocka\u0007', '--role', 'admin'],
      ['token', 'create', '--name', '../../etc/passwd', '--role', 'admin'],
      ['token', 'create', '--name', 'ok', '--role', 'chef'],
      ['token', 'create', '--name', 'ok', '--role', 'admin', '--user', 'inte-en-adress'],
      ['token', 'create', '--name', 'ok', '--role', 'admin', '--user', `${'a'.repeat(300)}@utrop.example`],
      ['token', 'create', '--name', 'ok', '--role', 'admin', '--per-minute', 'många'],
      ['token', 'create', '--name', 'ok', '--role', 'admin', '--per-minute', '0'],
      ['token', 'create', '--name', 'ok', '--role', 'admin', '--frobnicate'],
      ['token', 'revoke'],
      ['token', 'revoke', 'a', 'b'],
      ['token', 'revoke', 'x'.repeat(5000)],
      ['token', 'revoke', 'rad\nbrytning'],
    ];
    // One through the real command line, the rest in process.
    expect(utrop(usage[0]!).status).toBe(2);
    for (const args of usage) {
      const r = await inProcess(args);
      expect(r.status, args.join(' ').slice(0, 80)).toBe(2);
      expect(r.stdout).toBe('');
      noStack(r.stderr);
    }
    const refused: [string[], RegExp][] = [
      [['token', 'create', '--name', 'intranät', '--role', 'communications'], /already exists/],
      [['token', 'create', '--name', 'värd', '--role', 'staff_host'], /needs --user/],
      [['token', 'create', '--name', 'fel roll', '--role', 'admin', '--user', comms], /has role communications/],
      [['token', 'create', '--name', 'ingen', '--role', 'admin', '--user', 'ingen@utrop.example'], /no active user/],
      [['token', 'revoke', 'finns-inte'], /no token/],
      [['token', 'revoke', '00000000-0000-4000-8000-000000000000'], /no token/],
    ];
    for (const [args, message] of refused) {
      const r = await inProcess(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      noStack(r.stderr);
    }
    expect(await tokenCount()).toBe(before);
  });
});

describe('npx utrop post create / post approve', () => {
  it('puts a post that needs approval in review and approves it as another user, never its author', SPAWNING, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'utrop-api-cli-'));
    const textFile = path.join(dir, 'text.txt');
    writeFileSync(textFile, 'Pressmeddelande: stadens nya cykelplan antas i dag.\n');
    const created = utrop(['post', 'create', '--text-file', textFile, '--channels', 'x-helsingborg,facebook-helsingborg', '--kind', 'pressmeddelande', '--at', '2031-06-01T08:00:00+02:00', '--as', comms]);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const id = created.stdout.trim();
    const [post] = await t.db.select().from(posts).where(eq(posts.id, id));
    expect(post?.reviewState).toBe('pending_approval');
    expect((await t.db.select().from(deliveries).where(eq(deliveries.postId, id))).map((d) => d.state)).toEqual(['draft', 'draft']);

    for (const [args, code] of [
      [['post', 'approve', id, '--by', comms], /own_post/],
      [['post', 'approve', id, '--by', 'registrator@utrop.example'], /wrong_role/],
      [['post', 'approve', id, '--by', 'varumarke@utrop.example'], /wrong_role/],
      [['post', 'approve', id, '--by', 'ingen@utrop.example'], /no active user/],
      [['post', 'approve', '00000000-0000-4000-8000-000000000000', '--by', 'admin@utrop.example'], /not_found/],
    ] as const) {
      const r = await inProcess([...args]);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(code);
      noStack(r.stderr);
    }
    for (const args of [
      ['post', 'approve'],
      ['post', 'approve', id],
      ['post', 'approve', 'inte-ett-id', '--by', 'admin@utrop.example'],
      ['post', 'approve', id, '--by', 'inte en adress'],
      ['post', 'approve', id, '--by', `admin\u0001@utrop.example`],
      ['post', 'approve', id, id, '--by', 'admin@utrop.example'],
    ]) {
      const r = await inProcess(args);
      expect(r.status, args.join(' ')).toBe(2);
      noStack(r.stderr);
    }
    expect((await t.db.select().from(posts).where(eq(posts.id, id)))[0]?.reviewState).toBe('pending_approval');

    const ok = utrop(['post', 'approve', id.toUpperCase(), '--by', 'Admin@utrop.example']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const [after] = await t.db.select().from(posts).where(eq(posts.id, id));
    const [admin] = await t.db.select().from(users).where(eq(users.email, 'admin@utrop.example'));
    expect(after?.reviewState).toBe('approved');
    expect(after?.approvedBy).toBe(admin!.id);
    expect((await t.db.select().from(deliveries).where(eq(deliveries.postId, id))).map((d) => d.state)).toEqual(['scheduled', 'scheduled']);
    expect((await inProcess(['post', 'approve', id, '--by', 'admin@utrop.example'])).stderr).toMatch(/not_pending/);
  });
});
