/**
 * The delivery worker's hot statements run as named prepared statements (db/queries/fast.ts executePrepared, ADR 033):
 * one round trip and a kept plan instead of a describe round trip, a parse and a plan per call. These tests pin what
 * that depends on: the statement really is prepared on the connection, a migration that changes a table under a
 * prepared statement does not break the worker, and inside a transaction the statement still runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { openDatabase, type Database } from '../../db/client';
import { executePrepared } from '../../db/queries/fast';
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

describe('executePrepared', () => {
  it('prepares a statement once per connection and reuses it', async () => {
    const query = (key: string) => sql`select key, name from channels where key = ${key}`;
    expect(await executePrepared(one.db, query('ingen'))).toEqual([]);
    expect(await executePrepared(one.db, query('ingen-heller'))).toEqual([]);
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
    const query = sql`select * from channels where key = ${'x-test'}`;
    await t.owner.sql`insert into channels (key, platform, name) values ('x-test', 'x', 'X test')`;
    const before = await executePrepared<Record<string, unknown>>(one.db, query);
    expect(before).toHaveLength(1);
    expect(before[0]).not.toHaveProperty('prepared_test_column');
    // What a deploy's migration does while workers run: the cached plan's result type changes.
    await t.owner.sql`alter table channels add column prepared_test_column integer not null default 7`;
    const after = await executePrepared<Record<string, unknown>>(one.db, query);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ key: 'x-test', prepared_test_column: 7 });
  });

  it('inside a transaction it runs on the transaction’s connection, and rolls back with it', async () => {
    const marker = `prepared-tx-${Date.now()}`;
    await expect(
      one.db.transaction(async (tx) => {
        await executePrepared(tx, sql`insert into audit_log (actor_label, action, object_type, object_id) values ('test', ${marker}, 'test', 'x')`);
        const seen = await executePrepared<{ n: number }>(tx, sql`select count(*)::int as n from audit_log where action = ${marker}`);
        expect(seen[0]?.n).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = ${marker}`;
    expect(row?.n).toBe(0);
  });
});
