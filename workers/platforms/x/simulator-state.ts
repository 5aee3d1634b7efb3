/**
 * The X simulator's state and the helpers every route shares: options, per-user rate-limit windows, media uploads,
 * the token authority, finding tweets and replies in the hub, and the bearer/scope/rate-limit wrapper for routes.
 * Split the way YouTube's simulator is (simulator-state / -api / -upload / simulator).
 */
import { createHash } from 'node:crypto';
import type { SimComment, SimPost, SimRequest, SimResponse, SimRoute, SimulatorHub } from '../sim/core';
import { X_LIMITS } from './limits';
import { XTokenAuthority, xAccounts, type TokenClaims } from './sim-oauth';
import { problem, PROBLEM_TYPE, tooManyRequests, unauthorized, type TweetRecord } from './sim-wire';

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
export const requiredScopes: Record<Exclude<XOperation, 'token'>, string[]> = {
  publish: ['tweet.read', 'tweet.write', 'users.read'],
  delete: ['tweet.read', 'tweet.write', 'users.read'],
  list: ['tweet.read', 'users.read'],
  mentions: ['tweet.read', 'users.read'],
  hide: ['tweet.read', 'tweet.moderate.write', 'users.read'],
  media_upload: ['media.write'],
  me: ['tweet.read', 'users.read'],
};

export type MediaCategory = 'tweet_image' | 'tweet_gif' | 'tweet_video';
export type ProcessingState = 'pending' | 'in_progress' | 'succeeded' | 'failed';

export interface SimMedia {
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
  altText?: string;
}

export interface Window {
  start: number;
  count: number;
}

export interface Quota {
  limit: number;
  remaining: number;
  reset: number;
}

export const now = (): number => Date.now();
export const epoch = (ms: number): string => String(Math.ceil(ms / 1000));

export function take(
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

export function withHeaders(out: SimResponse, headers: Record<string, string>): SimResponse {
  return { ...out, headers: { ...headers, ...out.headers } };
}

export function rateHeaders(q: Quota): Record<string, string> {
  return {
    'x-rate-limit-limit': String(q.limit),
    'x-rate-limit-remaining': String(q.remaining),
    'x-rate-limit-reset': epoch(q.reset),
  };
}

export function dayHeaders(q: Quota): Record<string, string> {
  return {
    'x-user-limit-24hour-limit': String(q.limit),
    'x-user-limit-24hour-remaining': String(q.remaining),
    'x-user-limit-24hour-reset': epoch(q.reset),
  };
}

/** Stable numeric ids for injected comment authors, so includes.users is consistent across calls. */
export function authorIdFor(handle: string): string {
  const n = BigInt(`0x${createHash('sha256').update(handle.toLowerCase()).digest('hex').slice(0, 15)}`);
  return String((n % 10n ** 18n) + 10n ** 18n);
}

export function categoryOf(mimeType: string): MediaCategory | null {
  if (mimeType === 'image/gif') return 'tweet_gif';
  if ((X_LIMITS.imageMimeTypes as readonly string[]).includes(mimeType)) return 'tweet_image';
  if ((X_LIMITS.videoMimeTypes as readonly string[]).includes(mimeType)) return 'tweet_video';
  return null;
}

export const maxBytes: Record<MediaCategory, number> = {
  tweet_image: X_LIMITS.maxImageBytes,
  tweet_gif: X_LIMITS.maxGifBytes,
  tweet_video: X_LIMITS.maxVideoBytes,
};
export const keyPrefix: Record<MediaCategory, string> = { tweet_image: '3', tweet_gif: '16', tweet_video: '7' };

export type XSimulatorOverrides = Partial<Omit<XSimulatorOptions, 'limits'>> & {
  limits?: Partial<Record<XOperation, number>>;
};

export class XSimState {
  readonly options: XSimulatorOptions;
  readonly auth: XTokenAuthority;
  readonly windows = new Map<string, Window>();
  readonly dayWindows = new Map<string, Window>();
  readonly media = new Map<string, SimMedia>();

  constructor(overrides: XSimulatorOverrides) {
    this.options = {
      ...defaultXSimulatorOptions,
      ...overrides,
      limits: { ...defaultXSimulatorOptions.limits, ...overrides.limits },
    };
    this.auth = new XTokenAuthority(this.options);
  }

  reset(): void {
    this.auth.reset();
    this.windows.clear();
    this.dayWindows.clear();
    this.media.clear();
  }
}

export const xPosts = (hub: SimulatorHub): SimPost[] => hub.posts.filter((p) => p.platform === 'x');
export const xComments = (hub: SimulatorHub): SimComment[] => hub.comments.filter((c) => c.platform === 'x');

export type Found = { kind: 'post'; post: SimPost } | { kind: 'comment'; comment: SimComment };
export function find(hub: SimulatorHub, id: string): Found | null {
  const post = xPosts(hub).find((p) => p.id === id && !p.deleted);
  if (post) return { kind: 'post', post };
  // Any version's id finds the post (X keeps answering for the ids of earlier versions).
  const comment = xComments(hub).find((c) => (c.id === id || c.editHistory?.includes(id)) && !c.deleted && !c.fromOwner);
  return comment ? { kind: 'comment', comment } : null;
}

export function authorOf(found: Found): string {
  return found.kind === 'post' ? found.post.channel : found.comment.authorId;
}

/** The root of the reply chain, as X's conversation_id. */
export function conversationOf(hub: SimulatorHub, id: string, depth = 0): string {
  const found = find(hub, id);
  const parent =
    found?.kind === 'post' ? found.post.replyTo : found?.kind === 'comment' ? found.comment.parentId : null;
  return parent && depth < 100 ? conversationOf(hub, parent, depth + 1) : id;
}

export function record(s: XSimState, hub: SimulatorHub, found: Found): TweetRecord {
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
      mediaKeys: p.media.map((m) => s.media.get(m.id)?.key ?? m.id),
    };
  }
  const c = found.comment;
  const target = c.parentId ? find(hub, c.parentId) : null;
  // An edited post is its newest version: that version's id and time, and the ids of all versions.
  const edited = c.editHistory && c.editHistory.length > 0;
  return {
    id: edited ? c.editHistory!.at(-1)! : c.id,
    ...(edited ? { editHistory: [c.id, ...c.editHistory!] } : {}),
    text: c.text,
    authorId: c.authorId,
    createdAt: edited ? (c.updatedAt ?? c.createdAt) : c.createdAt,
    conversationId: conversationOf(hub, c.id),
    replyTo: c.parentId,
    inReplyToUserId: target ? authorOf(target) : null,
    mediaKeys: [],
  };
}

export function userObject(hub: SimulatorHub, id: string): Record<string, string> | null {
  const account = xAccounts().find((a) => a.accountId === id);
  if (account) return { id, name: account.name, username: account.handle };
  const author = xComments(hub).find((c) => c.authorId === id);
  return author ? { id, name: author.author, username: author.author } : null;
}

/** Wraps a route with X's bearer check, per-user rate limit, scope check and rate-limit headers. */
export function api(
  s: XSimState,
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
      const user = s.auth.bearer(req.headers);
      if (!user) {
        // Counted nowhere (there is no user), but X's headers are on every answer.
        const limit = s.options.limits[operation];
        return withHeaders(
          unauthorized(),
          rateHeaders({ limit, remaining: limit, reset: now() + s.options.windowSecs * 1000 }),
        );
      }
      const quota = take(s.windows, `${user.sub}:${operation}`, s.options.limits[operation], s.options.windowSecs);
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
