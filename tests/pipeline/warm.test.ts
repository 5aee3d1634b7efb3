/**
 * workers/delivery/warm.ts: at start the worker opens its connections and prepares the claim and the gate on each,
 * so that the first burst after a quiet time does not pay for new connections and first describes in the middle
 * of it (ADR 033). What it must do: every warmed connection is open and has both statements prepared, and nothing
 * is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { openDatabase, type Database } from '../../db/client';
import { defaultDeliveryPolicy } from '../../workers/lib/policy';
import { warmConnections } from '../../workers/delivery/warm';
import type { WorkerDeps } from '../../workers/deps';
import { silentLog } from './harness';

let t: TestDatabase;
let pool: Database;
const size = 4;

beforeAll(async () => {
  t = await createTestDatabase();
  pool = openDatabase(t.url, { max: size, applicationName: 'utrop-test-warm' });
});

afterAll(async () => {
  await pool.close();
  await t.destroy();
});

async function rowCounts(): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, number>[]>`
    select (select count(*)::int from deliveries) as deliveries, (select count(*)::int from delivery_attempts) as attempts,
           (select count(*)::int from audit_log) as audit, (select count(*)::int from public_records) as records`;
  return row!;
}

describe('warmConnections', () => {
  it('opens every connection and prepares the claim and the gate on each, writing nothing', async () => {
    const before = await rowCounts();
    const deps = {
      db: pool.db,
      log: silentLog,
      workerId: 'warm-test',
      policy: defaultDeliveryPolicy,
      inFlight: new Set<string>(),
    } as unknown as WorkerDeps;
    await warmConnections(deps, size);

    const [open] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where application_name = 'utrop-test-warm' and datname = current_database()`;
    expect(open?.n).toBe(size);
    // Reserving the whole pool hands out each of its connections once: each must hold both statements.
    const reserved = await Promise.all(Array.from({ length: size }, () => pool.sql.reserve()));
    try {
      for (const connection of reserved) {
        const texts = (await connection<{ statement: string }[]>`select statement from pg_prepared_statements`).map((r) => r.statement);
        expect(texts.some((s) => s.includes('as "__channel"')), 'the claim is prepared').toBe(true);
        expect(texts.some((s) => s.includes('as paused')), 'the gate is prepared').toBe(true);
      }
    } finally {
      for (const connection of reserved) connection.release();
    }
    expect(await rowCounts()).toEqual(before);
  });
});
