import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { acceptHostGuidelines, startTestApp, type TestApp, signedIn } from '../support/app';
import { auditLog, channels, deliveries, posts } from '../../db/schema';
import { hasPendingJob } from '../../workers/delivery/jobs';
import type { Role } from '../../common/roles';
import { jpeg } from '../pipeline/harness';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const sessionAs = (role: Role) => signedIn(app, role);

async function staffPost(text: string) {
  const host = await sessionAs('staff_host');
  await acceptHostGuidelines(host);
  const [jobba] = await app.db.db.select().from(channels).where(eq(channels.key, 'instagram-jobba'));
  const form = new FormData();
  form.set('kind', 'staff');
  form.set('text', text);
  form.append('channelIds', jobba!.id);
  form.set('at', '2031-12-20T09:30');
  form.set('files[0].alt', 'Kaffe i personalrummet');
  form.set('media', new File([new Uint8Array(jpeg().data!)], 'kaffe.jpg', { type: 'image/jpeg' }));
  const res = await host.postMultipart('/skriv', form);
  expect(res.status).toBe(302);
  return { host, postId: (res.headers.get('location') ?? '').split('/').pop()! };
}

describe('the review queue and the review page (no JavaScript)', () => {
  it('a staff post waits in the queue (count in the navigation); employer branding approves it; it is scheduled with a job', async () => {
    const { host, postId } = await staffPost('Måndag på Jobba: kaffe och planering.');
    // The author can see the page but not approve it.
    const own = await host.get(`/granskning/${postId}`);
    expect(own.status).toBe(200);
    expect(await own.text()).not.toContain('Godkänn och schemalägg');
    expect((await host.post(`/granskning/${postId}`, { intent: 'approve' })).status).toBe(403);
    // Communications may not approve staff posts (the city's rule).
    const comms = await sessionAs('communications');
    const commsTry = await comms.post(`/granskning/${postId}`, { intent: 'approve' });
    expect(commsTry.status).toBe(403);

    const branding = await sessionAs('employer_branding');
    const queue = await (await branding.get('/granskning')).text();
    expect(queue).toContain('Måndag på Jobba');
    expect(queue).toMatch(/Granskning \(\d+\)/);
    const page = await (await branding.get(`/granskning/${postId}`)).text();
    expect(page).toContain('Godkänn och schemalägg');
    expect(page).toContain('alt="Kaffe i personalrummet"');
    const res = await branding.post(`/granskning/${postId}`, { intent: 'approve' });
    expect(res.status).toBe(302);
    const [p] = await app.db.db.select().from(posts).where(eq(posts.id, postId));
    expect(p?.reviewState).toBe('approved');
    const [d] = await app.db.db.select().from(deliveries).where(eq(deliveries.postId, postId));
    expect(d?.state).toBe('scheduled');
    expect(d?.approvedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await hasPendingJob(app.db.db, d!.id)).toBe(true);
    const audit = await app.db.db.select().from(auditLog).where(eq(auditLog.objectId, postId));
    expect(audit.map((a) => a.action)).toContain('post.approve');
  });

  it('sent back with a comment; the author edits and it is back in review', async () => {
    const { host, postId } = await staffPost('Tisdag på Jobba.');
    const branding = await sessionAs('employer_branding');
    const empty = await branding.post(`/granskning/${postId}`, { intent: 'return', comment: ' ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Skriv vad som behöver ändras');
    expect((await branding.post(`/granskning/${postId}`, { intent: 'return', comment: 'Berätta vilken förvaltning.' })).status).toBe(302);
    const page = await (await host.get(`/granskning/${postId}`)).text();
    expect(page).toContain('Berätta vilken förvaltning.');
    const edit = await host.post(`/granskning/${postId}`, { intent: 'edit', text: 'Tisdag på Jobba, kulturförvaltningen.' });
    expect(edit.status).toBe(302);
    const [p] = await app.db.db.select().from(posts).where(eq(posts.id, postId));
    expect(p).toMatchObject({ reviewState: 'pending_approval', text: 'Tisdag på Jobba, kulturförvaltningen.' });
  });

  it('hostile input: unknown intent, NUL in the comment, a huge comment, a non-UUID id, an unknown post, no CSRF', async () => {
    const { postId } = await staffPost('Onsdag på Jobba.');
    const branding = await sessionAs('employer_branding');
    expect((await branding.post(`/granskning/${postId}`, { intent: 'publish' })).status).toBe(400);
    expect((await branding.post(`/granskning/${postId}`, { intent: 'return', comment: 'a\u0000bcd' })).status).toBe(400);
    expect((await branding.post(`/granskning/${postId}`, { intent: 'return', comment: 'x'.repeat(5000) })).status).toBe(400);
    expect((await branding.post(`/granskning/${postId}`, { intent: 'edit', text: 'x', 'variants[0].channelId': 'nope' })).status).toBe(400);
    for (const id of ['inte-ett-id', "1' or '1'='1", '%00']) {
      const res = await branding.post(`/granskning/${id}`, { intent: 'approve' });
      expect(res.status, id).toBeGreaterThanOrEqual(400);
      expect(res.status, id).toBeLessThan(500);
    }
    expect((await branding.post('/granskning/00000000-0000-4000-8000-000000000000', { intent: 'approve' })).status).toBe(404);
    expect((await branding.post(`/granskning/${postId}`, { intent: 'approve' }, { csrf: false })).status).toBe(403);
    const [p] = await app.db.db.select().from(posts).where(eq(posts.id, postId));
    expect(p?.reviewState).toBe('pending_approval');
  });
});
