import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { postMedia, postVariants } from '../../db/schema';
import { createPost, PostValidationError } from '../../app/models/posts.server';
import { defaultMediaDir, sha256Of } from '../../common/media-store.server';
import { startHarness, jpeg, mp4, uniqueText, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

describe('one post, a variant per channel (ADR 022)', () => {
  it('sends an image to X, Facebook and Instagram and a video to YouTube from one post, each channel its own text', async () => {
    const base = uniqueText('Nytt bibliotek öppnar');
    const xText = uniqueText('Kort för X: biblioteket öppnar');
    const image = jpeg();
    const video = mp4();
    const { post, deliveries } = await createPost(h.t.db, {
      kind: 'general',
      text: base,
      media: [image],
      channelKeys: ['x-helsingborg', 'facebook-helsingborg', 'instagram-helsingborg', 'youtube-helsingborg'],
      variants: [
        { channelKey: 'x-helsingborg', text: xText },
        { channelKey: 'youtube-helsingborg', title: 'Biblioteket öppnar', privacy: 'unlisted', media: [video] },
        // Empty fields inherit the base: this variant changes nothing and is not stored.
        { channelKey: 'facebook-helsingborg', text: '   ', title: '' },
      ],
      createdBy: null,
      actorLabel: 'test',
    });
    expect(post.kind).toBe('general');
    expect(post.reviewState).toBe('not_required');
    expect(deliveries).toHaveLength(4);

    const variants = await h.t.db.select().from(postVariants).where(eq(postVariants.postId, post.id));
    expect(variants.map((v) => v.channelId).sort()).toEqual([h.channel('x-helsingborg').id, h.channel('youtube-helsingborg').id].sort());

    // The bytes are in the media store by content hash, not in the database row.
    const rows = await h.t.db.select().from(postMedia).where(eq(postMedia.postId, post.id));
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.data).toBeNull();
      expect(r.stored).toBe(true);
      expect(existsSync(path.join(defaultMediaDir(), r.sha256.slice(0, 2), r.sha256))).toBe(true);
    }
    expect(rows.find((r) => r.kind === 'image')?.sha256).toBe(sha256Of(image.data!));
    expect(rows.find((r) => r.kind === 'image')?.altText).toBe('Testbild');
    expect(rows.find((r) => r.kind === 'video')?.channelId).toBe(h.channel('youtube-helsingborg').id);

    const byChannel = new Map<string, string>();
    for (const d of deliveries) {
      const done = await h.waitForDelivery(d.id, (x) => x.state === 'published' || x.state === 'failed');
      expect({ state: done.state, reason: done.failureReason }).toEqual({ state: 'published', reason: null });
      byChannel.set(d.channelId, done.sentText ?? '');
      const sent = done.sentMedia ?? [];
      const expected = d.channelId === h.channel('youtube-helsingborg').id ? sha256Of(video.data!) : sha256Of(image.data!);
      expect(sent.map((m) => m.sha256)).toEqual([expected]);
    }
    expect(byChannel.get(h.channel('x-helsingborg').id)).toBe(xText);
    expect(byChannel.get(h.channel('facebook-helsingborg').id)).toBe(base);
    expect(byChannel.get(h.channel('instagram-helsingborg').id)).toBe(base);

    const sims = await h.simPosts();
    expect(sims.filter((p) => p.text.startsWith(xText) && p.platform === 'x')).toHaveLength(1);
    const yt = h.sims.hub.posts.find((p) => p.platform === 'youtube' && p.text.startsWith(base));
    expect(yt?.media).toHaveLength(1);
    expect(yt?.extra).toMatchObject({ title: 'Biblioteket öppnar', privacyStatus: 'unlisted' });
  });

  it('refuses an image without alt text and a variant that breaks its channel’s limit, writing nothing', async () => {
    const before = (await h.t.db.select().from(postMedia)).length;
    const noAlt = { ...jpeg(), altText: '  ' };
    const err = await createPost(h.t.db, {
      text: uniqueText('Utan alt'),
      media: [noAlt],
      channelKeys: ['x-helsingborg', 'instagram-helsingborg'],
      variants: [{ channelKey: 'x-helsingborg', text: 'å'.repeat(300) }],
      createdBy: null,
      actorLabel: 'test',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PostValidationError);
    const v = err as PostValidationError;
    expect(v.general.map((p) => p.code)).toContain('alt_required');
    const x = v.channels.find((c) => c.channelKey === 'x-helsingborg');
    expect(x?.problems.map((p) => p.code)).toContain('tooLong');
    // Instagram takes the base text, which is fine: only X is named.
    expect(v.channels.find((c) => c.channelKey === 'instagram-helsingborg')).toBeUndefined();
    expect((await h.t.db.select().from(postMedia)).length).toBe(before);
  });

  it('takes media already in the store by hash (a file kept across a refused submit) and refuses an unknown hash', async () => {
    const image = jpeg(1080, 1080);
    const first = await createPost(h.t.db, {
      text: uniqueText('Första'),
      media: [image],
      channelKeys: ['facebook-helsingborg'],
      createdBy: null,
      actorLabel: 'test',
    });
    const sha = sha256Of(image.data!);
    const again = await createPost(h.t.db, {
      text: uniqueText('Samma bild'),
      media: [{ filename: 'bild.jpg', mimeType: 'image/jpeg', sha256: sha, altText: 'Samma bild igen' }],
      channelKeys: ['facebook-helsingborg'],
      createdBy: null,
      actorLabel: 'test',
    });
    expect(again.media[0]?.sha256).toBe(first.media[0]?.sha256);
    const unknown = await createPost(h.t.db, {
      text: uniqueText('Okänd'),
      media: [{ filename: 'x.jpg', mimeType: 'image/jpeg', sha256: 'f'.repeat(64), altText: 'x' }],
      channelKeys: ['facebook-helsingborg'],
      createdBy: null,
      actorLabel: 'test',
    }).catch((e: unknown) => e);
    expect((unknown as PostValidationError).general.map((p) => p.code)).toEqual(['media_missing']);
  });
});
