import type { DemoAccount } from './sim/demo-accounts';

/** The credentials object each platform's adapter expects, for a simulator demo account. */
export function demoCredentials(account: DemoAccount): Record<string, unknown> {
  const farFuture = new Date(Date.now() + 3600_000).toISOString();
  switch (account.platform) {
    case 'x':
      return { accessToken: account.accessToken, refreshToken: account.refreshToken, expiresAt: farFuture };
    case 'facebook':
      return { pageAccessToken: account.accessToken };
    case 'instagram':
      return { accessToken: account.accessToken };
    case 'youtube':
      return { accessToken: account.accessToken, refreshToken: account.refreshToken, expiresAt: farFuture };
  }
}
