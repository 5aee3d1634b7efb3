/**
 * The delivery worker's hot statements run as named prepared statements (db/queries/fast.ts executeShaped, ADR 033):
 * one round trip and a kept plan instead of a describe round trip, a parse and a plan per call. These tests pin what
 * that depends on: the statement really is prepared on the connection, a migration that changes a table under a
 * prepared statement does not break the worker, and inside a transaction the statement still runs. executeShaped
 * builds a statement's text once per shape and fills in each call's values: these tests pin that every call writes its
 * own values, encoded as Drizzle encodes them, and that a different shape gets a text of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { openDatabase, type Database } from '../../db/client';
import { executeShaped, insertRowSql } from '../../db/queries/fast';
import { auditLog } from '../../db/schema';
import { claimInOneStatement, gateState } from '../../db/queries/deliveries';

let t: TestDatabase;
let one: Database;

beforeAll(async () => {
  t = await createTestDatabase();
  // One connection, so that pg_prepared_statements (per session) shows what the statements before it prepared.
  one = openDatabase(t.url, { max: 1, applicationName: 'utrop-test-prepared' });
});

afterAll(async () => {
  await one.close();
  await t.destroy();
});

async function preparedTexts(): Promise<string[]> {
  const rows = await one.sql<{ statement: string }[]>`select statement from pg_prepared_statements`;
  return rows.map((r) => r.statement);
}

describe('prepared statements', () => {
  it('prepares a statement once per connection and reuses it', async () => {
    const byKey = (key: string) => executeShaped(one.db, 'test.channel', { v: { key } }, ({ v }) => sql`select key, name from channels where key = ${v.key}`);
    expect(await byKey('ingen')).toEqual([]);
    expect(await byKey('ingen-heller')).toEqual([]);
    const texts = (await preparedTexts()).filter((s) => s.includes('from channels where key ='));
    expect(texts).toHaveLength(1);
  });

  it('the claim and the gate of the hot path are prepared statements', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const now = new Date();
    // No such delivery: nothing is claimed and nothing is written, but both statements have run.
    expect(await claimInOneStatement(one.db, id, { from: ['queued'], to: 'publishing', workerId: 'test', now, dueBy: now, giveUpAt: now })).toBeUndefined();
    expect(await gateState(one.db, id, 1)).toBeUndefined();
    const texts = await preparedTexts();
    expect(texts.some((s) => s.includes('as "__channel"'))).toBe(true);
    expect(texts.some((s) => s.includes('as paused'))).toBe(true);
  });

  it('keeps working when a migration changes the table under a prepared statement', async () => {
    const query = () => executeShaped<Record<string, unknown>, { v: { key: string } }>(one.db, 'test.all', { v: { key: 'x-test' } }, ({ v }) => sql`select * from channels where key = ${v.key}`);
    await t.owner.sql`insert into channels (key, platform, name) values ('x-test', 'x', 'X test')`;
    const before = await query();
    expect(before).toHaveLength(1);
    expect(before[0]).not.toHaveProperty('prepared_test_column');
    // What a deploy's migration does while workers run: the cached plan's result type changes.
    await t.owner.sql`alter table channels add column prepared_test_column integer not null default 7`;
    const after = await query();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ key: 'x-test', prepared_test_column: 7 });
  });

  it('inside a transaction it runs on the transaction’s connection, and rolls back with it', async () => {
    const marker = `prepared-tx-${Date.now()}`;
    await expect(
      one.db.transaction(async (tx) => {
        await executeShaped(tx, 'test.tx-insert', { v: { marker } }, ({ v }) => sql`insert into audit_log (actor_label, action, object_type, object_id) values ('test', ${v.marker}, 'test', 'x')`);
        const seen = await executeShaped<{ n: number }, { v: { marker: string } }>(tx, 'test.tx-count', { v: { marker } }, ({ v }) => sql`select count(*)::int as n from audit_log where action = ${v.marker}`);
        expect(seen[0]?.n).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = ${marker}`;
    expect(row?.n).toBe(0);
  });
});

describe('executeShaped', () => {
  type AuditValues = typeof auditLog.$inferInsert;
  let builds = 0;
  const insert = (db: Database['db'] | Parameters<Parameters<Database['db']['transaction']>[0]>[0], values: AuditValues) =>
    executeShaped(db, 'test.audit', { audit: values }, (v) => {
      builds++;
      return sql`${insertRowSql(auditLog, v.audit)} returning id`;
    });
  const rowsOf = (marker: string) =>
    t.sql<{ actor_user_id: string | null; object_id: string | null; details: unknown; ms: number }[]>`
      select actor_user_id, object_id, details, (extract(epoch from at) * 1000)::float8 as ms from audit_log where action = ${marker} order by id`;

  it('builds the text once and writes each call’s own values, nulls as SQL null', async () => {
    const marker = `shaped-${Date.now()}`;
    const first = new Date('2026-03-29T00:59:59.123Z');
    const second = new Date('2026-10-25T01:00:00.456Z');
    builds = 0;
    await insert(one.db, { actorUserId: null, actorLabel: 'test', action: marker, objectType: 'test', objectId: 'a', details: { n: 1, text: 'Räddningstjänsten ”varnar”' }, at: first });
    await insert(one.db, { actorUserId: null, actorLabel: 'test', action: marker, objectType: 'test', objectId: null, details: { n: 2, list: [1, null, 'å'] }, at: second });
    expect(builds).toBe(1);
    const rows = await rowsOf(marker);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ actor_user_id: null, object_id: 'a', details: { n: 1, text: 'Räddningstjänsten ”varnar”' } });
    expect(rows[0]!.ms).toBe(first.getTime());
    expect(rows[1]).toMatchObject({ actor_user_id: null, object_id: null, details: { n: 2, list: [1, null, 'å'] } });
    expect(rows[1]!.ms).toBe(second.getTime());
    const [nulls] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = ${marker} and object_id is null`;
    expect(nulls?.n).toBe(1);
    expect((await preparedTexts()).filter((s) => s.startsWith('insert into "audit_log"'))).toHaveLength(1);
  });

  it('a value left out is a shape of its own, and takes the column default', async () => {
    const marker = `shaped-default-${Date.now()}`;
    builds = 0;
    const before = Date.now();
    await insert(one.db, { actorUserId: null, actorLabel: 'test', action: marker, objectType: 'test', objectId: 'b', details: {} });
    await insert(one.db, { actorUserId: null, actorLabel: 'test', action: marker, objectType: 'test', objectId: 'c', details: {}, at: new Date(0) });
    expect(builds).toBe(1); // the second call's shape was built by the test above
    const rows = await rowsOf(marker);
    expect(rows.map((r) => r.object_id)).toEqual(['b', 'c']);
    expect(rows[0]!.ms).toBeGreaterThanOrEqual(before - 60_000);
    expect(rows[1]!.ms).toBe(0);
  });

  it('writes the same row inside a transaction (built with the values), and refuses SQL as a value', async () => {
    const marker = `shaped-tx-${Date.now()}`;
    await one.db.transaction((tx) => insert(tx, { actorUserId: null, actorLabel: 'test', action: marker, objectType: 'test', objectId: null, details: { n: 3 }, at: new Date(1000) }));
    expect(await rowsOf(marker)).toMatchObject([{ object_id: null, details: { n: 3 } }]);
    await expect(insert(one.db, { actorUserId: null, actorLabel: 'test', action: marker, objectType: 'test', objectId: sql`'x'` as unknown as string, details: {} })).rejects.toThrow(/objectId is SQL/);
    expect(await rowsOf(marker)).toHaveLength(1);
  });
});
