/** Issue 12: a post the worker's screening held is released from its page only with a recorded reason. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp, signedIn } from '../support/app';
import { auditLog, channels, deliveries, posts } from '../../db/schema';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const sessionAs = (role: string) => signedIn(app, role);

/** The state the worker leaves: the delivery held for a blocking finding (written here as the worker would). */
async function heldPost() {
  const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
  const [post] = await app.db.db.insert(posts).values({ text: 'Grattis 19121212-1212 på födelsedagen!', scheduledAt: new Date() }).returning();
  const [d] = await app.db.db
    .insert(deliveries)
    .values({ postId: post!.id, channelId: x!.id, state: 'held', scheduledAt: new Date(), failureClass: 'invalid_content', failureReason: 'Personnummer' })
    .returning();
  return { post: post!, delivery: d! };
}

describe('releasing a post held by screening', () => {
  it('shows the release form, refuses without a reason, and with one queues the delivery and records why', async () => {
    const { post, delivery } = await heldPost();
    const s = await sessionAs('communications');
    const page = await (await s.get(`/inlagg/${post.id}`)).text();
    expect(page).toContain('Publicera ändå');
    for (const reason of ['', ' x ', 'a\u0000b', 'x'.repeat(600)]) {
      const res = await s.post(`/inlagg/${post.id}`, { intent: 'release_screening', reason });
      expect(res.status, JSON.stringify(reason.slice(0, 10))).toBe(400);
    }
    const [still] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, delivery.id));
    expect(still?.state).toBe('held');

    const ok = await s.post(`/inlagg/${post.id}`, { intent: 'release_screening', reason: 'Fiktivt testnummer från Skatteverket, samtycke finns' });
    expect(ok.status).toBe(200);
    const [released] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, delivery.id));
    expect(released?.state).toBe('queued');
    const [saved] = await app.db.db.select().from(posts).where(eq(posts.id, post.id));
    expect(saved?.screeningOverrideReason).toBe('Fiktivt testnummer från Skatteverket, samtycke finns');
    const actions = (await app.db.db.select().from(auditLog).where(eq(auditLog.objectId, post.id))).map((a) => a.action);
    expect(actions).toContain('post.screening_override');
  });

  it('is refused to a role that may not manage deliveries, and for a post that does not exist', async () => {
    const { post } = await heldPost();
    const host = await sessionAs('staff_host');
    expect((await host.post(`/inlagg/${post.id}`, { intent: 'release_screening', reason: 'Jag vill' })).status).toBe(403);
    const s = await sessionAs('communications');
    expect((await s.post('/inlagg/00000000-0000-4000-8000-000000000000', { intent: 'release_screening', reason: 'Finns inte' })).status).toBe(404);
    expect((await s.post('/inlagg/inte-ett-id', { intent: 'release_screening', reason: 'Finns inte' })).status).toBe(404);
  });
});
