/**
 * Builds real twitter-api-v2 clients, optionally pointed at the simulator.
 *
 * Why the rewrite happens in `onBeforeRequest` and not in `onBeforeRequestConfig` (toolchain §5): the client
 * picks the body encoding from the URL (`/2/...` → JSON, the media append is forced to multipart), and our
 * simulator lives under a base path (`/x/2/tweets`). Rewriting before that decision makes JSON endpoints go
 * out form-encoded. `onBeforeRequest` runs after the body, headers and auth are computed for the real URL and
 * before the socket is opened, so every request (JSON, multipart media append, token endpoint) is encoded
 * exactly as it would be for api.x.com; only the destination changes. No TLS certificate is needed.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { TwitterApi, type ITwitterApiClientPlugin, type TwitterApiOAuth2Init } from 'twitter-api-v2';

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The real hosts; X's API root when no simulator base URL is configured. */
export const X_WEB_ORIGIN = 'https://x.com';
const apiHosts = new Set(['api.x.com', 'upload.x.com', 'api.twitter.com', 'upload.twitter.com']);

export interface RequestContext {
  apiBaseUrl: string | null;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Whether the latest request got a connected socket: a failure before that never reached X. */
export interface RequestTracker {
  connected: boolean;
}

// One plain-HTTP agent for simulator URLs: the client always calls https.request, which speaks plain HTTP
// when handed an http.Agent. No keep-alive, so a stale pooled socket can never fake an "ambiguous" failure.
const plainAgent = new http.Agent({ keepAlive: false });

function rewrite(url: URL, base: URL): void {
  if (!apiHosts.has(url.hostname)) return;
  const prefix = base.pathname.replace(/\/+$/, '');
  url.protocol = base.protocol;
  url.host = base.host;
  url.pathname = `${prefix}${url.pathname}`;
}

function requestPlugin(ctx: RequestContext, tracker: RequestTracker): ITwitterApiClientPlugin {
  const base = ctx.apiBaseUrl ? new URL(ctx.apiBaseUrl) : null;
  return {
    onBeforeRequest({ computedParams, requestOptions, params }) {
      tracker.connected = false;
      if (base) rewrite(computedParams.url, base);
      requestOptions.timeout = ctx.timeoutMs;
      if (ctx.signal) requestOptions.signal = ctx.signal;
      params.requestEventDebugHandler = (event, data) => {
        if (event === 'socket-connect') tracker.connected = true;
        // A socket handed over already connected (keep-alive pool on the real hosts) never emits 'connect'.
        const socket = (data as { socket?: Socket } | undefined)?.socket;
        if (event === 'socket' && socket && !socket.connecting) tracker.connected = true;
      };
    },
  };
}

export function createXClient(
  /** An OAuth 2.0 user access token, or our OAuth client for the token endpoint. */
  tokens: string | TwitterApiOAuth2Init,
  ctx: RequestContext,
): { client: TwitterApi; tracker: RequestTracker } {
  const tracker: RequestTracker = { connected: false };
  const plainHttp = ctx.apiBaseUrl?.startsWith('http:') ?? false;
  const settings = { plugins: [requestPlugin(ctx, tracker)], ...(plainHttp ? { httpAgent: plainAgent } : {}) };
  // Two calls because the constructor's overloads do not accept the union.
  const client = typeof tokens === 'string' ? new TwitterApi(tokens, settings) : new TwitterApi(tokens, settings);
  return { client, tracker };
}

/** Where people (not the API client) go: the authorise page and post permalinks. */
export function webOrigin(apiBaseUrl: string | null): string {
  return apiBaseUrl ? apiBaseUrl.replace(/\/+$/, '') : X_WEB_ORIGIN;
}

export function permalinkFor(apiBaseUrl: string | null, tweetId: string): string {
  return `${webOrigin(apiBaseUrl)}/i/web/status/${tweetId}`;
}
