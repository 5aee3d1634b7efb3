/**
 * ADR 016: web, worker and CLI connect as the application role, which cannot change or remove a registered record
 * or the audit log, nor get around the append-only triggers. tests/support/db.ts gives `t.db`/`t.sql` as that role.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { auditLog, channels, handoverHandbacks, handoverWeeks, publicRecords, registerAnchors, users } from '../../db/schema';
import { createPost } from '../../app/models/posts.server';
import { acceptGuidelines, guidelinesStatus } from '../../app/models/handover.server';
import { recordAudit } from '../../db/queries/audit';
import { seedDemo } from '../../app/demo/seed.server';
import { appendOnlyTables } from '../../db/append-only';
import { migrateAll, assertMigrationsCurrent, MigrationsPendingError } from '../../db/migrate';
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseConfig } from '../../common/config.server';
import { adoptDatabase, grantStatements } from '../../db/roles';
import { databaseUrl, urlAs } from '../../db/embedded';

const root = path.resolve(import.meta.dirname, '..', '..');
let t: TestDatabase;
let recordId: number;
let auditId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
  // The demo host holds this week; their acceptance gives handover_acceptances a row to try to change.
  const [host] = await t.db.select().from(users).where(eq(users.role, 'staff_host'));
  const status = await guidelinesStatus(t.db, host!.id);
  await acceptGuidelines(t.db, { userId: host!.id, guidelinesId: status!.guidelines.id });
  // A draft of theirs handed back at a week's end gives handover_handbacks a row (ADR 041).
  const [week] = await t.db.select().from(handoverWeeks).where(eq(handoverWeeks.userId, host!.id));
  const draft = await createPost(t.db, { text: 'Ett utkast', channelKeys: ['x-helsingborg'], authorRole: 'staff_host', createdBy: host!.id, actorLabel: 'test' });
  await t.db.insert(handoverHandbacks).values({ weekId: week!.id, postId: draft.post.id, reviewStateBefore: 'pending_approval' });
  const [channel] = await t.db.select().from(channels).limit(1);
  const [record] = await t.db
    .insert(publicRecords)
    .values({
      kind: 'outgoing_post',
      direction: 'outgoing',
      channelId: channel!.id,
      platform: channel!.platform,
      externalId: 'roles-test-1',
      counterparty: 'Helsingborgs stad',
      summary: 'Inlägg om rollerna',
      content: { text: 'Hej' },
      contentSha256: 'a'.repeat(64),
    })
    .returning();
  recordId = record!.id;
  await t.db.insert(registerAnchors).values({ lastRecordId: recordId, lastRecordSha256: record!.recordSha256, recordCount: 1 });
  await recordAudit(t.db, { actorUserId: null, actorLabel: 'system', action: 'roles.test', objectType: 'test', objectId: '1' });
  const [row] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'roles.test'));
  auditId = row!.id;
});
afterAll(async () => {
  await t.destroy();
});

describe('the application role', () => {
  it('inserts and reads records and audit entries', async () => {
    const [record] = await t.db.select().from(publicRecords).where(eq(publicRecords.id, recordId));
    expect(record?.summary).toBe('Inlägg om rollerna');
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.id, auditId));
    expect(audit?.action).toBe('roles.test');
  });

  it.each(appendOnlyTables)('has no UPDATE, DELETE or TRUNCATE on %s', async (table) => {
    await expect(t.sql.unsafe(`update ${table} set id = id where ctid = (select ctid from ${table} limit 1)`)).rejects.toThrow(
      new RegExp(`permission denied for table ${table}`),
    );
    await expect(t.sql.unsafe(`delete from ${table}`)).rejects.toThrow(new RegExp(`permission denied for table ${table}`));
    await expect(t.sql.unsafe(`truncate ${table}`)).rejects.toThrow(new RegExp(`permission denied for table ${table}`));
    const [{ n } = { n: 0 }] = await t.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
    expect(n).toBeGreaterThan(0);
  });

  it('cannot disable or drop the append-only triggers', async () => {
    for (const table of appendOnlyTables) {
      await expect(t.sql.unsafe(`alter table ${table} disable trigger ${table}_append_only`)).rejects.toThrow(/must be owner/);
      await expect(t.sql.unsafe(`alter table ${table} disable trigger all`)).rejects.toThrow(/must be owner/);
      await expect(t.sql.unsafe(`drop trigger ${table}_append_only on ${table}`)).rejects.toThrow(/must be owner/);
      await expect(t.sql.unsafe(`drop table ${table}`)).rejects.toThrow(/must be owner/);
    }
    await expect(t.sql`drop function utrop_reject_change() cascade`).rejects.toThrow(/must be owner/);
    await expect(t.sql`set session_replication_role = replica`).rejects.toThrow(/permission denied/);
    const [row] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from pg_trigger where tgname like '%append_only' and tgenabled = 'O'`;
    expect(row?.n).toBe(appendOnlyTables.length);
  });

  it('runs no DDL and owns nothing', async () => {
    await expect(t.sql`create table intruder (id int)`).rejects.toThrow(/permission denied for schema public/);
    await expect(t.sql`create schema intruder`).rejects.toThrow(/permission denied for database/);
    await expect(t.sql`alter table channels add column intruder int`).rejects.toThrow(/must be owner/);
    await expect(t.sql`create table graphile_worker.intruder (id int)`).rejects.toThrow(/permission denied for schema graphile_worker/);
    const [me] = await t.sql<{ superuser: boolean; owned: number }[]>`
      select r.rolsuper as superuser,
        (select count(*)::int from pg_class where relowner = r.oid) + (select count(*)::int from pg_namespace where nspowner = r.oid)
        + (select count(*)::int from pg_proc where proowner = r.oid) as owned
      from pg_roles r where r.rolname = current_user`;
    expect(me).toEqual({ superuser: false, owned: 0 });
  });

  it('keeps full DML on ordinary tables and sees migrations as current', async () => {
    const [channel] = await t.db.select().from(channels).limit(1);
    await t.db.update(channels).set({ name: 'Omdöpt kanal' }).where(eq(channels.id, channel!.id));
    const [after] = await t.db.select().from(channels).where(eq(channels.id, channel!.id));
    expect(after?.name).toBe('Omdöpt kanal');
    await expect(assertMigrationsCurrent(t.url)).resolves.toBeUndefined();
  });
});

describe('the grant step', () => {
  it('is idempotent and gives tables a later migration adds the same privileges', async () => {
    const appRole = inject('appRole').name;
    await migrateAll(t.owner.url, { appRole });
    await migrateAll(t.owner.url, { appRole });
    await t.owner.sql`create table later_table (id int)`;
    await t.sql`insert into later_table values (1)`;
    await t.sql`update later_table set id = 2`;
    await t.sql`delete from later_table`;
    await expect(t.sql`truncate later_table`).rejects.toThrow(/permission denied/);
    await expect(t.sql`update public_records set summary = 'x'`).rejects.toThrow(/permission denied/);
  });

  it('refuses an application-role process when migrations have not run', async () => {
    const superuser = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
    const name = `utrop_empty_${randomBytes(4).toString('hex')}`;
    const app = inject('appRole');
    try {
      await superuser.unsafe(`create database ${name}`);
      const appUrl = urlAs(databaseUrl(inject('pgServerUrl'), name), app.name, app.password);
      await expect(assertMigrationsCurrent(appUrl)).rejects.toThrow(MigrationsPendingError);
      // The web process itself: one line, exit 1, before it serves anything.
      const web = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['app/server/web-main.ts'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: appUrl, DATABASE_OWNER_URL: '', PORT: '1' },
        encoding: 'utf8',
      });
      expect(web.status).toBe(1);
      expect(web.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^The database schema is not current: run `npm run db:migrate`/)]);
    } finally {
      await superuser.unsafe(`drop database if exists ${name} with (force)`);
      await superuser.end({ timeout: 5 });
    }
  });

  it('moves a database migrated by the superuser (before ADR 016) to the owner role', async () => {
    const serverUrl = inject('pgServerUrl');
    const owner = inject('ownerRole');
    const app = inject('appRole');
    const name = `utrop_legacy_${randomBytes(4).toString('hex')}`;
    const superuser = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await superuser.unsafe(`create database ${name}`);
      const legacyUrl = databaseUrl(serverUrl, name);
      await migrateAll(legacyUrl);
      await adoptDatabase(legacyUrl, owner.name);
      await migrateAll(urlAs(legacyUrl, owner.name, owner.password), { appRole: app.name });
      const asApp = postgres(urlAs(legacyUrl, app.name, app.password), { max: 1, onnotice: () => {} });
      try {
        await expect(asApp`delete from audit_log`).rejects.toThrow(/permission denied/);
        await expect(asApp`alter table public_records disable trigger all`).rejects.toThrow(/must be owner/);
        const [row] = await asApp<{ n: number }[]>`
          select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname in ('public', 'graphile_worker', 'drizzle') and pg_get_userbyid(c.relowner) <> ${owner.name}`;
        expect(row?.n).toBe(0);
      } finally {
        await asApp.end({ timeout: 5 });
      }
    } finally {
      await superuser.unsafe(`drop database if exists ${name} with (force)`);
      await superuser.end({ timeout: 5 });
    }
  });
});

describe('docs/operations-database.md', () => {
  it('shows the DBA exactly the grants the migration step applies', async () => {
    const doc = (await readFile(new URL('../../docs/operations-database.md', import.meta.url), 'utf8')).replace(/\s+/g, ' ');
    for (const statement of grantStatements('utrop_app')) expect(doc).toContain(`${statement.replace(/\s+/g, ' ')};`);
  });
});

describe('DATABASE_OWNER_URL', () => {
  it('is validated and needs DATABASE_URL beside it', () => {
    expect(() => parseConfig({ NODE_ENV: 'test', DATABASE_OWNER_URL: 'postgres://o:p@db:5432/utrop' })).toThrow(
      /^Invalid configuration: DATABASE_OWNER_URL \(got "postgres:\/\/o:\*\*\*@db:5432\/utrop"\): needs DATABASE_URL/,
    );
    expect(() => parseConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://a:p@db:5432/utrop', DATABASE_OWNER_URL: 'nope' })).toThrow(/DATABASE_OWNER_URL.*expected postgres:/);
    const cfg = parseConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://a:p@db:5432/utrop', DATABASE_OWNER_URL: 'postgres://o:p@db:5432/utrop' });
    expect(cfg.DATABASE_OWNER_URL).toBe('postgres://o:p@db:5432/utrop');
  });
});
