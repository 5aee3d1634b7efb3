import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPost } from '../../app/models/posts.server';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import { publicRecords } from '../../db/schema';
import { eq } from 'drizzle-orm';
import type { Delivery } from '../../db/schema';
import { startHarness, uniqueText, waitFor, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('priority and the public record', () => {
  it('a crisis delivery due at the same moment runs before the others (priority -10)', async () => {
    const at = new Date(Date.now() + 1_500);
    const normal: Delivery[] = [];
    for (let i = 0; i < 6; i++) {
      const { deliveries } = await createPost(h.t.db, { text: uniqueText('Vanlig'), channelKeys: ['facebook-helsingborg'], scheduledAt: at, createdBy: null, actorLabel: 'test' });
      normal.push(deliveries[0]!);
    }
    const { deliveries: [crisis] } = await createPost(h.t.db, {
      text: uniqueText('VIKTIGT MEDDELANDE'),
      channelKeys: ['facebook-helsingborg'],
      scheduledAt: at,
      isCrisis: true,
      createdBy: null,
      actorLabel: 'test',
    });
    expect(crisis!.isCrisis).toBe(true);
    await h.startWorker({ concurrency: 1 });
    const all = await waitFor(async () => {
      const ds = await Promise.all([crisis!, ...normal].map((d) => h.delivery(d.id)));
      return ds.every((d) => d.state === 'published') ? ds : null;
    });
    const [c, ...rest] = all;
    expect(rest.every((d) => d.publishedAt!.getTime() >= c!.publishedAt!.getTime())).toBe(true);
  });

  it('the public record holds what was sent, with a SHA-256 over its canonical JSON', async () => {
    const text = uniqueText('Arkiv');
    const { deliveries: [d] } = await createPost(h.t.db, { text, link: 'https://helsingborg.se/', channelKeys: ['facebook-helsingborg'], createdBy: null, actorLabel: 'test' });
    await h.waitForDelivery(d!.id, (x) => x.state === 'published');
    const [record] = await h.t.db.select().from(publicRecords).where(eq(publicRecords.deliveryId, d!.id));
    expect(record).toMatchObject({ kind: 'outgoing_post', direction: 'outgoing', platform: 'facebook', summary: text, counterparty: 'Helsingborgs stad på Facebook' });
    expect(record!.content).toEqual({ text, link: 'https://helsingborg.se/', title: null, media: [] });
    expect(record!.contentSha256).toBe(sha256Hex(canonicalJson(record!.content)));
    // Append-only: the record cannot be changed.
    await expect(h.t.db.update(publicRecords).set({ summary: 'ändrad' }).where(eq(publicRecords.id, record!.id))).rejects.toThrow();
  });
});

describe('runner restart', () => {
  it('when Graphile Worker stops by itself, a new runner with a new worker id takes over and work goes on', async () => {
    const w = await h.startWorker({ name: 'restart' });
    const first = w.workerId;
    await w.runner!.stop();
    const second = await waitFor(async () => (w.workerId && w.workerId !== first ? w.workerId : null), 15_000, 'a new runner');
    expect(second).not.toBe(first);
    const { deliveries: [d] } = await createPost(h.t.db, { text: uniqueText('Efter omstart'), channelKeys: ['x-helsingborg'], createdBy: null, actorLabel: 'test' });
    await h.waitForDelivery(d!.id, (x) => x.state === 'published');
    const rows = await h.t.sql<{ worker_id: string; stopped: boolean }[]>`
      select worker_id, stopped_at is not null as stopped from worker_heartbeats where worker_id in (${first}, ${second})`;
    expect(rows.find((r) => r.worker_id === first)?.stopped).toBe(true);
    expect(rows.find((r) => r.worker_id === second)?.stopped).toBe(false);
  });
});
