/**
 * The Facebook adapter against the real Facebook simulator over HTTP: posting, reconciliation, comments,
 * every error class in Graph's wire format, and Facebook Login end to end.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Connection, MediaItem, PublishRequest } from '../../workers/platforms/contract';
import { createFacebookAdapter } from '../../workers/platforms/facebook/adapter';
import type { FacebookCredentials } from '../../workers/platforms/facebook/credentials';
import { facebookPlatform } from '../../workers/platforms/facebook';
import { facebookSimulator } from '../../workers/platforms/facebook/simulator';
import { instagramSimulator } from '../../workers/platforms/instagram/simulator';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import { closedPort, control, makeJpeg, platformError, recordingHooks, submitLoginDialog } from './instagram-fixtures';

const page = demoAccountsFor('facebook')[0]!;
const adapter = createFacebookAdapter();
let sims: RunningSimulators;
let sim: ReturnType<typeof control>;

beforeAll(async () => {
  sims = await startSimulatorServer([facebookSimulator, instagramSimulator], { port: 0 });
  sim = control(sims.url);
});
afterAll(async () => {
  await sims.close();
});
beforeEach(async () => {
  await sim.reset();
});

function conn(over: Partial<Connection<FacebookCredentials>> = {}): Connection<FacebookCredentials> {
  return {
    channelId: 'channel-fb',
    accountId: page.accountId,
    apiBaseUrl: sims.baseUrl('facebook'),
    credentials: { pageAccessToken: page.accessToken },
    ...over,
  };
}

let seq = 0;
function request(over: Partial<PublishRequest> = {}): PublishRequest {
  seq += 1;
  return { deliveryId: `delivery-${seq}`, text: `Vattenavstängning på Drottninggatan, del ${seq}.`, link: null, media: [], ...over };
}

function photo(width = 600, height = 400): MediaItem {
  return { kind: 'image', mimeType: 'image/jpeg', filename: 'bild.jpg', data: makeJpeg(width, height), width, height };
}

describe('publishing', () => {
  it('posts a feed post with a link and returns its permalink: the simulator\'s own page for the post', async () => {
    const req = request({ link: 'https://helsingborg.se/trafik' });
    const published = await adapter.publish(conn(), req, recordingHooks());
    expect(published.externalId).toMatch(new RegExp(`^${page.accountId}_\\d+$`));
    expect(published.permalink).toBe(`${sims.baseUrl('facebook')}/${page.accountId}/posts/${published.externalId.split('_')[1]}`);
    const shown = await fetch(published.permalink ?? '');
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(req.text);
    const { posts } = await sim.state();
    expect(posts).toEqual([
      expect.objectContaining({ platform: 'facebook', channel: page.accountId, id: published.externalId, text: req.text, link: req.link, media: [], replyTo: null, deleted: false }),
    ]);
  });

  it('uploads a photo as multipart and puts the link in the caption', async () => {
    const image = photo();
    const req = request({ link: 'https://helsingborg.se', media: [image] });
    const published = await adapter.publish(conn(), req, recordingHooks());
    const [post] = (await sim.state()).posts;
    expect(post?.id).toBe(published.externalId);
    expect(post?.text).toBe(`${req.text}\n\nhttps://helsingborg.se`);
    expect(post?.link).toBeNull();
    expect(post?.media).toEqual([expect.objectContaining({ mimeType: 'image/jpeg', bytes: image.data.length })]);
  });

  it('posts several photos as one feed post with attached media', async () => {
    const published = await adapter.publish(conn(), request({ media: [photo(), photo(400, 400)] }), recordingHooks());
    const { posts } = await sim.state();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.id).toBe(published.externalId);
    expect(posts[0]?.media).toHaveLength(2);
  });

  it('keeps a published photo post when the permalink read after it fails', async () => {
    await sim.fault({ platform: 'facebook', operation: 'permalink', kind: 'server_error' });
    const published = await adapter.publish(conn(), request({ media: [photo()] }), recordingHooks());
    expect(published.permalink).toBeNull();
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('takes a feed post\'s permalink from the publish answer, without a second call', async () => {
    // Every separate read of the post fails: the link can only have come with the write (read-after-write).
    await sim.fault({ platform: 'facebook', operation: 'permalink', kind: 'server_error' });
    const req = request();
    const published = await adapter.publish(conn(), req, recordingHooks());
    expect((await sim.state()).posts.map((p) => p.id)).toEqual([published.externalId]);
    const shown = await fetch(published.permalink ?? 'http://127.0.0.1:9/');
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(req.text);
  });

  it('deletes a post', async () => {
    const published = await adapter.publish(conn(), request(), recordingHooks());
    await adapter.deletePost(conn(), published.externalId);
    expect((await sim.state()).posts[0]).toMatchObject({ id: published.externalId, deleted: true });
  });

  it('rejects a video before calling Facebook', async () => {
    const video: MediaItem = { kind: 'video', mimeType: 'video/mp4', filename: 'film.mp4', data: Buffer.alloc(10) };
    const error = await platformError(adapter.publish(conn(), request({ media: [video] }), recordingHooks()));
    expect(error.errorClass).toBe('invalid_content');
    expect((await sim.state()).posts).toHaveLength(0);
  });
});

describe('lookup (reconciliation)', () => {
  it('finds a post whose answer was lost', async () => {
    const req = request();
    const sentAfter = new Date();
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'drop_after_accept', count: 1 });
    const error = await platformError(adapter.publish(conn(), req, recordingHooks()));
    expect(error.errorClass).toBe('outcome_unknown');
    const [post] = (await sim.state()).posts;
    const found = await adapter.lookup(conn(), req, { checkpoint: null, sentAfter });
    expect(found).toMatchObject({ status: 'published', externalId: post?.id });
  });

  it('says not_published when no post matches', async () => {
    await adapter.publish(conn(), request(), recordingHooks());
    const found = await adapter.lookup(conn(), request(), { checkpoint: null, sentAfter: new Date() });
    expect(found).toEqual({ status: 'not_published' });
  });

  it('does not match posts created before the attempt', async () => {
    const req = request();
    await adapter.publish(conn(), req, recordingHooks());
    const found = await adapter.lookup(conn(), req, { checkpoint: null, sentAfter: new Date(Date.now() + 5 * 60_000) });
    expect(found.status).toBe('not_published');
  });

  it('says unknown when the listing fails', async () => {
    await sim.fault({ platform: 'facebook', operation: 'list', kind: 'server_error' });
    const found = await adapter.lookup(conn(), request(), { checkpoint: null, sentAfter: new Date() });
    expect(found.status).toBe('unknown');
  });
});

describe('comments', () => {
  it('fetches new comments with a cursor, replies, hides and deletes', async () => {
    const post = await adapter.publish(conn(), request(), recordingHooks());
    const first = await sim.comment({ platform: 'facebook', postId: post.externalId, author: 'Anna Andersson', text: 'När är vattnet tillbaka?' });
    await sim.comment({ platform: 'facebook', postId: first.id, author: 'Bo Berg', text: 'Undrar också!' });

    const page1 = await adapter.fetchComments(conn(), { cursor: null, postExternalIds: [post.externalId] });
    expect(page1.comments.map((c) => c.text)).toEqual(['När är vattnet tillbaka?', 'Undrar också!']);
    expect(page1.comments[0]).toMatchObject({ externalId: first.id, postExternalId: post.externalId, parentExternalId: null, authorName: 'Anna Andersson' });
    expect(page1.comments[1]?.parentExternalId).toBe(first.id);
    expect(page1.cursor).not.toBeNull();

    const reply = await adapter.reply(conn(), { targetExternalId: first.id, text: 'Vid 15-tiden, enligt NSVA.' });
    expect(reply.externalId).toBeTruthy();
    await sim.comment({ platform: 'facebook', postId: post.externalId, author: 'Cecilia', text: 'Tack för infon' });

    const page2 = await adapter.fetchComments(conn(), { cursor: page1.cursor, postExternalIds: [post.externalId] });
    // Only the newer citizen comment: our own reply is not inbound.
    expect(page2.comments.map((c) => c.text)).toEqual(['Tack för infon']);

    await adapter.moderateComment(conn(), { commentExternalId: first.id, action: 'hide' });
    await adapter.moderateComment(conn(), { commentExternalId: page2.comments[0]!.externalId, action: 'delete' });
    const { comments } = await sim.state();
    expect(comments.find((c) => c.id === first.id)?.hidden).toBe(true);
    expect(comments.find((c) => c.id === page2.comments[0]!.externalId)?.deleted).toBe(true);
    expect(comments.find((c) => c.id === reply.externalId)).toMatchObject({ fromOwner: true, parentId: first.id, text: 'Vid 15-tiden, enligt NSVA.' });
  });

  it('replies directly on a post', async () => {
    const post = await adapter.publish(conn(), request(), recordingHooks());
    const reply = await adapter.reply(conn(), { targetExternalId: post.externalId, text: 'Uppdatering: klart.' });
    expect(reply.permalink).toContain('comment_id=');
    expect((await sim.state()).comments).toEqual([expect.objectContaining({ id: reply.externalId, postId: post.externalId, parentId: null })]);
  });

  it('requires a known post when injecting a comment', async () => {
    await expect(sim.comment({ platform: 'facebook', author: 'A', text: 'Hej' })).rejects.toThrow(/postId/);
    await expect(sim.comment({ platform: 'facebook', postId: '1_2', author: 'A', text: 'Hej' })).rejects.toThrow(/no Facebook post/);
  });
});

describe('error classes', () => {
  it('rate_limited with retryAt from X-Business-Use-Case-Usage', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'rate_limit', count: 1 });
    const error = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('rate_limited');
    expect(error.details.platformCode).toBe('32');
    expect(error.details.retryAt!.getTime()).toBeGreaterThan(Date.now());
    expect(error.details.retryAt!.getTime()).toBeLessThan(Date.now() + 60_000);
  });

  it('maps the Page BUC limit (80001, the quota_exhausted fault) to rate_limited with retryAt', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'quota_exhausted', count: 1 });
    const error = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('rate_limited');
    expect(error.details.platformCode).toBe('80001');
    expect(error.details.retryAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('transient for a server error on a call without side effects', async () => {
    const post = await adapter.publish(conn(), request(), recordingHooks());
    await sim.fault({ platform: 'facebook', operation: 'delete', kind: 'server_error', count: 1 });
    const error = await platformError(adapter.deletePost(conn(), post.externalId));
    expect(error.errorClass).toBe('transient');
    expect(error.details.httpStatus).toBe(500);
  });

  it('outcome_unknown for a server error on the create call (reconcile, never blindly retry)', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'server_error', count: 1 });
    const error = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('outcome_unknown');
  });

  it('auth_expired for code 190, injected or from a bad token', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'auth_expired', count: 1 });
    const injected = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(injected.errorClass).toBe('auth_expired');
    expect(injected.details.platformCode).toBe('190/463');
    const bad = conn({ credentials: { pageAccessToken: 'not-a-token' } });
    const error = await platformError(adapter.publish(bad, request(), recordingHooks()));
    expect(error.errorClass).toBe('auth_expired');
    expect(error.message).not.toContain('not-a-token');
    expect((await platformError(adapter.refreshCredentials(bad))).errorClass).toBe('auth_expired');
    await expect(adapter.refreshCredentials(conn())).resolves.toEqual({ pageAccessToken: page.accessToken });
  });

  it('duplicate, injected and automatic for the same message twice in a row', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'duplicate', count: 1 });
    expect((await platformError(adapter.publish(conn(), request(), recordingHooks()))).errorClass).toBe('duplicate');
    const req = request();
    await adapter.publish(conn(), req, recordingHooks());
    const error = await platformError(adapter.publish(conn(), { ...req, deliveryId: 'again' }, recordingHooks()));
    expect(error.errorClass).toBe('duplicate');
    expect(error.details.platformCode).toBe('506');
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('outcome_unknown on a timeout after sending', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'timeout', count: 1 });
    const started = Date.now();
    const error = await platformError(adapter.publish(conn({ timeoutMs: 500 }), request(), recordingHooks()));
    expect(error.errorClass).toBe('outcome_unknown');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('outcome_unknown when the answer is dropped after the post was stored', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'drop_after_accept', count: 1 });
    const error = await platformError(adapter.publish(conn(), request(), recordingHooks()));
    expect(error.errorClass).toBe('outcome_unknown');
    expect((await sim.state()).posts).toHaveLength(1);
  });

  it('transient when the connection is refused (nothing was sent)', async () => {
    const port = await closedPort();
    const error = await platformError(adapter.publish(conn({ apiBaseUrl: `http://127.0.0.1:${port}/facebook` }), request(), recordingHooks()));
    expect(error.errorClass).toBe('transient');
  });

  it('invalid_content with a Swedish message for a message over 63 206 characters', async () => {
    const error = await platformError(adapter.publish(conn(), request({ text: 'a'.repeat(63_207) }), recordingHooks()));
    expect(error.errorClass).toBe('invalid_content');
    expect(error.message).toMatch(/^Facebook godtog inte inlägget/);
    expect(error.details.platformCode).toBe('100');
  });

  it('sends the token only as a bearer header, never in a URL', async () => {
    const seen: { url: string; authorization: string | undefined }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '1_2', permalink_url: 'https://www.facebook.com/1/posts/2' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await adapter.publish(conn({ apiBaseUrl: `http://127.0.0.1:${port}` }), request({ link: 'https://helsingborg.se' }), recordingHooks());
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) {
      expect(r.url).not.toContain(page.accessToken);
      expect(r.url).toMatch(/^\/v21\.0\//);
      expect(r.authorization).toBe(`Bearer ${page.accessToken}`);
    }
  });
});

describe('Facebook Login', () => {
  const redirectUri = 'http://127.0.0.1:3000/kanaler/anslut/facebook';
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  it('connects a Page end to end: dialog, consent, code exchange, long-lived token, Page grants', async () => {
    const authorizeUrl = facebookPlatform.authorization.authorizeUrl({
      apiBaseUrl: sims.baseUrl('facebook'),
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 'st-123',
      codeChallenge: challenge,
    });
    expect(authorizeUrl).toContain('/v21.0/dialog/oauth?');
    expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');

    const html = await (await fetch(authorizeUrl)).text();
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain('Godkänn');

    const back = await submitLoginDialog(authorizeUrl, 'approve');
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('st-123');
    const code = back.searchParams.get('code')!;

    const grants = await facebookPlatform.authorization.exchangeCode({
      apiBaseUrl: sims.baseUrl('facebook'),
      clientId: simulatorOAuthClient.clientId,
      clientSecret: simulatorOAuthClient.clientSecret,
      redirectUri,
      code,
      codeVerifier: verifier,
    });
    expect(grants).toEqual([
      { accountId: page.accountId, accountName: page.name, credentials: { pageAccessToken: expect.any(String) } },
    ]);
    const credentials = facebookPlatform.credentialsSchema.parse(grants[0]!.credentials);
    const published = await adapter.publish(conn({ credentials }), request(), recordingHooks());
    expect((await sim.state()).posts[0]?.id).toBe(published.externalId);
  });

  it('redirects with access_denied when the user cancels', async () => {
    const authorizeUrl = facebookPlatform.authorization.authorizeUrl({
      apiBaseUrl: sims.baseUrl('facebook'),
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 'st-9',
      codeChallenge: challenge,
    });
    const back = await submitLoginDialog(authorizeUrl, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st-9');
  });

  it('refuses a code with the wrong PKCE verifier, and a code used twice', async () => {
    const authorizeUrl = facebookPlatform.authorization.authorizeUrl({
      apiBaseUrl: sims.baseUrl('facebook'),
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 's',
      codeChallenge: challenge,
    });
    const code = (await submitLoginDialog(authorizeUrl, 'approve')).searchParams.get('code')!;
    const exchange = (codeVerifier: string) =>
      facebookPlatform.authorization.exchangeCode({
        apiBaseUrl: sims.baseUrl('facebook'),
        clientId: simulatorOAuthClient.clientId,
        clientSecret: simulatorOAuthClient.clientSecret,
        redirectUri,
        code,
        codeVerifier,
      });
    expect((await platformError(exchange('wrong-verifier'))).errorClass).toBe('invalid_content');
    expect((await platformError(exchange(verifier))).errorClass).toBe('invalid_content');
  });
});
