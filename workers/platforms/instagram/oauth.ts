/**
 * Connecting an Instagram professional account through Facebook Login: every Page the user administers that has a
 * linked Instagram account yields one grant, carrying that Page's token (it publishes for the linked IG account).
 */
import type { AuthorizationFlow, TokenGrant } from '../contract';
import { buildAuthorizeUrl, fetchManagedPages } from '../meta/login';
import type { InstagramCredentials } from './credentials';

export const INSTAGRAM_SCOPES = [
  'instagram_basic',
  'instagram_content_publish',
  'instagram_manage_comments',
  'pages_show_list',
  'pages_read_engagement',
] as const;

export const instagramAuthorization: AuthorizationFlow<InstagramCredentials> = {
  authorizeUrl: (opts) => buildAuthorizeUrl(opts, INSTAGRAM_SCOPES),
  async exchangeCode(opts): Promise<TokenGrant<InstagramCredentials>[]> {
    const pages = await fetchManagedPages('instagram', opts);
    return pages.flatMap((p) => {
      const ig = p.instagram_business_account;
      if (!ig?.id) return [];
      return [{ credentials: { accessToken: p.access_token }, accountId: ig.id, accountName: ig.name || ig.username || p.name }];
    });
  },
};
