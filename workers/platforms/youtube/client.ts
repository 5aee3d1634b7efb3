/**
 * One Google client per call, built from a connection. Two choices matter here:
 * - gaxios' own retries are switched off (retryConfig.retry = 0 on the transporter, retry:false on calls): the
 *   delivery pipeline owns retries and backoff, and an injected fault must surface instead of being retried away.
 * - The API client gets only the access token, no refresh token, so the library never refreshes on its own:
 *   a 401 surfaces as auth_expired, the pipeline calls refreshCredentials and stores the result before retrying.
 */
import { auth, youtube, type youtube_v3 } from '@googleapis/youtube';
import type { Connection } from '../contract';
import type { YoutubeCredentials } from './credentials';
import { DEFAULT_TIMEOUT_MS, rootUrlFor, tokenUrlFor } from './config';

export type OAuth2Client = InstanceType<typeof auth.OAuth2>;

/** Gaxios options that disable every automatic retry of the transporter. */
export const noRetries = { retry: false, retryConfig: { retry: 0, noResponseRetries: 0 } } as const;

export interface YoutubeContext {
  yt: youtube_v3.Youtube;
  oauth: OAuth2Client;
  rootUrl: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export function newOAuthClient(opts: {
  apiBaseUrl: string | null;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  timeoutMs?: number;
}): OAuth2Client {
  return new auth.OAuth2({
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    redirectUri: opts.redirectUri,
    endpoints: { oauth2TokenUrl: tokenUrlFor(opts.apiBaseUrl) },
    transporterOptions: { ...noRetries, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS },
  });
}

export function youtubeFor(oauth: OAuth2Client, apiBaseUrl: string | null): youtube_v3.Youtube {
  return youtube({ version: 'v3', auth: oauth, rootUrl: rootUrlFor(apiBaseUrl), ...noRetries });
}

export function contextFor(conn: Connection<YoutubeCredentials>, signal?: AbortSignal): YoutubeContext {
  const timeoutMs = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const oauth = newOAuthClient({ apiBaseUrl: conn.apiBaseUrl, timeoutMs });
  oauth.setCredentials({ access_token: conn.credentials.accessToken });
  return { yt: youtubeFor(oauth, conn.apiBaseUrl), oauth, rootUrl: rootUrlFor(conn.apiBaseUrl), timeoutMs, signal };
}

/**
 * Per-call options. rootUrl must be repeated on every call: the service-level rootUrl drops the simulator's base
 * path (googleapis-common resolves an absolute path against it) and is not applied to media uploads at all.
 */
export function callOptions(ctx: Pick<YoutubeContext, 'rootUrl' | 'timeoutMs' | 'signal'>) {
  return { rootUrl: ctx.rootUrl, timeout: ctx.timeoutMs, signal: ctx.signal, ...noRetries };
}
