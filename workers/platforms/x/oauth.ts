/**
 * Connecting an X account: OAuth 2.0 authorization code with PKCE (S256). The code exchange goes through
 * twitter-api-v2's own loginWithOAuth2, redirected to the simulator the same way as every other call.
 */
import type { AuthorizationFlow, TokenGrant } from '../contract';
import { DEFAULT_TIMEOUT_MS, createXClient, webOrigin } from './client';
import type { XCredentials } from './credentials';
import { toPlatformError } from './errors';

/**
 * offline.access gives the refresh token; media.write is required by the v2 media upload and
 * tweet.moderate.write by hiding replies.
 */
export const X_SCOPES = [
  'tweet.read',
  'tweet.write',
  'users.read',
  'offline.access',
  'media.write',
  'tweet.moderate.write',
] as const;

export const xAuthorization: AuthorizationFlow<XCredentials> = {
  authorizeUrl({ apiBaseUrl, clientId, redirectUri, state, codeChallenge }) {
    const url = new URL(`${webOrigin(apiBaseUrl)}/i/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: X_SCOPES.join(' '),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  },

  async exchangeCode({ apiBaseUrl, clientId, clientSecret, redirectUri, code, codeVerifier }) {
    const ctx = { apiBaseUrl, timeoutMs: DEFAULT_TIMEOUT_MS };
    const app = createXClient({ clientId, clientSecret }, ctx);
    let login;
    try {
      login = await app.client.loginWithOAuth2({ code, codeVerifier, redirectUri });
    } catch (e) {
      throw toPlatformError(e, { ambiguousAfterSend: false, tracker: app.tracker, tokenEndpoint: true });
    }
    const user = createXClient(login.accessToken, ctx);
    try {
      const me = await user.client.v2.me();
      const grant: TokenGrant<XCredentials> = {
        credentials: {
          accessToken: login.accessToken,
          refreshToken: login.refreshToken ?? null,
          expiresAt: new Date(Date.now() + login.expiresIn * 1000).toISOString(),
        },
        accountId: me.data.id,
        accountName: me.data.name,
      };
      return [grant];
    } catch (e) {
      throw toPlatformError(e, { ambiguousAfterSend: false, tracker: user.tracker });
    }
  },
};
