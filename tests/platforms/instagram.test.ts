/**
 * The Instagram adapter against the real Instagram simulator over HTTP: container → poll → publish, resuming from
 * checkpoints without duplicates, the publishing limit, comments, every error class, and Facebook Login.
 * image_url points at a tiny HTTP server in this file that the simulator really fetches.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint, Connection, MediaItem, PublishRequest } from '../../workers/platforms/contract';
import { facebookSimulator } from '../../workers/platforms/facebook/simulator';
import { instagramPlatform } from '../../workers/platforms/instagram';
import { createInstagramAdapter } from '../../workers/platforms/instagram/adapter';
import type { InstagramCredentials } from '../../workers/platforms/instagram/credentials';
import { instagramSimulator } from '../../workers/platforms/instagram/simulator';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import {
  control,
  makeJpeg,
  MP4_BYTES,
  platformError,
  PNG_BYTES,
  recordingHooks,
  startMediaHost,
  submitLoginDialog,
  type MediaHost,
} from './instagram-fixtures';

const [account, secondAccount] = demoAccountsFor('instagram') as [
  ReturnType<typeof demoAccountsFor>[number],
  ReturnType<typeof demoAccountsFor>[number],
];
const adapter = createInstagramAdapter({ pollIntervalMs: 10, maxPolls: 20 });
let sims: RunningSimulators;
let host: MediaHost;
let sim: ReturnType<typeof control>;
let squareUrl: string;

beforeAll(async () => {
  sims = await startSimulatorServer([facebookSimulator, instagramSimulator], { port: 0 });
  host = await startMediaHost();
  sim = control(sims.url);
  squareUrl = host.serve('/bilder/torget.jpg', makeJpeg(1080, 1080), 'image/jpeg');
});
afterAll(async () => {
  await Promise.all([sims.close(), host.close()]);
});
beforeEach(async () => {
  await sim.reset();
});

function conn(over: Partial<Connection<InstagramCredentials>> = {}): Connection<InstagramCredentials> {
  return {
    channelId: 'channel-ig',
    accountId: account.accountId,
    apiBaseUrl: sims.baseUrl('instagram'),
    credentials: { accessToken: account.accessToken },
    ...over,
  };
}

function image(url = squareUrl, size = 1080): MediaItem {
  return { kind: 'image', mimeType: 'image/jpeg', filename: 'torget.jpg', data: makeJpeg(size, size), publicUrl: url, width: size, height: size };
}

let seq = 0;
function request(over: Partial<PublishRequest> = {}): PublishRequest {
  seq += 1;
  return { deliveryId: `ig-${seq}`, text: `Sommar på Stortorget #helsingborg (${seq})`, link: null, media: [image()], ...over };
}

describe('publishing', () => {
  it('creates a container, checkpoints it before publishing, polls, publishes and reads the permalink', async () => {
    let postsAtCheckpoint = -1;
    const hooks = recordingHooks(null, async () => {
      postsAtCheckpoint = (await sim.state()).posts.length;
    });
    const req = request({ link: 'https://helsingborg.se/sommar' });
    const published = await adapter.publish(conn(), req, hooks);

    expect(hooks.saved).toHaveLength(1);
    expect(hooks.saved[0]?.containerId).toMatch(/^\d+$/);
    expect(postsAtCheckpoint).toBe(0);
    // The simulator's own page for the post, and it shows the caption.
    expect(published.permalink?.startsWith(`${sims.baseUrl('instagram')}/p/`)).toBe(true);
    const shown = await fetch(published.permalink ?? '');
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(req.text);
    const { posts } = await sim.state();
    expect(posts).toEqual([
      expect.objectContaining({
        platform: 'instagram',
        channel: account.accountId,
        id: published.externalId,
        text: `${req.text}\n\nhttps://helsingborg.se/sommar`,
        link: null,
        replyTo: null,
        media: [expect.objectContaining({ mimeType: 'image/jpeg' })],
      }),
    ]);
  });

  it('publishes a reel after the video finishes processing', async () => {
    const videoUrl = host.serve('/film/sommar.mp4', MP4_BYTES, 'video/mp4');
    const video: MediaItem = { kind: 'video', mimeType: 'video/mp4', filename: 'sommar.mp4', data: MP4_BYTES, publicUrl: videoUrl };
    const published = await adapter.publish(conn(), request({ media: [video] }), recordingHooks());
    expect((await sim.state()).posts[0]).toMatchObject({ id: published.externalId, media: [expect.objectContaining({ mimeType: 'video/mp4' })] });
  });

  it('polls a slow container until it is FINISHED (container_slow)', async () => {
    await sim.fault({ platform: 'instagram', operation: 'container_status', kind: 'container_slow', count: 3 });
    const published = await adapter.publish(conn(), request(), recordingHooks());
    expect(published.externalId).toBeTruthy();
    const [fault] = await sim.faults();
    expect(fault?.remaining).toBe(0); // three IN_PROGRESS answers were read
  });

  it('gives up with transient after the poll cap and resumes the same container next time', async () => {
    const impatient = createInstagramAdapter({ pollIntervalMs: 5, maxPolls: 3 });
    await sim.fault({ platform: 'instagram', operation: 'container_status', kind: 'container_slow', count: 5 });
    const hooks = recordingHooks();
    const req = request();
    const error = await platformError(impatient.publish(conn(), req, hooks));
    expect(error.errorClass).toBe('transient');
    expect((await sim.state()).posts).toHaveLength(0);

    const retry = recordingHooks(hooks.saved[0]!);
    await adapter.publish(conn(), req, retry);
    expect(retry.saved).toHaveLength(0); // no new container
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('maps a container ERROR and makes a new container on the next attempt (container_error)', async () => {
    await sim.fault({ platform: 'instagram', operation: 'container_create', kind: 'container_error', count: 1 });
    const hooks = recordingHooks();
    const req = request();
    const error = await platformError(adapter.publish(conn(), req, hooks));
    expect(error.errorClass).toBe('transient');
    expect(error.details.platformCode).toBe('ERROR/2207020');

    const retry = recordingHooks(hooks.saved[0]!);
    const published = await adapter.publish(conn(), req, retry);
    expect(retry.saved[0]?.containerId).not.toBe(hooks.saved[0]?.containerId);
    expect((await sim.state()).posts.map((p) => p.id)).toEqual([published.externalId]);
  });

  it('keeps a published post when the permalink read fails', async () => {
    await sim.fault({ platform: 'instagram', operation: 'permalink', kind: 'rate_limit' });
    const published = await adapter.publish(conn(), request(), recordingHooks());
    expect(published.permalink).toBeNull();
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('needs a public URL for the image', async () => {
    const { publicUrl: _url, ...withoutUrl } = image();
    const error = await platformError(adapter.publish(conn(), request({ media: [withoutUrl] }), recordingHooks()));
    expect(error.errorClass).toBe('invalid_content');
    expect(error.message).toMatch(/publik adress/);
  });

  it('cannot delete a published post through the API', async () => {
    const error = await platformError(adapter.deletePost(conn(), '180000000000000001'));
    expect(error.errorClass).toBe('invalid_content');
    expect(error.message).toMatch(/Instagram-appen/);
  });
});

describe('resuming and reconciliation', () => {
  it('resumes a FINISHED container without publishing twice', async () => {
    await sim.fault({ platform: 'instagram', operation: 'publish', kind: 'server_error', count: 1 });
    const first = recordingHooks();
    const req = request();
    const sentAfter = new Date();
    const error = await platformError(adapter.publish(conn(), req, first));
    // A server error on media_publish may hide a created post (a real incident), so it is not a plain retry.
    expect(error.errorClass).toBe('outcome_unknown');
    const checkpoint = first.saved[0]!;

    expect(await adapter.lookup(conn(), req, { checkpoint, sentAfter })).toEqual({ status: 'not_published' });
    const retry = recordingHooks(checkpoint);
    const published = await adapter.publish(conn(), req, retry);
    expect(retry.saved).toHaveLength(0);
    expect((await sim.state()).posts.map((p) => p.id)).toEqual([published.externalId]);
  });

  it('finds a post whose media_publish answer was lost, by checkpoint, and returns it on resume (drop_after_accept)', async () => {
    await sim.fault({ platform: 'instagram', operation: 'publish', kind: 'drop_after_accept', count: 1 });
    const first = recordingHooks();
    const req = request();
    const sentAfter = new Date();
    const error = await platformError(adapter.publish(conn(), req, first));
    expect(error.errorClass).toBe('outcome_unknown');
    const { posts } = await sim.state();
    expect(posts).toHaveLength(1);

    const checkpoint = first.saved[0]!;
    const found = await adapter.lookup(conn(), req, { checkpoint, sentAfter });
    expect(found).toMatchObject({ status: 'published', externalId: posts[0]?.id });
    expect(found.status === 'published' && found.permalink).toMatch(/\/instagram\/p\//);

    const resumed = await adapter.publish(conn(), req, recordingHooks(checkpoint));
    expect(resumed.externalId).toBe(posts[0]?.id);
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('makes a new container when the content changed before the retry', async () => {
    await sim.fault({ platform: 'instagram', operation: 'publish', kind: 'server_error', count: 1 });
    const first = recordingHooks();
    await platformError(adapter.publish(conn(), request({ text: 'Version ett' }), first));
    const retry = recordingHooks(first.saved[0]!);
    await adapter.publish(conn(), request({ text: 'Version två' }), retry);
    expect(retry.saved).toHaveLength(1);
    expect((await sim.state()).posts.map((p) => p.text)).toEqual(['Version två']);
  });

  it('never publishes an edited version when an earlier attempt already went out', async () => {
    const first = recordingHooks();
    await adapter.publish(conn(), request({ text: 'Version ett' }), first);
    const error = await platformError(adapter.publish(conn(), request({ text: 'Version två' }), recordingHooks(first.saved[0]!)));
    expect(error.errorClass).toBe('duplicate');
    expect((await sim.state()).posts.map((p) => p.text)).toEqual(['Version ett']);
  });

  it('looks up by caption when there is no checkpoint', async () => {
    const req = request();
    const sentAfter = new Date();
    expect(await adapter.lookup(conn(), req, { checkpoint: null, sentAfter })).toEqual({ status: 'not_published' });
    const published = await adapter.publish(conn(), req, recordingHooks());
    expect(await adapter.lookup(conn(), req, { checkpoint: null, sentAfter })).toMatchObject({ status: 'published', externalId: published.externalId });
  });

  it('matches a caption the media list cuts at 2 000 characters', async () => {
    const req = request({ text: `${'Lång text om stadsbyggnad. '.repeat(80)}slut` });
    const published = await adapter.publish(conn(), req, recordingHooks());
    expect(await adapter.lookup(conn(), req, { checkpoint: null, sentAfter: new Date(Date.now() - 1000) })).toMatchObject({
      status: 'published',
      externalId: published.externalId,
    });
  });

  it('says unknown when it cannot tell', async () => {
    const hooks = recordingHooks();
    const req = request();
    await adapter.publish(conn(), req, hooks);
    await sim.fault({ platform: 'instagram', operation: 'container_status', kind: 'server_error' });
    await sim.fault({ platform: 'instagram', operation: 'list', kind: 'server_error' });
    expect((await adapter.lookup(conn(), req, { checkpoint: hooks.saved[0]!, sentAfter: new Date() })).status).toBe('unknown');
    expect((await adapter.lookup(conn(), req, { checkpoint: null, sentAfter: new Date() })).status).toBe('unknown');
  });
});

describe('publishing limit', () => {
  it('answers quota_exhausted with retryAt when the oldest post in the window rolls out', async () => {
    await sim.configure('instagram', { quotaTotal: 2 });
    await adapter.publish(conn(), request(), recordingHooks());
    await adapter.publish(conn(), request(), recordingHooks());
    expect(await adapter.getPublishingLimit(conn())).toEqual({ quotaUsage: 2, quotaTotal: 2, quotaDurationSeconds: 86_400 });

    const error = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('quota_exhausted');
    expect(error.details.platformCode).toBe('9/2207042');
    const oldest = Date.parse((await sim.state()).posts[0]!.createdAt);
    // The list has second resolution, so retryAt is within a second of the oldest post + 24 h.
    expect(Math.abs(error.details.retryAt!.getTime() - (oldest + 24 * 3600_000))).toBeLessThan(1000);
    expect((await sim.state()).posts).toHaveLength(2);
  });

  it('falls back to a configurable wait when the window is unknown (injected fault)', async () => {
    const patient = createInstagramAdapter({ pollIntervalMs: 10, policy: { quotaFallbackMs: 2 * 3600_000 } });
    await sim.fault({ platform: 'instagram', operation: 'publish', kind: 'quota_exhausted', count: 1 });
    const error = await platformError(patient.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('quota_exhausted');
    const wait = error.details.retryAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(wait).toBeLessThanOrEqual(2 * 3600_000);
  });
});

describe('invalid content (Swedish messages)', () => {
  it('too long caption', async () => {
    const error = await platformError(adapter.publish(conn(), request({ text: 'x'.repeat(2_201) }), recordingHooks()));
    expect(error).toMatchObject({ errorClass: 'invalid_content', details: { platformCode: '36004/2207010' } });
    expect(error.message).toMatch(/Bildtexten är för lång/);
  });

  it('too many @mentions', async () => {
    const text = Array.from({ length: 21 }, (_, i) => `@konto${i}`).join(' ');
    const error = await platformError(adapter.publish(conn(), request({ text }), recordingHooks()));
    expect(error.errorClass).toBe('invalid_content');
    expect(error.message).toMatch(/omnämnanden/);
  });

  it('PNG instead of JPEG', async () => {
    const url = host.serve('/bilder/logga.png', PNG_BYTES, 'image/png');
    const error = await platformError(adapter.publish(conn(), request({ media: [image(url)] }), recordingHooks()));
    expect(error).toMatchObject({ errorClass: 'invalid_content', details: { platformCode: '36001/2207005' } });
    expect(error.message).toMatch(/JPEG/);
  });

  it('aspect ratio outside 4:5–1.91:1', async () => {
    const url = host.serve('/bilder/panorama.jpg', makeJpeg(2000, 800), 'image/jpeg');
    const error = await platformError(adapter.publish(conn(), request({ media: [image(url)] }), recordingHooks()));
    expect(error).toMatchObject({ errorClass: 'invalid_content', details: { platformCode: '36003/2207009' } });
    expect(error.message).toMatch(/proportioner/);
  });

  it('image over 8 MB', async () => {
    const big = Buffer.concat([makeJpeg(800, 800), Buffer.alloc(8 * 1024 * 1024)]);
    const url = host.serve('/bilder/stor.jpg', big, 'image/jpeg');
    const error = await platformError(adapter.publish(conn(), request({ media: [image(url)] }), recordingHooks()));
    expect(error).toMatchObject({ errorClass: 'invalid_content', details: { platformCode: '36000/2207004' } });
    expect(error.message).toMatch(/8 MB/);
  });

  it('image URL that cannot be fetched', async () => {
    const error = await platformError(adapter.publish(conn(), request({ media: [image(`${host.url}/finns-inte.jpg`)] }), recordingHooks()));
    expect(error).toMatchObject({ errorClass: 'invalid_content', details: { platformCode: '9004/2207052' } });
    expect(error.message).toMatch(/kunde inte hämta/);
  });
});

describe('error classes', () => {
  it('rate_limited with retryAt in the future', async () => {
    await sim.fault({ platform: 'instagram', operation: 'container_create', kind: 'rate_limit', count: 1 });
    const error = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('rate_limited');
    expect(error.details.retryAt!.getTime()).toBeGreaterThan(Date.now());
    expect(error.details.retryAt!.getTime()).toBeLessThan(Date.now() + 60_000);
  });

  it('transient for a server error before anything can be published', async () => {
    await sim.fault({ platform: 'instagram', operation: 'container_create', kind: 'server_error', count: 1 });
    const error = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('transient');
  });

  it('auth_expired', async () => {
    await sim.fault({ platform: 'instagram', operation: 'container_create', kind: 'auth_expired', count: 1 });
    expect((await platformError(adapter.publish(conn(), request(), recordingHooks()))).errorClass).toBe('auth_expired');
    const stranger = conn({ credentials: { accessToken: 'EAAnotatoken1234567890' } });
    const error = await platformError(adapter.publish(stranger, request(), recordingHooks()));
    expect(error.errorClass).toBe('auth_expired');
    expect(error.message).not.toContain('EAAnotatoken1234567890');
    expect((await platformError(adapter.refreshCredentials(stranger))).errorClass).toBe('auth_expired');
    await expect(adapter.refreshCredentials(conn())).resolves.toEqual({ accessToken: account.accessToken });
  });

  it('refuses a token for another account', async () => {
    const error = await platformError(adapter.publish(conn({ accountId: secondAccount.accountId }), request(), recordingHooks()));
    expect(error.errorClass).toBe('invalid_content');
    expect(error.details.platformCode).toBe('100/33');
  });

  it('duplicate', async () => {
    await sim.fault({ platform: 'instagram', operation: 'publish', kind: 'duplicate', count: 1 });
    expect((await platformError(adapter.publish(conn(), request(), recordingHooks()))).errorClass).toBe('duplicate');
  });

  it('outcome_unknown on a media_publish timeout; transient on a container_create timeout', async () => {
    await sim.fault({ platform: 'instagram', operation: 'publish', kind: 'timeout', count: 1 });
    const error = await platformError(adapter.publish(conn({ timeoutMs: 500 }), request(), recordingHooks()));
    expect(error.errorClass).toBe('outcome_unknown');
    await sim.fault({ platform: 'instagram', operation: 'container_create', kind: 'timeout', count: 1 });
    const early = await platformError(adapter.publish(conn({ timeoutMs: 500 }), request(), recordingHooks()));
    expect(early.errorClass).toBe('transient'); // an orphan container is invisible and expires by itself
  });

  it('outcome_unknown on drop_after_accept', async () => {
    await sim.fault({ platform: 'instagram', operation: 'publish', kind: 'drop_after_accept', count: 1 });
    expect((await platformError(adapter.publish(conn(), request(), recordingHooks()))).errorClass).toBe('outcome_unknown');
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('stops polling when the caller aborts, without publishing', async () => {
    await sim.fault({ platform: 'instagram', operation: 'container_status', kind: 'container_slow' });
    const controller = new AbortController();
    const hooks = { ...recordingHooks(), signal: controller.signal };
    const slow = createInstagramAdapter({ pollIntervalMs: 50, maxPolls: 1000 });
    setTimeout(() => controller.abort(), 150);
    const error = await platformError(slow.publish(conn(), request(), hooks));
    expect(error.errorClass).toBe('transient');
    expect((await sim.state()).posts).toHaveLength(0);
  });
});

describe('comments', () => {
  it('fetches comments and replies with a cursor, replies, hides and deletes', async () => {
    const media = await adapter.publish(conn(), request(), recordingHooks());
    const top = await sim.comment({ platform: 'instagram', postId: media.externalId, author: '@anna.a', text: 'Så fint!' });
    await sim.comment({ platform: 'instagram', postId: top.id, author: 'bo_berg', text: 'Håller med' });

    const first = await adapter.fetchComments(conn(), { cursor: null, postExternalIds: [media.externalId] });
    expect(first.comments).toEqual([
      expect.objectContaining({ externalId: top.id, postExternalId: media.externalId, parentExternalId: null, authorName: 'anna.a', text: 'Så fint!' }),
      expect.objectContaining({ parentExternalId: top.id, authorName: 'bo_berg', text: 'Håller med' }),
    ]);

    const reply = await adapter.reply(conn(), { targetExternalId: top.id, text: 'Tack Anna!' });
    const onMedia = await adapter.reply(conn(), { targetExternalId: media.externalId, text: 'Välkomna till torget.' });
    const later = await sim.comment({ platform: 'instagram', postId: media.externalId, author: 'cissi', text: 'När är det?' });

    const second = await adapter.fetchComments(conn(), { cursor: first.cursor, postExternalIds: [media.externalId] });
    expect(second.comments.map((c) => c.externalId)).toEqual([later.id]);

    await adapter.moderateComment(conn(), { commentExternalId: top.id, action: 'hide' });
    await adapter.moderateComment(conn(), { commentExternalId: later.id, action: 'delete' });
    const { comments } = await sim.state();
    expect(comments.find((c) => c.id === top.id)?.hidden).toBe(true);
    expect(comments.find((c) => c.id === later.id)?.deleted).toBe(true);
    expect(comments.find((c) => c.id === reply.externalId)).toMatchObject({ fromOwner: true, parentId: top.id });
    expect(comments.find((c) => c.id === onMedia.externalId)).toMatchObject({ fromOwner: true, parentId: null, postId: media.externalId });
  });

  it('requires a known post when injecting a comment', async () => {
    await expect(sim.comment({ platform: 'instagram', author: 'a', text: 'Hej' })).rejects.toThrow(/postId/);
    await expect(sim.comment({ platform: 'instagram', postId: '180000', author: 'a', text: 'Hej' })).rejects.toThrow(/no Instagram media/);
  });
});

describe('Facebook Login for Instagram', () => {
  it('returns one grant per linked Instagram account, and the grant publishes', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = 'http://127.0.0.1:3000/kanaler/anslut/instagram';
    const authorizeUrl = instagramPlatform.authorization.authorizeUrl({
      apiBaseUrl: sims.baseUrl('instagram'),
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 'ig-state',
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    });
    expect(new URL(authorizeUrl).searchParams.get('scope')).toContain('instagram_content_publish');
    const back = await submitLoginDialog(authorizeUrl, 'approve');
    expect(back.searchParams.get('state')).toBe('ig-state');

    const grants = await instagramPlatform.authorization.exchangeCode({
      apiBaseUrl: sims.baseUrl('instagram'),
      clientId: simulatorOAuthClient.clientId,
      clientSecret: simulatorOAuthClient.clientSecret,
      redirectUri,
      code: back.searchParams.get('code')!,
      codeVerifier: verifier,
    });
    expect(grants.map((g) => [g.accountId, g.accountName])).toEqual([
      [account.accountId, account.name],
      [secondAccount.accountId, secondAccount.name],
    ]);
    const jobba = grants[1]!;
    const credentials = instagramPlatform.credentialsSchema.parse(jobba.credentials);
    const published = await adapter.publish(conn({ accountId: jobba.accountId, credentials }), request(), recordingHooks());
    expect((await sim.state()).posts[0]).toMatchObject({ id: published.externalId, channel: secondAccount.accountId });
  });
});

describe('checkpoint shape', () => {
  it('stores the container id, when it was made and what it was made for', async () => {
    const hooks = recordingHooks();
    await adapter.publish(conn(), request(), hooks);
    const saved: Checkpoint = hooks.saved[0]!;
    expect(Object.keys(saved).sort()).toEqual(['containerId', 'contentKey', 'createdAt']);
    expect(Number.isNaN(Date.parse(saved.createdAt ?? ''))).toBe(false);
  });
});

describe('simulator wire format', () => {
  const graph = (path: string, init: RequestInit = {}, token = account.accessToken) =>
    fetch(`${sims.baseUrl('instagram')}/v21.0${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  it('answers 9007/2207027 for media_publish on a container still IN_PROGRESS, and refuses to publish a container twice', async () => {
    await sim.fault({ platform: 'instagram', operation: 'container_status', kind: 'container_slow', count: 1 });
    const created = (await (await graph(`/${account.accountId}/media`, form({ image_url: squareUrl, caption: 'Hej' }))).json()) as { id: string };
    const early = await graph(`/${account.accountId}/media_publish`, form({ creation_id: created.id }));
    expect(early.status).toBe(400);
    expect(((await early.json()) as { error: { code: number; error_subcode: number } }).error).toMatchObject({ code: 9007, error_subcode: 2207027 });

    const poll = async () => ((await (await graph(`/${created.id}?fields=status_code,status`)).json()) as { status_code: string }).status_code;
    expect(await poll()).toBe('IN_PROGRESS');
    expect(await poll()).toBe('FINISHED');
    expect((await graph(`/${account.accountId}/media_publish`, form({ creation_id: created.id }))).status).toBe(200);
    expect(await poll()).toBe('PUBLISHED');
    expect((await graph(`/${account.accountId}/media_publish`, form({ creation_id: created.id }))).status).toBe(400);
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('answers 190 OAuthException for an unknown token and 100/33 for another account in the path', async () => {
    const res = await graph(`/${account.accountId}/media`, {}, 'nope');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: 190, type: 'OAuthException' });
    const other = await graph(`/${secondAccount.accountId}/media`);
    expect(((await other.json()) as { error: unknown }).error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('reports the publishing limit in Graph shape', async () => {
    await adapter.publish(conn(), request(), recordingHooks());
    const res = await graph(`/${account.accountId}/content_publishing_limit?fields=quota_usage,config`);
    expect(await res.json()).toEqual({ data: [{ quota_usage: 1, config: { quota_total: 100, quota_duration: 86_400 } }] });
  });

  it('renders a rate_limit fault with a short X-Business-Use-Case-Usage wait', async () => {
    await sim.fault({ platform: 'instagram', operation: 'list', kind: 'rate_limit', count: 1 });
    const res = await graph(`/${account.accountId}/media`);
    expect(res.status).toBe(400);
    const usage = JSON.parse(res.headers.get('x-business-use-case-usage') ?? '{}') as Record<string, { estimated_time_to_regain_access: number }[]>;
    expect(usage[account.accountId]?.[0]?.estimated_time_to_regain_access).toBeCloseTo(0.05);
  });
});
