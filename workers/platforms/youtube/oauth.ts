/**
 * Connecting a channel: Google's OAuth 2.0 authorization code flow with PKCE (S256). access_type=offline with
 * prompt=consent makes Google issue a refresh token every time, also when the channel is re-connected.
 */
import type { AuthorizationFlow, CodeExchangeInput, TokenGrant } from '../contract';
import { PlatformError } from '../contract';
import { callOptions, newOAuthClient, youtubeFor } from './client';
import { authorizeEndpointFor, DEFAULT_TIMEOUT_MS, rootUrlFor } from './config';
import type { YoutubeCredentials } from './credentials';
import { toPlatformError } from './errors';

/** Upload plus manage (videos.update, comments, moderation, channels.list mine). */
export const YOUTUBE_SCOPES = [
  'https://www.googleapis.com/auth/youtube.upload',
  'https://www.googleapis.com/auth/youtube.force-ssl',
];

function authorizeUrl(opts: {
  apiBaseUrl: string | null;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
}): string {
  const url = new URL(authorizeEndpointFor(opts.apiBaseUrl));
  url.search = new URLSearchParams({
    client_id: opts.clientId,
    redirect_uri: opts.redirectUri,
    response_type: 'code',
    scope: YOUTUBE_SCOPES.join(' '),
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    state: opts.state,
    code_challenge: opts.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

async function exchangeCode(opts: CodeExchangeInput): Promise<TokenGrant<YoutubeCredentials>[]> {
  const client = newOAuthClient({ ...opts, timeoutMs: DEFAULT_TIMEOUT_MS });
  let tokens;
  try {
    ({ tokens } = await client.getToken({
      code: opts.code,
      codeVerifier: opts.codeVerifier,
      redirect_uri: opts.redirectUri,
    }));
  } catch (e) {
    throw toPlatformError(e, 'read');
  }
  if (!tokens.access_token || !tokens.refresh_token) {
    throw new PlatformError(
      'auth_expired',
      'Google lämnade ingen förnyelsebar inloggning. Koppla kanalen igen och godkänn åtkomsten.',
    );
  }
  client.setCredentials({ access_token: tokens.access_token });
  const yt = youtubeFor(client, opts.apiBaseUrl);
  let channels;
  try {
    ({ data: channels } = await yt.channels.list(
      { part: ['snippet'], mine: true },
      callOptions({ rootUrl: rootUrlFor(opts.apiBaseUrl), timeoutMs: DEFAULT_TIMEOUT_MS }),
    ));
  } catch (e) {
    throw toPlatformError(e, 'read');
  }
  const credentials: YoutubeCredentials = {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: tokens.expiry_date ? new Date(tokens.expiry_date).toISOString() : null,
  };
  const grants = (channels.items ?? []).flatMap((channel) =>
    channel.id ? [{ credentials, accountId: channel.id, accountName: channel.snippet?.title ?? channel.id }] : [],
  );
  if (grants.length === 0) {
    throw new PlatformError(
      'invalid_content',
      'Google-kontot har ingen YouTube-kanal. Skapa en kanal och koppla sedan kanalen igen.',
      { platformCode: 'youtubeSignupRequired' },
    );
  }
  return grants;
}

export const youtubeAuthorization: AuthorizationFlow<YoutubeCredentials> = { authorizeUrl, exchangeCode };
