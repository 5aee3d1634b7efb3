/** The Data API routes the adapter uses besides uploads: videos, channels, comment threads and comments. */
import type { SimComment, SimRequest, SimResponse, SimulatorHub } from '../sim/core';
import {
  authenticate,
  checkDescription,
  checkTitle,
  commentResource,
  etag,
  findVideo,
  googleError,
  newCommentId,
  parseJsonBody,
  queryList,
  videoResource,
  type YoutubeSimState,
} from './simulator-state';

const MAX_COMMENT_CHARS = 10_000;

const listResponse = (kind: string, items: unknown[], extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: {
    kind,
    etag: etag(items),
    ...extra,
    pageInfo: { totalResults: items.length, resultsPerPage: items.length },
    items,
  },
});

const videoNotFound = () =>
  googleError(
    404,
    'videoNotFound',
    'The video identified by the <code>id</code> parameter could not be found.',
    'youtube.video',
  );
const forbidden = (what: string) =>
  googleError(403, 'forbidden', `The request is not properly authorized to modify this ${what}.`, 'youtube.common');
const commentNotFound = (reason = 'commentNotFound') =>
  googleError(404, reason, 'The comment could not be found.', 'youtube.comment');

export function listVideos(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const ids = queryList(req, 'id');
  if (ids.length === 0)
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: id.',
      'youtube.parameter',
    );
  const items = ids.flatMap((id) => {
    const post = findVideo(hub, id);
    return post ? [videoResource(post, state)] : [];
  });
  return listResponse('youtube#videoListResponse', items);
}

/** videos.update overwrites every mutable field of each part it names; omitted fields are cleared. */
export function updateVideo(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const parts = queryList(req, 'part');
  const body = parseJsonBody(req) as {
    id?: unknown;
    snippet?: Record<string, unknown>;
    status?: Record<string, unknown>;
  };
  if (!body || typeof body.id !== 'string') {
    return googleError(
      400,
      'invalidVideoMetadata',
      'The request metadata is invalid: id is required.',
      'youtube.video',
    );
  }
  const post = findVideo(hub, body.id);
  if (!post) return videoNotFound();
  if (post.channel !== channelId) return forbidden('video');
  const extra = { ...(post.extra ?? {}) };
  let text = post.text;
  if (parts.includes('snippet')) {
    const snippet = body.snippet ?? {};
    const title = typeof snippet.title === 'string' ? snippet.title : undefined;
    const description = typeof snippet.description === 'string' ? snippet.description : '';
    const bad = checkTitle(title) ?? checkDescription(description);
    if (bad) return bad;
    if (typeof snippet.categoryId !== 'string' || !snippet.categoryId) {
      return googleError(
        400,
        'invalidCategoryId',
        'The snippet.categoryId property specifies an invalid category ID.',
        'youtube.video',
      );
    }
    extra.title = title;
    extra.categoryId = snippet.categoryId;
    extra.tags = Array.isArray(snippet.tags) ? snippet.tags : [];
    text = description;
  }
  if (parts.includes('status')) {
    const privacy = body.status?.privacyStatus;
    if (privacy !== undefined && !['public', 'private', 'unlisted'].includes(String(privacy))) {
      return googleError(400, 'invalidVideoMetadata', 'The request metadata is invalid.', 'youtube.video');
    }
    extra.privacyStatus = privacy ?? 'private';
  }
  post.text = text;
  post.extra = extra;
  return { status: 200, body: videoResource(post, state) };
}

export function deleteVideo(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const post = findVideo(hub, req.query.get('id') ?? '');
  if (!post) return videoNotFound();
  if (post.channel !== channelId) return forbidden('video');
  post.deleted = true;
  return { status: 204 };
}

export function listChannels(req: SimRequest, _hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const ids = req.query.get('mine') === 'true' ? [channelId] : queryList(req, 'id');
  const items = ids.flatMap((id) => {
    const channel = state.channel(id);
    if (!channel) return [];
    const resource = {
      kind: 'youtube#channel',
      id: channel.id,
      snippet: { title: channel.title, description: '', customUrl: `@${channel.handle}` },
    };
    return [{ ...resource, etag: etag(resource) }];
  });
  return listResponse('youtube#channelListResponse', items);
}

function visible(comment: SimComment, hub: SimulatorHub, state: YoutubeSimState, moderation: string): boolean {
  if (comment.platform !== 'youtube' || comment.deleted || !comment.postId || !findVideo(hub, comment.postId))
    return false;
  return (state.moderation.get(comment.id) ?? 'published') === moderation;
}

export function listCommentThreads(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const videoId = req.query.get('videoId');
  const relatedTo = req.query.get('allThreadsRelatedToChannelId');
  const ids = queryList(req, 'id');
  const moderation = req.query.get('moderationStatus') ?? 'published';
  if (videoId && !findVideo(hub, videoId)) return videoNotFound();
  if (!videoId && !relatedTo && ids.length === 0) {
    return googleError(400, 'missingRequiredParameter', 'No filter selected.', 'youtube.parameter');
  }
  const maxResults = Math.min(Math.max(Number(req.query.get('maxResults') ?? 20) || 20, 1), 100);
  const offset = Number(Buffer.from(req.query.get('pageToken') ?? '', 'base64url').toString() || 0) || 0;
  const withReplies = queryList(req, 'part').includes('replies');

  const threads = hub.comments
    .filter((c) => !c.parentId && visible(c, hub, state, moderation))
    .filter((c) => (videoId ? c.postId === videoId : relatedTo ? c.channel === relatedTo : ids.includes(c.id)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const page = threads.slice(offset, offset + maxResults).map((top) => {
    const replies = hub.comments
      .filter((c) => c.parentId === top.id && visible(c, hub, state, 'published'))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const resource = {
      kind: 'youtube#commentThread',
      id: top.id,
      snippet: {
        channelId: top.channel,
        videoId: top.postId,
        topLevelComment: commentResource(top, state),
        canReply: true,
        totalReplyCount: replies.length,
        isPublic: true,
      },
      ...(withReplies && replies.length
        ? { replies: { comments: replies.map((r) => commentResource(r, state)) } }
        : {}),
    };
    return { ...resource, etag: etag(resource) };
  });
  const next =
    offset + maxResults < threads.length ? Buffer.from(String(offset + maxResults)).toString('base64url') : null;
  return listResponse('youtube#commentThreadListResponse', page, next ? { nextPageToken: next } : {});
}

function authorOf(state: YoutubeSimState, channelId: string) {
  return { author: state.channel(channelId)?.title ?? channelId, authorId: channelId };
}

function checkText(text: unknown): SimResponse | string {
  if (typeof text !== 'string' || !text.trim()) {
    return googleError(
      400,
      'commentTextRequired',
      'The comment resource must contain a value for snippet.textOriginal.',
      'youtube.comment',
    );
  }
  if ([...text].length > MAX_COMMENT_CHARS) {
    return googleError(400, 'commentTextTooLong', 'The comment text is too long.', 'youtube.comment');
  }
  return text;
}

/** POST commentThreads: a new top-level comment by the token's channel. */
export function insertCommentThread(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const body = parseJsonBody(req) as {
    snippet?: { videoId?: unknown; topLevelComment?: { snippet?: { textOriginal?: unknown } } };
  };
  const video = findVideo(hub, String(body?.snippet?.videoId ?? ''));
  if (!video) return videoNotFound();
  const text = checkText(body?.snippet?.topLevelComment?.snippet?.textOriginal);
  if (typeof text !== 'string') return text;
  const comment = hub.addComment({
    platform: 'youtube',
    channel: video.channel,
    id: newCommentId(),
    postId: video.id,
    parentId: null,
    ...authorOf(state, channelId),
    text,
    fromOwner: channelId === video.channel,
  });
  const thread = {
    kind: 'youtube#commentThread',
    id: comment.id,
    snippet: {
      channelId: video.channel,
      videoId: video.id,
      topLevelComment: commentResource(comment, state),
      canReply: true,
      totalReplyCount: 0,
      isPublic: true,
    },
  };
  return { status: 200, body: { ...thread, etag: etag(thread) } };
}

/** POST comments: a reply; YouTube only threads replies under top-level comments. */
export function insertReply(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const body = parseJsonBody(req) as { snippet?: { parentId?: unknown; textOriginal?: unknown } };
  const parentId = String(body?.snippet?.parentId ?? '');
  const parent = hub.comments.find((c) => c.platform === 'youtube' && c.id === parentId && !c.deleted);
  if (!parent || !parent.postId || !findVideo(hub, parent.postId)) return commentNotFound('parentCommentNotFound');
  if (parent.parentId) {
    return googleError(
      400,
      'operationNotSupported',
      'Replies can only be added to top-level comments.',
      'youtube.comment',
    );
  }
  const text = checkText(body?.snippet?.textOriginal);
  if (typeof text !== 'string') return text;
  const comment = hub.addComment({
    platform: 'youtube',
    channel: parent.channel,
    id: `${parent.id}.${newCommentId().slice(3, 25)}`,
    postId: parent.postId,
    parentId: parent.id,
    ...authorOf(state, channelId),
    text,
    fromOwner: channelId === parent.channel,
  });
  return { status: 200, body: commentResource(comment, state) };
}

const moderationStatuses = ['heldForReview', 'published', 'rejected'];

export function setModerationStatus(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const status = req.query.get('moderationStatus') ?? '';
  if (!moderationStatuses.includes(status)) {
    return googleError(
      400,
      'invalidModerationStatus',
      'The moderationStatus parameter is invalid.',
      'youtube.parameter',
    );
  }
  const ids = queryList(req, 'id');
  const comments = ids.map((id) => hub.comments.find((c) => c.platform === 'youtube' && c.id === id && !c.deleted));
  if (ids.length === 0 || comments.some((c) => !c)) return commentNotFound();
  // Only the channel that owns the video moderates its comments.
  if (comments.some((c) => c?.channel !== channelId)) return forbidden('comment');
  for (const c of comments) {
    if (!c) continue;
    c.hidden = status !== 'published';
    if (c.hidden) state.moderation.set(c.id, status);
    else state.moderation.delete(c.id);
  }
  return { status: 204 };
}

export function deleteComment(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const comment = hub.comments.find((c) => c.platform === 'youtube' && c.id === req.query.get('id') && !c.deleted);
  if (!comment) return commentNotFound();
  if (comment.authorId !== channelId && comment.channel !== channelId) return forbidden('comment');
  comment.deleted = true;
  return { status: 204 };
}
