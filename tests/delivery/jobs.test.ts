/**
 * The typed job catalogue. The `@ts-expect-error` lines are the compile-time half: `npx tsc --noEmit` (which includes
 * tests/) fails if any of them stops being a type error, i.e. if enqueue ever accepts an unknown task or a wrong
 * payload. The same calls are refused at run time too (a caller past the type checker: JSON, `any`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { enqueue, hasPendingJob, jobCatalogue, JobCatalogueError, jobKeyOf, removeJob, taskNames } from '../../workers/delivery/jobs';
import { makeTaskList } from '../../workers/tasks/index';
import type { WorkerDeps } from '../../workers/deps';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

const id = '3f1c2b8e-9a47-4d2e-8c11-5b6a7d8e9f01';

async function jobsWithKey(key: string) {
  return t.db.execute<{ task_identifier: string; priority: number }>(
    sql`select task_identifier, priority from graphile_worker.jobs where key = ${key}`,
  );
}

describe('the job catalogue', () => {
  it('refuses an unknown task and a wrong payload at compile time and at run time', async () => {
    const refused = [
      // @ts-expect-error an unknown task name
      () => enqueue(t.db, 'delivery__explode', { deliveryId: id }),
      // @ts-expect-error a payload without its required field
      () => enqueue(t.db, 'delivery__publish', {}),
      // @ts-expect-error a field of the wrong type
      () => enqueue(t.db, 'delivery__publish', { deliveryId: 42 }),
      // @ts-expect-error a payload for another task's schema
      () => enqueue(t.db, 'delivery__publish', { postId: id }),
      // A string that passes the type (string) but not the schema (uuid): refused at run time only.
      () => enqueue(t.db, 'delivery__publish', { deliveryId: 'not-a-uuid' }),
    ];
    for (const call of refused) await expect(call()).rejects.toBeInstanceOf(JobCatalogueError);
    const [row] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs`);
    expect(row?.n).toBe(0);
  });

  it('adds the job inside the caller\'s transaction, with the catalogue\'s key and priority', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await enqueue(tx, 'delivery__publish', { deliveryId: id }, { priority: -10 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await hasPendingJob(t.db, id)).toBe(false);

    await t.db.transaction((tx) => enqueue(tx, 'delivery__publish', { deliveryId: id }, { priority: -10 }));
    const key = jobKeyOf('delivery__publish', { deliveryId: id });
    expect(key).toBe(`delivery__publish:${id}`);
    expect(await jobsWithKey(key!)).toEqual([{ task_identifier: 'delivery__publish', priority: -10 }]);
    // Same key: replaced, not doubled.
    await enqueue(t.db, 'delivery__publish', { deliveryId: id });
    expect(await jobsWithKey(key!)).toHaveLength(1);
    await removeJob(t.db, 'delivery__publish', { deliveryId: id });
    expect(await hasPendingJob(t.db, id)).toBe(false);
  });

  it('the task list has exactly the catalogue\'s tasks, each file exporting the catalogue\'s schema', () => {
    const tasks = makeTaskList({} as WorkerDeps);
    expect(Object.keys(tasks).sort()).toEqual([...taskNames].sort());
    expect(Object.keys(jobCatalogue).sort()).toEqual([...taskNames].sort());
  });
});

describe('cron jobs', () => {
  it('every task in the crontab accepts the payload Graphile Worker’s cron gives it, and each task file checks with the catalogue’s schema', async () => {
    const { readFile } = await import('node:fs/promises');
    const crontab = await readFile(new URL('../../workers/crontab', import.meta.url), 'utf8');
    const tasks = crontab
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'))
      .map((l) => l.trim().split(/\s+/)[5]!);
    expect(tasks.length).toBeGreaterThan(5);
    // What graphile-worker's cron puts in every job it queues (src/cron.ts: `_cron: { ts, backfilled }`).
    const cronPayload = { _cron: { ts: new Date().toISOString(), backfilled: false } };
    for (const task of tasks) {
      expect(taskNames, task).toContain(task);
      const schema = jobCatalogue[task as keyof typeof jobCatalogue].payload;
      expect(schema.safeParse(cronPayload).success, `${task} refuses its cron payload`).toBe(true);
      const file = (await import(`../../workers/tasks/${task}.ts`)) as { payloadSchema: unknown };
      expect(file.payloadSchema, `${task}.ts checks with its own copy of the schema`).toBe(schema);
    }
  });
});
