import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, deliveries, deliveryAttempts, publicRecords } from '../../db/schema';
import { verifyRegister } from '../../db/register';
import {
  cancelDelivery,
  createPost,
  DeliveryStateError,
  getPostWithDeliveries,
  markUnconfirmed,
  reschedulePost,
} from '../../app/models/posts.server';
import { hasPendingJob, transitionReturning } from '../../workers/delivery/index';
import { publishDelivery } from '../../workers/delivery/pipeline';
import type { WorkerDeps } from '../../workers/deps';
import { startHarness, fastPolicy, silentLog, uniqueText, waitFor, type Harness } from './harness';
import { sql } from 'drizzle-orm';

let h: Harness;

/** Deps to run the pipeline directly, as a stray job would, without a Graphile Worker runner. */
function directDeps(workerId: string): WorkerDeps {
  return {
    db: h.t.db,
    credentialsKey: h.credentialsKey,
    log: silentLog,
    platformTimeoutMs: 2_000,
    workerId,
    publicUrl: h.media.url,
    policy: fastPolicy,
    inFlight: new Set(),
    liveness: { healthyFor: () => true },
    onFatal: (e) => {
      throw e;
    },
  };
}
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.clearFaults();
  await h.latency(0);
});

const actor = { userId: null, label: 'test' };

async function post(channelKey: string, extra: Partial<Parameters<typeof createPost>[1]> = {}) {
  const text = uniqueText('Avbryt');
  const created = await createPost(h.t.db, { text, channelKeys: [channelKey], createdBy: null, actorLabel: 'test', ...extra });
  return { text, post: created.post, delivery: created.deliveries[0]! };
}

async function postsWithText(text: string) {
  return (await h.simPosts()).filter((p) => p.text.startsWith(text) && !p.deleted);
}

async function jobRunAt(deliveryId: string): Promise<Date | null> {
  const rows = await h.t.db.execute<{ run_at: string }>(
    sql`select run_at from graphile_worker.jobs where key = ${`delivery__publish:${deliveryId}`}`,
  );
  return rows[0] ? new Date(rows[0].run_at) : null;
}

describe('reschedule and cancel', () => {
  it('reschedule earlier: the job moves with the delivery and it publishes at the new time', async () => {
    const { post: p, delivery, text } = await post('facebook-helsingborg', { scheduledAt: new Date(Date.now() + 3600_000) });
    const at = new Date(Date.now() + 800);
    const moved = await reschedulePost(h.t.db, p.id, at, actor);
    expect(moved[0]?.state).toBe('scheduled');
    expect((await jobRunAt(delivery.id))?.getTime()).toBe(at.getTime());
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published');
    expect(done.publishedAt!.getTime()).toBeGreaterThanOrEqual(at.getTime() - 500);
    expect(await postsWithText(text)).toHaveLength(1);
  });

  it('reschedule later: nothing is sent at the old time', async () => {
    const old = new Date(Date.now() + 700);
    const { post: p, delivery, text } = await post('facebook-helsingborg', { scheduledAt: old });
    const later = new Date(Date.now() + 3600_000);
    await reschedulePost(h.t.db, p.id, later, actor);
    // Once the old time has passed, a job left over for it (run here directly) finds the later time and sends nothing.
    await waitFor(async () => Date.now() > old.getTime() + 100, 5_000, 'the old time to pass');
    await publishDelivery(directDeps('reschedule-later'), delivery.id);
    expect((await h.delivery(delivery.id)).state).toBe('scheduled');
    expect((await jobRunAt(delivery.id))?.getTime()).toBe(later.getTime());
    expect(await postsWithText(text)).toHaveLength(0);
  });

  it('an old job that runs before the (rescheduled) time re-queues itself and sends nothing', async () => {
    const { delivery, text } = await post('x-helsingborg', { scheduledAt: new Date(Date.now() + 3600_000) });
    await publishDelivery(directDeps('direct-test'), delivery.id);
    const d = await h.delivery(delivery.id);
    expect(d.state).toBe('scheduled');
    expect(d.attemptCount).toBe(0);
    expect(await postsWithText(text)).toHaveLength(0);
  });

  it('cancel a scheduled delivery: cancelled, its job removed, never sent', async () => {
    const at = new Date(Date.now() + 800);
    const { delivery, text } = await post('x-helsingborg', { scheduledAt: at });
    const c = await cancelDelivery(h.t.db, delivery.id, actor, 'fel datum');
    expect(c.state).toBe('cancelled');
    expect(await hasPendingJob(h.t.db, delivery.id)).toBe(false);
    // Past its time, a job that ran anyway (run here directly) leaves it cancelled and sends nothing.
    await waitFor(async () => Date.now() > at.getTime() + 100, 5_000, 'the delivery time to pass');
    await publishDelivery(directDeps('cancelled-scheduled'), delivery.id);
    expect((await h.delivery(delivery.id)).state).toBe('cancelled');
    expect(await postsWithText(text)).toHaveLength(0);
    const audit = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'delivery.cancel'), eq(auditLog.objectId, delivery.id)));
    expect(audit).toHaveLength(1);
    await expect(cancelDelivery(h.t.db, delivery.id, actor)).rejects.toBeInstanceOf(DeliveryStateError);
  });

  it('cancel while the job is running, before it sends: the task re-checks under the row lock and sends nothing', async () => {
    // A lost duplicate answer makes the next run look the post up first; the slow platform holds that lookup.
    await h.fault({ platform: 'x', operation: 'publish', kind: 'duplicate', count: 1 });
    const { delivery, text } = await post('x-helsingborg');
    await h.waitForDelivery(delivery.id, (d) => d.needsReconcile && d.state === 'queued');
    await h.latency(1_500);
    await h.waitForDelivery(delivery.id, (d) => d.state === 'publishing');
    await cancelDelivery(h.t.db, delivery.id, actor);
    await h.latency(0);
    const attempts = await waitFor(async () => {
      const a = await h.attempts(delivery.id);
      return a.at(-1)?.outcome !== 'in_progress' ? a : null;
    });
    expect(attempts.at(-1)?.outcome).toBe('abandoned');
    expect((await h.delivery(delivery.id)).state).toBe('cancelled');
    // Nothing is left to run it again: no job, and the abandoned attempt was the last.
    expect(await hasPendingJob(h.t.db, delivery.id)).toBe(false);
    expect(await postsWithText(text)).toHaveLength(0);
  });

  it('cancel while the platform call is under way: the post came out, and that is what is recorded', async () => {
    await h.latency(1_500);
    const { delivery, text, post: p } = await post('facebook-helsingborg');
    await h.waitForDelivery(delivery.id, (d) => d.state === 'publishing');
    await new Promise((r) => setTimeout(r, 300));
    await cancelDelivery(h.t.db, delivery.id, actor);
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published', 10_000);
    expect(done.externalId).toBeTruthy();
    expect(await postsWithText(text)).toHaveLength(1);
    const audit = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'delivery.published'), eq(auditLog.objectId, delivery.id)));
    expect(audit[0]?.details).toMatchObject({ note: 'published_after_cancel' });
    expect(audit).toHaveLength(1);
    // The worker's one-statement finish found the delivery cancelled and aborted (ADR 033): of it nothing remains,
    // and the careful path registered the publication once, the chain intact.
    const records = await h.t.db.select().from(publicRecords).where(eq(publicRecords.deliveryId, delivery.id));
    expect(records).toHaveLength(1);
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
    const view = await getPostWithDeliveries(h.t.db, p.id);
    expect(view?.deliveries[0]?.attempts.at(-1)?.message).toMatch(/hann publiceras/);
  });

  it('an attempt taken over while its platform call was under way: the late result is recorded once, as late', async () => {
    await h.latency(1_500);
    const { delivery, text } = await post('x-helsingborg');
    await h.waitForDelivery(delivery.id, (d) => d.state === 'publishing');
    // What a takeover by another runner leaves behind (this one was presumed dead): this attempt marked unknown and
    // the other runner's own attempt in progress, the delivery still publishing.
    const [mine] = await h.t.db
      .update(deliveryAttempts)
      .set({ outcome: 'unknown', message: 'övertaget' })
      .where(and(eq(deliveryAttempts.deliveryId, delivery.id), eq(deliveryAttempts.outcome, 'in_progress')))
      .returning();
    await h.t.db.insert(deliveryAttempts).values({ deliveryId: delivery.id, number: mine!.number + 1, workerId: 'the-other-runner', outcome: 'in_progress' });
    await h.t.db.update(deliveries).set({ attemptCount: mine!.number + 1 }).where(eq(deliveries.id, delivery.id));
    await h.latency(0);
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published', 10_000);
    expect(await postsWithText(text)).toHaveLength(1);
    // The one-statement finish's second guard failed and aborted it; the careful path wrote it once, as a late result.
    const audit = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'delivery.published'), eq(auditLog.objectId, delivery.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({ note: 'late_result_of_superseded_attempt', externalId: done.externalId });
    expect(await h.t.db.select().from(publicRecords).where(eq(publicRecords.deliveryId, delivery.id))).toHaveLength(1);
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
  });

  it('an unconfirmed delivery is resolved by hand: published (with the id) or not published', async () => {
    const a = await post('x-helsingborg', { scheduledAt: new Date(Date.now() + 3600_000) });
    const b = await post('x-helsingborg', { scheduledAt: new Date(Date.now() + 3600_000) });
    await cancelDelivery(h.t.db, a.delivery.id, actor);
    await cancelDelivery(h.t.db, b.delivery.id, actor);
    // A lookup that never decided (cancelled → unconfirmed is in the transition table).
    for (const d of [a, b]) await transitionReturning(h.t.db, { id: d.delivery.id, state: 'cancelled' }, 'unconfirmed', { needsReconcile: true });
    await expect(markUnconfirmed(h.t.db, a.delivery.id, { published: true, reason: 'Syns på kontot', userId: null })).rejects.toThrow(/id eller länk/);
    const pub = await markUnconfirmed(h.t.db, a.delivery.id, {
      published: true,
      externalId: '1234567890',
      permalink: 'https://x.com/helsingborg/status/1234567890',
      reason: 'Syns på kontot',
      userId: null,
    });
    expect(pub.state).toBe('published');
    expect(pub.checkedReason).toBe('Syns på kontot');
    const not = await markUnconfirmed(h.t.db, b.delivery.id, { published: false, reason: 'Finns inte', userId: null });
    expect(not.state).toBe('failed');
    expect(not.failureReason).toMatch(/publicerades inte/);
  });
});
