/**
 * Pause all (ADR 031) against the real worker and simulators: ordinary deliveries due within ±2 s of the pause,
 * several already claimed by workers when it comes; none reaches a simulator after the pause is in force, crisis
 * messages still go out, and resume releases the held ones (those whose time passed go at once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { createPost } from '../../app/models/posts.server';
import { activePause, CrisisError, listHeld, openIncident, pauseAll, publishMessage, resumeAll } from '../../app/models/crisis.server';
import { deliveries, deliveryAttempts, type Delivery } from '../../db/schema';
import { startHarness, uniqueText, waitFor, type Harness } from '../pipeline/harness';

let h: Harness;
const actor = { userId: null, label: 'test' };
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function states(ids: string[]): Promise<Delivery[]> {
  return h.t.db.select().from(deliveries).where(inArray(deliveries.id, ids));
}

describe('pause all', () => {
  it('no ordinary delivery due within ±2 s of the pause reaches a simulator after the pause is in force; resume releases them', async () => {
    // Each platform call takes a while, so some sends are inside their platform call when the pause comes.
    await h.latency(150);
    const t0 = Date.now();
    const ordinary: { id: string; text: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const text = uniqueText('Vanligt inlägg');
      const at = new Date(t0 + 1_000 + i * 100);
      const { deliveries: ds } = await createPost(h.t.db, { text, channelKeys: [i % 2 ? 'x-helsingborg' : 'facebook-helsingborg'], scheduledAt: at, createdBy: null, actorLabel: 'test' });
      ordinary.push({ id: ds[0]!.id, text });
    }
    const ids = ordinary.map((o) => o.id);
    await h.startWorker({ concurrency: 6, name: 'a' });
    await h.startWorker({ concurrency: 6, name: 'b' });
    // Pause in the middle of the run (however long creating them took on a busy machine): the deliveries just
    // before and after the pause are due within about two seconds of it, and some are on their way.
    await waitFor(async () => (await states(ids)).filter((d) => d.state === 'published').length >= 15 || null, 30_000, 'the middle of the run');
    const pause = await pauseAll(h.t.db, { reason: 'Krisövning: brandrök' }, actor);
    const inForceAt = pause.inForceAt!;

    // While paused, a crisis message still goes out at once.
    const { incident } = await openIncident(h.t.db, { title: 'Brandrök', area: 'Väla', severity: 'severe', languages: ['sv'] }, actor);
    const crisis = await publishMessage(
      h.t.db,
      { incidentId: incident.id, templateKey: 'fire_smoke', variables: { area: 'Väla', time: 'nu', readMore: 'https://helsingborg.se/' }, channelIds: [h.channel('x-helsingborg').id] },
      actor,
    );
    await h.waitForDelivery(crisis.variants[0]!.deliveries[0]!.id, (d) => d.state === 'published');

    // Every ordinary delivery settles as published (before the pause) or held; none is left on its way.
    const settled = await waitFor(async () => {
      const ds = await states(ids);
      return ds.every((d) => d.state === 'published' || d.state === 'held') ? ds : null;
    }, 20_000, 'ordinary deliveries settled');
    const posts = await h.simPosts();
    const received = posts.filter((p) => ordinary.some((o) => o.text === p.text));
    const late = received.filter((p) => new Date(p.createdAt).getTime() >= inForceAt.getTime());
    expect(late).toEqual([]);
    const held = settled.filter((d) => d.state === 'held');
    expect(held.length).toBeGreaterThan(0);
    expect(received.length).toBe(settled.filter((d) => d.state === 'published').length);
    // Some of the held ones were already claimed by a worker: the last check before the platform call held them.
    const attempts = await h.t.db.select().from(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, held.map((d) => d.id)));
    const heldAtGate = attempts.filter((a) => a.outcome === 'held');
    expect(heldAtGate.length + pause.heldDeliveries.length).toBe(held.length);

    // The held list is what resume offers; a second pause is refused while one is active.
    expect((await listHeld(h.t.db)).map((x) => x.delivery.id).sort()).toEqual(held.map((d) => d.id).sort());
    await expect(pauseAll(h.t.db, { reason: 'igen' }, actor)).rejects.toBeInstanceOf(CrisisError);

    await h.latency(0);
    const { released } = await resumeAll(h.t.db, {}, actor);
    expect(released.map((d) => d.id).sort()).toEqual(held.map((d) => d.id).sort());
    expect(await activePause(h.t.db)).toBeNull();
    await waitFor(async () => {
      const ds = await states(ids);
      return ds.every((d) => d.state === 'published') ? ds : null;
    }, 20_000, 'released deliveries published');
    // Exactly once each.
    const after = (await h.simPosts()).filter((p) => ordinary.some((o) => o.text === p.text));
    expect(after.length).toBe(ordinary.length);
    expect(new Set(after.map((p) => p.text)).size).toBe(ordinary.length);
  });

  it('resume can release chosen deliveries only, with a new time', async () => {
    const a = await createPost(h.t.db, { text: uniqueText('Nyhet A'), channelKeys: ['facebook-helsingborg'], scheduledAt: new Date(Date.now() + 60_000), createdBy: null, actorLabel: 'test' });
    const b = await createPost(h.t.db, { text: uniqueText('Nyhet B'), channelKeys: ['facebook-helsingborg'], scheduledAt: new Date(Date.now() + 60_000), createdBy: null, actorLabel: 'test' });
    await pauseAll(h.t.db, { reason: 'Storm' }, actor);
    const [da, db] = [a.deliveries[0]!, b.deliveries[0]!];
    expect((await states([da.id, db.id])).every((d) => d.state === 'held')).toBe(true);
    const later = new Date(Date.now() + 3_600_000);
    const { released } = await resumeAll(h.t.db, { deliveryIds: [da.id], newTimes: { [da.id]: later } }, actor);
    expect(released.map((d) => d.id)).toEqual([da.id]);
    const [ra, rb] = [await h.delivery(da.id), await h.delivery(db.id)];
    expect(ra.state).toBe('scheduled');
    expect(rb.state).toBe('held');
    await expect(resumeAll(h.t.db, {}, actor)).rejects.toMatchObject({ code: 'not_paused' });
  });
});
