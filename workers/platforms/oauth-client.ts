/**
 * Which OAuth app a channel uses, decided in one place from the Config the caller passes in (the web's connect and
 * callback routes, the worker's credential refresh). A channel that points at a simulator (apiBaseUrl set) uses the
 * simulators' own client, so demo mode needs no platform app; every other channel uses the app configured for its
 * platform. Adapters receive the result on the Connection and never decide it.
 */
import type { Config } from '../../common/config.server';
import type { OAuthClient, Platform } from './contract';
import { simulatorOAuthClient } from './sim/demo-accounts';

export function oauthClientFor(channel: { platform: Platform; apiBaseUrl: string | null }, cfg: Config): OAuthClient | null {
  if (channel.apiBaseUrl) return simulatorOAuthClient;
  const byPlatform: Record<Platform, [string | undefined, string | undefined]> = {
    x: [cfg.X_CLIENT_ID, cfg.X_CLIENT_SECRET],
    facebook: [cfg.META_APP_ID, cfg.META_APP_SECRET],
    instagram: [cfg.META_APP_ID, cfg.META_APP_SECRET],
    youtube: [cfg.GOOGLE_CLIENT_ID, cfg.GOOGLE_CLIENT_SECRET],
  };
  const [clientId, clientSecret] = byPlatform[channel.platform];
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}
