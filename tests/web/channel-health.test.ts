/**
 * The channel health page (/kanaler/halsa, ADR 043): each channel's token expiry, last success, last error and, for
 * those who may manage channels, the link into the existing OAuth re-authorisation flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp, signedIn } from '../support/app';
import { channels, deliveries, deliveryAttempts, posts } from '../../db/schema';
import { encryptCredentials } from '../../db/credentials';
import { formatDateTime } from '../../common/time';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function channel(key: string) {
  const [c] = await app.db.db.select().from(channels).where(eq(channels.key, key));
  return c!;
}

describe('channel health page', () => {
  it('shows the token expiry, the last success and the last error of each channel, and a re-authorisation link for admins', async () => {
    const x = await channel('x-helsingborg');
    const fb = await channel('facebook-helsingborg');
    const expiresAt = new Date('2031-05-04T10:15:00Z');
    await app.db.db
      .update(channels)
      .set({ credentialsEncrypted: encryptCredentials(app.credentialsKey, x.id, { accessToken: 'a', refreshToken: 'r', expiresAt: expiresAt.toISOString() }) })
      .where(eq(channels.id, x.id));
    const publishedAt = new Date('2030-01-02T08:00:00Z');
    const [post] = await app.db.db.insert(posts).values({ text: 'Hälsokontroll', scheduledAt: publishedAt }).returning();
    await app.db.db.insert(deliveries).values({ postId: post!.id, channelId: fb.id, state: 'published', scheduledAt: publishedAt, publishedAt, externalId: 'fb-health-1' });
    const [failed] = await app.db.db
      .insert(deliveries)
      .values({ postId: post!.id, channelId: x.id, state: 'failed', scheduledAt: publishedAt, failureClass: 'invalid_content', failureReason: 'För lång' })
      .returning();
    const errorAt = new Date('2030-01-03T09:30:00Z');
    await app.db.db
      .insert(deliveryAttempts)
      .values({ deliveryId: failed!.id, number: 1, startedAt: errorAt, endedAt: errorAt, outcome: 'failed', errorClass: 'invalid_content', message: 'Texten är för lång för X' });

    const admin = await signedIn(app, 'admin');
    const res = await admin.get('/kanaler/halsa');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Kanalernas hälsa');
    expect(html).toContain(formatDateTime(expiresAt));
    expect(html).toContain(formatDateTime(publishedAt));
    expect(html).toContain(formatDateTime(errorAt));
    expect(html).toContain('Texten är för lång för X');
    expect(html).toContain(`href="/kanaler/${x.id}/anslut"`);
    expect(html).toContain(`href="/kanaler/${fb.id}/anslut"`);
    // Nothing of the credentials themselves reaches the page.
    expect(html).not.toContain('refreshToken');

    // The link leads into the existing OAuth flow: a redirect to the platform's (simulator's) authorisation page.
    const connect = await admin.get(`/kanaler/${x.id}/anslut`);
    expect([302, 303]).toContain(connect.status);
    expect(connect.headers.get('location')).toMatch(/authorize|oauth/i);
  });

  it('a role that may see channels but not manage them gets the page without re-authorisation links', async () => {
    const x = await channel('x-helsingborg');
    const s = await signedIn(app, 'emergency');
    const html = await (await s.get('/kanaler/halsa')).text();
    expect(html).toContain('Kanalernas hälsa');
    expect(html).not.toContain(`/kanaler/${x.id}/anslut`);
  });

  it('hostile query strings and a POST change nothing: the page is read-only', async () => {
    const s = await signedIn(app, 'admin');
    for (const q of ['?id=%00', `?x=${'a'.repeat(10_000)}`, '?%ff%fe=%c3%28', '?date=2030-02-31']) {
      const res = await s.get(`/kanaler/halsa${q}`);
      expect(res.status, q.slice(0, 20)).toBe(200);
    }
    const before = await app.db.db.select().from(channels);
    const post = await s.post('/kanaler/halsa', { channelId: 'not-a-uuid', credentials: '\u0000' });
    expect(post.status).toBe(405);
    expect(await app.db.db.select().from(channels)).toEqual(before);
  });
});
