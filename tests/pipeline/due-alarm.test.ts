/**
 * workers/lib/due-alarm.ts (ADR 045): a worker starts a scheduled delivery when it falls due, not at its next poll.
 * The workers here poll once a minute, so only the alarm can start a post due in a second or two within a test's
 * time; and a post must never start before its time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPost } from '../../app/models/posts.server';
import { nextDueJobs } from '../../db/queries/graphile-jobs';
import { EventEmitter } from 'node:events';
import { Logger, makeWorkerUtils, run, type WorkerEvents } from 'graphile-worker';
import { startDueAlarm, type DueAlarm } from '../../workers/lib/due-alarm';
import { silentLog, startHarness, uniqueText, waitFor, type Harness } from './harness';

const MINUTE = 60_000;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.startWorker({ pollInterval: MINUTE, name: 'alarm' });
});
afterAll(async () => {
  await h?.close();
});

async function scheduled(inMs: number, channel = 'x-helsingborg') {
  const scheduledAt = new Date(Date.now() + inMs);
  const { deliveries } = await createPost(h.t.db, { text: uniqueText('Schemalagd'), channelKeys: [channel], scheduledAt, createdBy: null, actorLabel: 'test' });
  return { delivery: deliveries[0]!, scheduledAt };
}

describe('due-time alarm', () => {
  it('starts a scheduled post at its time although the next poll is a minute away, and never before it', async () => {
    const { delivery, scheduledAt } = await scheduled(1_500);
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published', 20_000);
    const [attempt] = await h.attempts(done.id);
    expect(attempt!.startedAt.getTime()).toBeGreaterThanOrEqual(scheduledAt.getTime());
    expect((await h.simPosts()).filter((p) => p.id === done.externalId)).toHaveLength(1);
  });

  it('moves its wake-up forward when a job due sooner is added after it was set', async () => {
    // A runner of its own with the periodic look-up a minute apart: only the job notification can move the alarm.
    const events: WorkerEvents = new EventEmitter();
    let alarm: DueAlarm | null = null;
    events.on('pool:create', ({ workerPool }) => {
      alarm = startDueAlarm(workerPool, { db: h.t.db, log: silentLog, concurrency: 2, refreshMs: MINUTE, events });
    });
    const ran: string[] = [];
    const runner = await run({
      connectionString: h.t.url,
      concurrency: 2,
      pollInterval: MINUTE,
      noHandleSignals: true,
      logger: new Logger(() => () => {}),
      events,
      taskList: { alarm_probe: async (payload) => void ran.push((payload as { name: string }).name) },
    });
    try {
      const utils = await makeWorkerUtils({ connectionString: h.t.url });
      try {
        await utils.addJob('alarm_probe', { name: 'later' }, { runAt: new Date(Date.now() + 10 * MINUTE) });
        await new Promise((r) => setTimeout(r, 300));
        await utils.addJob('alarm_probe', { name: 'sooner' }, { runAt: new Date(Date.now() + 1_500) });
        await waitFor(async () => ran.includes('sooner'), 20_000, 'the sooner job');
        expect(ran).toEqual(['sooner']);
      } finally {
        await utils.release();
      }
    } finally {
      (alarm as DueAlarm | null)?.stop();
      await runner.stop();
      await h.t.sql`delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier = 'alarm_probe')`;
    }
  });

  it('counts the posts that fall due together, and starts them all at their time', async () => {
    const at = 2_000;
    const many = await Promise.all([0, 1, 2].map(() => scheduled(at)));
    const next = await nextDueJobs(h.t.db, { horizonMs: 10_000, spreadMs: 200 });
    expect(next?.count).toBeGreaterThanOrEqual(3);
    expect(next?.inMs).toBeGreaterThan(0);
    expect(next?.inMs).toBeLessThanOrEqual(at);
    for (const m of many) await h.waitForDelivery(m.delivery.id, (d) => d.state === 'published', 20_000);
  });
});

describe('nextDueJobs', () => {
  it('is null when nothing waits within the horizon, and counts only jobs within the spread of the earliest', async () => {
    await h.t.sql`delete from graphile_worker._private_jobs where locked_at is null`;
    expect(await nextDueJobs(h.t.db, { horizonMs: 5_000, spreadMs: 50 })).toBeNull();
    await h.t.sql`select graphile_worker.add_job('noop', '{}'::json, run_at => now() + interval '1 hour')`;
    expect(await nextDueJobs(h.t.db, { horizonMs: 5_000, spreadMs: 50 })).toBeNull();
    await h.t.sql`select graphile_worker.add_job('noop', '{}'::json, run_at => now() + interval '3 seconds')`;
    await h.t.sql`select graphile_worker.add_job('noop', '{}'::json, run_at => now() + interval '3 seconds')`;
    await h.t.sql`select graphile_worker.add_job('noop', '{}'::json, run_at => now() + interval '4 seconds')`;
    const next = await nextDueJobs(h.t.db, { horizonMs: 10_000, spreadMs: 50 });
    expect(next?.count).toBe(2);
    expect(next?.inMs).toBeGreaterThan(2_000);
    expect(next?.inMs).toBeLessThanOrEqual(3_000);
    await h.t.sql`delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier = 'noop')`;
  });
});
