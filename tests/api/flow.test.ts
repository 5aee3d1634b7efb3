/**
 * Issue 10's API journey through /api/v1 with the real worker and simulators: a draft with per-channel variants →
 * submitted to review → refused to its author → approved by a second officer → scheduled → published, with
 * permalinks; and a staff host's post (issue 13) with an uploaded image, approved by employer branding only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryWorker } from '../../workers/runner';
import { createUser } from '../../app/models/users.server';
import { acceptGuidelines, guidelinesStatus } from '../../app/models/handover.server';
import { apiPostListSchema, apiPostSchema } from '../../app/forms/api';
import { startWorkerForApp, waitFor } from '../pipeline/harness';
import { makeJpeg } from '../platforms/instagram-fixtures';
import { call, channelId, cityTimeIn, startTestApp, tokenFor, userId, type TestApp } from './support';

let app: TestApp;
let worker: DeliveryWorker;
beforeAll(async () => {
  app = await startTestApp();
  worker = await startWorkerForApp(app, 'api-test');
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

type Post = { id: string; reviewState: string; deliveries: { state: string; permalink: string | null; channel: { key: string } }[] };

async function waitForPublished(token: string, id: string): Promise<Post> {
  return waitFor(
    async () => {
      const res = await call(app, token, 'GET', `/posts/${id}`);
      const post = res.body as unknown as Post;
      return post.deliveries.every((d) => d.state === 'published') ? post : null;
    },
    45_000,
    `post ${id} published on every channel`,
  );
}

describe('create → review → approve → scheduled → published', () => {
  it('takes a press release with an X variant from draft to published, four eyes enforced', async () => {
    const author = await tokenFor(app, 'communications');
    await createUser(app.db.db, { email: 'kim.kollega@utrop.example', name: 'Kim Kollega', role: 'communications', password: 'ett-långt-lösenord' }, { userId: null, label: 'test' });
    const second = await tokenFor(app, 'communications', { email: 'kim.kollega@utrop.example' });
    const [x, facebook] = [await channelId(app, 'x-helsingborg'), await channelId(app, 'facebook-helsingborg')];

    const created = await call(app, author, 'POST', '/posts', {
      kind: 'pressmeddelande',
      text: 'Helsingborgs stad öppnar ett nytt bibliotek på Drottninggatan i vår. Läs mer på helsingborg.se.',
      channelIds: [x, facebook],
      variants: [{ channelId: x, text: 'Nytt bibliotek på Drottninggatan i vår! #helsingborg' }],
      at: cityTimeIn(20_000),
      draft: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const post = apiPostSchema.parse(created.body);
    expect(post.reviewState).toBe('draft');
    expect(post.deliveries.map((d) => d.state)).toEqual(['draft', 'draft']);
    expect(post.createdBy).toBe(await userId(app, app.seed.demoUsers.find((u) => u.role === 'communications')!.email));

    // A draft is nobody's to approve yet.
    expect((await call(app, second, 'POST', `/posts/${post.id}/approve`)).status).toBe(409);
    const submitted = await call(app, author, 'POST', `/posts/${post.id}/submit`, {});
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.reviewState).toBe('pending_approval');

    const own = await call(app, author, 'POST', `/posts/${post.id}/approve`);
    expect(own.status).toBe(403);
    expect(own.body.error?.code).toBe('own_post');

    const approved = await call(app, second, 'POST', `/posts/${post.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const after = apiPostSchema.parse(approved.body);
    expect(after.reviewState).toBe('approved');
    expect(after.approvedBy).toBe(await userId(app, 'kim.kollega@utrop.example'));
    expect(after.deliveries.map((d) => d.state)).toEqual(['scheduled', 'scheduled']);

    const published = await waitForPublished(author, post.id);
    for (const d of published.deliveries) expect(d.permalink).toMatch(/^https?:\/\//);
    const sim = (await (await fetch(`${app.sims.url}/_sim/state`)).json()) as { posts: { platform: string; text: string }[] };
    expect(sim.posts.find((p) => p.platform === 'x')?.text).toContain('Nytt bibliotek på Drottninggatan');
    expect(sim.posts.find((p) => p.platform === 'facebook')?.text).toContain('Läs mer på helsingborg.se');

    // The list finds it by delivery state and channel, and pages by cursor without repeats.
    const list = await call(app, author, 'GET', '/posts?state=published&channel=x-helsingborg&limit=1');
    expect(list.status).toBe(200);
    const page = apiPostListSchema.parse(list.body);
    expect(page.items.map((p) => p.id)).toEqual([post.id]);
    expect(page.items[0]!.deliveries.every((d) => d.permalink)).toBe(true);
  });

  it("publishes a staff host's post with an uploaded image only after employer branding approves it", async () => {
    const hostEmail = app.seed.demoUsers.find((u) => u.role === 'staff_host')!.email;
    const hostId = await userId(app, hostEmail);
    const host = await tokenFor(app, 'staff_host');
    const jobba = await channelId(app, 'instagram-jobba');

    const uploaded = await fetch(`${app.url}/api/v1/media?name=fika.jpg`, { method: 'POST', headers: { authorization: `Bearer ${host}`, 'content-type': 'image/jpeg' }, body: new Uint8Array(makeJpeg(1080, 1080)) });
    expect(uploaded.status).toBe(201);
    const { ref } = (await uploaded.json()) as { ref: string };

    const body = { kind: 'staff', text: 'Hej! Den här veckan visar jag hur vi arbetar på kundtjänsten. #jobbaihelsingborg', channelIds: [jobba], files: [{ ref, name: 'fika.jpg', alt: 'Två kollegor fikar vid kundtjänstens disk' }], when: 'now' };
    // Before the guidelines are accepted the host may not write, even in their week.
    const early = await call(app, host, 'POST', '/posts', body);
    expect(early.status).toBe(403);
    expect(early.body.error?.code).toBe('guidelines_not_accepted');
    const status = await guidelinesStatus(app.db.db, hostId);
    await acceptGuidelines(app.db.db, { userId: hostId, guidelinesId: status!.guidelines.id });

    const created = await call(app, host, 'POST', '/posts', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.reviewState).toBe('pending_approval');
    const id = String(created.body.id);

    const comms = await call(app, await tokenFor(app, 'communications'), 'POST', `/posts/${id}/approve`);
    expect(comms.status).toBe(403);
    expect(comms.body.error?.code).toBe('wrong_role');
    const branding = await call(app, await tokenFor(app, 'employer_branding'), 'POST', `/posts/${id}/approve`, {});
    expect(branding.status, JSON.stringify(branding.body)).toBe(200);
    const published = await waitForPublished(host, id);
    expect(published.deliveries[0]!.channel.key).toBe('instagram-jobba');
    expect(published.deliveries[0]!.permalink).toMatch(/^https?:\/\//);
  });
});
