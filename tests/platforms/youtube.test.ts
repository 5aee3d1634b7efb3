/**
 * Contract tests for the YouTube adapter against the real simulator over HTTP, with the real Google client.
 * The fake video is ~600 KB and the chunk size 256 KiB, so every upload takes three PUTs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  isPlatformError,
  type Checkpoint,
  type Connection,
  type ErrorClass,
  type PlatformError,
  type PublishRequest,
} from '../../workers/platforms/contract';
import { startSimulatorServer, type FaultSpec, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import {
  configureYoutube,
  resetYoutubeConfig,
  updateVideo,
  youtubeAdapter,
  type YoutubePublishHooks,
} from '../../workers/platforms/youtube/adapter';
import type { YoutubeCredentials } from '../../workers/platforms/youtube/credentials';
import { youtubeSimulator } from '../../workers/platforms/youtube/simulator';

const CHUNK = 256 * 1024;
const VIDEO = Buffer.alloc(600_000, 7);
const account = demoAccountsFor('youtube')[0]!;

let sim: RunningSimulators;

beforeAll(async () => {
  sim = await startSimulatorServer([youtubeSimulator], { port: 0 });
  configureYoutube({ chunkSize: CHUNK, rateLimitBackoffMs: 5_000 });
});

afterAll(async () => {
  resetYoutubeConfig();
  await sim.close();
});

beforeEach(async () => {
  await control('POST', '/_sim/reset');
});

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return res.json();
}

const fault = (spec: Omit<FaultSpec, 'platform'>) => control('POST', '/_sim/faults', { platform: 'youtube', ...spec });

interface SimState {
  posts: {
    id: string;
    channel: string;
    text: string;
    media: { bytes: number; mimeType: string }[];
    deleted: boolean;
  }[];
  comments: {
    id: string;
    parentId: string | null;
    text: string;
    hidden: boolean;
    deleted: boolean;
    fromOwner: boolean;
  }[];
}
const state = async () => (await control('GET', '/_sim/state')) as SimState;

function conn(overrides: Partial<Connection<YoutubeCredentials>> = {}): Connection<YoutubeCredentials> {
  return {
    channelId: 'channel-youtube',
    accountId: account.accountId,
    apiBaseUrl: sim.baseUrl('youtube'),
    credentials: { accessToken: account.accessToken, refreshToken: account.refreshToken ?? '', expiresAt: null },
    timeoutMs: 5_000,
    oauthClient: simulatorOAuthClient,
    ...overrides,
  };
}

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    deliveryId: 'delivery-1',
    text: 'Välkommen till stadsdagen på Sundstorget – åäö ✓',
    link: 'https://helsingborg.se/stadsdag',
    title: 'Stadsdag i Helsingborg',
    media: [{ kind: 'video', mimeType: 'video/mp4', filename: 'stadsdag.mp4', data: VIDEO }],
    ...overrides,
  };
}

/** Hooks that record checkpoints like the pipeline's durable store would. */
function recorder(previous: Checkpoint | null = null, onProgress?: YoutubePublishHooks['onProgress']) {
  const saved: Checkpoint[] = [];
  const progress: number[] = [];
  const hooks: YoutubePublishHooks = {
    previous,
    checkpoint: async (c) => {
      saved.push(c);
    },
    onProgress: async (uploaded, total) => {
      progress.push(uploaded);
      await onProgress?.(uploaded, total);
    },
  };
  return { hooks, saved, progress };
}

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (e) {
    if (isPlatformError(e)) return e;
    throw e;
  }
  throw new Error('expected a PlatformError, but the call succeeded');
}

async function expectClass(promise: Promise<unknown>, errorClass: ErrorClass): Promise<PlatformError> {
  const error = await failure(promise);
  expect(error.errorClass, error.message).toBe(errorClass);
  return error;
}

/** PUT `bytes *\/N` on a session, as a second opinion independent of the adapter. */
async function rawProbe(sessionUri: string, total = VIDEO.length) {
  const res = await fetch(sessionUri, { method: 'PUT', headers: { 'content-range': `bytes */${total}` } });
  return { status: res.status, range: res.headers.get('range') };
}

describe('publish (resumable upload)', () => {
  it('uploads in 256 KiB chunks, checkpoints the session before the first byte and returns the permalink', async () => {
    const probes: { status: number; range: string | null }[] = [];
    const { hooks, saved, progress } = recorder();
    hooks.checkpoint = async (c) => {
      saved.push(c);
      probes.push(await rawProbe(c.sessionUri ?? ''));
    };

    const published = await youtubeAdapter.publish(conn(), request(), hooks);

    // The simulator's own watch page, and it shows the video's title and description.
    expect(published.permalink).toBe(`${sim.baseUrl('youtube')}/watch?v=${published.externalId}`);
    const shown = await fetch(published.permalink ?? '');
    expect(shown.status).toBe(200);
    const html = await shown.text();
    expect(html).toContain('Stadsdag i Helsingborg');
    expect(html).toContain('Välkommen till stadsdagen på Sundstorget');
    expect(saved).toHaveLength(1);
    expect(saved[0]?.sessionUri).toMatch(/\/youtube\/upload\/youtube\/v3\/videos\?.*upload_id=/);
    // At checkpoint time the session held nothing: 308 without a Range header.
    expect(probes).toEqual([{ status: 308, range: null }]);
    expect(progress).toEqual([CHUNK, 2 * CHUNK]);
    const { posts } = await state();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      id: published.externalId,
      channel: account.accountId,
      text: 'Välkommen till stadsdagen på Sundstorget – åäö ✓\n\nhttps://helsingborg.se/stadsdag',
      media: [{ bytes: VIDEO.length, mimeType: 'video/mp4' }],
      deleted: false,
    });
    expect(sim.hub.posts[0]?.extra).toMatchObject({ title: 'Stadsdag i Helsingborg', privacyStatus: 'public' });
  });

  it('resumes after a crash mid-upload without sending the first chunk again', async () => {
    const first = recorder(null, async (uploaded) => {
      if (uploaded === CHUNK) await fault({ operation: 'publish', kind: 'server_error', count: 1 });
    });
    await expectClass(youtubeAdapter.publish(conn(), request(), first.hooks), 'transient');
    expect((await state()).posts).toHaveLength(0);
    expect(first.saved).toHaveLength(1);

    const second = recorder(first.saved[0]);
    const published = await youtubeAdapter.publish(conn(), request(), second.hooks);

    expect(second.saved).toHaveLength(0); // the same session was resumed, not a new one
    expect(second.progress).toEqual([2 * CHUNK]); // it went on from the second chunk
    const { posts } = await state();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ id: published.externalId, media: [{ bytes: VIDEO.length }] });
  });

  it('drop_after_accept on the final chunk: outcome_unknown, lookup finds the video, a retry returns it once', async () => {
    const first = recorder(null, async (uploaded) => {
      if (uploaded === 2 * CHUNK) await fault({ operation: 'publish', kind: 'drop_after_accept', count: 1 });
    });
    const lost = await expectClass(youtubeAdapter.publish(conn(), request(), first.hooks), 'outcome_unknown');
    expect(lost.details.platformCode).toBe('ECONNRESET');
    const stored = (await state()).posts;
    expect(stored).toHaveLength(1);
    const checkpoint = first.saved[0] ?? null;

    const found = await youtubeAdapter.lookup(conn(), request(), { checkpoint, sentAfter: new Date(0) });
    expect(found).toEqual({
      status: 'published',
      externalId: stored[0]?.id,
      permalink: `${sim.baseUrl('youtube')}/watch?v=${stored[0]?.id}`,
    });

    const again = await youtubeAdapter.publish(conn(), request(), recorder(checkpoint).hooks);
    expect(again.externalId).toBe(stored[0]?.id);
    expect((await state()).posts).toHaveLength(1);
  });

  it('never sends the token to a checkpointed session URI on another host', async () => {
    const foreign = { sessionUri: 'http://127.0.0.1:9/youtube/upload/youtube/v3/videos?upload_id=x' };
    const { hooks, saved } = recorder(foreign);
    await youtubeAdapter.publish(conn(), request(), hooks);
    expect(saved[0]?.sessionUri?.startsWith(sim.baseUrl('youtube'))).toBe(true);
    const found = await youtubeAdapter.lookup(conn(), request(), { checkpoint: foreign, sentAfter: new Date() });
    expect(found.status).toBe('unknown');
  });

  it('starts a new session when the checkpointed one has expired', async () => {
    const stale = {
      sessionUri: `${sim.baseUrl('youtube')}/upload/youtube/v3/videos?uploadType=resumable&upload_id=gone`,
    };
    const { hooks, saved } = recorder(stale);
    const published = await youtubeAdapter.publish(conn(), request(), hooks);
    expect(saved).toHaveLength(1);
    expect(saved[0]?.sessionUri).not.toBe(stale.sessionUri);
    expect((await state()).posts.map((p) => p.id)).toEqual([published.externalId]);
  });

  it('stops before the first byte when the caller aborts', async () => {
    const abort = new AbortController();
    const { hooks, saved } = recorder();
    hooks.signal = abort.signal;
    hooks.checkpoint = async (c) => {
      saved.push(c);
      abort.abort();
    };
    await expectClass(youtubeAdapter.publish(conn(), request(), hooks), 'transient');
    expect(await rawProbe(saved[0]?.sessionUri ?? '')).toEqual({ status: 308, range: null });
  });

  it('refuses what YouTube would refuse before spending quota, in Swedish', async () => {
    const error = await expectClass(
      youtubeAdapter.publish(conn(), request({ title: 'x'.repeat(101) }), recorder().hooks),
      'invalid_content',
    );
    expect(error.message).toContain('Titeln är för lång: 101 av högst 100 tecken.');
    await expectClass(youtubeAdapter.publish(conn(), request({ media: [] }), recorder().hooks), 'invalid_content');
    expect((await state()).posts).toHaveLength(0);
  });
});

describe('lookup', () => {
  it('is not_published without a session and while the session is incomplete, unknown once it expired', async () => {
    const never = await youtubeAdapter.lookup(conn(), request(), { checkpoint: null, sentAfter: new Date() });
    expect(never).toEqual({ status: 'not_published' });

    // A worker that dies after the first chunk.
    const crashed = recorder(null, (uploaded) => {
      if (uploaded === CHUNK) throw new Error('worker killed');
    });
    await expect(youtubeAdapter.publish(conn(), request(), crashed.hooks)).rejects.toThrow('worker killed');
    const partial = await youtubeAdapter.lookup(conn(), request(), {
      checkpoint: crashed.saved[0] ?? null,
      sentAfter: new Date(),
    });
    expect(partial).toEqual({ status: 'not_published' });

    await fault({ operation: 'probe', kind: 'server_error', count: 1 });
    await expectClass(
      youtubeAdapter.lookup(conn(), request(), { checkpoint: crashed.saved[0] ?? null, sentAfter: new Date() }),
      'transient',
    );

    await control('POST', '/youtube/_sim/settings', { sessionTtlMs: 0 });
    const expired = await youtubeAdapter.lookup(conn(), request(), {
      checkpoint: crashed.saved[0] ?? null,
      sentAfter: new Date(),
    });
    expect(expired.status).toBe('unknown');
  });
});

describe('videos', () => {
  it('deletes a video, and a second delete of the same video is not an error', async () => {
    const { externalId } = await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    await youtubeAdapter.deletePost(conn(), externalId);
    expect((await state()).posts[0]?.deleted).toBe(true);
    await expect(youtubeAdapter.deletePost(conn(), externalId)).resolves.toBeUndefined();
  });

  it('updates title and description, overwriting the whole snippet', async () => {
    const { externalId } = await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    const updated = await updateVideo(conn(), {
      videoId: externalId,
      title: 'Stadsdagen flyttas',
      description: 'Ny tid: lördag kl. 11.',
      categoryId: '25',
      privacyStatus: 'unlisted',
    });
    expect(updated.externalId).toBe(externalId);
    expect((await state()).posts[0]?.text).toBe('Ny tid: lördag kl. 11.');
    expect(sim.hub.posts[0]?.extra).toMatchObject({
      title: 'Stadsdagen flyttas',
      categoryId: '25',
      tags: [],
      privacyStatus: 'unlisted',
    });
  });

  it("maps YouTube's own invalidTitle to invalid_content with a Swedish message", async () => {
    const { externalId } = await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    const error = await expectClass(
      updateVideo(conn(), { videoId: externalId, title: 'y'.repeat(101), description: '', categoryId: '22' }),
      'invalid_content',
    );
    expect(error.details.platformCode).toBe('invalidTitle');
    expect(error.message).toMatch(/^YouTube godtog inte titeln/);
  });
});

describe('comments', () => {
  it('fetches new comments by cursor, replies, hides and deletes', async () => {
    const { externalId: videoId } = await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    const inject = (author: string, text: string) =>
      control('POST', '/_sim/comments', { platform: 'youtube', postId: videoId, author, text }) as Promise<{
        id: string;
      }>;
    const first = await inject('Anna Svensson', 'När börjar det?');
    const second = await inject('Erik Nilsson', 'Finns det parkering?');

    const page1 = await youtubeAdapter.fetchComments(conn(), { cursor: null, postExternalIds: [] });
    expect(page1.comments.map((c) => c.text).sort()).toEqual(['Finns det parkering?', 'När börjar det?']);
    expect(page1.comments[0]).toMatchObject({ postExternalId: videoId, parentExternalId: null });
    expect(page1.cursor).not.toBeNull();

    const empty = await youtubeAdapter.fetchComments(conn(), { cursor: page1.cursor, postExternalIds: [] });
    expect(empty.comments).toEqual([]);

    await new Promise((r) => setTimeout(r, 5));
    await inject('Lina Berg', 'Tack för infon!');
    const page2 = await youtubeAdapter.fetchComments(conn(), { cursor: page1.cursor, postExternalIds: [videoId] });
    expect(page2.comments.map((c) => c.authorName)).toEqual(['Lina Berg']);

    const reply = await youtubeAdapter.reply(conn(), { targetExternalId: first.id, text: 'Klockan 10 på lördag.' });
    expect(reply.permalink).toBe(`${sim.baseUrl('youtube')}/watch?v=${videoId}&lc=${reply.externalId}`);
    const ours = (await state()).comments.find((c) => c.id === reply.externalId);
    expect(ours).toMatchObject({ parentId: first.id, fromOwner: true, text: 'Klockan 10 på lördag.' });
    // Answering a reply threads under its top-level comment, as YouTube requires.
    const nested = await youtubeAdapter.reply(conn(), { targetExternalId: reply.externalId, text: 'Välkomna!' });
    expect((await state()).comments.find((c) => c.id === nested.externalId)?.parentId).toBe(first.id);
    // Our own replies are not inbound.
    const afterReply = await youtubeAdapter.fetchComments(conn(), { cursor: page2.cursor, postExternalIds: [] });
    expect(afterReply.comments).toEqual([]);

    await youtubeAdapter.moderateComment(conn(), { commentExternalId: second.id, action: 'hide' });
    await youtubeAdapter.moderateComment(conn(), { commentExternalId: first.id, action: 'delete' });
    const comments = (await state()).comments;
    expect(comments.find((c) => c.id === second.id)?.hidden).toBe(true);
    expect(comments.find((c) => c.id === first.id)?.deleted).toBe(true);
    const visible = await youtubeAdapter.fetchComments(conn(), { cursor: null, postExternalIds: [] });
    expect(visible.comments.map((c) => c.text)).toEqual(['Tack för infon!']);
  });
});

describe('credentials', () => {
  it('refreshes the access token at the token endpoint and schedules the next refresh 10 minutes early', async () => {
    const fresh = await youtubeAdapter.refreshCredentials(conn());
    expect(fresh.accessToken).not.toBe(account.accessToken);
    expect(fresh.refreshToken).toBe(account.refreshToken);
    const expiresIn = Date.parse(fresh.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3599_000);
    expect(youtubeAdapter.refreshDueAt(fresh)?.getTime()).toBe(Date.parse(fresh.expiresAt ?? '') - 600_000);
    expect(youtubeAdapter.refreshDueAt({ ...fresh, expiresAt: null })).toBeNull();

    // The new token works.
    await expect(
      youtubeAdapter.fetchComments(conn({ credentials: fresh }), { cursor: null, postExternalIds: [] }),
    ).resolves.toMatchObject({
      comments: [],
    });
  });

  it('reports a revoked refresh token as auth_expired', async () => {
    const revoked = conn({ credentials: { accessToken: 'x', refreshToken: 'revoked', expiresAt: null } });
    const error = await expectClass(youtubeAdapter.refreshCredentials(revoked), 'auth_expired');
    expect(error.details.platformCode).toBe('invalid_grant');
  });
});

describe('error classes', () => {
  it('rate_limited with a retryAt in the future', async () => {
    await fault({ operation: 'upload_start', kind: 'rate_limit', count: 1 });
    const error = await expectClass(youtubeAdapter.publish(conn(), request(), recorder().hooks), 'rate_limited');
    expect(error.details.platformCode).toBe('rateLimitExceeded');
    expect(error.details.retryAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('quota_exhausted from an injected quotaExceeded, retrying after Pacific midnight', async () => {
    await fault({ operation: 'upload_start', kind: 'quota_exhausted', count: 1 });
    const error = await expectClass(youtubeAdapter.publish(conn(), request(), recorder().hooks), 'quota_exhausted');
    const wait = error.details.retryAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(25 * 3600_000);
  });

  it("quota_exhausted from the simulator's own daily ledger", async () => {
    await control('POST', '/youtube/_sim/settings', { dailyUploadLimit: 1 });
    await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    const error = await expectClass(youtubeAdapter.publish(conn(), request(), recorder().hooks), 'quota_exhausted');
    expect(error.details).toMatchObject({ httpStatus: 403, platformCode: 'quotaExceeded' });
    expect((await state()).posts).toHaveLength(1);
  });

  it('quota_exhausted for 24 hours from the per-channel uploadLimitExceeded', async () => {
    await control('POST', '/youtube/_sim/settings', { channelUploadCap: 1 });
    await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    const error = await expectClass(youtubeAdapter.publish(conn(), request(), recorder().hooks), 'quota_exhausted');
    expect(error.details).toMatchObject({ httpStatus: 400, platformCode: 'uploadLimitExceeded' });
    expect(error.details.retryAt!.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
  });

  it('transient for 5xx, for the duplicate fault (YouTube has no duplicates) and for a refused connection', async () => {
    await fault({ operation: 'comments', kind: 'server_error', count: 1 });
    const error = await expectClass(
      youtubeAdapter.fetchComments(conn(), { cursor: null, postExternalIds: [] }),
      'transient',
    );
    expect(error.details.httpStatus).toBe(503);

    await fault({ operation: 'upload_start', kind: 'duplicate', count: 1 });
    await expectClass(youtubeAdapter.publish(conn(), request(), recorder().hooks), 'transient');

    await fault({ operation: 'token', kind: 'server_error', count: 1 });
    await expectClass(youtubeAdapter.refreshCredentials(conn()), 'transient');

    const closed = await startSimulatorServer([], { port: 0 });
    await closed.close();
    const refused = await expectClass(
      youtubeAdapter.publish(conn({ apiBaseUrl: closed.baseUrl('youtube') }), request(), recorder().hooks),
      'transient',
    );
    expect(refused.details.platformCode).toBe('ECONNREFUSED');
  });

  it('auth_expired for a 401, injected or real, without the token in the message', async () => {
    await fault({ operation: 'upload_start', kind: 'auth_expired', count: 1 });
    const injected = await expectClass(youtubeAdapter.publish(conn(), request(), recorder().hooks), 'auth_expired');
    expect(injected.details.httpStatus).toBe(401);

    const secret = 'ya29.this-token-must-not-leak';
    const real = await expectClass(
      youtubeAdapter.fetchComments(conn({ credentials: { accessToken: secret, refreshToken: 'r', expiresAt: null } }), {
        cursor: null,
        postExternalIds: [],
      }),
      'auth_expired',
    );
    expect(real.message).not.toContain(secret);
    expect(JSON.stringify(real.details)).not.toContain(secret);
  });

  it('outcome_unknown when the last chunk or a reply times out; transient when an earlier chunk does', async () => {
    const fast = conn({ timeoutMs: 500 });
    const last = recorder(null, async (uploaded) => {
      if (uploaded === 2 * CHUNK) await fault({ operation: 'publish', kind: 'timeout', count: 1 });
    });
    const timedOut = await expectClass(youtubeAdapter.publish(fast, request(), last.hooks), 'outcome_unknown');
    expect(timedOut.details.platformCode).toBe('aborted');

    await fault({ operation: 'publish', kind: 'timeout', count: 1 });
    await expectClass(youtubeAdapter.publish(fast, request(), recorder().hooks), 'transient');

    const { externalId } = await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    const comment = (await control('POST', '/_sim/comments', {
      platform: 'youtube',
      postId: externalId,
      author: 'Anna',
      text: 'Hej',
    })) as { id: string };
    await fault({ operation: 'reply', kind: 'timeout', count: 1 });
    await expectClass(
      youtubeAdapter.reply(fast, { targetExternalId: comment.id, text: 'Hej Anna!' }),
      'outcome_unknown',
    );
  });

  it('outcome_unknown when a reply is stored but the answer is lost', async () => {
    const { externalId } = await youtubeAdapter.publish(conn(), request(), recorder().hooks);
    const comment = (await control('POST', '/_sim/comments', {
      platform: 'youtube',
      postId: externalId,
      author: 'Anna',
      text: 'Hej',
    })) as { id: string };
    await fault({ operation: 'reply', kind: 'drop_after_accept', count: 1 });
    await expectClass(
      youtubeAdapter.reply(conn(), { targetExternalId: comment.id, text: 'Hej Anna!' }),
      'outcome_unknown',
    );
    expect((await state()).comments.filter((c) => c.fromOwner)).toHaveLength(1);
  });
});
