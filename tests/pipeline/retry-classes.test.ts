import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { channels, posts } from '../../db/schema';
import { createPost, releaseHeldDeliveries, retryDelivery } from '../../app/models/posts.server';
import { hasPendingJob } from '../../workers/delivery/jobs';
import { startHarness, jpeg, uniqueText, waitFor, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker({ policy: { maxTransientFailures: 4 }, platformTimeoutMs: 1_000 });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.clearFaults();
});

async function post(channelKey: string, extra: Partial<Parameters<typeof createPost>[1]> = {}) {
  const text = uniqueText('Retry');
  const { deliveries } = await createPost(h.t.db, { text, channelKeys: [channelKey], createdBy: null, actorLabel: 'test', ...extra });
  return { text, delivery: deliveries[0]! };
}

async function postsWithText(text: string) {
  return (await h.simPosts()).filter((p) => p.text.startsWith(text) && !p.deleted);
}

describe('retry classes', () => {
  it('transient: retried with backoff until published, exactly one post', async () => {
    await h.fault({ platform: 'facebook', operation: 'publish', kind: 'server_error', count: 2 });
    const { text, delivery } = await post('facebook-helsingborg');
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published');
    const attempts = await h.attempts(delivery.id);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.slice(0, 2).every((a) => a.outcome === 'retry' || a.outcome === 'unknown')).toBe(true);
    expect(attempts.at(-1)?.outcome).toMatch(/published/);
    expect(done.transientFailures + done.unknownLookups).toBeLessThanOrEqual(2);
    expect(await postsWithText(text)).toHaveLength(1);
  });

  it('transient beyond the limit: failed with a Swedish reason; a manual retry then publishes', async () => {
    await h.fault({ platform: 'x', operation: 'media_upload', kind: 'server_error' });
    const { text, delivery } = await post('x-helsingborg', { media: [jpeg(800, 600)] });
    const failed = await h.waitForDelivery(delivery.id, (d) => d.state === 'failed', 20_000);
    expect(failed.failureReason).toMatch(/misslyckades 4 gånger/);
    expect(failed.transientFailures).toBe(4);
    expect(await hasPendingJob(h.t.db, delivery.id)).toBe(false);
    await h.clearFaults();
    await retryDelivery(h.t.db, delivery.id, { userId: null, label: 'test' });
    await h.waitForDelivery(delivery.id, (d) => d.state === 'published');
    expect(await postsWithText(text)).toHaveLength(1);
  });

  it('rate_limited: rescheduled at the reset, not counted as a failure', async () => {
    await h.fault({ platform: 'facebook', operation: 'publish', kind: 'rate_limit', count: 1 });
    const { text, delivery } = await post('facebook-helsingborg');
    const waiting = await h.waitForDelivery(delivery.id, (d) => d.state === 'queued' && d.attemptCount === 1);
    expect(waiting.transientFailures).toBe(0);
    expect(waiting.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(1_000);
    const [first] = await h.attempts(delivery.id);
    expect(first?.errorClass).toBe('rate_limited');
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published', 20_000);
    expect(done.publishedAt!.getTime()).toBeGreaterThanOrEqual(waiting.nextAttemptAt!.getTime() - 50);
    expect(done.transientFailures).toBe(0);
    expect(await postsWithText(text)).toHaveLength(1);
  });

  it('auth_expired: the channel needs re-authorisation and its waiting deliveries are held until released', async () => {
    const channel = h.channel('x-helsingborg');
    await h.fault({ platform: 'x', operation: 'publish', kind: 'auth_expired', count: 1 });
    const later = await post('x-helsingborg', { scheduledAt: new Date(Date.now() + 60_000) });
    const now = await post('x-helsingborg');
    const held = await h.waitForDelivery(now.delivery.id, (d) => d.state === 'held');
    expect(held.failureReason).toMatch(/Logga in kanalen igen/);
    const [c] = await h.t.db.select().from(channels).where(eq(channels.id, channel.id));
    expect(c?.credentialStatus).toBe('needs_reauth');
    expect(c?.credentialError).toMatch(/inloggningen/i);
    expect((await h.delivery(later.delivery.id)).state).toBe('held');
    expect(await hasPendingJob(h.t.db, later.delivery.id)).toBe(false);
    // A new post to the held channel is held as soon as its job runs.
    const meanwhile = await post('x-helsingborg');
    await h.waitForDelivery(meanwhile.delivery.id, (d) => d.state === 'held');

    // The channel is authorised again (the channel pages do this), then releases its held deliveries.
    await h.t.db.update(channels).set({ credentialStatus: 'ok', credentialError: null }).where(eq(channels.id, channel.id));
    const released = await releaseHeldDeliveries(h.t.db, channel.id, { userId: null, label: 'test' });
    expect(released.map((d) => d.id).sort()).toEqual([now.delivery.id, later.delivery.id, meanwhile.delivery.id].sort());
    expect(released.find((d) => d.id === later.delivery.id)?.state).toBe('scheduled');
    await h.waitForDelivery(now.delivery.id, (d) => d.state === 'published');
    await h.waitForDelivery(meanwhile.delivery.id, (d) => d.state === 'published');
    expect((await h.delivery(later.delivery.id)).state).toBe('scheduled');
    expect(await postsWithText(now.text)).toHaveLength(1);
  });

  it('invalid_content at the last check: failed with the Swedish limit message, nothing sent', async () => {
    const { text, delivery } = await post('x-helsingborg', { scheduledAt: new Date(Date.now() + 800) });
    // The post changed after it was created (e.g. by hand in the database): the worker's last check catches it.
    await h.t.db.update(posts).set({ text: `${text} ${'å'.repeat(300)}` }).where(eq(posts.id, delivery.postId));
    const failed = await h.waitForDelivery(delivery.id, (d) => d.state === 'failed');
    expect(failed.failureClass).toBe('invalid_content');
    expect(failed.failureReason).toMatch(/Texten är för lång/);
    expect(await postsWithText(text)).toHaveLength(0);
  });

  it('invalid_content from the platform: failed with its message, not retried', async () => {
    // Declared 1080×1080 (passes our check), but the file really is 3000×1000: Instagram refuses the ratio.
    const bad = { ...jpeg(3000, 1000), width: 1080, height: 1080 };
    const { delivery } = await post('instagram-helsingborg', { media: [bad] });
    const failed = await h.waitForDelivery(delivery.id, (d) => d.state === 'failed');
    expect(failed.failureClass).toBe('invalid_content');
    expect(failed.failureReason).toBeTruthy();
    expect((await h.attempts(delivery.id)).length).toBe(1);
  });

  it('duplicate: reconciled by lookup before anything is sent again, exactly one post', async () => {
    await h.fault({ platform: 'x', operation: 'publish', kind: 'duplicate', count: 1 });
    const { text, delivery } = await post('x-helsingborg');
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published');
    const attempts = await h.attempts(delivery.id);
    expect(attempts[0]?.errorClass).toBe('duplicate');
    expect(done.needsReconcile).toBe(false);
    expect(await postsWithText(text)).toHaveLength(1);
  });

  it.each(['x', 'facebook', 'instagram', 'youtube'] as const)(
    'outcome unknown (%s, answer lost after the platform stored the post): reconciled, exactly one post',
    async (platform) => {
      const key = { x: 'x-helsingborg', facebook: 'facebook-helsingborg', instagram: 'instagram-jobba', youtube: 'youtube-helsingborg' }[platform];
      await h.fault({ platform, operation: 'publish', kind: 'drop_after_accept', count: 1 });
      const media = platform === 'instagram' ? [jpeg()] : platform === 'youtube' ? [(await import('./harness')).mp4()] : [];
      const { text, delivery } = await post(key, { media, title: platform === 'youtube' ? 'Film' : null });
      const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published' || d.state === 'failed' || d.state === 'unconfirmed', 20_000);
      const attempts = await h.attempts(delivery.id);
      expect({ state: done.state, reason: done.failureReason }).toEqual({ state: 'published', reason: null });
      expect(attempts.some((a) => a.outcome === 'reconciled_published')).toBe(true);
      await waitFor(async () => (await postsWithText(text)).length >= 1);
      expect(await postsWithText(text)).toHaveLength(1);
      expect(done.externalId).toBe((await postsWithText(text))[0]?.id);
    },
  );

  it('a platform call that hangs (timeout): outcome unknown, looked up, then published once', async () => {
    await h.fault({ platform: 'facebook', operation: 'publish', kind: 'timeout', count: 1 });
    const { text, delivery } = await post('facebook-helsingborg');
    const done = await h.waitForDelivery(delivery.id, (d) => d.state === 'published', 20_000);
    const attempts = await h.attempts(delivery.id);
    expect(attempts[0]?.errorClass).toBe('outcome_unknown');
    expect(attempts.at(-1)?.outcome).toBe('published');
    expect(done.needsReconcile).toBe(false);
    expect(await postsWithText(text)).toHaveLength(1);
  });
});
