/**
 * The client side of Facebook Login, shared by the Facebook and Instagram authorisation flows:
 * code (+ PKCE verifier) → short-lived user token → long-lived user token → the Pages the user administers.
 * Page tokens taken from a long-lived user token have no expiry (platforms.md §2.3).
 */
import { PlatformError, type AuthorizeInput, type CodeExchangeInput } from '../contract';
import { graphCall, loginDialogUrl, type GraphList } from './graph';
import type { MetaPlatform } from './errors';

export interface ManagedPage {
  id: string;
  name: string;
  access_token: string;
  instagram_business_account?: { id: string; username?: string; name?: string };
}

export function buildAuthorizeUrl(input: AuthorizeInput, scopes: readonly string[]): string {
  const url = new URL(loginDialogUrl(input.apiBaseUrl));
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('state', input.state);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scopes.join(','));
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
}

const MAX_ACCOUNT_PAGES = 10;

export async function fetchManagedPages(platform: MetaPlatform, input: CodeExchangeInput): Promise<ManagedPage[]> {
  const base = { platform, apiBaseUrl: input.apiBaseUrl, token: null } as const;
  // POST keeps the client secret and the tokens out of URLs (and so out of proxy and access logs).
  const short = await graphCall<TokenAnswer>(base, {
    method: 'POST',
    path: '/oauth/access_token',
    form: {
      client_id: input.clientId,
      client_secret: input.clientSecret,
      redirect_uri: input.redirectUri,
      code: input.code,
      code_verifier: input.codeVerifier,
    },
  });
  if (!short.data.access_token) throw new PlatformError('auth_expired', 'Facebook gav ingen åtkomsttoken för inloggningen.');
  const long = await graphCall<TokenAnswer>(base, {
    method: 'POST',
    path: '/oauth/access_token',
    form: {
      grant_type: 'fb_exchange_token',
      client_id: input.clientId,
      client_secret: input.clientSecret,
      fb_exchange_token: short.data.access_token,
    },
  });
  const userToken = long.data.access_token;
  if (!userToken) throw new PlatformError('auth_expired', 'Facebook gav ingen långlivad token för inloggningen.');

  const pages: ManagedPage[] = [];
  let after: string | undefined;
  for (let i = 0; i < MAX_ACCOUNT_PAGES; i += 1) {
    const res = await graphCall<GraphList<ManagedPage>>(
      { ...base, token: userToken },
      {
        method: 'GET',
        path: '/me/accounts',
        query: { fields: 'id,name,access_token,instagram_business_account{id,username,name}', limit: 100, after },
      },
    );
    pages.push(...res.data.data.filter((p) => p.id && p.access_token));
    after = res.data.paging?.cursors?.after;
    if (!res.data.paging?.next || !after) break;
  }
  return pages;
}
