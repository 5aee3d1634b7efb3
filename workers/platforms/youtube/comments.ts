/**
 * The channel's comment inbox: commentThreads.list for reading, comments.insert for replies and
 * setModerationStatus/delete for moderation.
 *
 * Cursor: "<newest publishedAt ISO>|<ids published at exactly that instant>". Threads are read newest first and
 * paging stops at the first thread older than the cursor; a comment published in the same instant as the cursor
 * is only skipped if its id is listed, so none is lost to a timestamp tie. The channel's own comments (our
 * replies) are not inbound and are left out. A known comment its author changed after the cursor (updatedAt) is
 * returned again, with its new text and editedAt, so the edit is registered; it never moves the cursor.
 */
import type { youtube_v3 } from '@googleapis/youtube';
import type { CommentPage, Connection, InboundComment, Published } from '../contract';
import { callOptions, contextFor } from './client';
import { watchUrlFor } from './config';
import type { YoutubeCredentials } from './credentials';
import { toPlatformError } from './errors';

const PAGE_SIZE = 100;
/** Bounds one poll; the cursor picks up the rest next time. */
const MAX_PAGES_PER_TARGET = 5;

interface Cursor {
  at: number;
  ids: string[];
}

export function encodeCommentCursor(cursor: Cursor): string {
  return `${new Date(cursor.at).toISOString()}|${cursor.ids.join(',')}`;
}

export function decodeCommentCursor(value: string | null): Cursor | null {
  if (!value) return null;
  const [iso = '', ids = ''] = value.split('|');
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : { at, ids: ids ? ids.split(',') : [] };
}

function toInbound(comment: youtube_v3.Schema$Comment, fallbackVideoId: string | null): InboundComment | null {
  const s = comment.snippet;
  if (!comment.id || !s?.publishedAt) return null;
  const updated = s.updatedAt ? Date.parse(s.updatedAt) : Number.NaN;
  const edited = !Number.isNaN(updated) && updated > Date.parse(s.publishedAt);
  return {
    externalId: comment.id,
    postExternalId: s.videoId ?? fallbackVideoId,
    parentExternalId: s.parentId ?? null,
    authorId: s.authorChannelId?.value ?? null,
    authorName: s.authorDisplayName ?? '',
    text: s.textOriginal ?? s.textDisplay ?? '',
    createdAt: new Date(s.publishedAt),
    editedAt: edited ? new Date(updated) : null,
  };
}

/** Changed by its author after the cursor: its new text is an edit to register, though the comment itself is known. */
function editedSince(comment: InboundComment, since: Cursor | null): boolean {
  return since !== null && comment.editedAt != null && comment.editedAt.getTime() > since.at;
}

function isNew(comment: InboundComment, since: Cursor | null): boolean {
  if (!since) return true;
  const at = comment.createdAt.getTime();
  return at > since.at || (at === since.at && !since.ids.includes(comment.externalId));
}

export async function fetchYoutubeComments(
  conn: Connection<YoutubeCredentials>,
  opts: { cursor: string | null; postExternalIds: string[] },
): Promise<CommentPage> {
  const ctx = contextFor(conn);
  const since = decodeCommentCursor(opts.cursor);
  const targets: youtube_v3.Params$Resource$Commentthreads$List[] = opts.postExternalIds.length
    ? opts.postExternalIds.map((videoId) => ({ videoId }))
    : [{ allThreadsRelatedToChannelId: conn.accountId }];
  const found = new Map<string, InboundComment>();

  for (const target of targets) {
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES_PER_TARGET; page += 1) {
      let data: youtube_v3.Schema$CommentThreadListResponse;
      try {
        const res = await ctx.yt.commentThreads.list(
          {
            ...target,
            part: ['snippet', 'replies'],
            maxResults: PAGE_SIZE,
            order: 'time',
            textFormat: 'plainText',
            pageToken,
          },
          callOptions(ctx),
        );
        data = res.data;
      } catch (e) {
        throw toPlatformError(e, 'read');
      }
      let reachedOld = false;
      for (const thread of data.items ?? []) {
        const videoId = thread.snippet?.videoId ?? null;
        const top = thread.snippet?.topLevelComment;
        const comments = [top, ...(thread.replies?.comments ?? [])].flatMap((c) => {
          const inbound = c ? toInbound(c, videoId) : null;
          return inbound ? [inbound] : [];
        });
        const first = comments[0];
        if (since && first && !first.parentExternalId && first.createdAt.getTime() < since.at) reachedOld = true;
        for (const c of comments) {
          if (c.authorId !== conn.accountId && (isNew(c, since) || editedSince(c, since))) found.set(c.externalId, c);
        }
      }
      pageToken = data.nextPageToken ?? undefined;
      if (!pageToken || reachedOld) break;
    }
  }

  const comments = [...found.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  // The cursor follows new comments only: an edited old one must not move it back.
  const newest = comments.filter((c) => isNew(c, since)).at(-1);
  if (!newest) return { comments, cursor: opts.cursor };
  const at = newest.createdAt.getTime();
  const tied = comments.filter((c) => c.createdAt.getTime() === at && isNew(c, since)).map((c) => c.externalId);
  const ids = since?.at === at ? [...new Set([...since.ids, ...tied])] : tied;
  return { comments, cursor: encodeCommentCursor({ at, ids }) };
}

export async function replyOnYoutube(
  conn: Connection<YoutubeCredentials>,
  opts: { targetExternalId: string; text: string },
): Promise<Published> {
  const ctx = contextFor(conn);
  // YouTube threads replies only under top-level comments; a reply's id is "<top-level id>.<suffix>", so answering
  // a reply lands in its thread, as it does in YouTube's own interface.
  const parentId = opts.targetExternalId.split('.')[0] ?? opts.targetExternalId;
  try {
    const res = await ctx.yt.comments.insert(
      { part: ['snippet'], requestBody: { snippet: { parentId, textOriginal: opts.text } } },
      callOptions(ctx),
    );
    const id = res.data.id;
    if (!id) throw new Error('comments.insert answered without an id');
    const videoId = res.data.snippet?.videoId;
    return { externalId: id, permalink: videoId ? watchUrlFor(conn.apiBaseUrl, videoId, id) : null };
  } catch (e) {
    throw toPlatformError(e, 'write');
  }
}

/**
 * Hiding holds the comment for review (reversible in YouTube Studio) rather than rejecting it for good;
 * deleting removes it.
 */
export async function moderateYoutubeComment(
  conn: Connection<YoutubeCredentials>,
  opts: { commentExternalId: string; action: 'hide' | 'delete' },
): Promise<void> {
  const ctx = contextFor(conn);
  try {
    if (opts.action === 'hide') {
      await ctx.yt.comments.setModerationStatus(
        { id: [opts.commentExternalId], moderationStatus: 'heldForReview' },
        callOptions(ctx),
      );
    } else {
      await ctx.yt.comments.delete({ id: opts.commentExternalId }, callOptions(ctx));
    }
  } catch (e) {
    throw toPlatformError(e, 'write');
  }
}
