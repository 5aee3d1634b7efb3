import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { databaseUrl } from '../../db/embedded';
import { openDatabase } from '../../db/client';
import { verifyRegister } from '../../db/register';
import { contentHash } from '../../db/register/canonical';

const migrations = path.resolve(import.meta.dirname, '..', '..', 'db', 'migrations');
const name = `utrop_regmig_${randomBytes(5).toString('hex')}`;
const serverUrl = inject('pgServerUrl');
const url = databaseUrl(serverUrl, name);
const cleanup: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** The migrations folder as it was before the register's: the first `n` entries of the journal. */
function migrationsUpTo(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'utrop-mig-'));
  fs.cpSync(migrations, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, n);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the register migration (0003)', () => {
  it('numbers and chains the records written before it, in registration order, and registers a note of it', async () => {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    cleanup.push(async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    cleanup.push(() => sql.end({ timeout: 5 }));
    await migrate(drizzle(sql), { migrationsFolder: migrationsUpTo(3) });

    // Three records in the old form: no number, no chain.
    const [channel] = await sql`insert into channels (key, platform, name, account_id) values ('x-old', 'x', 'Gamla X', 'acc') returning id`;
    for (const [i, text] of ['Första', 'Andra', 'Tredje'].entries()) {
      const content = { text };
      await sql`insert into public_records (kind, direction, channel_id, platform, external_id, counterparty, summary, content, content_sha256, registered_at)
                values ('outgoing_post', 'outgoing', ${channel!.id}, 'x', ${`old-${i}`}, 'Gamla X', ${text}, ${JSON.stringify(content)}::jsonb, ${contentHash(content)}, ${new Date(Date.UTC(2026, 10, 20 + i, 9, 0, 0, 123)).toISOString()}::timestamptz)`;
    }

    await migrate(drizzle(sql), { migrationsFolder: migrations });
    const rows = await sql<{ id: string; registration_number: string; summary: string; kind: string }[]>`
      select id, registration_number, summary, kind from public_records order by id`;
    expect(rows.map((r) => r.registration_number)).toEqual(['SOC 2026/000001', 'SOC 2026/000002', 'SOC 2026/000003', 'SOC 2026/000004']);
    expect(rows.map((r) => r.summary).slice(0, 3)).toEqual(['Första', 'Andra', 'Tredje']);
    expect(rows[3]!.kind).toBe('register_note');

    const database = openDatabase(url, { max: 2, applicationName: 'utrop-test' });
    cleanup.push(() => database.close());
    const result = await verifyRegister(database.db);
    expect(result).toMatchObject({ ok: true, records: 4 });
  });
});
