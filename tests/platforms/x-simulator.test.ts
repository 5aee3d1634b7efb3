/**
 * The X simulator's wire format, checked with plain HTTP: the details the real client and adapter rely on
 * (problem bodies, rate-limit headers, limits, token rules, fault rendering).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError, type Connection } from '../../workers/platforms/contract';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import { xAdapter } from '../../workers/platforms/x/adapter';
import type { XCredentials } from '../../workers/platforms/x/credentials';
import { createXSimulator } from '../../workers/platforms/x/simulator';

const demo = demoAccountsFor('x')[0]!;
let sims: RunningSimulators;
let strict: RunningSimulators;

beforeAll(async () => {
  sims = await startSimulatorServer([createXSimulator({ processingCheckAfterSecs: 0.05 })], { port: 0 });
  // Tiny limits and instantly expiring issued tokens, to reach the edges quickly.
  strict = await startSimulatorServer([createXSimulator({ limits: { publish: 2 }, accessTokenTtlSecs: 0 })], {
    port: 0,
  });
});
afterAll(async () => {
  await Promise.all([sims.close(), strict.close()]);
});
beforeEach(() => {
  sims.hub.reset();
  strict.hub.reset();
});

const bearer = { authorization: `Bearer ${demo.accessToken}` };

function x(path: string, init: RequestInit = {}, on = sims): Promise<Response> {
  return fetch(`${on.baseUrl('x')}${path}`, init);
}

const postTweet = (body: unknown, on = sims, token = demo.accessToken) =>
  x(
    '/2/tweets',
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
    on,
  );

function conn(on: RunningSimulators): Connection<XCredentials> {
  return {
    channelId: 'c',
    accountId: demo.accountId,
    apiBaseUrl: on.baseUrl('x'),
    credentials: { accessToken: demo.accessToken, refreshToken: demo.refreshToken, expiresAt: null },
    oauthClient: simulatorOAuthClient,
  };
}

async function platformError(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

function expectRateHeaders(res: Response): void {
  expect(Number(res.headers.get('x-rate-limit-limit'))).toBeGreaterThan(0);
  expect(res.headers.get('x-rate-limit-remaining')).toMatch(/^\d+$/);
  expect(Number(res.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
}

describe('authentication and headers', () => {
  it('answers 401 problem JSON without a known bearer token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'OAuth oauth_token="x"' },
    ];
    for (const headers of attempts) {
      const res = await x('/2/users/me', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expectRateHeaders(res);
      expect(await res.json()).toEqual({
        title: 'Unauthorized',
        type: 'about:blank',
        status: 401,
        detail: 'Unauthorized',
      });
    }
  });

  it('sends x-rate-limit headers on every API answer and counts down', async () => {
    const me = await x('/2/users/me', { headers: bearer });
    expect(await me.json()).toEqual({ data: { id: demo.accountId, name: demo.name, username: demo.handle } });
    expectRateHeaders(me);
    const first = await postTweet({ text: 'Ett' });
    const second = await postTweet({ text: 'Två' });
    expect(first.status).toBe(201);
    expectRateHeaders(second);
    expect(Number(second.headers.get('x-rate-limit-remaining'))).toBe(
      Number(first.headers.get('x-rate-limit-remaining')) - 1,
    );
    expectRateHeaders(await x(`/2/users/${demo.accountId}/tweets`, { headers: bearer }));
    expectRateHeaders(await x(`/2/users/${demo.accountId}/mentions`, { headers: bearer }));
  });

  it('rejects an expired access token it issued itself', async () => {
    const res = await fetch(`${strict.baseUrl('x')}/2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: demo.refreshToken ?? '',
        client_id: simulatorOAuthClient.clientId,
      }),
    });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; expires_in: number };
    expect(tokens.expires_in).toBe(0);
    expect((await postTweet({ text: 'Hej' }, strict, tokens.access_token)).status).toBe(401);
  });
});

describe('posts', () => {
  it('answers 201 with the created tweet, links as t.co and & < > escaped', async () => {
    const res = await postTweet({ text: 'A & B <3 https://helsingborg.se/en/lång/väg' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { data: { id: string; text: string; edit_history_tweet_ids: string[] } };
    expect(body.data.text).toMatch(/^A &amp; B &lt;3 https:\/\/t\.co\/[\w-]{10}$/);
    expect(body.data.edit_history_tweet_ids).toEqual([body.data.id]);
  });

  it('refuses an over-long text with a 400 invalid-request problem', async () => {
    const res = await postTweet({ text: 'a'.repeat(281) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; title: string; errors: { message: string }[] };
    expect(body.type).toBe('https://api.twitter.com/2/problems/invalid-request');
    expect(body.title).toBe('Invalid Request');
    expect(body.errors[0]?.message).toMatch(/too long/);
    expect(sims.hub.posts).toEqual([]);
  });

  it('refuses a reply to a post that does not exist', async () => {
    const res = await postTweet({ text: 'Svar', reply: { in_reply_to_tweet_id: '1234567890123456789' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/deleted or not visible/);
  });

  it('lists only the requested fields and omits data when there is nothing', async () => {
    const empty = await x(`/2/users/${demo.accountId}/tweets`, { headers: bearer });
    expect(await empty.json()).toEqual({ meta: { result_count: 0 } });
    await postTweet({ text: 'Listad' });
    const plain = (await (await x(`/2/users/${demo.accountId}/tweets`, { headers: bearer })).json()) as {
      data: Record<string, unknown>[];
    };
    expect(Object.keys(plain.data[0] ?? {}).sort()).toEqual(['edit_history_tweet_ids', 'id', 'text']);
    const rich = (await (
      await x(`/2/users/${demo.accountId}/tweets?tweet.fields=created_at,author_id`, { headers: bearer })
    ).json()) as { data: Record<string, unknown>[] };
    expect(rich.data[0]).toMatchObject({ author_id: demo.accountId, created_at: expect.any(String) });
  });

  it('validates max_results like X (5 to 100)', async () => {
    const res = await x(`/2/users/${demo.accountId}/tweets?max_results=500`, { headers: bearer });
    expect(res.status).toBe(400);
  });

  it('serves a readable permalink page', async () => {
    const { data } = (await (await postTweet({ text: 'Synlig <b>text</b>' })).json()) as { data: { id: string } };
    const page = await x(`/i/web/status/${data.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('lang="sv"');
    expect(html).toContain('Synlig &#60;b&#62;text&#60;/b&#62;');
  });
});

describe('rate limits', () => {
  it('enforces the per-user window on POST /2/tweets with a v2 429 and remaining 0', async () => {
    expect((await postTweet({ text: '1' }, strict)).status).toBe(201);
    expect((await postTweet({ text: '2' }, strict)).status).toBe(201);
    const limited = await postTweet({ text: '3' }, strict);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(await limited.json()).toEqual({
      title: 'Too Many Requests',
      detail: 'Too Many Requests',
      type: 'about:blank',
      status: 429,
    });
    const reset = Number(limited.headers.get('x-rate-limit-reset')) * 1000;
    expect(reset).toBeGreaterThan(Date.now() + 14 * 60_000);

    const error = await platformError(
      xAdapter.publish(
        conn(strict),
        { deliveryId: 'd', text: '4', media: [] },
        { checkpoint: async () => {}, previous: null },
      ),
    );
    expect(error.errorClass).toBe('rate_limited');
    expect(error.details.retryAt?.getTime()).toBe(reset);
  });

  it('uses the 24-hour reset when the daily user cap is what ran out', async () => {
    const daily = await startSimulatorServer([createXSimulator({ userDayPublishLimit: 1 })], { port: 0 });
    try {
      const ok = await postTweet({ text: 'Första' }, daily);
      expect(ok.headers.get('x-user-limit-24hour-remaining')).toBe('0');
      const error = await platformError(
        xAdapter.publish(
          conn(daily),
          { deliveryId: 'd', text: 'Andra', media: [] },
          { checkpoint: async () => {}, previous: null },
        ),
      );
      expect(error.errorClass).toBe('rate_limited');
      expect(error.details.retryAt?.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    } finally {
      await daily.close();
    }
  });
});

describe('media upload', () => {
  async function upload(mediaType: string, bytes: number): Promise<string> {
    const init = await x('/2/media/upload/initialize', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ media_type: mediaType, total_bytes: bytes }),
    });
    expect(init.status).toBe(200);
    const { data } = (await init.json()) as { data: { id: string; media_key: string } };
    const form = new FormData();
    form.set('segment_index', '0');
    form.set('media', new Blob([randomBytes(bytes)]));
    expect((await x(`/2/media/upload/${data.id}/append`, { method: 'POST', headers: bearer, body: form })).status).toBe(
      200,
    );
    return data.id;
  }

  it('does not let a video be attached before processing has succeeded', async () => {
    const id = await upload('video/mp4', 1000);
    const finalized = await x(`/2/media/upload/${id}/finalize`, { method: 'POST', headers: bearer });
    expect(
      ((await finalized.json()) as { data: { processing_info: { state: string } } }).data.processing_info.state,
    ).toBe('pending');
    expect((await postTweet({ media: { media_ids: [id] } })).status).toBe(400);
    const poll = () => x(`/2/media/upload?command=STATUS&media_id=${id}`, { headers: bearer }).then((r) => r.json());
    expect(await poll()).toMatchObject({ data: { processing_info: { state: 'in_progress' } } });
    expect(await poll()).toMatchObject({ data: { processing_info: { state: 'succeeded' } } });
    expect((await postTweet({ media: { media_ids: [id] } })).status).toBe(201);
  });

  it('refuses oversize images at initialize, and finalize when the appended bytes do not add up', async () => {
    const init = await x('/2/media/upload/initialize', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ media_type: 'image/jpeg', total_bytes: 6 * 1024 * 1024 }),
    });
    expect(init.status).toBe(400);
    const init2 = await x('/2/media/upload/initialize', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ media_type: 'image/png', total_bytes: 200 }),
    });
    const { data } = (await init2.json()) as { data: { id: string } };
    const form = new FormData();
    form.set('segment_index', '0');
    form.set('media', new Blob([randomBytes(100)]));
    await x(`/2/media/upload/${data.id}/append`, { method: 'POST', headers: bearer, body: form });
    const finalized = await x(`/2/media/upload/${data.id}/finalize`, { method: 'POST', headers: bearer });
    expect(finalized.status).toBe(400);
    expect(((await finalized.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/do not add up/);
  });
});

describe('OAuth endpoints', () => {
  it('accepts a form-encoded refresh and refuses the spent refresh token with 400 invalid_request', async () => {
    const refresh = () =>
      x('/2/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: demo.refreshToken ?? '',
          client_id: simulatorOAuthClient.clientId,
        }),
      });
    const first = await refresh();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      token_type: 'bearer',
      expires_in: 7200,
      refresh_token: expect.any(String),
    });
    const again = await refresh();
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses an unknown client', async () => {
    const res = await x('/2/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: demo.refreshToken,
        client_id: 'someone-else',
      }),
    });
    expect(res.status).toBe(401);
  });

  it('shows a Swedish error page for an unknown client id and redirects a refusal with access_denied', async () => {
    const challenge = createHash('sha256').update('v'.repeat(43)).digest('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'unknown',
      redirect_uri: 'http://127.0.0.1/cb',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'tweet.read',
    });
    const bad = await x(`/i/oauth2/authorize?${query.toString()}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Appen (client_id) är okänd');
    query.set('client_id', simulatorOAuthClient.clientId);
    query.set('decision', 'deny');
    const denied = await x('/i/oauth2/authorize', { method: 'POST', body: query, redirect: 'manual' });
    expect(denied.status).toBe(302);
    const location = new URL(denied.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st');
  });

  it('enforces scopes: a token without tweet.write cannot post (auth_expired: reconnect with more rights)', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const form = new URLSearchParams({
      response_type: 'code',
      client_id: simulatorOAuthClient.clientId,
      redirect_uri: 'http://127.0.0.1/cb',
      state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      scope: 'tweet.read users.read',
      decision: 'approve',
      account: demo.accountId,
    });
    const approved = await x('/i/oauth2/authorize', { method: 'POST', body: form, redirect: 'manual' });
    const code = new URL(approved.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await x('/2/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: 'http://127.0.0.1/cb',
        client_id: simulatorOAuthClient.clientId,
      }),
    });
    const tokens = (await token.json()) as { access_token: string; refresh_token?: string };
    // No offline.access, no refresh token.
    expect(tokens.refresh_token).toBeUndefined();
    const limited = {
      ...conn(sims),
      credentials: { accessToken: tokens.access_token, refreshToken: null, expiresAt: null },
    };
    const error = await platformError(
      xAdapter.publish(
        limited,
        { deliveryId: 'd', text: 'Hej', media: [] },
        { checkpoint: async () => {}, previous: null },
      ),
    );
    expect(error.errorClass).toBe('auth_expired');
    expect(sims.hub.posts).toEqual([]);
  });
});

describe('fault rendering in X wire format', () => {
  const inject = (operation: string, kind: string) =>
    fetch(`${sims.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'x', operation, kind, count: 1 }),
    });

  it.each([
    ['rate_limit', 429, { title: 'Too Many Requests', type: 'about:blank' }],
    ['quota_exhausted', 429, { title: 'UsageCapExceeded', type: 'https://api.twitter.com/2/problems/usage-capped' }],
    ['server_error', 503, { title: 'Service Unavailable' }],
    ['auth_expired', 401, { title: 'Unauthorized' }],
    ['duplicate', 403, { detail: 'You are not allowed to create a Tweet with duplicate content.' }],
  ])('%s → HTTP %i with the problem body', async (kind, status, body) => {
    expect((await inject('publish', kind)).status).toBe(201);
    const res = await postTweet({ text: `Fel ${kind}` });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('json');
    expectRateHeaders(res);
    expect(await res.json()).toMatchObject(body);
    if (kind === 'rate_limit') {
      expect(res.headers.get('x-rate-limit-remaining')).toBe('0');
      const wait = Number(res.headers.get('x-rate-limit-reset')) * 1000 - Date.now();
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(5000);
    }
    expect(sims.hub.posts).toEqual([]);
  });

  it('answers an injected token fault in OAuth error format', async () => {
    await inject('token', 'auth_expired');
    const error = await platformError(xAdapter.refreshCredentials(conn(sims)));
    expect(error.errorClass).toBe('auth_expired');
    // The fault consumed the request; the demo refresh token is still unspent.
    await expect(xAdapter.refreshCredentials(conn(sims))).resolves.toMatchObject({ refreshToken: expect.any(String) });
  });
});
