/**
 * "Each edit" (issue 9, ADR 036): a known comment seen with new text becomes a new `edit` record that references the
 * record of the version it replaces — exactly once per edit, however often or concurrently the fetch runs, and never
 * from a stale view of the old text. Real database, simulators over HTTP, the real adapters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { createPost } from '../../app/models/posts.server';
import { inboxCursors, inboxItems, publicRecords, type Channel } from '../../db/schema';
import { fetchChannelComments, registerComments } from '../../workers/lib/inbox';
import { verifyRegister } from '../../db/register';
import { mp4, silentLog, startHarness, uniqueText, type Harness } from '../pipeline/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

const deps = () => ({ db: h.t.db, credentialsKey: h.credentialsKey, log: silentLog, platformTimeoutMs: 5_000 });

async function control(path: string, body: unknown): Promise<Response> {
  return fetch(`${h.sims.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
async function inject(platform: string, postId: string, text: string) {
  const res = await control('/_sim/comments', { platform, postId, author: 'Maja Medborgare', text });
  if (!res.ok) throw new Error(await res.text());
  return (await res.json()) as { id: string };
}
async function edit(id: string, text: string) {
  const res = await control('/_sim/comments/edit', { id, text });
  if (!res.ok) throw new Error(await res.text());
}

async function published(channelKey: string, video = false): Promise<string> {
  const { deliveries } = await createPost(h.t.db, {
    text: uniqueText('Badplatsen öppnar'),
    ...(video ? { title: 'Film', media: [mp4()] } : {}),
    channelKeys: [channelKey],
    createdBy: null,
    actorLabel: 'test',
  });
  return (await h.waitForDelivery(deliveries[0]!.id, (d) => d.state === 'published')).externalId!;
}

async function versions(channel: Channel, externalId: string) {
  return h.t.db
    .select()
    .from(publicRecords)
    .where(and(eq(publicRecords.channelId, channel.id), eq(publicRecords.externalId, externalId), inArray(publicRecords.kind, ['inbound_comment', 'edit'])))
    .orderBy(asc(publicRecords.id));
}
async function item(channel: Channel, externalId: string) {
  const [row] = await h.t.db.select().from(inboxItems).where(and(eq(inboxItems.channelId, channel.id), eq(inboxItems.externalId, externalId)));
  return row!;
}

describe('register: edits of inbound comments', () => {
  it('a YouTube comment edited twice: two edit records, each referencing the version it replaces, once each', async () => {
    const yt = h.channel('youtube-helsingborg');
    const video = await published('youtube-helsingborg', true);
    const c = await inject('youtube', video, 'När öppnar badet?');
    expect((await fetchChannelComments(deps(), yt)).registered).toBe(1);

    await edit(c.id, 'När öppnar badet vid Tropical Beach?');
    // Three overlapping fetches see the same edit: it is registered once.
    const results = await Promise.all([fetchChannelComments(deps(), yt), fetchChannelComments(deps(), yt), fetchChannelComments(deps(), yt)]);
    expect(results.reduce((n, r) => n + r.edited, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.registered, 0)).toBe(0);
    expect((await fetchChannelComments(deps(), yt)).edited).toBe(0);

    await edit(c.id, 'Tack, jag hittade svaret.');
    expect((await fetchChannelComments(deps(), yt)).edited).toBe(1);
    expect((await fetchChannelComments(deps(), yt)).edited).toBe(0);

    const [original, first, second] = await versions(yt, c.id);
    expect(original).toMatchObject({ kind: 'inbound_comment', content: expect.objectContaining({ text: 'När öppnar badet?' }) });
    expect(first).toMatchObject({ kind: 'edit', direction: 'incoming', relatedRecordId: original!.id, counterparty: 'Maja Medborgare', postId: original!.postId });
    expect(first!.content).toMatchObject({ text: 'När öppnar badet vid Tropical Beach?', replacesRecordId: original!.id });
    expect(second).toMatchObject({ kind: 'edit', relatedRecordId: first!.id, summary: 'Tack, jag hittade svaret.' });
    // The edit is dated by when the platform says it was changed, not when we saw it.
    expect(second!.recordDate!.getTime()).toBeGreaterThan(first!.recordDate!.getTime());
    expect(await versions(yt, c.id)).toHaveLength(3);
    // The inbox shows the current text; the register keeps every version.
    expect((await item(yt, c.id)).text).toBe('Tack, jag hittade svaret.');
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
  });

  it('X: an edit is a new post with its own id (edit_history_tweet_ids); it is registered as an edit of the comment, not as a new one', async () => {
    const x = h.channel('x-helsingborg');
    const post = await published('x-helsingborg');
    const c = await inject('x', post, '@helsingborg När töms soporna på Söder?');
    expect((await fetchChannelComments(deps(), x)).registered).toBe(1);

    await edit(c.id, '@helsingborg När töms soporna på Söder i veckan?');
    // On the wire, as X does it: the newest version under a new id, every version's id listed oldest first.
    const state = (await (await fetch(`${h.sims.url}/_sim/state`)).json()) as { comments: { id: string; editHistory?: string[] }[] };
    const newId = state.comments.find((k) => k.id === c.id)!.editHistory!.at(-1)!;
    expect(newId).not.toBe(c.id);
    // The new version is newer than the stored cursor, so the ordinary since_id poll sees it.
    const seen = await fetchChannelComments(deps(), x);
    expect(seen).toMatchObject({ registered: 0, edited: 1 });
    expect((await fetchChannelComments(deps(), x)).edited).toBe(0);

    const [original, edited] = await versions(x, c.id);
    expect(original).toMatchObject({ kind: 'inbound_comment', content: expect.objectContaining({ text: '@helsingborg När töms soporna på Söder?' }) });
    expect(edited).toMatchObject({ kind: 'edit', relatedRecordId: original!.id, externalId: c.id, postId: original!.postId });
    expect(edited!.content).toMatchObject({ text: '@helsingborg När töms soporna på Söder i veckan?', replacesRecordId: original!.id });
    expect(await versions(x, newId)).toHaveLength(0);
    expect((await item(x, c.id)).text).toBe('@helsingborg När töms soporna på Söder i veckan?');
    const items = await h.t.db.select().from(inboxItems).where(and(eq(inboxItems.channelId, x.id), inArray(inboxItems.externalId, [c.id, newId])));
    expect(items).toHaveLength(1);
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
  });

  it('Facebook: polling does not see an edit of an old comment, but any fetch that reads the new text registers it once', async () => {
    const fb = h.channel('facebook-helsingborg');
    const post = await published('facebook-helsingborg');
    const c = await inject('facebook', post, 'Vägen är avstängd');
    expect((await fetchChannelComments(deps(), fb)).registered).toBe(1);
    await edit(c.id, 'Vägen är avstängd vid Stortorget');
    // Graph's `after` cursor only lists newer comments; the edit of an older one is not read.
    expect((await fetchChannelComments(deps(), fb)).edited).toBe(0);
    // A fetch from the start (lost cursor) reads it: one edit, and never again.
    await h.t.db.update(inboxCursors).set({ cursor: null }).where(eq(inboxCursors.channelId, fb.id));
    expect((await fetchChannelComments(deps(), fb))).toMatchObject({ registered: 0, edited: 1 });
    await h.t.db.update(inboxCursors).set({ cursor: null }).where(eq(inboxCursors.channelId, fb.id));
    expect((await fetchChannelComments(deps(), fb))).toMatchObject({ registered: 0, edited: 0 });
    const all = await versions(fb, c.id);
    expect(all.map((r) => r.kind)).toEqual(['inbound_comment', 'edit']);
    expect(all[1]!.relatedRecordId).toBe(all[0]!.id);
  });

  it('a stale view of the old text (a fetch that read before the edit and commits after it) registers nothing', async () => {
    const fb = h.channel('facebook-helsingborg');
    const post = await published('facebook-helsingborg');
    const c = await inject('facebook', post, 'Första lydelsen');
    await fetchChannelComments(deps(), fb);
    const [record] = await versions(fb, c.id);
    const staleStart = new Date();
    const stale = {
      externalId: c.id,
      postExternalId: post,
      parentExternalId: null,
      authorId: null,
      authorName: 'Maja Medborgare',
      text: 'Första lydelsen',
      createdAt: record!.recordDate!,
    };
    // The edit is read and registered by a later fetch…
    await edit(c.id, 'Andra lydelsen');
    await h.t.db.update(inboxCursors).set({ cursor: null }).where(eq(inboxCursors.channelId, fb.id));
    expect((await fetchChannelComments(deps(), fb)).edited).toBe(1);
    // …then the earlier fetch, which still saw the first wording, commits: it is older than the edit and ignored.
    const posts = new Map<string, { deliveryId: string; postId: string }>();
    const outcome = await h.t.db.transaction((tx) => registerComments(tx, fb, [stale], posts, staleStart));
    expect(outcome).toEqual({ registered: 0, edited: 0 });
    expect((await versions(fb, c.id)).map((r) => r.kind)).toEqual(['inbound_comment', 'edit']);
    expect((await item(fb, c.id)).text).toBe('Andra lydelsen');
  });

  it('the database refuses a second edit replacing the same record (backstop)', async () => {
    const [e] = await h.t.db.select().from(publicRecords).where(eq(publicRecords.kind, 'edit')).limit(1);
    await expect(
      h.t.db.insert(publicRecords).values({ kind: 'edit', direction: 'incoming', relatedRecordId: e!.relatedRecordId, counterparty: 'x', summary: 'x', content: {}, contentSha256: 'x' }),
    ).rejects.toThrow();
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
  });

  it('the simulator refuses a hostile edit request with a 4xx', async () => {
    for (const body of [{}, { id: 'nope', text: 'x' }, { id: '\u0000', text: '' }, { id: 'a'.repeat(10_000), text: 'x' }, { id: 1, text: 2 }]) {
      const res = await control('/_sim/comments/edit', body);
      expect([400, 404]).toContain(res.status);
    }
  });
});
