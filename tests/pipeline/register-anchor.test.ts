import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc } from 'drizzle-orm';
import { parseCrontab, quickAddJob, runOnce } from 'graphile-worker';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { publicRecords, registerAnchors } from '../../db/schema';
import { contentHash, verifyRegister } from '../../db/register';
import * as registerAnchor from '../../workers/tasks/register__anchor';
import type { WorkerDeps } from '../../workers/deps';

let t: TestDatabase;
let su: postgres.Sql;
const lines: Record<string, unknown>[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });

async function append(text: string) {
  const content = { text };
  await t.db.insert(publicRecords).values({ kind: 'inbound_comment', direction: 'incoming', counterparty: 'Per P', summary: text, content, contentSha256: contentHash(content) });
}

/** Adds a register__anchor job and lets the real Graphile Worker run it once. */
async function runAnchorJob(): Promise<void> {
  const deps = { db: t.db, log } as unknown as WorkerDeps;
  await quickAddJob({ connectionString: t.url }, 'register__anchor', {});
  await runOnce({ connectionString: t.url, taskList: { register__anchor: registerAnchor.makeTask(deps) }, noHandleSignals: true });
}

const latestAnchor = async () => (await t.db.select().from(registerAnchors).orderBy(desc(registerAnchors.id)).limit(1))[0];

beforeAll(async () => {
  t = await createTestDatabase();
  su = postgres(t.superuserUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await su.end({ timeout: 5 });
  await t.destroy();
});

describe('register__anchor', () => {
  it('is scheduled hourly in the crontab with a stable id', () => {
    const items = parseCrontab(readFileSync(new URL('../../workers/crontab', import.meta.url), 'utf8'));
    const item = items.find((i) => i.task === 'register__anchor');
    expect(item).toMatchObject({ identifier: 'register_anchor', match: expect.any(Function) });
    expect(registerAnchor.payloadSchema.safeParse({ unexpected: 1 }).success).toBe(false);
    expect(registerAnchor.payloadSchema.safeParse({}).success).toBe(true);
  });

  it('anchors the chain head after checking the new records, and again after more arrive', async () => {
    await append('Första');
    await runAnchorJob();
    const first = await latestAnchor();
    const whole = await verifyRegister(t.db);
    expect(first).toMatchObject({ lastRecordId: whole.lastRecordId, lastRecordSha256: whole.lastRecordSha256, recordCount: whole.records });
    expect(lines.find((l) => l.msg === 'register chain head anchored')).toMatchObject({ lastRecordSha256: whole.lastRecordSha256, records: whole.records });

    await append('Andra');
    await append('Tredje');
    lines.length = 0;
    await runAnchorJob();
    const second = await latestAnchor();
    expect(second!.id).toBeGreaterThan(first!.id);
    expect(second!.recordCount).toBe(first!.recordCount + 2);
    expect(lines.find((l) => l.msg === 'register chain head anchored')).toMatchObject({ newRecords: 2 });
    expect((await verifyRegister(t.db)).ok).toBe(true);
  });

  it('writes no anchor over a broken chain and fails the job', async () => {
    await append('Fjärde');
    const before = await latestAnchor();
    await su.begin(async (tx) => {
      await tx.unsafe('alter table public_records disable trigger user');
      await tx.unsafe(`update public_records set summary = 'ändrad' where id = (select max(id) from public_records)`);
      await tx.unsafe('alter table public_records enable trigger user');
    });
    lines.length = 0;
    await runAnchorJob();
    expect((await latestAnchor())!.id).toBe(before!.id);
    expect(lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('register anchor refused'))).toBeDefined();
    const [job] = await su<{ last_error: string }[]>`select last_error from graphile_worker.jobs where task_identifier = 'register__anchor' and last_error is not null`;
    expect(job?.last_error).toMatch(/register anchor refused: Posten .* har ändrats/);
  });
});
