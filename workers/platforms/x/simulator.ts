/**
 * A fake of the X API v2 that the unmodified twitter-api-v2 client cannot tell from the real one (for the
 * calls Utrop makes): posts, replies, deletes, user timeline, mentions, hidden replies, v2 chunked media
 * upload, OAuth 2.0 (authorise page, PKCE code exchange, rotating refresh tokens) and rate-limit headers.
 * Served under the hub's /x base path.
 */
import { createHash } from 'node:crypto';
import type {
  FaultKind,
  PlatformSimulator,
  SimComment,
  SimPost,
  SimRequest,
  SimResponse,
  SimRoute,
  SimulatorHub,
} from '../sim/core';
import { X_LIMITS } from './limits';
import { XTokenAuthority, xAccounts, type TokenClaims } from './sim-oauth';
import {
  compareIds,
  csv,
  duplicateContent,
  forbidden,
  invalidRequest,
  isNumericId,
  notFound,
  parseJsonObject,
  parseMultipart,
  problem,
  PROBLEM_TYPE,
  renderTweet,
  tooManyRequests,
  unauthorized,
  usageCapped,
  type TweetRecord,
} from './sim-wire';
import { twitterText } from './twitter-text';
import { postPage } from '../sim/html';

export const xOperations = ['publish', 'delete', 'list', 'mentions', 'hide', 'media_upload', 'token', 'me'] as const;
export type XOperation = (typeof xOperations)[number];

export interface XSimulatorOptions {
  /** Rate-limit window length; X's is 15 minutes. */
  windowSecs: number;
  /** Requests per user and window, per operation (platforms.md §1.3; X's real numbers vary by tier). */
  limits: Record<XOperation, number>;
  /** A 24-hour per-user cap on POST /2/tweets (Free/Basic tiers), sent as x-user-limit-24hour-*; null = none. */
  userDayPublishLimit: number | null;
  /** How far ahead an injected rate_limit fault puts the reset; short so chaos runs do not stall. */
  faultResetSecs: number;
  /** The `period` of an injected usage-cap fault. */
  usageCapPeriod: 'Monthly' | 'Daily';
  /** check_after_secs in media processing_info; X sends whole seconds, the client accepts fractions. */
  processingCheckAfterSecs: number;
  /** STATUS polls a video or GIF needs before it has succeeded. */
  videoProcessingPolls: number;
  accessTokenTtlSecs: number;
  codeTtlSecs: number;
}

export const defaultXSimulatorOptions: XSimulatorOptions = {
  windowSecs: 900,
  limits: { publish: 300, delete: 50, list: 900, mentions: 450, hide: 50, media_upload: 1000, token: 1000, me: 75 },
  userDayPublishLimit: null,
  faultResetSecs: 3,
  usageCapPeriod: 'Monthly',
  processingCheckAfterSecs: 1,
  videoProcessingPolls: 2,
  accessTokenTtlSecs: 7200,
  codeTtlSecs: 300,
};

/** X's documented scopes per endpoint. */
const requiredScopes: Record<Exclude<XOperation, 'token'>, string[]> = {
  publish: ['tweet.read', 'tweet.write', 'users.read'],
  delete: ['tweet.read', 'tweet.write', 'users.read'],
  list: ['tweet.read', 'users.read'],
  mentions: ['tweet.read', 'users.read'],
  hide: ['tweet.read', 'tweet.moderate.write', 'users.read'],
  media_upload: ['media.write'],
  me: ['tweet.read', 'users.read'],
};

type MediaCategory = 'tweet_image' | 'tweet_gif' | 'tweet_video';
type ProcessingState = 'pending' | 'in_progress' | 'succeeded' | 'failed';

interface SimMedia {
  id: string;
  key: string;
  owner: string;
  mimeType: string;
  category: MediaCategory;
  totalBytes: number;
  segments: Map<number, number>;
  state: 'uploading' | ProcessingState;
  pollsLeft: number;
  doomed: boolean;
}

interface Window {
  start: number;
  count: number;
}

interface Quota {
  limit: number;
  remaining: number;
  reset: number;
}

const now = (): number => Date.now();
const epoch = (ms: number): string => String(Math.ceil(ms / 1000));

function take(
  windows: Map<string, Window>,
  key: string,
  limit: number,
  windowSecs: number,
): Quota & { allowed: boolean } {
  const t = now();
  let w = windows.get(key);
  if (!w || t >= w.start + windowSecs * 1000) {
    w = { start: t, count: 0 };
    windows.set(key, w);
  }
  const allowed = w.count < limit;
  if (allowed) w.count += 1;
  return { limit, remaining: Math.max(0, limit - w.count), reset: w.start + windowSecs * 1000, allowed };
}

function withHeaders(out: SimResponse, headers: Record<string, string>): SimResponse {
  return { ...out, headers: { ...headers, ...out.headers } };
}

function rateHeaders(q: Quota): Record<string, string> {
  return {
    'x-rate-limit-limit': String(q.limit),
    'x-rate-limit-remaining': String(q.remaining),
    'x-rate-limit-reset': epoch(q.reset),
  };
}

function dayHeaders(q: Quota): Record<string, string> {
  return {
    'x-user-limit-24hour-limit': String(q.limit),
    'x-user-limit-24hour-remaining': String(q.remaining),
    'x-user-limit-24hour-reset': epoch(q.reset),
  };
}

/** Stable numeric ids for injected comment authors, so includes.users is consistent across calls. */
function authorIdFor(handle: string): string {
  const n = BigInt(`0x${createHash('sha256').update(handle.toLowerCase()).digest('hex').slice(0, 15)}`);
  return String((n % 10n ** 18n) + 10n ** 18n);
}

function categoryOf(mimeType: string): MediaCategory | null {
  if (mimeType === 'image/gif') return 'tweet_gif';
  if ((X_LIMITS.imageMimeTypes as readonly string[]).includes(mimeType)) return 'tweet_image';
  if ((X_LIMITS.videoMimeTypes as readonly string[]).includes(mimeType)) return 'tweet_video';
  return null;
}

const maxBytes: Record<MediaCategory, number> = {
  tweet_image: X_LIMITS.maxImageBytes,
  tweet_gif: X_LIMITS.maxGifBytes,
  tweet_video: X_LIMITS.maxVideoBytes,
};
const keyPrefix: Record<MediaCategory, string> = { tweet_image: '3', tweet_gif: '16', tweet_video: '7' };

export type XSimulatorOverrides = Partial<Omit<XSimulatorOptions, 'limits'>> & {
  limits?: Partial<Record<XOperation, number>>;
};

export function createXSimulator(overrides: XSimulatorOverrides = {}): PlatformSimulator & {
  options: XSimulatorOptions;
} {
  const options: XSimulatorOptions = {
    ...defaultXSimulatorOptions,
    ...overrides,
    limits: { ...defaultXSimulatorOptions.limits, ...overrides.limits },
  };
  const auth = new XTokenAuthority(options);
  const windows = new Map<string, Window>();
  const dayWindows = new Map<string, Window>();
  const media = new Map<string, SimMedia>();

  const posts = (hub: SimulatorHub): SimPost[] => hub.posts.filter((p) => p.platform === 'x');
  const comments = (hub: SimulatorHub): SimComment[] => hub.comments.filter((c) => c.platform === 'x');

  type Found = { kind: 'post'; post: SimPost } | { kind: 'comment'; comment: SimComment };
  function find(hub: SimulatorHub, id: string): Found | null {
    const post = posts(hub).find((p) => p.id === id && !p.deleted);
    if (post) return { kind: 'post', post };
    const comment = comments(hub).find((c) => c.id === id && !c.deleted && !c.fromOwner);
    return comment ? { kind: 'comment', comment } : null;
  }

  function authorOf(found: Found): string {
    return found.kind === 'post' ? found.post.channel : found.comment.authorId;
  }

  /** The root of the reply chain, as X's conversation_id. */
  function conversationOf(hub: SimulatorHub, id: string, depth = 0): string {
    const found = find(hub, id);
    const parent =
      found?.kind === 'post' ? found.post.replyTo : found?.kind === 'comment' ? found.comment.parentId : null;
    return parent && depth < 100 ? conversationOf(hub, parent, depth + 1) : id;
  }

  function record(hub: SimulatorHub, found: Found): TweetRecord {
    if (found.kind === 'post') {
      const p = found.post;
      const target = p.replyTo ? find(hub, p.replyTo) : null;
      return {
        id: p.id,
        text: p.text,
        authorId: p.channel,
        createdAt: p.createdAt,
        conversationId: conversationOf(hub, p.id),
        replyTo: p.replyTo,
        inReplyToUserId: target ? authorOf(target) : null,
        mediaKeys: p.media.map((m) => media.get(m.id)?.key ?? m.id),
      };
    }
    const c = found.comment;
    const target = c.parentId ? find(hub, c.parentId) : null;
    return {
      id: c.id,
      text: c.text,
      authorId: c.authorId,
      createdAt: c.createdAt,
      conversationId: conversationOf(hub, c.id),
      replyTo: c.parentId,
      inReplyToUserId: target ? authorOf(target) : null,
      mediaKeys: [],
    };
  }

  function userObject(hub: SimulatorHub, id: string): Record<string, string> | null {
    const account = xAccounts().find((a) => a.accountId === id);
    if (account) return { id, name: account.name, username: account.handle };
    const author = comments(hub).find((c) => c.authorId === id);
    return author ? { id, name: author.author, username: author.author } : null;
  }

  /** Wraps a route with X's bearer check, per-user rate limit, scope check and rate-limit headers. */
  function api(
    method: string,
    pattern: RegExp,
    operation: Exclude<XOperation, 'token'>,
    handler: (req: SimRequest, hub: SimulatorHub, user: TokenClaims) => SimResponse,
  ): SimRoute {
    return {
      method,
      pattern,
      operation,
      handler: (req, hub) => {
        const user = auth.bearer(req.headers);
        if (!user) {
          // Counted nowhere (there is no user), but X's headers are on every answer.
          const limit = options.limits[operation];
          return withHeaders(
            unauthorized(),
            rateHeaders({ limit, remaining: limit, reset: now() + options.windowSecs * 1000 }),
          );
        }
        const quota = take(windows, `${user.sub}:${operation}`, options.limits[operation], options.windowSecs);
        const headers = rateHeaders(quota);
        if (!quota.allowed) return tooManyRequests(headers);
        const missing = requiredScopes[operation].filter((s) => !user.scope.includes(s));
        if (missing.length > 0) {
          // [U] X's exact body for a missing scope; the type marks it as a permission problem.
          return problem(
            403,
            {
              title: 'Client Forbidden',
              detail: `Missing required scope(s): ${missing.join(', ')}`,
              type: `${PROBLEM_TYPE}/client-forbidden`,
              reason: 'missing-scope',
            },
            headers,
          );
        }
        const out = handler(req, hub, user);
        return { ...out, headers: { ...headers, ...out.headers } };
      },
    };
  }

  interface ListQuery {
    max: number;
    sinceId: string | null;
    untilId: string | null;
    start: number | null;
    end: number | null;
    before: string | null;
    fields: Set<string>;
    expansions: Set<string>;
    excludeReplies: boolean;
  }

  function readListQuery(q: URLSearchParams): ListQuery | SimResponse {
    const max = q.has('max_results') ? Number(q.get('max_results')) : 10;
    if (!Number.isInteger(max) || max < 5 || max > 100) {
      return invalidRequest('The `max_results` query parameter value is not between 5 and 100', {
        max_results: [q.get('max_results')],
      });
    }
    const time = (name: string): number | null | SimResponse => {
      const raw = q.get(name);
      if (raw === null) return null;
      const value = Date.parse(raw);
      return Number.isFinite(value) ? value : invalidRequest(`Invalid ${name}`, { [name]: [raw] });
    };
    const start = time('start_time');
    const end = time('end_time');
    if (typeof start === 'object' && start !== null) return start;
    if (typeof end === 'object' && end !== null) return end;
    for (const name of ['since_id', 'until_id']) {
      const raw = q.get(name);
      if (raw !== null && !isNumericId(raw)) return invalidRequest(`Invalid ${name}`, { [name]: [raw] });
    }
    const token = q.get('pagination_token');
    let before: string | null = null;
    if (token !== null) {
      before = Buffer.from(token, 'base64url').toString('utf8');
      if (!isNumericId(before)) return invalidRequest('Invalid pagination_token', { pagination_token: [token] });
    }
    return {
      max,
      sinceId: q.get('since_id'),
      untilId: q.get('until_id'),
      start,
      end,
      before,
      fields: csv(q.get('tweet.fields')),
      expansions: csv(q.get('expansions')),
      excludeReplies: csv(q.get('exclude')).has('replies'),
    };
  }

  function listing(hub: SimulatorHub, all: TweetRecord[], query: ListQuery): SimResponse {
    const matching = all
      .filter((t) => !query.excludeReplies || t.replyTo === null)
      .filter((t) => query.sinceId === null || compareIds(t.id, query.sinceId) > 0)
      .filter((t) => query.untilId === null || compareIds(t.id, query.untilId) < 0)
      .filter((t) => query.start === null || Date.parse(t.createdAt) >= query.start)
      .filter((t) => query.end === null || Date.parse(t.createdAt) <= query.end)
      .sort((a, b) => compareIds(b.id, a.id));
    const from = query.before === null ? matching : matching.filter((t) => compareIds(t.id, query.before ?? '0') < 0);
    const page = from.slice(0, query.max);
    const meta: Record<string, unknown> = { result_count: page.length };
    if (page.length === 0) return { status: 200, body: { meta } };
    const first = page[0];
    const last = page[page.length - 1];
    if (first && last) {
      meta.newest_id = first.id;
      meta.oldest_id = last.id;
      if (from.length > page.length) meta.next_token = Buffer.from(last.id).toString('base64url');
    }
    const includes: Record<string, unknown[]> = {};
    if (query.expansions.has('author_id')) {
      const ids = [...new Set(page.map((t) => t.authorId))];
      includes.users = ids.map((id) => userObject(hub, id)).filter((u) => u !== null);
    }
    if (query.expansions.has('referenced_tweets.id')) {
      const refs = [...new Set(page.map((t) => t.replyTo).filter((id) => id !== null))];
      includes.tweets = refs
        .map((id) => find(hub, id))
        .filter((f) => f !== null)
        .map((f) => renderTweet(record(hub, f), query.fields));
    }
    const body: Record<string, unknown> = { data: page.map((t) => renderTweet(t, query.fields)), meta };
    if (Object.keys(includes).length > 0) body.includes = includes;
    return { status: 200, body };
  }

  function createTweet(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
    const json = parseJsonObject(req.body);
    if (!json) return invalidRequest('Request body must be a JSON object');
    const text = typeof json.text === 'string' ? json.text : '';
    const mediaField = json.media as { media_ids?: unknown } | undefined;
    const mediaIds = Array.isArray(mediaField?.media_ids) ? mediaField.media_ids.map(String) : [];
    if (text === '' && mediaIds.length === 0) {
      return invalidRequest('You must specify at least one of text or media.', { text: [text] });
    }
    if (text !== '') {
      const parsed = twitterText.parseTweet(text);
      if (!parsed.valid) {
        const why =
          parsed.weightedLength > X_LIMITS.maxWeightedLength
            ? 'Your Tweet text is too long.'
            : 'Your Tweet text is invalid.';
        return invalidRequest(why, { text: [text] });
      }
    }
    const attached: SimMedia[] = [];
    for (const id of mediaIds) {
      const item = media.get(id);
      if (!item || item.owner !== user.sub || item.state !== 'succeeded') {
        return invalidRequest('Your media IDs are invalid.', { media_ids: mediaIds });
      }
      attached.push(item);
    }
    const single = attached.filter((m) => m.category !== 'tweet_image').length;
    if (attached.length > X_LIMITS.maxImages || (single > 0 && attached.length > 1)) {
      return invalidRequest('Your media IDs are invalid.', { media_ids: mediaIds });
    }
    const reply = json.reply as { in_reply_to_tweet_id?: unknown } | undefined;
    const replyTo = reply?.in_reply_to_tweet_id === undefined ? null : String(reply.in_reply_to_tweet_id);
    const target = replyTo === null ? null : find(hub, replyTo);
    if (replyTo !== null && !target) {
      return forbidden('You attempted to reply to a Tweet that is deleted or not visible to you.');
    }
    if (text !== '' && posts(hub).some((p) => p.channel === user.sub && !p.deleted && p.text === text)) {
      return duplicateContent();
    }
    let dayHeader: Record<string, string> = {};
    if (options.userDayPublishLimit !== null) {
      const day = take(dayWindows, user.sub, options.userDayPublishLimit, 86_400);
      dayHeader = dayHeaders(day);
      if (!day.allowed) return tooManyRequests(dayHeader);
    }
    const id = hub.nextId();
    const createdAt = new Date().toISOString();
    hub.posts.push({
      platform: 'x',
      channel: user.sub,
      id,
      text,
      link: twitterText.extractUrls(text)[0] ?? null,
      media: attached.map((m) => ({ id: m.id, mimeType: m.mimeType, bytes: m.totalBytes })),
      replyTo,
      createdAt,
      deleted: false,
    });
    if (target?.kind === 'comment') {
      // The city answering someone in a conversation: it shows up in that thread as the owner's reply.
      const account = xAccounts().find((a) => a.accountId === user.sub);
      hub.addComment({
        platform: 'x',
        channel: user.sub,
        id,
        postId: target.comment.postId,
        parentId: replyTo,
        author: account?.handle ?? user.sub,
        authorId: user.sub,
        text,
        createdAt,
        fromOwner: true,
      });
    }
    const rendered = renderTweet(
      { id, text, authorId: user.sub, createdAt, conversationId: id, replyTo, inReplyToUserId: null, mediaKeys: [] },
      new Set(),
    );
    return { status: 201, headers: dayHeader, body: { data: rendered } };
  }

  function deleteTweet(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
    const id = req.params.id ?? '';
    const found = find(hub, id);
    if (!found) return notFound(id);
    if (authorOf(found) !== user.sub) return forbidden('You are not allowed to delete a Tweet you did not create.');
    for (const p of posts(hub)) if (p.id === id) p.deleted = true;
    for (const c of comments(hub)) if (c.id === id) c.deleted = true;
    return { status: 200, body: { data: { deleted: true } } };
  }

  function hideReply(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
    const id = req.params.id ?? '';
    const json = parseJsonObject(req.body);
    if (!json || typeof json.hidden !== 'boolean') return invalidRequest('`hidden` must be a boolean', { hidden: [] });
    const found = find(hub, id);
    if (!found) return notFound(id);
    const root = find(hub, conversationOf(hub, id));
    // Only replies by others, in conversations the user started, can be hidden.
    if (found.kind !== 'comment' || found.comment.parentId === null || !root || authorOf(root) !== user.sub) {
      return forbidden('You can only hide or unhide replies to conversations you authored.');
    }
    found.comment.hidden = json.hidden;
    return { status: 200, body: { data: { hidden: json.hidden } } };
  }

  function initializeUpload(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
    const json = parseJsonObject(req.body);
    const mimeType = typeof json?.media_type === 'string' ? json.media_type.toLowerCase() : '';
    const totalBytes = Number(json?.total_bytes);
    const category = categoryOf(mimeType);
    if (!category) return invalidRequest('Unsupported media_type', { media_type: [mimeType] });
    const requested = json?.media_category;
    if (requested !== undefined && requested !== category) {
      return invalidRequest('media_category does not match media_type', { media_category: [requested] });
    }
    if (!Number.isInteger(totalBytes) || totalBytes <= 0 || totalBytes > maxBytes[category]) {
      return invalidRequest('total_bytes is invalid or exceeds the size limit', { total_bytes: [json?.total_bytes] });
    }
    const id = hub.nextId();
    const key = `${keyPrefix[category]}_${id}`;
    media.set(id, {
      id,
      key,
      owner: user.sub,
      mimeType,
      category,
      totalBytes,
      segments: new Map(),
      state: 'uploading',
      pollsLeft: 0,
      doomed: false,
    });
    return { status: 200, body: { data: { id, media_key: key, expires_after_secs: 86_400 } } };
  }

  function ownedUpload(id: string, user: TokenClaims): SimMedia | SimResponse {
    const item = media.get(id);
    if (!item || item.owner !== user.sub) return invalidRequest('Invalid media id', { id: [id] });
    return item;
  }

  function appendUpload(req: SimRequest, user: TokenClaims): SimResponse {
    const item = ownedUpload(req.params.id ?? '', user);
    if ('status' in item) return item;
    if (item.state !== 'uploading') return invalidRequest('Media is already finalized', { id: [item.id] });
    const parts = parseMultipart(req.body, req.headers['content-type']);
    if (!parts) return invalidRequest('Append must be multipart/form-data', {});
    const index = Number(parts.get('segment_index')?.toString('utf8'));
    const chunk = parts.get('media');
    if (!Number.isInteger(index) || index < 0 || index > 999 || !chunk) {
      return invalidRequest('segment_index (0-999) and media are required', { segment_index: [index] });
    }
    item.segments.set(index, chunk.length);
    const received = [...item.segments.values()].reduce((a, b) => a + b, 0);
    if (received > item.totalBytes)
      return invalidRequest('Segments exceed total_bytes', { total_bytes: [item.totalBytes] });
    return { status: 200, body: { data: { expires_at: Math.floor(now() / 1000) + 86_400 } } };
  }

  function processingInfo(item: SimMedia): Record<string, unknown> | undefined {
    if (item.state === 'succeeded' && item.category === 'tweet_image' && !item.doomed) return undefined;
    const info: Record<string, unknown> = { state: item.state };
    if (item.state === 'pending' || item.state === 'in_progress') {
      info.check_after_secs = options.processingCheckAfterSecs;
      info.progress_percent = item.state === 'pending' ? 0 : 50;
    }
    if (item.state === 'succeeded') info.progress_percent = 100;
    if (item.state === 'failed') info.error = { code: 1, name: 'InvalidMedia', message: 'Unsupported media file' };
    return info;
  }

  function finalizeUpload(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
    const item = ownedUpload(req.params.id ?? '', user);
    if ('status' in item) return item;
    if (item.state !== 'uploading') return invalidRequest('Media is already finalized', { id: [item.id] });
    const received = [...item.segments.values()].reduce((a, b) => a + b, 0);
    if (received !== item.totalBytes) {
      return invalidRequest('Segments do not add up to provided total file size.', { total_bytes: [item.totalBytes] });
    }
    item.doomed = hub.takeFault('x', 'media_upload', ['container_error']) !== null;
    if (item.category === 'tweet_image' && !item.doomed) {
      item.state = 'succeeded';
    } else {
      item.state = 'pending';
      item.pollsLeft = Math.max(1, options.videoProcessingPolls);
    }
    const info = processingInfo(item);
    return {
      status: 200,
      body: {
        data: {
          id: item.id,
          media_key: item.key,
          size: item.totalBytes,
          expires_after_secs: 86_400,
          ...(info ? { processing_info: info } : {}),
        },
      },
    };
  }

  function uploadStatus(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
    if (req.query.get('command') !== 'STATUS')
      return invalidRequest('Unsupported command', { command: [req.query.get('command')] });
    const item = ownedUpload(req.query.get('media_id') ?? '', user);
    if ('status' in item) return item;
    if (item.state === 'uploading') return invalidRequest('Media is not finalized', { media_id: [item.id] });
    if (item.state === 'pending' || item.state === 'in_progress') {
      // container_slow holds the media in_progress for as many polls as the fault's count.
      if (hub.takeFault('x', 'media_upload', ['container_slow'])) item.state = 'in_progress';
      else if (item.pollsLeft > 1) {
        item.pollsLeft -= 1;
        item.state = 'in_progress';
      } else item.state = item.doomed ? 'failed' : 'succeeded';
    }
    const info = processingInfo(item) ?? { state: 'succeeded', progress_percent: 100 };
    return { status: 200, body: { data: { id: item.id, media_key: item.key, processing_info: info } } };
  }

  /** The page a permalink opens (ADR 018). */
  function statusPage(req: SimRequest, hub: SimulatorHub): SimResponse {
    const found = find(hub, req.params.id ?? '');
    const post = found?.kind === 'post' ? found.post : undefined;
    const account = xAccounts().find((a) => a.accountId === post?.channel);
    return postPage('X', post, account ? { name: account.name, handle: account.handle } : null);
  }

  const tokenRoute =
    (handler: (req: SimRequest) => SimResponse): SimRoute['handler'] =>
    (req) => {
      const out = handler(req);
      const quota = take(windows, 'oauth2:token', options.limits.token, options.windowSecs);
      return { ...out, headers: { ...rateHeaders(quota), ...out.headers } };
    };

  const routes: SimRoute[] = [
    api('POST', /^\/2\/tweets$/, 'publish', createTweet),
    api('DELETE', /^\/2\/tweets\/(?<id>\d+)$/, 'delete', deleteTweet),
    api('PUT', /^\/2\/tweets\/(?<id>\d+)\/hidden$/, 'hide', hideReply),
    api('GET', /^\/2\/users\/me$/, 'me', (_req, hub, user) => {
      const me = userObject(hub, user.sub);
      return me ? { status: 200, body: { data: me } } : unauthorized();
    }),
    api('GET', /^\/2\/users\/(?<id>\d+)\/tweets$/, 'list', (req, hub) => {
      const query = readListQuery(req.query);
      if ('status' in query) return query;
      const mine = posts(hub).filter((p) => p.channel === req.params.id && !p.deleted);
      return listing(
        hub,
        mine.map((post) => record(hub, { kind: 'post', post })),
        query,
      );
    }),
    api('GET', /^\/2\/users\/(?<id>\d+)\/mentions$/, 'mentions', (req, hub) => {
      const query = readListQuery(req.query);
      if ('status' in query) return query;
      const mentions = comments(hub).filter((c) => c.channel === req.params.id && !c.deleted && !c.fromOwner);
      return listing(
        hub,
        mentions.map((comment) => record(hub, { kind: 'comment', comment })),
        query,
      );
    }),
    api('POST', /^\/2\/media\/upload\/initialize$/, 'media_upload', initializeUpload),
    api('POST', /^\/2\/media\/upload\/(?<id>\d+)\/append$/, 'media_upload', (req, _hub, user) =>
      appendUpload(req, user),
    ),
    api('POST', /^\/2\/media\/upload\/(?<id>\d+)\/finalize$/, 'media_upload', finalizeUpload),
    api('GET', /^\/2\/media\/upload$/, 'media_upload', uploadStatus),
    {
      method: 'POST',
      pattern: /^\/2\/oauth2\/token$/,
      operation: 'token',
      handler: tokenRoute((req) => auth.token(req)),
    },
    {
      method: 'POST',
      pattern: /^\/2\/oauth2\/revoke$/,
      operation: 'token',
      handler: tokenRoute((req) => auth.revoke(req)),
    },
    // People's pages: never fault-injected.
    { method: 'GET', pattern: /^\/i\/oauth2\/authorize$/, handler: (req) => auth.authorizePage(req.query) },
    { method: 'POST', pattern: /^\/i\/oauth2\/authorize$/, handler: (req) => auth.authorizeDecision(req.body) },
    { method: 'GET', pattern: /^\/i\/web\/status\/(?<id>\d+)$/, handler: statusPage },
  ];

  function renderFault(kind: FaultKind, operation: string): SimResponse {
    const op = (xOperations as readonly string[]).includes(operation) ? (operation as XOperation) : 'publish';
    const limit = options.limits[op];
    if (kind === 'rate_limit') {
      return tooManyRequests(rateHeaders({ limit, remaining: 0, reset: now() + options.faultResetSecs * 1000 }));
    }
    return withHeaders(
      faultBody(kind, op),
      rateHeaders({ limit, remaining: limit - 1, reset: now() + options.windowSecs * 1000 }),
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
        return usageCapped(options.usageCapPeriod, {});
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
    saveState: () => ({ auth: auth.save() }),
    loadState(data) {
      if (typeof data !== 'object' || data === null) throw new Error('expected an object');
      auth.load((data as { auth?: unknown }).auth ?? {});
    },
    reset() {
      auth.reset();
      windows.clear();
      dayWindows.clear();
      media.clear();
    },
  };
}

export const xSimulator = createXSimulator();
