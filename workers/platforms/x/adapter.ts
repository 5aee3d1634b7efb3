/**
 * The X adapter: the real twitter-api-v2 client with OAuth 2.0 user tokens, pointed at conn.apiBaseUrl when
 * set (the simulator) and at api.x.com otherwise. Every failure leaves here as a PlatformError.
 */
import {
  ApiResponseError,
  type SendTweetV2Params,
  type TweetV2,
  type TweetV2UserTimelineResult,
  type TwitterApi,
  type UserV2,
} from 'twitter-api-v2';
import {
  PlatformError,
  type CommentPage,
  type Connection,
  type InboundComment,
  type Lookup,
  type PlatformAdapter,
  type Published,
  type PublishRequest,
} from '../contract';
import { DEFAULT_TIMEOUT_MS, createXClient, permalinkFor, type RequestContext } from './client';
import type { XCredentials } from './credentials';
import { toPlatformError, type ErrorContext } from './errors';
import { checkXLimits, composeXText, X_LIMITS, X_MAX_ALT_TEXT } from './limits';
import { expandedText, sameText } from './match';

/** Proactive refresh margin: X access tokens live two hours. */
const REFRESH_MARGIN_MS = 10 * 60_000;
/** Upper bound for the client's media processing polls (it sleeps check_after_secs between them). */
const MEDIA_PROCESSING_MAX_MS = 10 * 60_000;
/** Reconciliation looks this far before the first attempt, for clock skew between us and X. */
const LOOKUP_SKEW_MS = 60_000;
/**
 * Pages per listing. Mentions come newest first down to since_id, so a poll that stops early would skip the
 * middle for good; 1,000 mentions between two polls is far beyond what a municipality's account receives.
 */
const MAX_PAGES = 10;
const MENTION_FIELDS = {
  'tweet.fields': 'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities',
  expansions: 'author_id,referenced_tweets.id',
  'user.fields': 'name,username',
};

type Options = Omit<ErrorContext, 'tracker'> & { signal?: AbortSignal };

/** Runs `fn` with a client for the connection's user token and classifies whatever it throws. */
async function withClient<T>(
  conn: Connection<XCredentials>,
  options: Options,
  fn: (client: TwitterApi) => Promise<T>,
): Promise<T> {
  const ctx: RequestContext = {
    apiBaseUrl: conn.apiBaseUrl,
    timeoutMs: conn.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: options.signal,
  };
  const { client, tracker } = createXClient(conn.credentials.accessToken, ctx);
  try {
    return await fn(client);
  } catch (e) {
    throw toPlatformError(e, { ...options, tracker });
  }
}

function abortedBeforeStart(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PlatformError('transient', 'Publiceringen till X avbröts innan något skickades.');
}

/** Our OAuth client: refresh needs it and the tokens do not carry it; the caller puts it on the connection. */
function oauthClient(conn: Connection<XCredentials>): { clientId: string; clientSecret?: string } {
  if (conn.oauthClient) return conn.oauthClient;
  throw new PlatformError('auth_expired', 'X-klientens id (X_CLIENT_ID) saknas, så inloggningen kan inte förnyas.');
}

async function uploadAll(conn: Connection<XCredentials>, req: PublishRequest, signal?: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  const deadline = AbortSignal.timeout(MEDIA_PROCESSING_MAX_MS);
  const uploadSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
  for (const item of req.media) {
    const id = await withClient(
      conn,
      {
        // Media that is not attached to a post yet publishes nothing: repeating an upload is always safe.
        ambiguousAfterSend: false,
        signal: uploadSignal,
        describeInvalid: () => `X tog inte emot filen ${item.filename}.`,
      },
      async (client) => {
        try {
          return await client.v2.uploadMedia(item.data, { media_type: uploadMimeType(item.mimeType.toLowerCase()) });
        } catch (e) {
          // The client reports failed processing as a plain Error ("Media processing failed: …").
          if (e instanceof Error && e.message.startsWith('Media processing failed')) {
            throw new PlatformError('invalid_content', `X kunde inte bearbeta filen ${item.filename}.`, {
              platformCode: 'media-processing-failed',
            });
          }
          throw e;
        }
      },
    );
    if (item.kind === 'image' && item.altText) {
      const alt = Array.from(item.altText).slice(0, X_MAX_ALT_TEXT).join('');
      await withClient(
        conn,
        // Metadata on media not yet attached publishes nothing: repeating it is safe.
        { ambiguousAfterSend: false, signal: uploadSignal, describeInvalid: () => `X tog inte emot bildbeskrivningen för ${item.filename}.` },
        (client) => client.v2.createMediaMetadata(id, { alt_text: { text: alt } }),
      );
    }
    ids.push(id);
  }
  return ids;
}

type UploadMimeType = Parameters<TwitterApi['v2']['uploadMedia']>[1]['media_type'];

function uploadMimeType(mimeType: string): UploadMimeType {
  const accepted: readonly string[] = [...X_LIMITS.imageMimeTypes, ...X_LIMITS.videoMimeTypes];
  if (!accepted.includes(mimeType)) {
    throw new PlatformError('invalid_content', `X tar inte emot filformatet ${mimeType}.`, {
      platformCode: 'media-format',
    });
  }
  // Checked against X's list just above, which is a subset of the client's accepted types.
  return mimeType as UploadMimeType;
}

function published(conn: Connection<XCredentials>, id: string): Published {
  return { externalId: id, permalink: permalinkFor(conn.apiBaseUrl, id) };
}

function mediaIds(ids: string[]): SendTweetV2Params['media'] {
  // The client types media_ids as 1–4 tuples; the limit check has already capped the count at four.
  return ids.length > 0 ? { media_ids: ids as [string] } : undefined;
}

function startTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function authorName(user: UserV2 | undefined, fallback: string | undefined): string {
  if (!user) return fallback ?? 'okänd';
  return user.name && user.name !== user.username ? `${user.name} (@${user.username})` : `@${user.username}`;
}

function toComment(
  tweet: TweetV2,
  page: TweetV2UserTimelineResult,
  accountId: string,
  ours: Set<string>,
): InboundComment {
  const parentId = tweet.referenced_tweets?.find((r) => r.type === 'replied_to')?.id ?? null;
  const parent = parentId ? page.includes?.tweets?.find((t) => t.id === parentId) : undefined;
  let postExternalId: string | null = null;
  if (tweet.conversation_id && ours.has(tweet.conversation_id)) postExternalId = tweet.conversation_id;
  else if (parentId && ours.has(parentId)) postExternalId = parentId;
  // A reply to a post of ours that the caller did not list (older than its window): still ours.
  else if (parent?.author_id === accountId) postExternalId = parent.conversation_id ?? parent.id;
  // An edited post has a new id per version; the first version's id is the comment's identity, so the inbox
  // registers the new text as an edit of the comment it already has (ADR 036), not as a new comment.
  const history = tweet.edit_history_tweet_ids ?? [];
  const edited = history.length > 1;
  return {
    externalId: history[0] ?? tweet.id,
    postExternalId,
    parentExternalId: parentId,
    authorId: tweet.author_id ?? null,
    authorName: authorName(
      page.includes?.users?.find((u) => u.id === tweet.author_id),
      tweet.author_id,
    ),
    text: expandedText(tweet),
    createdAt: tweet.created_at ? new Date(tweet.created_at) : new Date(),
    ...(edited && tweet.created_at ? { editedAt: new Date(tweet.created_at) } : {}),
  };
}

export const xAdapter: PlatformAdapter<XCredentials> = {
  async publish(conn, req, hooks) {
    abortedBeforeStart(hooks.signal);
    // Checked before any upload: a 512 MB video should not go up only for X to refuse the text.
    const report = checkXLimits({
      text: req.text,
      link: req.link,
      media: req.media.map((m) => ({ kind: m.kind, mimeType: m.mimeType, sizeBytes: m.data.length })),
    });
    if (!report.ok) {
      throw new PlatformError('invalid_content', report.problems.map((p) => p.message).join(' '), {
        platformCode: report.problems.map((p) => p.code).join(','),
      });
    }
    const ids = await uploadAll(conn, req, hooks.signal);
    const text = composeXText(req);
    const payload: SendTweetV2Params = {
      ...(text.trim() !== '' ? { text } : {}),
      media: mediaIds(ids),
      ...(req.replyToExternalId ? { reply: { in_reply_to_tweet_id: req.replyToExternalId } } : {}),
    };
    const result = await withClient(
      conn,
      {
        ambiguousAfterSend: true,
        signal: hooks.signal,
        describeInvalid: () => {
          const problems = checkXLimits({ text: req.text, link: req.link, media: [] }).problems;
          return problems.length > 0 ? problems.map((p) => p.message).join(' ') : null;
        },
      },
      (client) => client.v2.tweet(payload),
    );
    return published(conn, result.data.id);
  },

  async lookup(conn, req, hints) {
    const sent = composeXText(req);
    const since = new Date(hints.sentAfter.getTime() - LOOKUP_SKEW_MS);
    try {
      return await withClient(conn, { ambiguousAfterSend: false }, async (client): Promise<Lookup> => {
        let paginationToken: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
          const result = await client.v2.get<TweetV2UserTimelineResult>(
            'users/:id/tweets',
            {
              max_results: 100,
              start_time: startTime(since),
              pagination_token: paginationToken,
              'tweet.fields': 'created_at,entities,referenced_tweets',
            },
            { params: { id: conn.accountId } },
          );
          const match = (result.data ?? []).find((tweet) => {
            const createdAt = tweet.created_at ? Date.parse(tweet.created_at) : NaN;
            const replyTo = tweet.referenced_tweets?.find((r) => r.type === 'replied_to')?.id ?? null;
            return createdAt >= since.getTime() && sameText(sent, tweet) && (req.replyToExternalId ?? null) === replyTo;
          });
          if (match) return { status: 'published', ...published(conn, match.id) };
          paginationToken = result.meta?.next_token;
          if (!paginationToken) return { status: 'not_published' };
        }
        return { status: 'unknown', reason: 'För många inlägg på X sedan försöket för att kunna avgöra.' };
      });
    } catch (e) {
      // "Cannot tell" is not "not published" (platforms.md §7.4).
      return {
        status: 'unknown',
        reason: toPlatformError(e, { ambiguousAfterSend: false, tracker: { connected: false } }).message,
      };
    }
  },

  async deletePost(conn, externalId) {
    await withClient(conn, { ambiguousAfterSend: true }, async (client) => {
      try {
        await client.v2.deleteTweet(externalId);
      } catch (e) {
        // Already gone is what the caller wanted.
        if (e instanceof ApiResponseError && e.code === 404) return;
        throw e;
      }
    });
  },

  async fetchComments(conn, opts): Promise<CommentPage> {
    const ours = new Set(opts.postExternalIds);
    return withClient(conn, { ambiguousAfterSend: false }, async (client) => {
      const comments: InboundComment[] = [];
      let newest: string | null = null;
      let paginationToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await client.v2.get<TweetV2UserTimelineResult>(
          'users/:id/mentions',
          {
            max_results: 100,
            since_id: opts.cursor ?? undefined,
            pagination_token: paginationToken,
            ...MENTION_FIELDS,
          },
          { params: { id: conn.accountId } },
        );
        // Pages run newest to oldest, so the first page's newest id is the next since_id.
        newest ??= result.meta?.newest_id ?? null;
        for (const tweet of result.data ?? []) {
          if (tweet.author_id === conn.accountId) continue;
          comments.push(toComment(tweet, result, conn.accountId, ours));
        }
        paginationToken = result.meta?.next_token;
        if (!paginationToken) break;
      }
      return { comments, cursor: newest ?? opts.cursor };
    });
  },

  async reply(conn, opts) {
    const result = await withClient(
      conn,
      {
        ambiguousAfterSend: true,
        describeInvalid: () => {
          const problems = checkXLimits({ text: opts.text, media: [] }).problems;
          return problems.length > 0 ? problems.map((p) => p.message).join(' ') : null;
        },
      },
      (client) => client.v2.reply(opts.text, opts.targetExternalId),
    );
    return published(conn, result.data.id);
  },

  async moderateComment(conn, opts) {
    if (opts.action === 'hide') {
      await withClient(
        conn,
        {
          ambiguousAfterSend: false,
          describeInvalid: () => 'X låter bara kontot dölja svar i konversationer som kontot själv har startat.',
        },
        async (client) => {
          try {
            await client.v2.hideReply(opts.commentExternalId, true);
          } catch (e) {
            // A deleted comment is as invisible as a hidden one.
            if (e instanceof ApiResponseError && e.code === 404) return;
            throw e;
          }
        },
      );
      return;
    }
    await withClient(
      conn,
      {
        ambiguousAfterSend: true,
        describeInvalid: () => 'X låter bara kontot ta bort sina egna inlägg och svar. Dölj kommentaren i stället.',
      },
      async (client) => {
        try {
          await client.v2.deleteTweet(opts.commentExternalId);
        } catch (e) {
          if (e instanceof ApiResponseError && e.code === 404) return;
          throw e;
        }
      },
    );
  },

  async refreshCredentials(conn) {
    const refreshToken = conn.credentials.refreshToken;
    if (!refreshToken) {
      throw new PlatformError('auth_expired', 'X-kontot saknar förnyelsenyckel. Anslut kontot igen.');
    }
    const ctx: RequestContext = { apiBaseUrl: conn.apiBaseUrl, timeoutMs: conn.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    const { client, tracker } = createXClient(oauthClient(conn), ctx);
    try {
      const result = await client.refreshOAuth2Token(refreshToken);
      return {
        accessToken: result.accessToken,
        // The old refresh token is spent now; X always returns the next one when offline.access was granted.
        refreshToken: result.refreshToken ?? null,
        expiresAt: new Date(Date.now() + result.expiresIn * 1000).toISOString(),
      };
    } catch (e) {
      // A lost answer leaves the old token possibly spent; retrying tells (success or auth_expired).
      throw toPlatformError(e, { ambiguousAfterSend: false, tracker, tokenEndpoint: true });
    }
  },

  refreshDueAt(credentials) {
    if (!credentials.expiresAt) return null;
    return new Date(Date.parse(credentials.expiresAt) - REFRESH_MARGIN_MS);
  },
};
