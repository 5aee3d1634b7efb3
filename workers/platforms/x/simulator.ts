/**
 * A fake of the X API v2 that the unmodified twitter-api-v2 client cannot tell from the real one (for the
 * calls Utrop makes): posts, replies, deletes, user timeline, mentions, hidden replies, v2 chunked media
 * upload, OAuth 2.0 (authorise page, PKCE code exchange, rotating refresh tokens) and rate-limit headers.
 * Served under the hub's /x base path. The parts: simulator-state (options, windows, media, lookups),
 * simulator-api (tweets, listings, the permalink page), simulator-upload (media), sim-oauth, sim-wire.
 */
import type { FaultKind, PlatformSimulator, SimComment, SimRequest, SimResponse, SimRoute, SimulatorHub } from '../sim/core';
import { xAccounts } from './sim-oauth';
import { duplicateContent, problem, tooManyRequests, unauthorized, usageCapped } from './sim-wire';
import { createTweet, deleteTweet, hideReply, listing, readListQuery, statusPage } from './simulator-api';
import {
  api,
  authorIdFor,
  find,
  now,
  rateHeaders,
  record,
  take,
  userObject,
  withHeaders,
  xComments,
  xOperations,
  xPosts,
  XSimState,
  type XOperation,
  type XSimulatorOptions,
  type XSimulatorOverrides,
} from './simulator-state';
import { appendUpload, finalizeUpload, initializeUpload, mediaMetadata, uploadStatus } from './simulator-upload';

export { defaultXSimulatorOptions, xOperations, type XOperation, type XSimulatorOptions, type XSimulatorOverrides } from './simulator-state';

export function createXSimulator(overrides: XSimulatorOverrides = {}): PlatformSimulator & {
  options: XSimulatorOptions;
} {
  const s = new XSimState(overrides);
  const options = s.options;

  const tokenRoute =
    (handler: (req: SimRequest) => SimResponse): SimRoute['handler'] =>
    (req) => {
      const out = handler(req);
      const quota = take(s.windows, 'oauth2:token', s.options.limits.token, s.options.windowSecs);
      return { ...out, headers: { ...rateHeaders(quota), ...out.headers } };
    };

  const routes: SimRoute[] = [
    api(s, 'POST', /^\/2\/tweets$/, 'publish', (req, hub, user) => createTweet(s, req, hub, user)),
    api(s, 'DELETE', /^\/2\/tweets\/(?<id>\d+)$/, 'delete', deleteTweet),
    api(s, 'PUT', /^\/2\/tweets\/(?<id>\d+)\/hidden$/, 'hide', hideReply),
    api(s, 'GET', /^\/2\/users\/me$/, 'me', (_req, hub, user) => {
      const me = userObject(hub, user.sub);
      return me ? { status: 200, body: { data: me } } : unauthorized();
    }),
    api(s, 'GET', /^\/2\/users\/(?<id>\d+)\/tweets$/, 'list', (req, hub) => {
      const query = readListQuery(req.query);
      if ('status' in query) return query;
      const mine = xPosts(hub).filter((p) => p.channel === req.params.id && !p.deleted);
      return listing(s, hub, mine.map((post) => record(s, hub, { kind: 'post', post })), query);
    }),
    api(s, 'GET', /^\/2\/users\/(?<id>\d+)\/mentions$/, 'mentions', (req, hub) => {
      const query = readListQuery(req.query);
      if ('status' in query) return query;
      const mentions = xComments(hub).filter((c) => c.channel === req.params.id && !c.deleted && !c.fromOwner);
      return listing(s, hub, mentions.map((comment) => record(s, hub, { kind: 'comment', comment })), query);
    }),
    api(s, 'POST', /^\/2\/media\/upload\/initialize$/, 'media_upload', (req, hub, user) => initializeUpload(s, req, hub, user)),
    api(s, 'POST', /^\/2\/media\/upload\/(?<id>\d+)\/append$/, 'media_upload', (req, _hub, user) =>
      appendUpload(s, req, user),
    ),
    api(s, 'POST', /^\/2\/media\/upload\/(?<id>\d+)\/finalize$/, 'media_upload', (req, hub, user) => finalizeUpload(s, req, hub, user)),
    api(s, 'GET', /^\/2\/media\/upload$/, 'media_upload', (req, hub, user) => uploadStatus(s, req, hub, user)),
    api(s, 'POST', /^\/2\/media\/metadata$/, 'media_upload', (req, _hub, user) => mediaMetadata(s, req, user)),
    {
      method: 'POST',
      pattern: /^\/2\/oauth2\/token$/,
      operation: 'token',
      handler: tokenRoute((req) => s.auth.token(req)),
    },
    {
      method: 'POST',
      pattern: /^\/2\/oauth2\/revoke$/,
      operation: 'token',
      handler: tokenRoute((req) => s.auth.revoke(req)),
    },
    // People's pages: never fault-injected.
    { method: 'GET', pattern: /^\/i\/oauth2\/authorize$/, handler: (req) => s.auth.authorizePage(req.query) },
    { method: 'POST', pattern: /^\/i\/oauth2\/authorize$/, handler: (req) => s.auth.authorizeDecision(req.body) },
    { method: 'GET', pattern: /^\/i\/web\/status\/(?<id>\d+)$/, handler: statusPage },
  ];

  function renderFault(kind: FaultKind, operation: string): SimResponse {
    const op = (xOperations as readonly string[]).includes(operation) ? (operation as XOperation) : 'publish';
    const limit = s.options.limits[op];
    if (kind === 'rate_limit') {
      return tooManyRequests(rateHeaders({ limit, remaining: 0, reset: now() + s.options.faultResetSecs * 1000 }));
    }
    return withHeaders(
      faultBody(kind, op),
      rateHeaders({ limit, remaining: limit - 1, reset: now() + s.options.windowSecs * 1000 }),
    );
  }

  function faultBody(kind: FaultKind, op: XOperation): SimResponse {
    if (op === 'token' && kind === 'auth_expired') {
      return {
        status: 401,
        headers: { 'content-type': 'application/json' },
        body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' },
      };
    }
    switch (kind) {
      case 'quota_exhausted':
        return usageCapped(s.options.usageCapPeriod, {});
      case 'auth_expired':
        return unauthorized();
      case 'duplicate':
        return duplicateContent();
      case 'server_error':
        return problem(503, {
          title: 'Service Unavailable',
          detail: 'Service Unavailable',
          type: 'about:blank',
          status: 503,
        });
      default:
        return problem(500, {
          title: 'Internal Server Error',
          detail: 'Internal Server Error',
          type: 'about:blank',
          status: 500,
        });
    }
  }

  function injectComment(input: { postId?: string; author: string; text: string }, hub: SimulatorHub): SimComment {
    const author = input.author.replace(/^@/, '');
    let channel: string;
    let postId: string | null = null;
    let parentId: string | null = null;
    let text = input.text;
    if (input.postId) {
      const target = find(hub, input.postId);
      if (!target) throw new Error(`X simulator has no post ${input.postId}`);
      parentId = input.postId;
      channel = target.kind === 'post' ? target.post.channel : target.comment.channel;
      postId = target.kind === 'post' ? target.post.id : target.comment.postId;
    } else {
      const accounts = xAccounts();
      const mentioned = accounts.find((a) => new RegExp(`@${a.handle}\\b`, 'i').test(text));
      const account = mentioned ?? accounts[0];
      if (!account) throw new Error('X simulator has no accounts');
      channel = account.accountId;
      // A mention is only a mention if it names the account.
      if (!mentioned) text = `@${account.handle} ${text}`;
    }
    const comment = hub.addComment({
      platform: 'x',
      channel,
      id: hub.nextId(),
      postId,
      parentId,
      author,
      authorId: authorIdFor(author),
      text,
      fromOwner: false,
    });
    return comment;
  }

  return {
    platform: 'x',
    options,
    routes,
    renderFault: (kind, operation) => renderFault(kind, operation),
    injectComment,
    onEdit(comment, hub) {
      comment.editHistory = [...(comment.editHistory ?? []), hub.nextId()];
    },
    saveState: () => ({ auth: s.auth.save() }),
    loadState(data) {
      if (typeof data !== 'object' || data === null) throw new Error('expected an object');
      s.auth.load((data as { auth?: unknown }).auth ?? {});
    },
    reset: () => s.reset(),
  };
}

export const xSimulator = createXSimulator();
