import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';

function withoutOwner(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_OWNER_URL: _omit, ...rest } = env;
  return rest;
}

const root = path.resolve(import.meta.dirname, '..', '..');
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

describe('npm run db:migrate', () => {
  it('runs the script package.json names and leaves the database migrated', async () => {
    const run = spawnSync('npm', ['run', '--silent', 'db:migrate'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: t.url, DATABASE_OWNER_URL: t.owner.url },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Migrations are current.');
    const rows = await t.owner.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(Number((rows as unknown as Array<{ n: number }>)[0]?.n)).toBeGreaterThan(0);
  });

  it('refuses in one line without the owner role, since the application role may not change the schema', () => {
    const run = spawnSync('npm', ['run', '--silent', 'db:migrate'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...withoutOwner(process.env), DATABASE_URL: t.url },
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['Migrating needs the owner role: set DATABASE_OWNER_URL beside DATABASE_URL.']);
  });
});
