/**
 * The YouTube simulator, mounted at /youtube on the hub, so a client rootUrl of http://host:port/youtube/ gives
 * /youtube/youtube/v3/... and /youtube/upload/youtube/v3/... exactly as on Google's hosts.
 *
 * Fault operations: 'upload_start' (session create, multipart), 'publish' (every PUT on a session URI, probes
 * included, since they share the URI), 'probe' (status probes only), 'update', 'delete', 'list', 'comments',
 * 'reply' (comments and commentThreads inserts), 'hide' (setModerationStatus and comment delete), 'token', 'channels'.
 * A 'duplicate' fault answers 503 backendError: YouTube has no duplicate detection, so nothing maps to duplicate.
 * Settings (daily upload quota, per-channel cap, session lifetime) can be read and changed at /youtube/_sim/settings;
 * reset restores the ones the simulator was created with.
 */
import { z } from 'zod';
import type { FaultKind, PlatformSimulator, SimComment, SimRequest, SimResponse, SimulatorHub } from '../sim/core';
import {
  deleteComment,
  deleteVideo,
  insertCommentThread,
  insertReply,
  listChannels,
  listCommentThreads,
  listVideos,
  setModerationStatus,
  updateVideo,
} from './simulator-api';
import { escapeHtml, postPage } from '../sim/html';
import { authorizeDecision, authorizePage, tokenEndpoint } from './simulator-oauth';
import {
  authError,
  defaultYoutubeSimSettings,
  findVideo,
  googleError,
  newCommentId,
  parseJsonBody,
  YoutubeSimState,
  type YoutubeSimSettings,
} from './simulator-state';
import { makeUploadPut, startUpload } from './simulator-upload';

export type { YoutubeSimSettings } from './simulator-state';

const settingsPatch = z
  .object({
    dailyUploadLimit: z.number().int().min(0),
    channelUploadCap: z.number().int().min(0).nullable(),
    sessionTtlMs: z.number().int().min(0),
  })
  .partial();

export interface YoutubeSimulator extends PlatformSimulator {
  settings(): YoutubeSimSettings;
  configure(patch: Partial<YoutubeSimSettings>): void;
}

function renderFault(kind: FaultKind, operation: string): SimResponse {
  if (operation === 'token') {
    // The token endpoint speaks OAuth's {error, error_description}, not the Data API's error object.
    if (kind === 'auth_expired')
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } };
    if (kind === 'rate_limit' || kind === 'quota_exhausted') {
      return { status: 429, body: { error: 'rate_limit_exceeded', error_description: 'Rate limit exceeded.' } };
    }
    return { status: 503, body: { error: 'internal_failure', error_description: 'Backend Error' } };
  }
  switch (kind) {
    case 'rate_limit':
      return googleError(
        403,
        'rateLimitExceeded',
        'The request cannot be completed because you have exceeded your rate limit.',
        'usageLimits',
      );
    case 'auth_expired':
      return authError();
    case 'quota_exhausted':
      return googleError(
        403,
        'quotaExceeded',
        'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
        'youtube.quota',
      );
    default:
      return googleError(503, 'backendError', 'Backend Error', 'global');
  }
}

export function createYoutubeSimulator(initial: Partial<YoutubeSimSettings> = {}): YoutubeSimulator {
  const state = new YoutubeSimState({ ...defaultYoutubeSimSettings, ...initial });
  const uploadPut = makeUploadPut((kind, operation) => renderFault(kind, operation));
  type Handler = (req: SimRequest, hub: SimulatorHub, s: YoutubeSimState) => SimResponse | Promise<SimResponse>;
  const on = (fn: Handler) => (req: SimRequest, hub: SimulatorHub) => fn(req, hub, state);

  return {
    platform: 'youtube',
    routes: [
      {
        method: 'POST',
        pattern: /^\/upload\/youtube\/v3\/videos$/,
        operation: 'upload_start',
        handler: on(startUpload),
      },
      { method: 'PUT', pattern: /^\/upload\/youtube\/v3\/videos$/, operation: 'publish', handler: on(uploadPut) },
      { method: 'GET', pattern: /^\/youtube\/v3\/videos$/, operation: 'list', handler: on(listVideos) },
      { method: 'PUT', pattern: /^\/youtube\/v3\/videos$/, operation: 'update', handler: on(updateVideo) },
      { method: 'DELETE', pattern: /^\/youtube\/v3\/videos$/, operation: 'delete', handler: on(deleteVideo) },
      { method: 'GET', pattern: /^\/youtube\/v3\/channels$/, operation: 'channels', handler: on(listChannels) },
      {
        method: 'GET',
        pattern: /^\/youtube\/v3\/commentThreads$/,
        operation: 'comments',
        handler: on(listCommentThreads),
      },
      {
        method: 'POST',
        pattern: /^\/youtube\/v3\/commentThreads$/,
        operation: 'reply',
        handler: on(insertCommentThread),
      },
      {
        method: 'POST',
        pattern: /^\/youtube\/v3\/comments\/setModerationStatus$/,
        operation: 'hide',
        handler: on(setModerationStatus),
      },
      { method: 'POST', pattern: /^\/youtube\/v3\/comments$/, operation: 'reply', handler: on(insertReply) },
      { method: 'DELETE', pattern: /^\/youtube\/v3\/comments$/, operation: 'hide', handler: on(deleteComment) },
      { method: 'POST', pattern: /^\/token$/, operation: 'token', handler: (req) => tokenEndpoint(req, state) },
      { method: 'GET', pattern: /^\/o\/oauth2\/v2\/auth$/, handler: (req) => authorizePage(req, state) },
      // The watch page the demo's permalinks open (ADR 018): never fault-injected.
      {
        method: 'GET',
        pattern: /^\/watch$/,
        handler: (req, hub) => {
          const post = hub.posts.find((p) => p.platform === 'youtube' && p.id === req.query.get('v'));
          const channel = post ? state.channel(post.channel) : undefined;
          const title = typeof post?.extra?.title === 'string' ? `<h2>${escapeHtml(post.extra.title)}</h2>\n` : '';
          return postPage('YouTube', post, channel ? { name: channel.title, handle: channel.handle } : null, title);
        },
      },
      { method: 'POST', pattern: /^\/o\/oauth2\/v2\/auth$/, handler: (req) => authorizeDecision(req, state) },
      { method: 'GET', pattern: /^\/_sim\/settings$/, handler: () => ({ status: 200, body: state.settings }) },
      {
        method: 'POST',
        pattern: /^\/_sim\/settings$/,
        handler: (req) => {
          const parsed = settingsPatch.safeParse(parseJsonBody(req));
          if (!parsed.success)
            return { status: 400, body: { error: parsed.error.issues.map((i) => i.message).join('; ') } };
          Object.assign(state.settings, parsed.data);
          return { status: 200, body: state.settings };
        },
      },
    ],
    renderFault,
    injectComment(input: { postId?: string; author: string; text: string }, hub: SimulatorHub): SimComment {
      if (!input.postId) throw new Error('postId (a YouTube video id) is required');
      const video = findVideo(hub, input.postId);
      if (!video) throw new Error(`no YouTube video ${input.postId}`);
      const comment = hub.addComment({
        platform: 'youtube',
        channel: video.channel,
        id: newCommentId(),
        postId: video.id,
        parentId: null,
        author: input.author,
        authorId: `UCsimViewer${Buffer.from(input.author).toString('hex').slice(0, 13).padEnd(13, '0')}`,
        text: input.text,
        fromOwner: false,
      });
      return comment;
    },
    reset: () => state.reset(),
    saveState: () => state.save(),
    loadState: (data) => state.load(data),
    settings: () => ({ ...state.settings }),
    configure: (patch) => {
      Object.assign(state.settings, settingsPatch.parse(patch));
    },
  };
}

export const youtubeSimulator: YoutubeSimulator = createYoutubeSimulator();
