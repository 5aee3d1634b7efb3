/**
 * The sweeper and the job cleanup against states a killed worker leaves behind, built directly in the database
 * (a "ghost" runner whose heartbeat went stale), with a real runner doing the recovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createPost } from '../../app/models/posts.server';
import { deliveries, deliveryAttempts, workerHeartbeats } from '../../db/schema';
import { hasPendingJob } from '../../workers/delivery/jobs';
import * as jobsCleanup from '../../workers/tasks/jobs__cleanup';
import type { WorkerDeps } from '../../workers/deps';
import { startHarness, fastPolicy, silentLog, uniqueText, waitFor, type Harness } from './harness';
import type { JobHelpers } from 'graphile-worker';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.t.db.insert(workerHeartbeats).values({
    workerId: 'ghost',
    graphilePoolId: 'pool-ghost',
    lastSeenAt: new Date(Date.now() - 60_000),
    startedAt: new Date(Date.now() - 120_000),
  });
});
afterAll(async () => {
  await h?.close();
});

type JobRow = {
  id: string;
  key: string | null;
  locked_by: string | null;
  attempts: number;
  max_attempts: number;
};

async function jobsOf(deliveryId: string): Promise<JobRow[]> {
  return h.t.db.execute<JobRow>(sql`
    select id::text, key, locked_by, attempts, max_attempts from graphile_worker._private_jobs
    where payload->>'deliveryId' = ${deliveryId} order by id`) as unknown as Promise<JobRow[]>;
}

/**
 * A post due 5 s ago whose job the ghost runner took (locked) before it died. Graphile Worker's public API has no
 * way to lock a job for a runner that is not there (only a real runner takes jobs), so this one write, and the lock's
 * ageing below, go to its job table directly; everything else (remove, permanently fail) uses its public functions.
 */
async function ghostTookJob(channelKey: string, opts: { startedAttempt: boolean }) {
  const text = uniqueText('Spöke');
  const { deliveries: [d] } = await createPost(h.t.db, {
    text,
    channelKeys: [channelKey],
    scheduledAt: new Date(Date.now() + 60_000),
    createdBy: null,
    actorLabel: 'test',
  });
  const id = d!.id;
  const past = new Date(Date.now() - 5_000);
  await h.t.db.execute(sql`
    update graphile_worker._private_jobs set locked_at = now() - interval '5 seconds', locked_by = 'pool-ghost', attempts = 1, run_at = ${past.toISOString()}::timestamptz
    where key = ${`delivery__publish:${id}`}`);
  if (opts.startedAttempt) {
    await h.t.db.update(deliveries).set({ state: 'publishing', scheduledAt: past, attemptCount: 1, firstSentAt: past }).where(eq(deliveries.id, id));
    await h.t.db.insert(deliveryAttempts).values({ deliveryId: id, number: 1, workerId: 'ghost', startedAt: past });
  } else {
    await h.t.db.update(deliveries).set({ state: 'queued', scheduledAt: past }).where(eq(deliveries.id, id));
  }
  return { id, text };
}

describe('sweep and cleanup', () => {
  it('recovers deliveries a dead runner held: an attempt in progress is reconciled, a job taken but not started is re-enqueued', async () => {
    const started = await ghostTookJob('facebook-helsingborg', { startedAttempt: true });
    const taken = await ghostTookJob('x-helsingborg', { startedAttempt: false });
    const orphan = await ghostTookJob('x-helsingborg', { startedAttempt: false });
    // No job any more (lost): the sweep creates one. remove_job cannot delete a locked job; it clears its key, so the
    // ghost's lock stays behind, keyless, for jobs__cleanup below.
    await h.t.db.execute(sql`select graphile_worker.remove_job(${`delivery__publish:${orphan.id}`})`);

    const worker = await h.startWorker({ policy: { sweepGraceMs: 1_000 } });
    for (const d of [started, taken, orphan]) await h.waitForDelivery(d.id, (x) => x.state === 'published', 20_000);

    const attempts = await h.attempts(started.id);
    expect(attempts[0]).toMatchObject({ outcome: 'unknown', workerId: 'ghost' });
    expect(attempts[1]?.outcome).toBe('published'); // the lookup found nothing, so it was sent once
    expect((await h.attempts(taken.id)).map((a) => a.outcome)).toEqual(['published']);

    // add_job with the same key neutered the job the dead runner still holds locked, and made a new one.
    for (const d of [started, taken]) {
      const [old] = await jobsOf(d.id);
      expect(old).toMatchObject({ key: null, locked_by: 'pool-ghost' });
      expect(old!.attempts).toBeGreaterThanOrEqual(old!.max_attempts);
    }
    const posts = (await h.simPosts()).filter((p) => [started.text, taken.text, orphan.text].some((t) => p.text.startsWith(t)));
    expect(posts).toHaveLength(3);
    await worker.stop();
  });

  it('jobs__cleanup deletes permanently failed jobs once their delivery no longer needs them', async () => {
    const stale = await h.t.db.execute<{ id: string }>(sql`
      update graphile_worker._private_jobs set locked_at = now() - interval '20 minutes'
      where locked_by = 'pool-ghost' returning id::text`);
    expect(stale.length).toBe(3);
    // A queued delivery whose job Graphile Worker gave up on is kept for the sweeper.
    const text = uniqueText('Behålls');
    const { deliveries: [d] } = await createPost(h.t.db, { text, channelKeys: ['x-helsingborg'], scheduledAt: new Date(Date.now() + 3600_000), createdBy: null, actorLabel: 'test' });
    const [job] = await jobsOf(d!.id);
    await h.t.db.execute(sql`select graphile_worker.permanently_fail_jobs(array[${job!.id}::bigint], 'test: given up')`);

    const deps = { db: h.t.db, log: silentLog, policy: fastPolicy } as unknown as WorkerDeps;
    await jobsCleanup.makeTask(deps)({}, {} as JobHelpers);
    const left = await h.t.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker._private_jobs where locked_by = 'pool-ghost'`);
    expect(left[0]?.n).toBe(0);
    expect(await jobsOf(d!.id)).toHaveLength(1);
    expect(await hasPendingJob(h.t.db, d!.id)).toBe(false);
  });

  it('an attempt whose worker is alive is left alone', async () => {
    await h.t.db.insert(workerHeartbeats).values({ workerId: 'alive', graphilePoolId: 'pool-alive' });
    const keepAlive = setInterval(() => {
      // Drizzle queries are lazy: .then() runs it.
      void h.t.db
        .update(workerHeartbeats)
        .set({ lastSeenAt: new Date() })
        .where(eq(workerHeartbeats.workerId, 'alive'))
        .then(() => {});
    }, 200);
    try {
      const text = uniqueText('Levande');
      const { deliveries: [d] } = await createPost(h.t.db, { text, channelKeys: ['x-helsingborg'], scheduledAt: new Date(Date.now() + 60_000), createdBy: null, actorLabel: 'test' });
      const past = new Date(Date.now() - 5_000);
      await h.t.db.update(deliveries).set({ state: 'publishing', scheduledAt: past, attemptCount: 1, firstSentAt: past }).where(eq(deliveries.id, d!.id));
      await h.t.db.insert(deliveryAttempts).values({ deliveryId: d!.id, number: 1, workerId: 'alive', startedAt: past });
      await h.t.db.execute(sql`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'pool-alive', attempts = 1 where key = ${`delivery__publish:${d!.id}`}`);
      // A control: the same situation, but its worker is dead. Once the sweeper has reaped it, the sweeper was
      // running with full confidence in its own liveness, and the live worker's attempt is what it left alone.
      const control = await ghostTookJob('facebook-helsingborg', { startedAttempt: true });
      const worker = await h.startWorker({ policy: { sweepGraceMs: 500 } });
      await waitFor(async () => (await h.attempts(control.id))[0]?.outcome === 'unknown', 20_000, 'the dead worker\'s attempt to be reaped');
      await worker.sweepNow();
      expect((await h.delivery(d!.id)).state).toBe('publishing');
      expect((await h.attempts(d!.id))[0]?.outcome).toBe('in_progress');
      await worker.stop();
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('does not declare others dead while its own view of the database is fresh from an outage', async () => {
    // healthyFor(workerDeadAfterMs) is false for a runner that just started: the ghost's attempt waits.
    const text = uniqueText('Vänta');
    const { deliveries: [d] } = await createPost(h.t.db, { text, channelKeys: ['x-helsingborg'], scheduledAt: new Date(Date.now() + 60_000), createdBy: null, actorLabel: 'test' });
    const past = new Date(Date.now() - 5_000);
    await h.t.db.update(deliveries).set({ state: 'publishing', scheduledAt: past, attemptCount: 1, firstSentAt: past }).where(eq(deliveries.id, d!.id));
    await h.t.db.insert(deliveryAttempts).values({ deliveryId: d!.id, number: 1, workerId: 'ghost', startedAt: past });
    const worker = await h.startWorker({ policy: { workerDeadAfterMs: 4_000 } });
    await worker.sweepNow();
    expect((await h.attempts(d!.id))[0]?.outcome).toBe('in_progress');
    await h.waitForDelivery(d!.id, (x) => x.state === 'published', 20_000);
    expect((await h.attempts(d!.id))[0]?.outcome).toBe('unknown');
    await worker.stop();
  });
});
