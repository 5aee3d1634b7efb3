/** Connecting a YouTube channel end to end: consent page, redirect, code exchange with PKCE, channels.list mine. */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPlatformError } from '../../workers/platforms/contract';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import { youtubeAdapter } from '../../workers/platforms/youtube/adapter';
import { youtubeAuthorization } from '../../workers/platforms/youtube/oauth';
import { youtubeSimulator } from '../../workers/platforms/youtube/simulator';

const account = demoAccountsFor('youtube')[0]!;
const redirectUri = 'http://localhost:3000/kanaler/callback';
let sim: RunningSimulators;

beforeAll(async () => {
  sim = await startSimulatorServer([youtubeSimulator], { port: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.hub.reset());

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const unescape = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Submits the consent form the way a browser would: hidden fields, the checked channel and the pressed button. */
async function consent(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<html lang="sv">');
  expect(html).toContain('<button type="submit" name="decision" value="approve">Godkänn</button>');
  expect(html).toMatch(/<label for="ch-0">Helsingborgs stad/);
  const form = new URLSearchParams();
  for (const [, name = '', value = ''] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(name, unescape(value));
  }
  const checked = /<input type="radio" id="ch-0" name="channel" value="([^"]+)" checked>/.exec(html);
  form.set('channel', checked?.[1] ?? '');
  form.set('decision', decision);
  const action = new URL(/<form method="post" action="([^"]+)">/.exec(html)?.[1] ?? '', authorizeUrl);
  const res = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

describe('youtubeAuthorization', () => {
  it('builds Google’s real consent URL with offline access, forced consent and S256', () => {
    const url = new URL(
      youtubeAuthorization.authorizeUrl({
        apiBaseUrl: null,
        clientId: 'real-client',
        redirectUri,
        state: 's1',
        codeChallenge: 'abc',
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'real-client',
      redirect_uri: redirectUri,
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      state: 's1',
      code_challenge: 'abc',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('scope')).toContain('https://www.googleapis.com/auth/youtube.upload');
  });

  it('connects the demo channel: consent, redirect with code and state, exchange, usable credentials', async () => {
    const { verifier, challenge } = pkce();
    const base = sim.baseUrl('youtube');
    const authorizeUrl = youtubeAuthorization.authorizeUrl({
      apiBaseUrl: base,
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 'state-123',
      codeChallenge: challenge,
    });
    expect(authorizeUrl.startsWith(`${base}/o/oauth2/v2/auth?`)).toBe(true);

    const back = await consent(authorizeUrl, 'approve');
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('state-123');
    const code = back.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const exchange = (codeVerifier: string) =>
      youtubeAuthorization.exchangeCode({
        apiBaseUrl: base,
        clientId: simulatorOAuthClient.clientId,
        clientSecret: simulatorOAuthClient.clientSecret,
        redirectUri,
        code,
        codeVerifier,
      });
    const grants = await exchange(verifier);
    expect(grants).toHaveLength(1);
    const grant = grants[0]!;
    expect(grant).toMatchObject({ accountId: account.accountId, accountName: account.name });
    const credentials = grant.credentials as { accessToken: string; refreshToken: string; expiresAt: string };
    expect(Date.parse(credentials.expiresAt) - Date.now()).toBeGreaterThan(3500_000);

    const conn = {
      channelId: 'c1',
      accountId: grant.accountId,
      apiBaseUrl: base,
      credentials,
      oauthClient: simulatorOAuthClient,
    };
    await expect(youtubeAdapter.fetchComments(conn, { cursor: null, postExternalIds: [] })).resolves.toEqual({
      comments: [],
      cursor: null,
    });
    const refreshed = await youtubeAdapter.refreshCredentials(conn);
    expect(refreshed.refreshToken).toBe(credentials.refreshToken);
    expect(refreshed.accessToken).not.toBe(credentials.accessToken);

    // Codes are single-use.
    const replay = await exchange(verifier).catch((e: unknown) => e);
    expect(isPlatformError(replay) && replay.errorClass).toBe('auth_expired');
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const { challenge } = pkce();
    const base = sim.baseUrl('youtube');
    const back = await consent(
      youtubeAuthorization.authorizeUrl({
        apiBaseUrl: base,
        clientId: simulatorOAuthClient.clientId,
        redirectUri,
        state: 's',
        codeChallenge: challenge,
      }),
      'approve',
    );
    const error = await youtubeAuthorization
      .exchangeCode({
        apiBaseUrl: base,
        clientId: simulatorOAuthClient.clientId,
        clientSecret: simulatorOAuthClient.clientSecret,
        redirectUri,
        code: back.searchParams.get('code') ?? '',
        codeVerifier: pkce().verifier,
      })
      .catch((e: unknown) => e);
    expect(isPlatformError(error) && [error.errorClass, error.details.platformCode]).toEqual([
      'auth_expired',
      'invalid_grant',
    ]);
  });

  it('sends the user back with access_denied when they cancel, and shows an error page for an unknown client', async () => {
    const base = sim.baseUrl('youtube');
    const url = youtubeAuthorization.authorizeUrl({
      apiBaseUrl: base,
      clientId: simulatorOAuthClient.clientId,
      redirectUri,
      state: 'st',
      codeChallenge: pkce().challenge,
    });
    const back = await consent(url, 'deny');
    expect(Object.fromEntries(back.searchParams)).toEqual({ error: 'access_denied', state: 'st' });

    const wrong = await fetch(url.replace(`client_id=${simulatorOAuthClient.clientId}`, 'client_id=someone-else'));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('invalid_client');
  });
});
