/**
 * YouTube adapter on @googleapis/youtube. Publishing is a resumable upload whose session URI is checkpointed
 * before the first byte, so a crash anywhere can be resumed or reconciled without a second video.
 *
 * lookup rule: with a checkpointed session URI the session is probed (complete → published, incomplete →
 * not_published, expired → unknown). Without one, no byte was ever sent (the checkpoint is durable before the first
 * byte and a video exists only after its last), so the answer is not_published.
 */
import type { youtube_v3 } from '@googleapis/youtube';
import {
  PlatformError,
  type Connection,
  type Lookup,
  type LookupHints,
  type MediaItem,
  type PlatformAdapter,
  type PublishHooks,
  type PublishRequest,
  type Published,
} from '../contract';
import { callOptions, contextFor, newOAuthClient } from './client';
import { fetchYoutubeComments, moderateYoutubeComment, replyOnYoutube } from './comments';
import { DEFAULT_TIMEOUT_MS, watchUrlFor, youtubeConfig } from './config';
import type { YoutubeCredentials } from './credentials';
import { toPlatformError } from './errors';
import { checkYoutubeLimits, composeYoutubeDescription } from './limits';
import { isTrustedSessionUri, probeSession, sendBytes, startSession } from './upload';

export { configureYoutube, resetYoutubeConfig } from './config';

/** Refresh this long before the access token expires, so no call goes out with a dying token. */
export const REFRESH_MARGIN_MS = 10 * 60 * 1000;

/** Optional progress reporting for long uploads; the pipeline's plain PublishHooks work as they are. */
export interface YoutubePublishHooks extends PublishHooks {
  /** Called after each chunk YouTube confirmed, with the bytes it now holds. */
  onProgress?: (uploadedBytes: number, totalBytes: number) => void | Promise<void>;
}

export function youtubePermalink(videoId: string, apiBaseUrl: string | null = null): string {
  return watchUrlFor(apiBaseUrl, videoId);
}

function published(video: youtube_v3.Schema$Video, apiBaseUrl: string | null): Published {
  const id = video.id ?? '';
  return { externalId: id, permalink: youtubePermalink(id, apiBaseUrl) };
}

function theVideo(req: PublishRequest): MediaItem | undefined {
  return req.media.find((m) => m.kind === 'video');
}

/** Refuses locally what YouTube would refuse anyway, before spending upload quota. */
function validate(req: PublishRequest): MediaItem {
  const report = checkYoutubeLimits({
    text: req.text,
    link: req.link,
    title: req.title,
    media: req.media.map((m) => ({ kind: m.kind, mimeType: m.mimeType, sizeBytes: m.data.length })),
  });
  const video = theVideo(req);
  if (!report.ok || !video) {
    throw new PlatformError('invalid_content', report.problems.map((p) => p.message).join(' '), {
      platformCode: report.problems.map((p) => p.code).join(','),
    });
  }
  if (video.data.length === 0) throw new PlatformError('invalid_content', 'Videofilen är tom.');
  return video;
}

function videoResource(req: PublishRequest): youtube_v3.Schema$Video {
  return {
    snippet: {
      title: req.title?.trim() ?? '',
      description: composeYoutubeDescription(req.text, req.link),
      categoryId: youtubeConfig().defaultCategoryId,
    },
    status: { privacyStatus: req.privacy ?? 'public', selfDeclaredMadeForKids: false },
  };
}

async function publish(
  conn: Connection<YoutubeCredentials>,
  req: PublishRequest,
  hooks: PublishHooks,
): Promise<Published> {
  const video = validate(req);
  const media = { data: video.data, mimeType: video.mimeType || 'application/octet-stream' };
  const ctx = contextFor(conn, hooks.signal);
  const onProgress = (hooks as YoutubePublishHooks).onProgress;

  let sessionUri = hooks.previous?.sessionUri ?? null;
  let offset = 0;
  // A session on another host (a simulator since restarted elsewhere, a tampered row) is never sent our token.
  if (sessionUri && !isTrustedSessionUri(sessionUri, conn.apiBaseUrl)) sessionUri = null;
  if (sessionUri) {
    const status = await probeSession(ctx, sessionUri, media.data.length);
    if (status.state === 'complete') return published(status.video, conn.apiBaseUrl);
    if (status.state === 'incomplete') offset = status.offset;
    // 404/410: expired. A finished session keeps answering 200 with its video for days, far longer than the
    // pipeline retries, so an expired one is taken as unfinished and a fresh session is the only way on.
    else sessionUri = null;
  }
  if (!sessionUri) {
    sessionUri = await startSession(ctx, conn.apiBaseUrl, videoResource(req), media);
    await hooks.checkpoint({ sessionUri });
  }
  return published(await sendBytes(ctx, sessionUri, media, offset, youtubeConfig().chunkSize, onProgress), conn.apiBaseUrl);
}

async function lookup(
  conn: Connection<YoutubeCredentials>,
  req: PublishRequest,
  hints: LookupHints,
): Promise<Lookup> {
  const sessionUri = hints.checkpoint?.sessionUri;
  if (!sessionUri) return { status: 'not_published' };
  if (!isTrustedSessionUri(sessionUri, conn.apiBaseUrl)) {
    return {
      status: 'unknown',
      reason: 'Den sparade uppladdningssessionen pekar inte på YouTube och kan inte kontrolleras.',
    };
  }
  const status = await probeSession(contextFor(conn), sessionUri, theVideo(req)?.data.length ?? null);
  if (status.state === 'complete') return { status: 'published', ...published(status.video, conn.apiBaseUrl) };
  if (status.state === 'incomplete') return { status: 'not_published' };
  return {
    status: 'unknown',
    reason: 'Uppladdningssessionen har gått ut hos YouTube; det går inte att avgöra om videon blev klar.',
  };
}

/** Deleting what is already gone counts as done, so a retried delete does not fail. */
async function deletePost(conn: Connection<YoutubeCredentials>, externalId: string): Promise<void> {
  const ctx = contextFor(conn);
  try {
    await ctx.yt.videos.delete({ id: externalId }, callOptions(ctx));
  } catch (e) {
    const error = toPlatformError(e, 'write');
    if (error.details.httpStatus === 404) return;
    throw error;
  }
}

export interface VideoUpdate {
  videoId: string;
  title: string;
  /** The snippet part is overwritten as a whole: an omitted description would be cleared, so it is required. */
  description: string;
  categoryId: string;
  tags?: string[];
  /** Only when given is the status part sent (and then overwritten as a whole too). */
  privacyStatus?: 'public' | 'private' | 'unlisted';
}

/** videos.update: overwrites every mutable field of the parts it names (snippet, and status when asked). */
export async function updateVideo(conn: Connection<YoutubeCredentials>, update: VideoUpdate): Promise<Published> {
  const ctx = contextFor(conn);
  const part = update.privacyStatus ? ['snippet', 'status'] : ['snippet'];
  try {
    const res = await ctx.yt.videos.update(
      {
        part,
        requestBody: {
          id: update.videoId,
          snippet: {
            title: update.title,
            description: update.description,
            categoryId: update.categoryId,
            tags: update.tags ?? [],
          },
          ...(update.privacyStatus ? { status: { privacyStatus: update.privacyStatus } } : {}),
        },
      },
      callOptions(ctx),
    );
    return published({ ...res.data, id: res.data.id ?? update.videoId }, conn.apiBaseUrl);
  } catch (e) {
    throw toPlatformError(e, 'write');
  }
}

async function refreshCredentials(conn: Connection<YoutubeCredentials>): Promise<YoutubeCredentials> {
  if (!conn.oauthClient) {
    throw new PlatformError('auth_expired', 'Googles OAuth-klient (GOOGLE_CLIENT_ID) saknas, så inloggningen kan inte förnyas.');
  }
  const { clientId, clientSecret } = conn.oauthClient;
  const client = newOAuthClient({
    apiBaseUrl: conn.apiBaseUrl,
    clientId,
    clientSecret,
    timeoutMs: conn.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  client.setCredentials({ refresh_token: conn.credentials.refreshToken });
  try {
    const { credentials } = await client.refreshAccessToken();
    if (!credentials.access_token) throw new Error('token endpoint answered without an access token');
    return {
      accessToken: credentials.access_token,
      // Google keeps the refresh token; it only sends one when it rotates it.
      refreshToken: credentials.refresh_token ?? conn.credentials.refreshToken,
      expiresAt: credentials.expiry_date ? new Date(credentials.expiry_date).toISOString() : null,
    };
  } catch (e) {
    // A lost refresh answer changes nothing that matters: the refresh token stays valid.
    throw toPlatformError(e, 'read');
  }
}

function refreshDueAt(credentials: YoutubeCredentials): Date | null {
  if (!credentials.expiresAt) return null;
  return new Date(Date.parse(credentials.expiresAt) - REFRESH_MARGIN_MS);
}

export const youtubeAdapter: PlatformAdapter<YoutubeCredentials> = {
  publish,
  lookup,
  deletePost,
  fetchComments: fetchYoutubeComments,
  reply: replyOnYoutube,
  moderateComment: moderateYoutubeComment,
  refreshCredentials,
  refreshDueAt,
};
