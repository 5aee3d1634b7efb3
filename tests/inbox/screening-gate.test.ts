/**
 * The worker's last screening gate (issue 12): a post with a personnummer is held, not published, unless a person
 * overrode the finding with a recorded reason — the same screenText the composer shows. Real worker, real simulators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createPost } from '../../app/models/posts.server';
import { overrideScreeningHold, screenForPublishing, ScreeningReleaseError } from '../../app/models/screening.server';
import { auditLog, channels, posts, publicRecords } from '../../db/schema';
import { startHarness, uniqueText, type Harness } from '../pipeline/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

describe('screening as the worker’s last gate', () => {
  it('holds a post with a personnummer (nothing sent, channel untouched) until overridden with a reason', async () => {
    const text = uniqueText('Grattis Anna 811218-9876 på födelsedagen');
    const { post, deliveries } = await createPost(h.t.db, { text, channelKeys: ['facebook-helsingborg', 'x-helsingborg'], createdBy: null, actorLabel: 'test' });
    for (const d of deliveries) {
      const held = await h.waitForDelivery(d.id, (x) => x.state === 'held');
      expect(held.failureClass).toBe('invalid_content');
      expect(held.failureReason).toMatch(/Personnummer/);
    }
    expect((await h.simPosts()).some((p) => p.text.includes('811218-9876'))).toBe(false);
    const [fb] = await h.t.db.select().from(channels).where(eq(channels.key, 'facebook-helsingborg'));
    expect(fb!.credentialStatus).toBe('ok');
    expect(await h.t.db.select().from(publicRecords).where(eq(publicRecords.postId, post.id))).toHaveLength(0);

    await expect(overrideScreeningHold(h.t.db, { postId: post.id, reason: ' ', userId: null, actorLabel: 'test' })).rejects.toBeInstanceOf(ScreeningReleaseError);
    await expect(overrideScreeningHold(h.t.db, { postId: '00000000-0000-4000-8000-000000000000', reason: 'Samtycke finns', userId: null, actorLabel: 'test' })).rejects.toBeInstanceOf(ScreeningReleaseError);
    const released = await overrideScreeningHold(h.t.db, { postId: post.id, reason: 'Anna har gett skriftligt samtycke', userId: null, actorLabel: 'test' });
    expect(released).toHaveLength(2);
    for (const d of deliveries) await h.waitForDelivery(d.id, (x) => x.state === 'published');
    const [row] = await h.t.db.select().from(posts).where(eq(posts.id, post.id));
    expect(row!.screeningOverrideReason).toBe('Anna har gett skriftligt samtycke');
    const audit = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'post.screening_override'), eq(auditLog.objectId, post.id)));
    expect(audit[0]?.details).toMatchObject({ reason: 'Anna har gett skriftligt samtycke' });
    expect(await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'delivery.screening_held')))).not.toHaveLength(0);
  });

  it('publishes at once when the override was given up front, and never blocks what only warns', async () => {
    const a = await createPost(h.t.db, { text: uniqueText('Ring Anna på 070-123 45 67'), channelKeys: ['facebook-helsingborg'], createdBy: null, actorLabel: 'test' });
    await h.waitForDelivery(a.deliveries[0]!.id, (x) => x.state === 'published');
    const b = await createPost(h.t.db, {
      text: uniqueText('Efterlysning: 19811218-9876'),
      channelKeys: ['facebook-helsingborg'],
      createdBy: null,
      actorLabel: 'test',
      screeningOverrideReason: 'Polisens efterlysning, beslut av jurist',
    });
    await h.waitForDelivery(b.deliveries[0]!.id, (x) => x.state === 'published');
    // Organisation numbers and invalid check digits are not personnummer.
    const c = await createPost(h.t.db, { text: uniqueText('Helsingborgs stad 212000-1132, fel kontrollsiffra 811218-9875'), channelKeys: ['facebook-helsingborg'], createdBy: null, actorLabel: 'test' });
    await h.waitForDelivery(c.deliveries[0]!.id, (x) => x.state === 'published');
  });

  it('screenForPublishing: blocked without a reason, override recorded only when something blocks', () => {
    expect(screenForPublishing('Anna 811218-9876', null)).toMatchObject({ blocked: true, overrideReason: null });
    expect(screenForPublishing('Anna 811218-9876', '  Samtycke  ')).toMatchObject({ blocked: false, overrideReason: 'Samtycke' });
    expect(screenForPublishing('Välkommen till stadsbiblioteket', 'onödigt')).toMatchObject({ blocked: false, overrideReason: null, findings: [] });
  });
});
