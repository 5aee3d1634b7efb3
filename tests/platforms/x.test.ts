/**
 * Contract tests for the X adapter: the real twitter-api-v2 client over HTTP against the real simulator server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PlatformError,
  type Connection,
  type ErrorClass,
  type MediaItem,
  type PublishHooks,
  type PublishRequest,
} from '../../workers/platforms/contract';
import {
  startSimulatorServer,
  type RunningSimulators,
  type SimComment,
  type SimPost,
} from '../../workers/platforms/sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import { xAdapter } from '../../workers/platforms/x/adapter';
import type { XCredentials } from '../../workers/platforms/x/credentials';
import { composeXText } from '../../workers/platforms/x/limits';
import { xAuthorization } from '../../workers/platforms/x/oauth';
import { createXSimulator } from '../../workers/platforms/x/simulator';

const demo = demoAccountsFor('x')[0]!;
// Fractional check_after_secs keeps video processing (and its polls) within a few hundred milliseconds.
const simulator = createXSimulator({ processingCheckAfterSecs: 0.05, faultResetSecs: 3 });
let sims: RunningSimulators;

beforeAll(async () => {
  sims = await startSimulatorServer([simulator], { port: 0 });
});
afterAll(async () => {
  await sims.close();
});
beforeEach(async () => {
  const res = await fetch(`${sims.url}/_sim/reset`, { method: 'POST' });
  expect(res.status).toBe(200);
});

function conn(overrides: Partial<Connection<XCredentials>> = {}): Connection<XCredentials> {
  return {
    channelId: 'channel-x',
    accountId: demo.accountId,
    apiBaseUrl: sims.baseUrl('x'),
    credentials: { accessToken: demo.accessToken, refreshToken: demo.refreshToken, expiresAt: null },
    oauthClient: simulatorOAuthClient,
    ...overrides,
  };
}

const hooks = (signal?: AbortSignal): PublishHooks => ({ checkpoint: async () => {}, previous: null, signal });

let serial = 0;
function request(text: string, extra: Partial<PublishRequest> = {}): PublishRequest {
  serial += 1;
  return { deliveryId: `delivery-${serial}`, text, media: [], ...extra };
}

async function state(): Promise<{ posts: SimPost[]; comments: SimComment[] }> {
  return (await (await fetch(`${sims.url}/_sim/state`)).json()) as { posts: SimPost[]; comments: SimComment[] };
}

async function inject(path: string, body: unknown): Promise<Response> {
  const res = await fetch(`${sims.url}/_sim/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return res;
}

const fault = (operation: string, kind: string, count = 1) =>
  inject('faults', { platform: 'x', operation, kind, count });

async function comment(input: { postId?: string; author: string; text: string }): Promise<SimComment> {
  return (await (await inject('comments', { platform: 'x', ...input })).json()) as SimComment;
}

async function failure(promise: Promise<unknown>, errorClass: ErrorClass): Promise<PlatformError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  const platformError = error as PlatformError;
  expect(platformError.errorClass).toBe(errorClass);
  expect(platformError.message).not.toContain(demo.accessToken);
  expect(platformError.message).not.toMatch(/sim-x-|simx\./);
  return platformError;
}

function media(kind: 'image' | 'video', mimeType: string, bytes: number): MediaItem {
  return { kind, mimeType, filename: `fil.${mimeType.split('/')[1]}`, data: randomBytes(bytes) };
}

describe('publish', () => {
  it('publishes text and the simulator records exactly what was sent', async () => {
    const result = await xAdapter.publish(conn(), request('Hej Helsingborg! Åäö & <3'), hooks());
    expect(result.externalId).toMatch(/^\d{19}$/);
    expect(result.permalink).toBe(`${sims.baseUrl('x')}/i/web/status/${result.externalId}`);
    const shown = await fetch(result.permalink ?? '');
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('Hej Helsingborg! Åäö &#38; &#60;3');
    const { posts } = await state();
    expect(posts).toEqual([
      expect.objectContaining({
        platform: 'x',
        channel: demo.accountId,
        id: result.externalId,
        text: 'Hej Helsingborg! Åäö & <3',
        link: null,
        media: [],
        replyTo: null,
        deleted: false,
      }),
    ]);
  });

  it('appends the link as the composed text', async () => {
    const req = request('Nya öppettider på biblioteket', { link: 'https://helsingborg.se/bibliotek' });
    const result = await xAdapter.publish(conn(), req, hooks());
    const [post] = (await state()).posts;
    expect(post?.id).toBe(result.externalId);
    expect(post?.text).toBe('Nya öppettider på biblioteket\n\nhttps://helsingborg.se/bibliotek');
    expect(post?.text).toBe(composeXText(req));
    expect(post?.link).toBe('https://helsingborg.se/bibliotek');
  });

  it('publishes a thread as replies to the previous post', async () => {
    const first = await xAdapter.publish(conn(), request('Tråd 1/2'), hooks());
    const second = await xAdapter.publish(
      conn(),
      request('Tråd 2/2', { replyToExternalId: first.externalId }),
      hooks(),
    );
    const { posts } = await state();
    expect(posts.find((p) => p.id === second.externalId)?.replyTo).toBe(first.externalId);
  });

  it('uploads images through the chunked v2 upload (multipart append) and attaches them', async () => {
    // 1.5 MB is two 1 MB append chunks in the client.
    const big = media('image', 'image/png', 1_500_000);
    const small = media('image', 'image/jpeg', 2_000);
    const result = await xAdapter.publish(conn(), request('Två bilder', { media: [big, small] }), hooks());
    const [post] = (await state()).posts;
    expect(post?.id).toBe(result.externalId);
    expect(post?.media).toEqual([
      { id: expect.stringMatching(/^\d+$/), mimeType: 'image/png', bytes: 1_500_000 },
      { id: expect.stringMatching(/^\d+$/), mimeType: 'image/jpeg', bytes: 2_000 },
    ]);
  });

  it('waits for a video to finish processing (pending → in_progress → succeeded, longer with container_slow)', async () => {
    await fault('media_upload', 'container_slow', 2);
    const started = Date.now();
    const result = await xAdapter.publish(
      conn(),
      request('', { media: [media('video', 'video/mp4', 300_000)] }),
      hooks(),
    );
    // Two normal polls plus two slowed ones, each after check_after_secs (0.05 s).
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const [post] = (await state()).posts;
    expect(post).toMatchObject({ id: result.externalId, text: '', media: [{ mimeType: 'video/mp4', bytes: 300_000 }] });
    const faults = (await (await fetch(`${sims.url}/_sim/faults`)).json()) as { faults: { remaining: number }[] };
    expect(faults.faults[0]?.remaining).toBe(0);
  });

  it('reports failed media processing as invalid content and publishes nothing', async () => {
    await fault('media_upload', 'container_error');
    const error = await failure(
      xAdapter.publish(conn(), request('Film', { media: [media('video', 'video/mp4', 10_000)] }), hooks()),
      'invalid_content',
    );
    expect(error.message).toContain('fil.mp4');
    expect((await state()).posts).toEqual([]);
  });

  it('refuses over-long text before sending anything, in Swedish', async () => {
    const error = await failure(xAdapter.publish(conn(), request('a'.repeat(300)), hooks()), 'invalid_content');
    expect(error.message).toBe('Texten är för lång: 300 av högst 280 tecken.');
    expect((await state()).posts).toEqual([]);
  });
});

describe('delete, lookup', () => {
  it('deletes a post, and deleting it again is not an error', async () => {
    const { externalId } = await xAdapter.publish(conn(), request('Tas bort'), hooks());
    await xAdapter.deletePost(conn(), externalId);
    expect((await state()).posts[0]?.deleted).toBe(true);
    await expect(xAdapter.deletePost(conn(), externalId)).resolves.toBeUndefined();
  });

  it('finds a published post by its exact composed text, through t.co links and HTML escaping', async () => {
    const sentAfter = new Date();
    const req = request('Fika & möte <i dag> på helsingborg.se/fika', { link: 'https://helsingborg.se/anmalan' });
    await xAdapter.publish(conn(), request('Ett annat inlägg'), hooks());
    const { externalId } = await xAdapter.publish(conn(), req, hooks());
    const found = await xAdapter.lookup(conn(), req, { checkpoint: null, sentAfter });
    expect(found).toEqual({
      status: 'published',
      externalId,
      permalink: `${sims.baseUrl('x')}/i/web/status/${externalId}`,
    });
  });

  it('says not_published when the listing has no such post (deleted ones included)', async () => {
    const req = request('Aldrig publicerad');
    expect(await xAdapter.lookup(conn(), req, { checkpoint: null, sentAfter: new Date() })).toEqual({
      status: 'not_published',
    });
    const deleted = request('Publicerad och borttagen');
    const { externalId } = await xAdapter.publish(conn(), deleted, hooks());
    await xAdapter.deletePost(conn(), externalId);
    expect(
      (await xAdapter.lookup(conn(), deleted, { checkpoint: null, sentAfter: new Date(Date.now() - 5000) })).status,
    ).toBe('not_published');
  });

  it('ignores posts older than the attempt (minus a minute of skew)', async () => {
    const req = request('Gammalt inlägg');
    await xAdapter.publish(conn(), req, hooks());
    const later = new Date(Date.now() + 5 * 60_000);
    expect((await xAdapter.lookup(conn(), req, { checkpoint: null, sentAfter: later })).status).toBe('not_published');
  });

  it('says unknown when the listing fails', async () => {
    await fault('list', 'server_error');
    const result = await xAdapter.lookup(conn(), request('Vad som helst'), { checkpoint: null, sentAfter: new Date() });
    expect(result.status).toBe('unknown');
    expect(result.status === 'unknown' && result.reason).toMatch(/503/);
  });
});

describe('comments and moderation', () => {
  it('fetches mentions and replies with a since_id cursor and maps replies to our post', async () => {
    const { externalId: postId } = await xAdapter.publish(conn(), request('Vad tycker ni om nya torget?'), hooks());
    const reply = await comment({ postId, author: '@anna_hbg', text: 'Jättefint!' });
    const mention = await comment({ author: 'bertil', text: 'Hej @helsingborg, när öppnar badet?' });
    const first = await xAdapter.fetchComments(conn(), { cursor: null, postExternalIds: [postId] });
    expect(first.cursor).toBe(mention.id);
    expect(first.comments).toHaveLength(2);
    expect(first.comments.find((c) => c.externalId === reply.id)).toMatchObject({
      postExternalId: postId,
      parentExternalId: postId,
      authorId: reply.authorId,
      authorName: '@anna_hbg',
      text: 'Jättefint!',
    });
    expect(first.comments.find((c) => c.externalId === mention.id)).toMatchObject({
      postExternalId: null,
      parentExternalId: null,
      authorName: '@bertil',
      text: 'Hej @helsingborg, när öppnar badet?',
    });
    expect(first.comments[0]?.createdAt).toBeInstanceOf(Date);

    // A reply deeper in the conversation maps through conversation_id.
    const third = await comment({ postId: reply.id, author: 'cecilia', text: 'Håller med Anna' });
    const second = await xAdapter.fetchComments(conn(), { cursor: first.cursor, postExternalIds: [postId] });
    expect(second.comments.map((c) => [c.externalId, c.postExternalId, c.parentExternalId])).toEqual([
      [third.id, postId, reply.id],
    ]);
    // A reply to the city's own reply maps to the conversation even when the caller did not list the post.
    const answer = await xAdapter.reply(conn(), { targetExternalId: third.id, text: 'Tack Cecilia!' });
    const followUp = await comment({ postId: answer.externalId, author: 'cecilia', text: 'Varsågod' });
    const third2 = await xAdapter.fetchComments(conn(), { cursor: second.cursor, postExternalIds: [] });
    expect(third2.comments.map((c) => [c.externalId, c.postExternalId, c.parentExternalId])).toEqual([
      [followUp.id, postId, answer.externalId],
    ]);
    const empty = await xAdapter.fetchComments(conn(), { cursor: third2.cursor, postExternalIds: [postId] });
    expect(empty).toEqual({ comments: [], cursor: third2.cursor });
  });

  it('pages through more mentions than one page holds', async () => {
    for (let i = 0; i < 105; i++) await comment({ author: `person${i}`, text: `@helsingborg fråga ${i}` });
    const page = await xAdapter.fetchComments(conn(), { cursor: null, postExternalIds: [] });
    expect(page.comments).toHaveLength(105);
    expect(new Set(page.comments.map((c) => c.externalId)).size).toBe(105);
  });

  it('replies to a comment and the reply is recorded as the owner’s', async () => {
    const { externalId: postId } = await xAdapter.publish(conn(), request('Frågor om sophämtningen?'), hooks());
    const question = await comment({ postId, author: 'david', text: 'Hämtas det på helgdagar?' });
    const answer = await xAdapter.reply(conn(), { targetExternalId: question.id, text: 'Ja, enligt schemat.' });
    const s = await state();
    expect(s.posts.find((p) => p.id === answer.externalId)).toMatchObject({
      replyTo: question.id,
      text: 'Ja, enligt schemat.',
    });
    expect(s.comments.find((c) => c.id === answer.externalId)).toMatchObject({
      fromOwner: true,
      parentId: question.id,
      postId,
    });
  });

  it('hides a reply on our post, and refuses to hide a mention elsewhere', async () => {
    const { externalId: postId } = await xAdapter.publish(conn(), request('Synpunkter på cykelvägen?'), hooks());
    const rude = await comment({ postId, author: 'troll', text: 'Olämpligt innehåll' });
    await xAdapter.moderateComment(conn(), { commentExternalId: rude.id, action: 'hide' });
    expect((await state()).comments.find((c) => c.id === rude.id)?.hidden).toBe(true);

    const mention = await comment({ author: 'erik', text: '@helsingborg titta här' });
    const error = await failure(
      xAdapter.moderateComment(conn(), { commentExternalId: mention.id, action: 'hide' }),
      'invalid_content',
    );
    expect(error.message).toMatch(/dölja svar/);
  });

  it('can delete only its own replies; someone else’s comment gets a Swedish explanation', async () => {
    const { externalId: postId } = await xAdapter.publish(conn(), request('Evenemang i helgen'), hooks());
    const other = await comment({ postId, author: 'fia', text: 'Kul!' });
    const error = await failure(
      xAdapter.moderateComment(conn(), { commentExternalId: other.id, action: 'delete' }),
      'invalid_content',
    );
    expect(error.message).toMatch(/egna inlägg.*Dölj/);
    const own = await xAdapter.reply(conn(), { targetExternalId: other.id, text: 'Välkommen!' });
    await xAdapter.moderateComment(conn(), { commentExternalId: own.externalId, action: 'delete' });
    expect((await state()).posts.find((p) => p.id === own.externalId)?.deleted).toBe(true);
  });

  it('maps a reply to a deleted post and an over-long reply to invalid content', async () => {
    const { externalId } = await xAdapter.publish(conn(), request('Snart borta'), hooks());
    await xAdapter.deletePost(conn(), externalId);
    const gone = await failure(
      xAdapter.reply(conn(), { targetExternalId: externalId, text: 'Svar' }),
      'invalid_content',
    );
    expect(gone.message).toMatch(/borttaget/);
    const { externalId: live } = await xAdapter.publish(conn(), request('Finns kvar'), hooks());
    // Replies are not checked locally: this is X's own 400 invalid-request, explained in Swedish.
    const long = await failure(
      xAdapter.reply(conn(), { targetExternalId: live, text: 'å'.repeat(290) }),
      'invalid_content',
    );
    expect(long.message).toBe('Texten är för lång: 290 av högst 280 tecken.');
    expect(long.details.httpStatus).toBe(400);
  });
});

describe('credentials', () => {
  it('refreshes with the single-use refresh token, and the spent token cannot be reused', async () => {
    const before = Date.now();
    const fresh = await xAdapter.refreshCredentials(conn());
    expect(fresh.accessToken).not.toBe(demo.accessToken);
    expect(fresh.refreshToken).toBeTruthy();
    expect(fresh.refreshToken).not.toBe(demo.refreshToken);
    const expiresAt = Date.parse(fresh.expiresAt ?? '');
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7200_000 - 1000);
    expect(xAdapter.refreshDueAt(fresh)?.getTime()).toBe(expiresAt - 10 * 60_000);
    expect(xAdapter.refreshDueAt({ ...fresh, expiresAt: null })).toBeNull();

    const withFresh = conn({ credentials: fresh });
    const { externalId } = await xAdapter.publish(withFresh, request('Med ny token'), hooks());
    expect((await state()).posts[0]?.id).toBe(externalId);

    await failure(xAdapter.refreshCredentials(conn()), 'auth_expired');
    const next = await xAdapter.refreshCredentials(withFresh);
    expect(next.refreshToken).not.toBe(fresh.refreshToken);
    await failure(xAdapter.refreshCredentials(withFresh), 'auth_expired');
  });

  it('treats an unknown access token as auth_expired', async () => {
    const bad = conn({ credentials: { accessToken: 'not-a-token', refreshToken: null, expiresAt: null } });
    await failure(xAdapter.publish(bad, request('Hej'), hooks()), 'auth_expired');
    await failure(xAdapter.refreshCredentials(bad), 'auth_expired');
  });
});

describe('OAuth 2.0 authorization code with PKCE', () => {
  function pkce() {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  }

  async function approve(authorizeUrl: string): Promise<URL> {
    const page = await fetch(authorizeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="sv">');
    expect(html).toMatch(/<button[^>]*value="approve"[^>]*>Godkänn<\/button>/);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    expect(action).toBeDefined();
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      form.set(
        name!,
        value!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
      );
    }
    form.set('account', /name="account" value="(\d+)" checked/.exec(html)?.[1] ?? '');
    form.set('decision', 'approve');
    const submitted = await fetch(new URL(action!, authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
    expect(submitted.status).toBe(302);
    return new URL(submitted.headers.get('location') ?? '');
  }

  it('authorises on the Swedish page, exchanges the code and identifies the account', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = 'http://127.0.0.1:3000/kanaler/x/callback';
    const url = xAuthorization.authorizeUrl({
      apiBaseUrl: sims.baseUrl('x'),
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 'state-123',
      codeChallenge: challenge,
    });
    expect(url.startsWith(`${sims.baseUrl('x')}/i/oauth2/authorize?`)).toBe(true);
    const callback = await approve(url);
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('state-123');
    const code = callback.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const exchange = {
      apiBaseUrl: sims.baseUrl('x'),
      ...simulatorOAuthClient,
      redirectUri,
      code,
      codeVerifier: verifier,
    };
    const [grant, ...others] = await xAuthorization.exchangeCode(exchange);
    expect(others).toEqual([]);
    expect(grant).toMatchObject({ accountId: demo.accountId, accountName: demo.name });
    const credentials = grant!.credentials as XCredentials;
    expect(credentials.refreshToken).toBeTruthy();
    const { externalId } = await xAdapter.publish(conn({ credentials }), request('Via OAuth'), hooks());
    expect((await state()).posts[0]).toMatchObject({ id: externalId, channel: demo.accountId });

    // Codes are single-use.
    await failure(xAuthorization.exchangeCode(exchange), 'auth_expired');
  });

  it('rejects a code presented with the wrong PKCE verifier', async () => {
    const { challenge } = pkce();
    const redirectUri = 'http://127.0.0.1:3000/cb';
    const url = xAuthorization.authorizeUrl({
      apiBaseUrl: sims.baseUrl('x'),
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 's',
      codeChallenge: challenge,
    });
    const code = (await approve(url)).searchParams.get('code') ?? '';
    await failure(
      xAuthorization.exchangeCode({
        apiBaseUrl: sims.baseUrl('x'),
        ...simulatorOAuthClient,
        redirectUri,
        code,
        codeVerifier: pkce().verifier,
      }),
      'auth_expired',
    );
  });

  it('points at x.com for the real platform', () => {
    const url = new URL(
      xAuthorization.authorizeUrl({
        apiBaseUrl: null,
        clientId: 'c',
        redirectUri: 'https://u.se/cb',
        state: 's',
        codeChallenge: 'x',
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://x.com/i/oauth2/authorize');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['tweet.write', 'offline.access', 'media.write', 'tweet.moderate.write']),
    );
  });
});

describe('every error class', () => {
  it('rate_limited with a retryAt from x-rate-limit-reset, a few seconds ahead', async () => {
    await fault('publish', 'rate_limit');
    const error = await failure(xAdapter.publish(conn(), request('Hej'), hooks()), 'rate_limited');
    const wait = (error.details.retryAt?.getTime() ?? 0) - Date.now();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(5000);
    expect(error.details.httpStatus).toBe(429);
  });

  it('quota_exhausted for a usage cap, with a retryAt', async () => {
    await fault('publish', 'quota_exhausted');
    const error = await failure(xAdapter.publish(conn(), request('Hej'), hooks()), 'quota_exhausted');
    expect(error.details.retryAt?.getTime()).toBeGreaterThan(Date.now());
    expect(error.details.platformCode).toMatch(/usage-capped$/);
  });

  it('transient for a 503 and for a refused connection', async () => {
    await fault('publish', 'server_error');
    await failure(xAdapter.publish(conn(), request('Hej'), hooks()), 'transient');
    await failure(xAdapter.publish(conn({ apiBaseUrl: 'http://127.0.0.1:1/x' }), request('Hej'), hooks()), 'transient');
    expect((await state()).posts).toEqual([]);
  });

  it('transient for a failed media upload step: nothing was published', async () => {
    await fault('media_upload', 'server_error');
    await failure(
      xAdapter.publish(conn(), request('Bild', { media: [media('image', 'image/jpeg', 1000)] }), hooks()),
      'transient',
    );
  });

  it('auth_expired for a 401', async () => {
    await fault('publish', 'auth_expired');
    await failure(xAdapter.publish(conn(), request('Hej'), hooks()), 'auth_expired');
  });

  it('duplicate for an injected 403 and for really posting the same text twice', async () => {
    await fault('publish', 'duplicate');
    await failure(xAdapter.publish(conn(), request('Hej'), hooks()), 'duplicate');
    await xAdapter.publish(conn(), request('Samma text'), hooks());
    await failure(xAdapter.publish(conn(), request('Samma text'), hooks()), 'duplicate');
  });

  it('outcome_unknown when the request times out after it was sent', async () => {
    await fault('publish', 'timeout');
    const started = Date.now();
    await failure(xAdapter.publish(conn({ timeoutMs: 500 }), request('Hej'), hooks()), 'outcome_unknown');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('outcome_unknown when X stores the post and the answer is lost; lookup then finds it', async () => {
    await fault('publish', 'drop_after_accept');
    const sentAfter = new Date();
    const req = request('Publicerad men svaret försvann', { link: 'https://helsingborg.se' });
    await failure(xAdapter.publish(conn(), req, hooks()), 'outcome_unknown');
    const { posts } = await state();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.text).toBe(composeXText(req));
    expect(await xAdapter.lookup(conn(), req, { checkpoint: null, sentAfter })).toMatchObject({
      status: 'published',
      externalId: posts[0]?.id,
    });
  });

  it('transient when the caller aborts before anything is sent', async () => {
    const controller = new AbortController();
    controller.abort();
    await failure(xAdapter.publish(conn(), request('Hej'), hooks(controller.signal)), 'transient');
    expect((await state()).posts).toEqual([]);
  });

  it('outcome_unknown when the caller aborts while X is working on the post', async () => {
    const latency = await fetch(`${sims.url}/_sim/latency`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms: 400 }),
    });
    expect(latency.status).toBe(200);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const req = request('Avbruten mitt i');
    await failure(xAdapter.publish(conn(), req, hooks(controller.signal)), 'outcome_unknown');
    // The request had reached X, which went on and stored the post.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await state()).posts.map((p) => p.text)).toEqual(['Avbruten mitt i']);
  });

  it('transient for a timed-out read: reading again is always safe', async () => {
    await fault('mentions', 'timeout');
    await failure(xAdapter.fetchComments(conn({ timeoutMs: 300 }), { cursor: null, postExternalIds: [] }), 'transient');
  });
});
