/**
 * The live pages over HTTP against the real Remix build (issue 10 post page, issue 11 status board; ADR 039): the
 * server-sent event streams read as a browser's EventSource would, with a real Graphile Worker publishing to the
 * simulators; cancel and "delete from platform" with their confirmation steps, without JavaScript; the import page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { startTestApp, signedIn, type HttpSession, type TestApp } from '../support/app';
import { silentLog, startWorkerForApp, waitFor } from '../pipeline/harness';
import { auditLog, channels, deliveries, deliveryRemovals, feeds, publicRecords, users } from '../../db/schema';
import type { DeliveryWorker } from '../../workers/runner';
import { createPost } from '../../app/models/posts.server';
import { openEventStreams } from '../../app/utils/sse.server';
import { performRemoval } from '../../workers/delivery/removal';
import { hasPendingJob } from '../../workers/delivery/jobs';
import type { IncidentBoard, PostLiveState } from '../../app/models/live.server';

let app: TestApp;
let worker: DeliveryWorker | null = null;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

async function startWorker() {
  worker ??= await startWorkerForApp(app, 'live-test');
  return worker;
}

interface SseEvent {
  event: string;
  data: string;
}

/** An event stream read over HTTP, message by message, as EventSource reads it. */
async function openStream(s: HttpSession, path: string) {
  const controller = new AbortController();
  const res = await fetch(app.url + path, { headers: { cookie: s.cookie, accept: 'text/event-stream' }, signal: controller.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const events: SseEvent[] = [];
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (lines.some((l) => l.startsWith('data: '))) events.push({ event, data });
        }
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return {
    res,
    events,
    /** The first state event (from the start) that satisfies `pred`. */
    async until<T>(pred: (state: T) => boolean, what: string): Promise<T> {
      return waitFor(async () => {
        const hit = events.filter((e) => e.event === 'state').map((e) => JSON.parse(e.data) as T).find(pred);
        return hit ?? null;
      }, 20_000, what);
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

async function userId(role: string) {
  const email = app.seed.demoUsers.find((u) => u.role === role)!.email;
  const [u] = await app.db.db.select().from(users).where(eq(users.email, email));
  return u!.id;
}

async function publishedRow(deliveryId: string) {
  return waitFor(async () => {
    const [row] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
    return row?.state === 'published' ? row : null;
  }, 20_000, 'published');
}

/** A post by the communications officer, out now (or at `scheduledAt`). */
async function publishNow(text: string, channelKeys: string[], scheduledAt?: Date) {
  return createPost(app.db.db, { text, channelKeys, kind: 'general', authorRole: 'communications', createdBy: await userId('communications'), actorLabel: 'user', scheduledAt });
}

describe('post page live (server-sent events)', () => {
  it('the stream sends the delivery states as they change — queued, then published with permalink and seconds since Publicera — and a reload shows the same', async () => {
    const s = await signedIn(app, 'communications');
    const { post, deliveries: [d] } = await publishNow('Live: Sofiero öppnar för säsongen.', ['x-helsingborg']);
    const open = openEventStreams();
    const stream = await openStream(s, `/inlagg/${post.id}/events`);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.res.headers.get('cache-control')).toContain('no-cache');
    const queued = await stream.until<PostLiveState>((st) => st.deliveries[0]?.state === 'queued', 'queued');
    expect(queued.deliveries[0]).toMatchObject({ id: d!.id, seconds: null, permalink: null });
    expect(openEventStreams()).toBe(open + 1);

    // The worker (no shared memory with the web server: it writes the database) publishes it.
    await startWorker();
    const published = await stream.until<PostLiveState>((st) => st.deliveries[0]?.state === 'published', 'published');
    const row = (await app.db.db.select().from(deliveries).where(eq(deliveries.id, d!.id)))[0]!;
    expect(published.deliveries[0]!.permalink).toBe(row.permalink);
    expect(published.deliveries[0]!.permalink).toMatch(/^http/);
    const expected = Math.round((row.publishedAt!.getTime() - row.scheduledAt.getTime()) / 100) / 10;
    expect(published.deliveries[0]!.seconds).toBe(expected);
    // Only changes are sent: no two equal states in a row.
    const states = stream.events.filter((e) => e.event === 'state').map((e) => e.data);
    expect(states.every((v, i) => i === 0 || v !== states[i - 1])).toBe(true);

    // Without JavaScript a reload shows the same (the loader and the stream share one read).
    const html = await (await s.get(`/inlagg/${post.id}`)).text();
    expect(html).toContain(row.permalink!);
    expect(html).toContain('Tid till publicerad');
    expect(html).toContain(`${expected.toLocaleString('sv-SE')} s`);

    // The client goes: the server closes its stream.
    await stream.close();
    await waitFor(async () => openEventStreams() === open, 10_000, 'the stream to close');
  });

  it('refuses a stream to someone who may not see the post, for a missing post and a non-UUID id', async () => {
    const { post } = await publishNow('Live: bara för redaktionen.', ['facebook-helsingborg']);
    const host = await signedIn(app, 'contact_centre');
    expect((await host.get(`/inlagg/${post.id}/events`)).status).toBe(403);
    const s = await signedIn(app, 'communications');
    expect((await s.get('/inlagg/00000000-0000-0000-0000-000000000000/events')).status).toBe(404);
    expect((await s.get('/inlagg/inte-ett-id/events')).status).toBe(404);
    const anon = await fetch(`${app.url}/inlagg/${post.id}/events`, { redirect: 'manual' });
    expect([302, 401, 403]).toContain(anon.status);
  });
});

async function postForm(s: HttpSession, path: string, entries: [string, string][]): Promise<Response> {
  const body = new URLSearchParams(entries);
  body.set('csrf', await s.csrf());
  return s.postRaw(path, body.toString(), 'application/x-www-form-urlencoded');
}

describe('crisis status board live (server-sent events)', () => {
  it('each channel × language cell flips from queued to published with its permalink and the seconds since Publicera', async () => {
    await startWorker();
    const s = await signedIn(app, 'emergency');
    const opened = await postForm(s, '/kris', [['intent', 'open'], ['title', 'Otjänligt vatten (live)'], ['area', 'Rydebäck'], ['severity', 'severe'], ['languages', 'sv'], ['languages', 'en']]);
    expect(opened.status).toBe(302);
    const location = opened.headers.get('location')!;
    const stream = await openStream(s, `${location}/events`);
    const empty = await stream.until<IncidentBoard>(() => true, 'the first board');
    expect(empty.messages).toEqual([]);
    const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
    const [fb] = await app.db.db.select().from(channels).where(eq(channels.key, 'facebook-helsingborg'));
    const publish = await postForm(s, location, [
      ['intent', 'publish'],
      ['templateKey', 'boil_water'],
      ['area', 'Rydebäck'],
      ['time', 'kl. 07.00'],
      ['readMore', 'https://helsingborg.se/vatten'],
      ['channelIds', x!.id],
      ['channelIds', fb!.id],
    ]);
    expect(publish.status).toBe(302);
    const done = await stream.until<IncidentBoard>(
      (b) => b.messages.length === 1 && b.messages[0]!.variants.flatMap((v) => v.deliveries).length === 4 && b.messages[0]!.variants.every((v) => v.deliveries.every((d) => d.state === 'published')),
      'all four cells published',
    );
    const cells = done.messages[0]!.variants.flatMap((v) => v.deliveries.map((d) => ({ ...d, language: v.language })));
    expect(cells.map((c) => `${c.language}/${c.channel}`).sort()).toEqual(['en/Helsingborgs stad på Facebook', 'en/Helsingborgs stad på X', 'sv/Helsingborgs stad på Facebook', 'sv/Helsingborgs stad på X']);
    for (const c of cells) {
      expect(c.permalink).toMatch(/^http/);
      expect(c.seconds).not.toBeNull();
      expect(c.seconds!).toBeGreaterThanOrEqual(0);
    }
    await stream.close();
    // The same board without JavaScript.
    const html = await (await s.get(location)).text();
    for (const c of cells) expect(html).toContain(c.permalink!);
    expect(html).toContain('s efter Publicera');
    expect((await (await signedIn(app, 'communications')).get(`${location}/events`)).status).toBe(403);
  });
});

describe('post page actions without JavaScript', () => {
  it('cancel asks first; only the confirmed form cancels', async () => {
    const s = await signedIn(app, 'communications');
    const { post, deliveries: [d] } = await publishNow('Live: ska avbrytas.', ['x-helsingborg'], new Date(Date.now() + 86_400_000));
    const ask = await s.post(`/inlagg/${post.id}`, { intent: 'cancel', deliveryId: d!.id });
    expect(ask.status).toBe(200);
    const html = await ask.text();
    expect(html).toContain('Avbryta publiceringen?');
    expect(html).toContain('name="confirm" value="yes"');
    expect((await app.db.db.select().from(deliveries).where(eq(deliveries.id, d!.id)))[0]!.state).toBe('scheduled');
    const yes = await s.post(`/inlagg/${post.id}`, { intent: 'cancel', deliveryId: d!.id, confirm: 'yes' });
    expect(yes.status).toBe(200);
    expect((await app.db.db.select().from(deliveries).where(eq(deliveries.id, d!.id)))[0]!.state).toBe('cancelled');
    expect(await hasPendingJob(app.db.db, d!.id)).toBe(false);
    // A confirm that is not "yes" is refused, not taken as one.
    expect((await s.post(`/inlagg/${post.id}`, { intent: 'cancel', deliveryId: d!.id, confirm: 'ja' })).status).toBe(400);
  });

  it('delete from platform: asked first, needs a reason, registered before the platform call, done once through the worker', async () => {
    await startWorker();
    const s = await signedIn(app, 'communications');
    const { post, deliveries: [d] } = await publishNow('Live: detta inlägg tas bort.', ['x-helsingborg']);
    const published = await publishedRow(d!.id);
    const page = await (await s.get(`/inlagg/${post.id}`)).text();
    expect(page).toContain('Ta bort från plattformen');

    const records = async () => (await app.db.db.select({ n: count() }).from(publicRecords).where(eq(publicRecords.kind, 'deletion_event')))[0]!.n;
    const before = await records();
    const ask = await s.post(`/inlagg/${post.id}`, { intent: 'remove', deliveryId: d!.id });
    expect(ask.status).toBe(200);
    const askHtml = await ask.text();
    expect(askHtml).toContain('Ta bort inlägget från Helsingborgs stad på X?');
    expect(askHtml).toContain('Skäl till borttagningen');
    // Confirmed without a reason: the question again, the field marked, nothing written.
    const noReason = await s.post(`/inlagg/${post.id}`, { intent: 'remove', deliveryId: d!.id, confirm: 'yes', reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('aria-invalid="true"');
    expect(await records()).toBe(before);
    expect(await app.db.db.select().from(deliveryRemovals)).toHaveLength(0);

    const stream = await openStream(s, `/inlagg/${post.id}/events`);
    const yes = await s.post(`/inlagg/${post.id}`, { intent: 'remove', deliveryId: d!.id, confirm: 'yes', reason: 'Fel datum i texten' });
    expect(yes.status).toBe(200);
    const removed = await stream.until<PostLiveState>((st) => st.deliveries[0]?.removal?.state === 'removed', 'removed');
    await stream.close();
    // The delivery stays published (its record is never changed); the deletion is a record of its own.
    expect(removed.deliveries[0]).toMatchObject({ state: 'published', removal: { state: 'removed', reason: 'Fel datum i texten' } });
    const sim = app.sims.hub.posts.find((p) => p.id === published.externalId);
    expect(sim?.deleted).toBe(true);
    const [rec] = await app.db.db.select().from(publicRecords).where(and(eq(publicRecords.kind, 'deletion_event'), eq(publicRecords.postId, post.id)));
    expect(rec).toMatchObject({ direction: 'internal', externalId: published.externalId, permalink: published.permalink });
    expect(rec!.registrationNumber).toMatch(/\d{4}\/\d{6}/);
    expect(rec!.content).toMatchObject({ reason: 'Fel datum i texten', savedCopy: { text: published.sentText, externalId: published.externalId } });
    const [outgoing] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.deliveryId, d!.id));
    expect(rec!.relatedRecordId).toBe(outgoing!.id);
    const actions = (await app.db.db.select().from(auditLog).where(eq(auditLog.objectId, d!.id))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['delivery.remove_requested', 'delivery.removed']));
    const [removal] = await app.db.db.select().from(deliveryRemovals).where(eq(deliveryRemovals.deliveryId, d!.id));
    expect(removal).toMatchObject({ state: 'removed', attempts: 1, recordId: rec!.id });

    // Never twice: a second request is refused, and a stale job does not call the platform again.
    const again = await s.post(`/inlagg/${post.id}`, { intent: 'remove', deliveryId: d!.id, confirm: 'yes', reason: 'Igen' });
    expect(again.status).toBe(409);
    expect(await performRemoval({ db: app.db.db, credentialsKey: app.credentialsKey, log: silentLog, platformTimeoutMs: 5_000 }, d!.id)).toBe('skipped');
    expect((await app.db.db.select().from(deliveryRemovals).where(eq(deliveryRemovals.deliveryId, d!.id)))[0]!.attempts).toBe(1);
    expect(await records()).toBe(before + 1);
  });

  it('a post already gone from the platform counts as removed; a post not yet published and hostile input are refused clearly', async () => {
    await startWorker();
    const s = await signedIn(app, 'communications');
    const { post, deliveries: [d] } = await publishNow('Live: redan borta på Facebook.', ['facebook-helsingborg']);
    const published = await publishedRow(d!.id);
    // Someone deleted it in the platform's own app first.
    app.sims.hub.posts.find((p) => p.id === published.externalId)!.deleted = true;
    expect((await s.post(`/inlagg/${post.id}`, { intent: 'remove', deliveryId: d!.id, confirm: 'yes', reason: 'Dubblett' })).status).toBe(200);
    await waitFor(async () => {
      const [r] = await app.db.db.select().from(deliveryRemovals).where(eq(deliveryRemovals.deliveryId, d!.id));
      return r?.state === 'removed' ? r : null;
    }, 20_000, 'removed');

    const scheduled = await publishNow('Live: inte publicerat än.', ['x-helsingborg'], new Date(Date.now() + 86_400_000));
    const notYet = await s.post(`/inlagg/${scheduled.post.id}`, { intent: 'remove', deliveryId: scheduled.deliveries[0]!.id, confirm: 'yes', reason: 'Ändrat mig' });
    expect(notYet.status).toBe(409);
    expect(await notYet.text()).toContain('Bara ett publicerat inlägg kan tas bort');

    for (const [fields, status] of [
      [{ intent: 'remove', deliveryId: 'inte-ett-id', confirm: 'yes', reason: 'Skäl' }, 400],
      [{ intent: 'remove', deliveryId: d!.id, confirm: 'yes', reason: 'x'.repeat(501) }, 400],
      [{ intent: 'remove', deliveryId: d!.id, confirm: 'yes', reason: 'Skäl\u0000med NUL' }, 400],
      [{ intent: 'remove', deliveryId: '00000000-0000-0000-0000-000000000000', confirm: 'yes', reason: 'Skäl' }, 404],
    ] as const) {
      expect((await s.post(`/inlagg/${post.id}`, fields)).status, JSON.stringify(fields).slice(0, 80)).toBe(status);
    }
    // A role without manage:delivery may not.
    const host = await signedIn(app, 'employer_branding');
    expect((await host.post(`/inlagg/${post.id}`, { intent: 'remove', deliveryId: d!.id, confirm: 'yes', reason: 'Skäl' })).status).toBe(403);
  });
});

describe('/import', () => {
  it('shows each configured feed with its last poll and error, and is refused to roles without post:publish', async () => {
    const s = await signedIn(app, 'communications');
    await app.db.db.update(feeds).set({ lastPolledAt: new Date(), lastError: 'Flödet svarade 503.' }).where(eq(feeds.key, 'nyheter'));
    const res = await s.get('/import');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Import från flöden');
    expect(html).toContain('Helsingborgs stad – nyheter');
    expect(html).toContain('Helsingborgs stad – pressmeddelanden');
    expect(html).toContain('Flödet svarade 503.');
    expect(html).toContain('Aldrig');
    expect((await (await signedIn(app, 'contact_centre')).get('/import')).status).toBe(403);
  });
});
