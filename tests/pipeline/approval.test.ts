import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, postVariants, posts } from '../../db/schema';
import { insertUser } from '../../db/queries/users';
import { hasPendingJob } from '../../workers/delivery/jobs';
import { createPost, reschedulePost } from '../../app/models/posts.server';
import { approvePost, editPostContent, listReviewQueue, ReviewError, returnPost } from '../../app/models/approval.server';
import type { Role } from '../../common/roles';
import { startHarness, jpeg, uniqueText, type Harness } from './harness';

let h: Harness;
const people: Record<string, { userId: string; role: Role; label: string }> = {};
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
  for (const [key, role] of [
    ['author', 'communications'],
    ['reviewer', 'communications'],
    ['host', 'staff_host'],
    ['branding', 'employer_branding'],
  ] as const) {
    const u = await insertUser(h.t.db, { email: `${key}@approval.example`, name: key, role, passwordHash: 'x' });
    people[key] = { userId: u.id, role, label: 'user' };
  }
});
afterAll(async () => {
  await h?.close();
});

const later = () => new Date(Date.now() + 30 * 24 * 3600_000);

async function pressRelease(text: string, scheduledAt?: Date) {
  return createPost(h.t.db, {
    kind: 'pressmeddelande',
    text,
    media: [jpeg()],
    channelKeys: ['x-helsingborg', 'facebook-helsingborg'],
    variants: [{ channelKey: 'x-helsingborg', text: `${text} (X)` }],
    authorRole: 'communications',
    scheduledAt,
    createdBy: people.author!.userId,
    actorLabel: 'user',
  });
}

describe('four-eyes approval (ADR 030)', () => {
  it('a press release waits for review; the author cannot approve; a second person approves and it publishes', async () => {
    const text = uniqueText('Pressmeddelande: ny simhall');
    const { post, deliveries } = await pressRelease(text);
    expect(post.reviewState).toBe('pending_approval');
    expect(deliveries.every((d) => d.state === 'draft')).toBe(true);
    for (const d of deliveries) expect(await hasPendingJob(h.t.db, d.id)).toBe(false);
    expect((await listReviewQueue(h.t.db)).map((i) => i.post.id)).toContain(post.id);

    const own = await approvePost(h.t.db, post.id, people.author!).catch((e: unknown) => e);
    expect(own).toBeInstanceOf(ReviewError);
    expect((own as ReviewError).code).toBe('own_post');
    const wrongRole = await approvePost(h.t.db, post.id, people.branding!).catch((e: unknown) => e);
    expect((wrongRole as ReviewError).code).toBe('wrong_role');

    const approved = await approvePost(h.t.db, post.id, people.reviewer!);
    expect(approved.post).toMatchObject({ reviewState: 'approved', approvedBy: people.reviewer!.userId });
    expect(approved.post.approvedHash).toMatch(/^[0-9a-f]{64}$/);
    expect(approved.deliveries.every((d) => d.approvedSha256 && d.state === 'queued')).toBe(true);
    for (const d of deliveries) {
      const done = await h.waitForDelivery(d.id, (x) => x.state === 'published' || x.state === 'failed');
      expect({ state: done.state, reason: done.failureReason }).toEqual({ state: 'published', reason: null });
    }
    const again = await approvePost(h.t.db, post.id, people.reviewer!).catch((e: unknown) => e);
    expect((again as ReviewError).code).toBe('not_pending');
    const audit = await h.t.db.select().from(auditLog).where(eq(auditLog.objectId, post.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['post.create', 'post.approve']));
  });

  it('staff posts are approved by employer branding, not by communications; sending back needs a comment', async () => {
    const { post } = await createPost(h.t.db, {
      kind: 'staff',
      text: uniqueText('Min vecka på stadsbiblioteket'),
      channelKeys: ['instagram-jobba'],
      media: [jpeg()],
      authorRole: 'staff_host',
      createdBy: people.host!.userId,
      actorLabel: 'user',
    });
    expect(post.reviewState).toBe('pending_approval');
    expect(((await approvePost(h.t.db, post.id, people.reviewer!).catch((e: unknown) => e)) as ReviewError).code).toBe('wrong_role');
    expect(((await returnPost(h.t.db, post.id, people.branding!, ' ').catch((e: unknown) => e)) as ReviewError).code).toBe('invalid_input');
    const returned = await returnPost(h.t.db, post.id, people.branding!, 'Skriv vilken avdelning du jobbar på.');
    expect(returned).toMatchObject({ reviewState: 'returned', reviewComment: 'Skriv vilken avdelning du jobbar på.' });
    // The author edits: back to review; the branding team approves.
    const edited = await editPostContent(h.t.db, post.id, { text: uniqueText('Min vecka på stadsbiblioteket, kulturförvaltningen'), variants: [] }, people.host!);
    expect(edited.reviewState).toBe('pending_approval');
    const ok = await approvePost(h.t.db, post.id, people.branding!);
    expect(ok.post.reviewState).toBe('approved');
  });

  it('an edit after approval returns the post to review; content changed behind the approval is refused by the worker', async () => {
    const text = uniqueText('Pressmeddelande: nya cykelbanor');
    const { post, deliveries } = await pressRelease(text, later());
    await approvePost(h.t.db, post.id, people.reviewer!);
    // An edit through the use-case: back to review, drafts, no jobs, hashes cleared; the editor may not approve.
    await editPostContent(h.t.db, post.id, { text: `${text} – rättad`, variants: [] }, people.reviewer!);
    const [p] = await h.t.db.select().from(posts).where(eq(posts.id, post.id));
    expect(p).toMatchObject({ reviewState: 'pending_approval', approvedHash: null, lastEditedBy: people.reviewer!.userId });
    for (const d of deliveries) {
      const now = await h.delivery(d.id);
      expect({ state: now.state, hash: now.approvedSha256 }).toEqual({ state: 'draft', hash: null });
      expect(await hasPendingJob(h.t.db, d.id)).toBe(false);
    }
    expect(((await approvePost(h.t.db, post.id, people.reviewer!).catch((e: unknown) => e)) as ReviewError).code).toBe('own_post');
    await approvePost(h.t.db, post.id, people.author!);

    // Now change X's variant below the use-cases (as a bug or a hand edit would) and let it come due: refused.
    const x = h.channel('x-helsingborg');
    // (The edit above had no X variant, so X inherits the base now.)
    expect(await h.t.db.select().from(postVariants).where(eq(postVariants.postId, post.id))).toEqual([]);
    await h.t.owner.db.insert(postVariants).values({ postId: post.id, channelId: x.id, text: 'Något ingen har godkänt' });
    await reschedulePost(h.t.db, post.id, new Date(), { userId: null, label: 'test' });
    const xd = deliveries.find((d) => d.channelId === x.id)!;
    const refused = await h.waitForDelivery(xd.id, (d) => d.state === 'failed' || d.state === 'published');
    expect(refused.state).toBe('failed');
    expect(refused.failureReason).toContain('godkändes');
    expect((await h.simPosts()).some((s) => s.text.includes('Något ingen har godkänt'))).toBe(false);
    // Facebook's content is unchanged (it inherits the base): it publishes.
    const fb = deliveries.find((d) => d.channelId !== x.id)!;
    expect((await h.waitForDelivery(fb.id, (d) => d.state === 'failed' || d.state === 'published')).state).toBe('published');
  });
});
