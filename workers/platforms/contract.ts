/**
 * The one small contract every platform adapter implements. The delivery pipeline, the inbox and the
 * channel pages only ever talk to platforms through this file's types.
 */
import type { ErrorClass } from '../../common/platforms';

export { platforms, errorClasses } from '../../common/platforms';
export type { Platform, ErrorClass } from '../../common/platforms';

export interface PlatformErrorDetails {
  /** When the platform says we may try again (rate_limited, quota_exhausted). */
  retryAt?: Date;
  httpStatus?: number;
  /** The platform's own error code/subcode/reason, e.g. "506", "9/2207042", "quotaExceeded". */
  platformCode?: string;
}

/**
 * A classified platform failure. `message` is safe to show and store: it never contains credentials.
 * For invalid_content it is a Swedish sentence a communications officer can act on.
 */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    readonly details: PlatformErrorDetails = {},
  ) {
    super(message);
  }
}

export function isPlatformError(e: unknown): e is PlatformError {
  return e instanceof PlatformError;
}

/** Media as the adapter needs it: bytes for upload-style APIs, a public URL for fetch-style APIs (Instagram). */
export interface MediaItem {
  kind: 'image' | 'video';
  mimeType: string;
  filename: string;
  data: Buffer;
  /** A URL the platform itself can fetch the file from (Instagram requires one). */
  publicUrl?: string;
  /** Description for people who cannot see the image (required by the composer for every image). */
  altText?: string;
  width?: number;
  height?: number;
}

export interface PublishRequest {
  /** Our delivery id; adapters may use it as a reconciliation marker. */
  deliveryId: string;
  text: string;
  link?: string | null;
  /** YouTube title. */
  title?: string | null;
  /** YouTube privacy status; default public. */
  privacy?: 'public' | 'unlisted' | 'private';
  media: MediaItem[];
  /** Platform id of the post this one replies to (threads). */
  replyToExternalId?: string | null;
}

/** Opaque per-platform progress saved durably before an irreversible step (IG container id, YouTube session URI). */
export type Checkpoint = Record<string, string>;

export interface PublishHooks {
  /** Persist the checkpoint; it must be durable when the promise resolves. */
  checkpoint(data: Checkpoint): Promise<void>;
  /** What an earlier attempt of this same delivery saved, if anything. */
  previous: Checkpoint | null;
  signal?: AbortSignal;
}

export interface Published {
  externalId: string;
  permalink: string | null;
}

export type Lookup =
  | ({ status: 'published' } & Published)
  | { status: 'not_published' }
  | { status: 'unknown'; reason: string };

export interface LookupHints {
  checkpoint: Checkpoint | null;
  /** When the first attempt that may have reached the platform started. */
  sentAfter: Date;
}

export interface InboundComment {
  externalId: string;
  /** Platform id of our post the comment is on (null for a mention not on one of our posts). */
  postExternalId: string | null;
  parentExternalId: string | null;
  authorId: string | null;
  authorName: string;
  text: string;
  createdAt: Date;
  /**
   * When the platform says its author last changed the text (YouTube's updatedAt); absent or null when it was not
   * changed or the platform does not tell. A known comment seen with new text is an edit (workers/lib/inbox.ts).
   */
  editedAt?: Date | null;
}

export interface CommentPage {
  comments: InboundComment[];
  /** Opaque cursor to pass next time; null when the platform gave none. */
  cursor: string | null;
}

/** The OAuth app a channel's tokens were issued to; refreshing needs it. X public clients have no secret. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** A connected channel as an adapter sees it. */
export interface Connection<C> {
  channelId: string;
  /** The platform's id for the account: X user id, Page id, IG user id, YouTube channel id. */
  accountId: string;
  /** Base URL of the platform API; a simulator URL such as http://127.0.0.1:4010/x in demo and tests, null for the real platform. */
  apiBaseUrl: string | null;
  credentials: C;
  /** Per-request timeout; a request that times out after it was sent is outcome_unknown. Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * The OAuth app, for refreshCredentials (X, YouTube): the caller passes `oauthClientFor(channel, config)`. Adapters
   * never pick one themselves, so a simulator channel differs from a real one only in this value and apiBaseUrl.
   */
  oauthClient?: OAuthClient | null;
}

export interface TokenGrant<C> {
  credentials: C;
  /** The account the grant is for, as the platform reports it. */
  accountId: string;
  accountName: string;
}

export interface PlatformAdapter<C> {
  publish(conn: Connection<C>, req: PublishRequest, hooks: PublishHooks): Promise<Published>;
  /** Does the platform have this delivery's post? Never guesses: 'unknown' when it cannot tell. */
  lookup(conn: Connection<C>, req: PublishRequest, hints: LookupHints): Promise<Lookup>;
  deletePost(conn: Connection<C>, externalId: string): Promise<void>;
  fetchComments(conn: Connection<C>, opts: { cursor: string | null; postExternalIds: string[] }): Promise<CommentPage>;
  reply(conn: Connection<C>, opts: { targetExternalId: string; text: string }): Promise<Published>;
  moderateComment(conn: Connection<C>, opts: { commentExternalId: string; action: 'hide' | 'delete' }): Promise<void>;
  /** Returns fresh credentials; callers must store them atomically before using them (X refresh tokens are single-use). */
  refreshCredentials(conn: Connection<C>): Promise<C>;
  /** When the credentials should be refreshed, or null if they never expire. */
  refreshDueAt(credentials: C): Date | null;
}

/** What the limit checks look at: the composer's live feedback, the CLI's `utrop check` and the worker's last check. */
export interface DraftMedia {
  kind: 'image' | 'video';
  mimeType: string;
  sizeBytes: number;
  width?: number;
  height?: number;
}

export interface Draft {
  text: string;
  link?: string | null;
  title?: string | null;
  media: DraftMedia[];
}

export interface LimitProblem {
  code: string;
  /** In the requested locale (Swedish by default). */
  message: string;
}

export interface LimitReport {
  ok: boolean;
  length: number;
  limit: number;
  problems: LimitProblem[];
}

export interface AuthorizeInput {
  apiBaseUrl: string | null;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
}

export interface CodeExchangeInput {
  apiBaseUrl: string | null;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  codeVerifier: string;
}

/** The platform's own authorisation flow for connecting a channel (OAuth 2.0 + PKCE, Facebook Login). */
// The type parameter documents which credentials a flow yields; grants are validated with the credentials schema.
export interface AuthorizationFlow<_C> {
  authorizeUrl(opts: AuthorizeInput): string;
  /** Several grants when the user administers several Pages/IG accounts; the admin picks one. */
  exchangeCode(opts: CodeExchangeInput): Promise<TokenGrant<unknown>[]>;
}
