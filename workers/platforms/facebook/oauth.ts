/** Connecting a Facebook Page: Facebook Login, then one grant per Page the user administers (the admin picks one). */
import type { AuthorizationFlow, TokenGrant } from '../contract';
import { buildAuthorizeUrl, fetchManagedPages } from '../meta/login';
import type { FacebookCredentials } from './credentials';

/** Read Pages, publish, read and moderate comments. */
export const FACEBOOK_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'pages_read_user_content',
  'pages_manage_engagement',
] as const;

export const facebookAuthorization: AuthorizationFlow<FacebookCredentials> = {
  authorizeUrl: (opts) => buildAuthorizeUrl(opts, FACEBOOK_SCOPES),
  async exchangeCode(opts): Promise<TokenGrant<FacebookCredentials>[]> {
    const pages = await fetchManagedPages('facebook', opts);
    return pages.map((p) => ({
      credentials: { pageAccessToken: p.access_token },
      accountId: p.id,
      accountName: p.name,
    }));
  },
};
