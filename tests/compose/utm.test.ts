/**
 * UTM parameters per channel (issue 10, ADR 038): off by default; configured for a channel, its link is tagged when
 * the post is created, kept as the channel's own link, approved under that hash and published as such by the real
 * worker — other channels keep the plain link. An edit of the link after approval re-tags it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { postVariants } from '../../db/schema';
import { insertUser } from '../../db/queries/users';
import { createPost } from '../../app/models/posts.server';
import { approvePost } from '../../app/models/approval.server';
import { channelUtm } from '../../app/models/utm.server';
import { addUtmParams, channelLink, channelUtmSchema } from '../../common/utm';
import { startHarness, uniqueText, type Harness } from '../pipeline/harness';

let h: Harness;
let author: string;
let reviewer: string;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
  author = (await insertUser(h.t.db, { email: 'utm-author@example.se', name: 'A', role: 'communications', passwordHash: 'x' })).id;
  reviewer = (await insertUser(h.t.db, { email: 'utm-reviewer@example.se', name: 'R', role: 'communications', passwordHash: 'x' })).id;
});
afterAll(async () => {
  await h?.close();
});

const utm = { 'x-helsingborg': { source: 'x', medium: 'social', campaign: 'sommar' } };

describe('UTM parameters per channel', () => {
  it('is off by default: the city configures none', () => {
    expect(channelUtm()).toEqual({});
    expect(channelLink('https://helsingborg.se/a', undefined)).toBe('https://helsingborg.se/a');
  });

  it('tags the link of a configured channel only, approved and published as tagged', async () => {
    const text = uniqueText('Sommar i stan');
    const created = await createPost(h.t.db, {
      kind: 'pressmeddelande',
      text,
      link: 'https://helsingborg.se/sommar?lang=sv',
      channelKeys: ['x-helsingborg', 'facebook-helsingborg'],
      authorRole: 'communications',
      createdBy: author,
      actorLabel: 'user',
      utm,
    });
    const variants = await h.t.db.select().from(postVariants).where(eq(postVariants.postId, created.post.id));
    expect(variants.map((v) => [v.channelId, v.link])).toEqual([
      [h.channel('x-helsingborg').id, 'https://helsingborg.se/sommar?lang=sv&utm_source=x&utm_medium=social&utm_campaign=sommar'],
    ]);
    await approvePost(h.t.db, created.post.id, { userId: reviewer, role: 'communications', label: 'user' });
    for (const d of created.deliveries) await h.waitForDelivery(d.id, (x) => x.state === 'published', 60_000);
    const sent = (await h.simPosts()).filter((p) => p.text.includes(text));
    const x = sent.find((p) => p.platform === 'x')!;
    const fb = sent.find((p) => p.platform === 'facebook')!;
    expect(x.text).toContain('utm_source=x&utm_medium=social&utm_campaign=sommar');
    expect(fb.link ?? fb.text).toContain('https://helsingborg.se/sommar?lang=sv');
    expect(JSON.stringify(fb)).not.toContain('utm_');
  });

  it('keeps parameters a link already has, and refuses malformed configuration', () => {
    expect(addUtmParams('https://helsingborg.se/?utm_source=nyhetsbrev', { source: 'x', medium: 'social' })).toBe('https://helsingborg.se/?utm_source=nyhetsbrev&utm_medium=social');
    expect(channelUtmSchema.safeParse({ 'x-helsingborg': { source: 'x y', medium: 'social' } }).success).toBe(false);
    expect(channelUtmSchema.safeParse({ 'x-helsingborg': { source: 'x', medium: 'social', extra: '1' } }).success).toBe(false);
  });
});
