import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { channels } from '../../db/schema';
import { decryptCredentials } from '../../db/credentials';
import { createPost } from '../../app/models/posts.server';
import { refreshDueCredentials } from '../../workers/tasks/channel__refresh_credentials';
import { xAdapter } from '../../workers/platforms/x/adapter';
import { isPlatformError } from '../../workers/platforms/contract';
import type { XCredentials } from '../../workers/platforms/x/credentials';
import { simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import { startHarness, silentLog, uniqueText, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const deps = () => ({ db: h.t.db, credentialsKey: h.credentialsKey, log: silentLog, platformTimeoutMs: 5_000 });

async function storedX(): Promise<{ row: typeof channels.$inferSelect; creds: XCredentials }> {
  const [row] = await h.t.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
  return { row: row!, creds: decryptCredentials(h.credentialsKey, row!.id, row!.credentialsEncrypted!) as XCredentials };
}

describe('channel__refresh_credentials (cron)', () => {
  it('renews credentials due soon, stores the new pair, and the platform accepts it while the old refresh token is spent', async () => {
    const before = await storedX();
    // Nothing is due within the look-ahead yet (the demo tokens last an hour).
    expect((await refreshDueCredentials(deps())).refreshed).toEqual([]);

    const result = await refreshDueCredentials(deps(), new Date(Date.now() + 25 * 60_000));
    const youtube = h.channel('youtube-helsingborg');
    expect(result.refreshed).toEqual(expect.arrayContaining([before.row.id, youtube.id]));
    expect(result.needsReauth).toEqual([]);

    const after = await storedX();
    expect(after.creds.accessToken).not.toBe(before.creds.accessToken);
    expect(after.creds.refreshToken).not.toBe(before.creds.refreshToken);
    expect(after.row.credentialsRefreshDueAt!.getTime()).toBeGreaterThan(before.row.credentialsRefreshDueAt!.getTime());

    // X refresh tokens are single-use: the old one is refused now.
    const reuse = await xAdapter
      .refreshCredentials({ channelId: before.row.id, accountId: before.row.accountId!, apiBaseUrl: before.row.apiBaseUrl, credentials: before.creds, oauthClient: simulatorOAuthClient })
      .catch((e: unknown) => e);
    expect(isPlatformError(reuse) && reuse.errorClass).toBe('auth_expired');

    // And the stored pair is the one that works.
    const worker = await h.startWorker();
    try {
      const text = uniqueText('Efter förnyad inloggning');
      const { deliveries } = await createPost(h.t.db, { text, media: [], channelKeys: ['x-helsingborg'], createdBy: null, actorLabel: 'test' });
      await h.waitForDelivery(deliveries[0]!.id, (d) => d.state === 'published');
    } finally {
      await worker.stop();
    }
  });

  it('puts a channel whose refresh the platform refuses into needs_reauth and holds its waiting deliveries', async () => {
    const { deliveries } = await createPost(h.t.db, {
      text: uniqueText('Väntar på inloggning'),
      media: [],
      channelKeys: ['x-helsingborg'],
      scheduledAt: new Date(Date.now() + 24 * 3600_000),
      createdBy: null,
      actorLabel: 'test',
    });
    await h.fault({ platform: 'x', operation: 'token', kind: 'auth_expired' });
    const result = await refreshDueCredentials(deps(), new Date(Date.now() + 6 * 3600_000));
    await h.clearFaults();
    const { row } = await storedX();
    expect(result.needsReauth).toContain(row.id);
    expect(row.credentialStatus).toBe('needs_reauth');
    expect(row.credentialError).toBeTruthy();
    expect((await h.delivery(deliveries[0]!.id)).state).toBe('held');
  });
});
