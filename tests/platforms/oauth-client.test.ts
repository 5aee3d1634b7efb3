import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config.server';
import { oauthClientFor } from '../../workers/platforms';
import { simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';

const cfg = parseConfig({
  NODE_ENV: 'test',
  X_CLIENT_ID: 'x-app',
  X_CLIENT_SECRET: 'x-secret',
  META_APP_ID: 'meta-app',
  META_APP_SECRET: 'meta-secret',
});

describe('oauthClientFor: the OAuth app comes from the Config the caller passes', () => {
  it('uses the configured app for a real platform channel', () => {
    expect(oauthClientFor({ platform: 'x', apiBaseUrl: null }, cfg)).toEqual({ clientId: 'x-app', clientSecret: 'x-secret' });
    expect(oauthClientFor({ platform: 'instagram', apiBaseUrl: null }, cfg)).toEqual({ clientId: 'meta-app', clientSecret: 'meta-secret' });
  });

  it('answers null when the platform has no app configured', () => {
    expect(oauthClientFor({ platform: 'youtube', apiBaseUrl: null }, cfg)).toBeNull();
  });

  it('uses the simulators’ own client for a channel pointed at a simulator', () => {
    expect(oauthClientFor({ platform: 'youtube', apiBaseUrl: 'http://127.0.0.1:4010/youtube' }, cfg)).toEqual(simulatorOAuthClient);
  });
});
