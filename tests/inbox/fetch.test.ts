/**
 * Inbound registration (ADR 024) end to end: real database, real simulators over HTTP, the real adapters, the real
 * Graphile Worker (in-process and as a process that is killed). Every injected comment becomes exactly one inbound
 * public record and one inbox item, however often the fetch runs, overlaps or dies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createPost } from '../../app/models/posts.server';
import { tempDataDir } from '../../db/embedded';
import { inboxCursors, inboxItems, publicRecords, type Channel } from '../../db/schema';
import { fetchChannelComments } from '../../workers/lib/inbox';
import { enqueue } from '../../workers/delivery/jobs';
import { verifyRegister } from '../../db/register';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';
import { mp4, silentLog, startHarness, uniqueText, waitFor, type Harness } from '../pipeline/harness';

let h: Harness;
let dataDir: string;
const procs: WorkerProcess[] = [];

beforeAll(async () => {
  h = await startHarness();
  dataDir = tempDataDir('utrop-inbox');
  await h.startWorker();
});
afterAll(async () => {
  for (const p of procs) await p.stop(2_000).catch(() => {});
  await h?.close();
});

const deps = () => ({ db: h.t.db, credentialsKey: h.credentialsKey, log: silentLog, platformTimeoutMs: 5_000 });

async function control(path: string, body: unknown) {
  const res = await fetch(`${h.sims.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; createdAt: string };
}

async function publishedPost(channelKey: string): Promise<string> {
  const { deliveries } = await createPost(h.t.db, { text: uniqueText('Vattnet stängs av'), channelKeys: [channelKey], createdBy: null, actorLabel: 'test' });
  const done = await h.waitForDelivery(deliveries[0]!.id, (d) => d.state === 'published');
  return done.externalId!;
}

async function inject(platform: string, postId: string | undefined, n: number, prefix: string) {
  const out = [];
  for (let i = 0; i < n; i += 1) out.push(await control('/_sim/comments', { platform, postId, author: `Medborgare ${i}`, text: `${prefix} kommentar nummer ${i}` }));
  return out;
}

async function inbound(channel: Channel) {
  return h.t.db
    .select()
    .from(publicRecords)
    .where(and(eq(publicRecords.kind, 'inbound_comment'), eq(publicRecords.channelId, channel.id)));
}
async function items(channel: Channel) {
  return h.t.db.select().from(inboxItems).where(eq(inboxItems.channelId, channel.id));
}

describe('inbox: inbound registration', () => {
  it('registers each Facebook comment once as an inbound record (inkommen, author as shown), however often the fetch runs', async () => {
    const fb = h.channel('facebook-helsingborg');
    const postId = await publishedPost('facebook-helsingborg');
    const injected = await inject('facebook', postId, 5, 'FB');
    const first = await fetchChannelComments(deps(), fb);
    expect(first).toMatchObject({ registered: 5, error: null });
    const again = await fetchChannelComments(deps(), fb);
    expect(again.registered).toBe(0);

    const records = await inbound(fb);
    expect(records).toHaveLength(5);
    expect(new Set(records.map((r) => r.externalId))).toEqual(new Set(injected.map((c) => c.id)));
    const r0 = records.find((r) => r.externalId === injected[0]!.id)!;
    expect(r0).toMatchObject({ direction: 'incoming', counterparty: 'Medborgare 0', platform: 'facebook' });
    expect(r0.registrationNumber).toBeTruthy();
    // Graph reports seconds: the record's date is when the comment appeared, as the platform gives it.
    expect(Math.floor(r0.recordDate!.getTime() / 1000)).toBe(Math.floor(Date.parse(injected[0]!.createdAt) / 1000));
    expect(r0.content).toMatchObject({ text: 'FB kommentar nummer 0', author: 'Medborgare 0', kind: 'comment' });

    const rows = await items(fb);
    expect(rows).toHaveLength(5);
    // Each item points at its own record, and at our post's delivery.
    for (const row of rows) {
      expect(records.find((r) => r.id === row.recordId)?.externalId).toBe(row.externalId);
      expect(row.deliveryId).toBeTruthy();
      expect(row.state).toBe('new');
    }
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
  });

  it('a lost cursor and overlapping fetches still register nothing twice; only new comments are added later', async () => {
    const fb = h.channel('facebook-helsingborg');
    const before = (await inbound(fb)).length;
    const postId = await publishedPost('facebook-helsingborg');
    await inject('facebook', postId, 4, 'Överlapp');
    const results = await Promise.all([fetchChannelComments(deps(), fb), fetchChannelComments(deps(), fb), fetchChannelComments(deps(), fb)]);
    expect(results.reduce((n, r) => n + r.registered, 0)).toBe(4);
    // The cursor is lost (restored backup, operator reset): everything is fetched again and recognised.
    await h.t.db.update(inboxCursors).set({ cursor: null }).where(eq(inboxCursors.channelId, fb.id));
    expect((await fetchChannelComments(deps(), fb)).registered).toBe(0);
    await inject('facebook', postId, 2, 'Senare');
    expect((await fetchChannelComments(deps(), fb)).registered).toBe(2);
    expect(await inbound(fb)).toHaveLength(before + 6);
    expect(await items(fb)).toHaveLength(before + 6);
  });

  it('X mentions and replies: kinds mention, comment and reply', async () => {
    const x = h.channel('x-helsingborg');
    const postId = await publishedPost('x-helsingborg');
    const [direct] = await inject('x', postId, 1, 'Svar');
    await control('/_sim/comments', { platform: 'x', postId: direct!.id, author: 'Berit', text: 'Håller med' });
    await control('/_sim/comments', { platform: 'x', author: 'Cecilia', text: 'Hej @helsingborg, när öppnar badet?' });
    const result = await fetchChannelComments(deps(), x);
    expect(result.registered).toBe(3);
    const rows = await items(x);
    expect(rows.map((r) => r.kind).sort()).toEqual(['comment', 'mention', 'reply']);
    expect((await fetchChannelComments(deps(), x)).registered).toBe(0);
    expect(await inbound(x)).toHaveLength(3);
  });

  it('the cron job queues one fetch per channel and the worker registers the comments', async () => {
    const ig = h.channel('instagram-helsingborg');
    const yt = h.channel('youtube-helsingborg');
    const videoId = await (async () => {
      const { deliveries } = await createPost(h.t.db, {
        text: uniqueText('Film'),
        title: 'Film',
        media: [mp4()],
        channelKeys: ['youtube-helsingborg'],
        createdBy: null,
        actorLabel: 'test',
      });
      return (await h.waitForDelivery(deliveries[0]!.id, (d) => d.state === 'published')).externalId!;
    })();
    await inject('youtube', videoId, 3, 'YT');
    await enqueue(h.t.db, 'inbox__fetch', {});
    await waitFor(async () => (await inbound(yt)).length === 3, 20_000, 'YouTube comments registered by the worker');
    expect(await items(yt)).toHaveLength(3);
    expect(await inbound(ig)).toHaveLength(0);
  });

  it('a worker killed in the middle of a fetch leaves nothing half-written; the next run registers each comment once', async () => {
    const fb = h.channel('facebook-helsingborg');
    const before = (await inbound(fb)).length;
    const postId = await publishedPost('facebook-helsingborg');
    await inject('facebook', postId, 6, 'Avbrott');
    // The simulator answers slowly, so the worker is certainly inside the fetch when it is killed.
    await h.latency(1_500);
    const w = spawnWorker({ databaseUrl: h.t.url, credentialsKey: h.credentialsKey, publicUrl: h.media.url, dataDir, platformTimeoutMs: 10_000, env: { WORKER_CONCURRENCY: '1' } });
    procs.push(w);
    await enqueue(h.t.db, 'inbox__fetch', { channelId: fb.id }, { queueName: `inbox:${fb.id}` });
    await waitFor(async () => {
      const [row] = await h.t.sql<{ n: number }[]>`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'inbox__fetch' and locked_at is not null`;
      return (row?.n ?? 0) > 0;
    }, 20_000, 'the killed worker to take the job');
    w.kill('SIGKILL');
    await w.exited;
    expect(await inbound(fb)).toHaveLength(before);
    await h.latency(0);
    // The next cron run re-queues the channel under the same key (a job locked by a dead worker is replaced).
    await enqueue(h.t.db, 'inbox__fetch', { channelId: fb.id }, { queueName: `inbox:${fb.id}` });
    await waitFor(async () => (await inbound(fb)).length === before + 6, 20_000, 'comments registered after the kill');
    await enqueue(h.t.db, 'inbox__fetch', { channelId: fb.id }, { queueName: `inbox:${fb.id}` });
    await waitFor(async () => {
      const [row] = await h.t.sql<{ n: number }[]>`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'inbox__fetch'`;
      return row?.n === 0;
    }, 20_000, 'the second run to finish');
    expect(await inbound(fb)).toHaveLength(before + 6);
    expect(await items(fb)).toHaveLength(before + 6);
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
  });

  it('refuses a second inbound record for the same comment at the database (backstop)', async () => {
    const fb = h.channel('facebook-helsingborg');
    const [r] = await inbound(fb);
    await expect(
      h.t.db.insert(publicRecords).values({ kind: 'inbound_comment', direction: 'incoming', channelId: fb.id, externalId: r!.externalId, counterparty: 'x', summary: 'x', content: {}, contentSha256: 'x' }),
    ).rejects.toThrow();
  });

  it('refuses payloads that are not a channel id', async () => {
    const { payloadSchema } = await import('../../workers/tasks/inbox__fetch');
    expect(payloadSchema.safeParse({ channelId: 'not-a-uuid' }).success).toBe(false);
    expect(payloadSchema.safeParse({ channelId: '\u0000' }).success).toBe(false);
    expect(payloadSchema.safeParse({ channelId: 'a'.repeat(100_000) }).success).toBe(false);
    expect(payloadSchema.safeParse({ extra: 1 }).success).toBe(false);
    expect(payloadSchema.safeParse({}).success).toBe(true);
  });

  it('a platform that refuses the action leaves the comment visible and says why (X lets an account hide, not delete, others\' replies)', async () => {
    const x = h.channel('x-helsingborg');
    const postId = await publishedPost('x-helsingborg');
    const [c] = await inject('x', postId, 1, 'Dumt');
    await fetchChannelComments(deps(), x);
    const [item] = await h.t.db.select().from(inboxItems).where(and(eq(inboxItems.channelId, x.id), eq(inboxItems.externalId, c!.id)));
    const { moderateComment } = await import('../../app/models/inbox.server');
    await moderateComment(h.t.db, { itemId: item!.id, action: 'delete', reason: 'offensive', actor: { userId: null, label: 'test' } });
    const failed = await waitFor(async () => {
      const [row] = await h.t.db.select().from(inboxItems).where(eq(inboxItems.id, item!.id));
      return row?.moderationStatus === 'failed' ? row : null;
    }, 20_000, 'the refused delete');
    expect(failed.state).toBe('new');
    expect(failed.moderationError).toMatch(/Dölj kommentaren i stället/);
    // The decision and the saved copy stay registered; hiding instead works.
    await moderateComment(h.t.db, { itemId: item!.id, action: 'hide', reason: 'offensive', actor: { userId: null, label: 'test' } });
    await waitFor(async () => {
      const [row] = await h.t.db.select().from(inboxItems).where(eq(inboxItems.id, item!.id));
      return row?.moderationStatus === 'done' ? row : null;
    }, 20_000, 'the hide');
    const records = await h.t.db.select().from(publicRecords).where(and(eq(publicRecords.kind, 'moderation_event'), eq(publicRecords.externalId, c!.id)));
    expect(records.map((r) => (r.content as { action: string }).action).sort()).toEqual(['delete', 'hide']);
  });
});
