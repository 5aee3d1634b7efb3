/**
 * Issue 13, the end of a week: the host's drafts nobody approved go back to employer branding — not lost, not
 * published, recorded once and audited — and a week cancelled while it runs ends the same way.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { seedDemo, type SeedData } from '../../app/demo/seed.server';
import { auditLog, deliveries, handoverHandbacks, handoverWeeks, posts, users, type User } from '../../db/schema';
import { acceptGuidelines, addHandoverWeek, acceptInvitation, cancelWeek, guidelinesStatus, settleWeeks, weekSummary } from '../../app/models/handover.server';
import { createPost } from '../../app/models/posts.server';
import { approvePost, listReviewQueue, returnPost } from '../../app/models/approval.server';
import { hasPendingJob } from '../../workers/delivery/jobs';
import { isoWeekLabel } from '../../common/time';
import { jpeg } from '../pipeline/harness';

let t: TestDatabase;
let seed: SeedData;
let host: User;
let branding: User;
let week: typeof handoverWeeks.$inferSelect;

beforeAll(async () => {
  t = await createTestDatabase();
  seed = await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
  const email = (role: string) => seed.demoUsers.find((u) => u.role === role)!.email;
  const one = <T,>(rows: T[]): T => {
    if (!rows[0]) throw new Error('seed row missing');
    return rows[0];
  };
  host = one(await t.db.select().from(users).where(eq(users.email, email('staff_host'))));
  branding = one(await t.db.select().from(users).where(eq(users.email, email('employer_branding'))));
  // The seed gives the demo host the current week, so the host's posts are created inside it.
  week = one(await t.db.select().from(handoverWeeks).where(eq(handoverWeeks.userId, host.id)));
  const status = await guidelinesStatus(t.db, host.id);
  await acceptGuidelines(t.db, { userId: host.id, guidelinesId: status!.guidelines.id });
});
afterAll(async () => {
  await t?.destroy();
});

const hostPost = (text: string, author: User = host) =>
  createPost(t.db, { text, media: [jpeg()], channelKeys: ['instagram-jobba'], kind: 'staff', authorRole: 'staff_host', createdBy: author.id, actorLabel: 'user' });
const reviewer = () => ({ userId: branding.id, role: branding.role, label: 'user' });

describe('the end of the host’s week', () => {
  it('hands waiting and sent-back drafts to employer branding, unpublished and recorded; approved posts go on', async () => {
    const waiting = await hostPost('Fredag på Jobba: fika med laget.');
    const sentBack = await hostPost('Lördag på Jobba: jourhavande.');
    await returnPost(t.db, sentBack.post.id, reviewer(), 'Byt bilden, den visar en privatperson.');
    const approved = await hostPost('Torsdag på Jobba: studiebesök.');
    await approvePost(t.db, approved.post.id, reviewer());

    // The last second of the week: nothing moves yet.
    const lastSecond = new Date(week.endsAt.getTime() - 1000);
    expect((await settleWeeks(t.db, lastSecond)).handedBack).toBe(0);
    expect(await t.db.select().from(handoverHandbacks)).toHaveLength(0);

    const settled = await settleWeeks(t.db, week.endsAt);
    expect(settled).toMatchObject({ ended: 1, handedBack: 2 });
    const backs = await t.db.select().from(handoverHandbacks).where(eq(handoverHandbacks.weekId, week.id));
    expect(backs.map((b) => [b.postId, b.reviewStateBefore]).sort()).toEqual(
      [
        [waiting.post.id, 'pending_approval'],
        [sentBack.post.id, 'returned'],
      ].sort(),
    );
    expect(backs.every((b) => b.handedBackAt.getTime() === week.endsAt.getTime())).toBe(true);

    // In employer branding's queue, with the comment that sent it back kept; still drafts, no publish job.
    const queue = (await listReviewQueue(t.db)).map((i) => i.post.id);
    expect(queue).toEqual(expect.arrayContaining([waiting.post.id, sentBack.post.id]));
    const [back] = await t.db.select().from(posts).where(eq(posts.id, sentBack.post.id));
    expect(back?.reviewState).toBe('pending_approval');
    expect(back?.reviewComment).toContain('privatperson');
    const drafts = await t.db.select().from(deliveries).where(inArray(deliveries.postId, [waiting.post.id, sentBack.post.id]));
    expect(drafts.map((d) => d.state)).toEqual(['draft', 'draft']);
    for (const d of drafts) expect(await hasPendingJob(t.db, d.id)).toBe(false);
    // The approved post is untouched: scheduled or queued through the ordinary pipeline.
    const [goes] = await t.db.select().from(deliveries).where(eq(deliveries.postId, approved.post.id));
    expect(['queued', 'scheduled']).toContain(goes?.state);

    const audited = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'handover.draft_handed_back')));
    expect(audited.map((a) => a.objectId).sort()).toEqual([waiting.post.id, sentBack.post.id].sort());

    // The team's summary lists them; settling again records nothing twice.
    const summary = await weekSummary(t.db, week.id);
    expect(summary.handedBack.map((h) => h.postId).sort()).toEqual([waiting.post.id, sentBack.post.id].sort());
    expect((await settleWeeks(t.db, new Date(week.endsAt.getTime() + 60_000))).handedBack).toBe(0);
    expect(await t.db.select().from(handoverHandbacks)).toHaveLength(2);

    // Employer branding can approve what came back: the host is the author, the reviewer a second pair of eyes.
    await approvePost(t.db, waiting.post.id, reviewer());
  });

  it('keeps the handback record as evidence: the application role cannot change or delete it', async () => {
    await expect(t.db.update(handoverHandbacks).set({ reviewStateBefore: 'approved' })).rejects.toThrow();
    await expect(t.db.delete(handoverHandbacks)).rejects.toThrow();
    expect(await t.db.select().from(handoverHandbacks)).toHaveLength(2);
  });

  it('hands back the drafts of a week cancelled while it runs, at once', async () => {
    // The demo host's finished booking still holds the current week's slot; cancelling it frees the slot for a second host.
    const now = new Date();
    const label = isoWeekLabel(now);
    await t.db.update(handoverWeeks).set({ status: 'cancelled' }).where(eq(handoverWeeks.id, week.id));
    const booked = await addHandoverWeek(t.db, { week: label, email: 'avbruten@helsingborg.example', name: 'Av Bruten' }, { userId: branding.id, label: 'user' }, now);
    const second = await acceptInvitation(t.db, booked.token, 'ett-långt-lösenord-för-veckan', now);
    const status = await guidelinesStatus(t.db, second.id, now);
    await acceptGuidelines(t.db, { userId: second.id, guidelinesId: status!.guidelines.id }, now);
    const draft = await hostPost('Söndag på Jobba: sista dagen.', second);
    await cancelWeek(t.db, { weekId: booked.weekId, reason: 'Sjuk resten av veckan' }, { userId: branding.id, label: 'user' }, new Date());
    const backs = await t.db.select().from(handoverHandbacks).where(eq(handoverHandbacks.weekId, booked.weekId));
    expect(backs.map((b) => b.postId)).toEqual([draft.post.id]);
  });
});
