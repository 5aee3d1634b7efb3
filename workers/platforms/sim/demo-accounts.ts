/**
 * The accounts the simulators know from the start, and the credentials the demo seed stores for them.
 * Real platforms issue these through their authorisation flows; the simulators also accept tokens they
 * issue themselves through their own authorise/token endpoints.
 */
import type { Platform } from '../contract';

export interface DemoAccount {
  platform: Platform;
  /** Stable key used by the seed to find the channel. */
  key: string;
  /** The platform's id for the account. */
  accountId: string;
  name: string;
  handle: string;
  accessToken: string;
  refreshToken: string | null;
}

export const demoAccounts: DemoAccount[] = [
  {
    platform: 'x',
    key: 'x-helsingborg',
    accountId: '1480000000000000001',
    name: 'Helsingborgs stad',
    handle: 'helsingborg',
    accessToken: 'sim-x-access-helsingborg',
    refreshToken: 'sim-x-refresh-helsingborg',
  },
  {
    platform: 'facebook',
    key: 'facebook-helsingborg',
    accountId: '100200300400500',
    name: 'Helsingborgs stad',
    handle: 'helsingborgsstad',
    accessToken: 'sim-fb-page-helsingborg',
    refreshToken: null,
  },
  {
    platform: 'instagram',
    key: 'instagram-helsingborg',
    accountId: '17841400000000001',
    name: 'Helsingborgs stad',
    handle: 'helsingborgsstad',
    accessToken: 'sim-ig-helsingborg',
    refreshToken: null,
  },
  {
    platform: 'instagram',
    key: 'instagram-jobba',
    accountId: '17841400000000002',
    name: 'Jobba i Helsingborgs stad',
    handle: 'jobbaihelsingborgsstad',
    accessToken: 'sim-ig-jobba',
    refreshToken: null,
  },
  {
    platform: 'youtube',
    key: 'youtube-helsingborg',
    accountId: 'UCsimHelsingborg00000001',
    name: 'Helsingborgs stad',
    handle: 'helsingborgsstad',
    accessToken: 'sim-yt-access-helsingborg',
    refreshToken: 'sim-yt-refresh-helsingborg',
  },
];

export function demoAccountsFor(platform: Platform): DemoAccount[] {
  return demoAccounts.filter((a) => a.platform === platform);
}

/** OAuth client the simulators accept in their authorise/token endpoints (demo mode's configuration). */
export const simulatorOAuthClient = { clientId: 'utrop-sim-client', clientSecret: 'utrop-sim-secret' };
