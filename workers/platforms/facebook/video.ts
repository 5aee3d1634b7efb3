/**
 * Page video publishing through Graph's resumable upload (POST /{page-id}/videos, upload_phase start → transfer →
 * finish), exactly once the way YouTube's resumable upload is (ADR 018):
 *  - the session (video id + upload session id) is checkpointed after `start` and before the first byte, through
 *    the pipeline's PublishHooks.checkpoint; nothing is visible on the Page until `finish`;
 *  - a retry with that checkpoint reads the video first: published → done (no second finish), otherwise it resumes
 *    from the bytes Graph holds, so a worker killed mid-upload neither starts over nor posts twice;
 *  - `finish` is the one call that creates the post, so a lost answer there is outcome_unknown and the pipeline
 *    asks lookup(), which reads the checkpointed video, before anything is sent again.
 */
import { PlatformError, type Checkpoint, type Connection, type Lookup, type MediaItem, type PublishHooks, type Published } from '../contract';
import { FACEBOOK_WEB, graphCall, type GraphClient } from '../meta/graph';
import { graphCodeOf } from '../meta/errors';
import type { FacebookCredentials } from './credentials';
import { FACEBOOK_VIDEO_CHUNK_BYTES } from './limits';

/** Optional progress reporting, as YouTube's: called after each chunk Graph confirmed. */
export interface FacebookPublishHooks extends PublishHooks {
  onProgress?: (uploadedBytes: number, totalBytes: number) => void | Promise<void>;
}

interface VideoSession {
  videoId: string;
  uploadSessionId: string;
}

interface GraphVideo {
  id: string;
  published?: boolean;
  permalink_url?: string;
  status?: { uploading_phase?: { bytes_transferred?: number } };
}

type VideoState = { state: 'published'; permalink: string | null } | { state: 'uploading'; received: number } | { state: 'gone' };

const ID = /^\d{1,32}$/;

function sessionOf(checkpoint: Checkpoint | null | undefined): VideoSession | null {
  const videoId = checkpoint?.videoId;
  const uploadSessionId = checkpoint?.uploadSessionId;
  // A tampered or foreign checkpoint is ignored rather than sent to Graph as a path.
  return videoId && uploadSessionId && ID.test(videoId) && ID.test(uploadSessionId) ? { videoId, uploadSessionId } : null;
}

/** Graph gives a video's permalink_url relative ("/page/videos/123/"); the simulator gives its own absolute page. */
function absolute(link: string | undefined): string | null {
  if (!link) return null;
  return link.startsWith('/') ? `${FACEBOOK_WEB}${link}` : link;
}

const isGone = (e: unknown) => {
  const { code, subcode } = graphCodeOf(e);
  return code === 100 && subcode === 33;
};

function chunkBlob(data: Buffer, mimeType: string): Blob {
  return new Blob([new Uint8Array(data)], { type: mimeType });
}

export function facebookVideoPublisher(client: (conn: Connection<FacebookCredentials>, signal?: AbortSignal) => GraphClient) {
  const page = (conn: Connection<FacebookCredentials>) => encodeURIComponent(conn.accountId);

  async function readVideo(conn: Connection<FacebookCredentials>, videoId: string, signal?: AbortSignal): Promise<VideoState> {
    try {
      const res = await graphCall<GraphVideo>(client(conn, signal), {
        method: 'GET',
        path: `/${videoId}`,
        query: { fields: 'id,published,status,permalink_url' },
      });
      if (res.data.published) return { state: 'published', permalink: absolute(res.data.permalink_url) };
      return { state: 'uploading', received: Number(res.data.status?.uploading_phase?.bytes_transferred ?? 0) };
    } catch (e) {
      if (isGone(e)) return { state: 'gone' };
      throw e;
    }
  }

  async function startSession(conn: Connection<FacebookCredentials>, size: number, signal?: AbortSignal) {
    const res = await graphCall<{ video_id: string; upload_session_id: string; start_offset: string; end_offset: string }>(client(conn, signal), {
      method: 'POST',
      path: `/${page(conn)}/videos`,
      form: { upload_phase: 'start', file_size: size },
      videoHost: true,
    });
    const { video_id: videoId, upload_session_id: uploadSessionId } = res.data;
    if (!ID.test(String(videoId)) || !ID.test(String(uploadSessionId))) {
      throw new PlatformError('transient', 'Facebook startade uppladdningen utan giltigt video-id.');
    }
    return { session: { videoId: String(videoId), uploadSessionId: String(uploadSessionId) }, start: Number(res.data.start_offset), end: Number(res.data.end_offset) };
  }

  async function transfer(
    conn: Connection<FacebookCredentials>,
    session: VideoSession,
    video: MediaItem,
    from: { start: number; end: number | null },
    hooks: FacebookPublishHooks,
  ): Promise<void> {
    const total = video.data.length;
    let start = from.start;
    let end = from.end ?? Math.min(start + FACEBOOK_VIDEO_CHUNK_BYTES, total);
    while (start < total) {
      if (!(end > start && end <= total)) throw new PlatformError('transient', `Facebook bad om en ogiltig del av videon (${start}–${end}).`);
      const form = new FormData();
      form.set('upload_phase', 'transfer');
      form.set('upload_session_id', session.uploadSessionId);
      form.set('start_offset', String(start));
      form.set('video_file_chunk', chunkBlob(video.data.subarray(start, end), video.mimeType), video.filename);
      const res = await graphCall<{ start_offset: string; end_offset: string }>(client(conn, hooks.signal), {
        method: 'POST',
        path: `/${page(conn)}/videos`,
        multipart: form,
        videoHost: true,
      });
      const next = Number(res.data.start_offset);
      if (!(next > start)) throw new PlatformError('transient', 'Facebook tog inte emot nästa del av videon.');
      start = next;
      end = Number(res.data.end_offset);
      await hooks.onProgress?.(start, total);
    }
  }

  async function publish(conn: Connection<FacebookCredentials>, video: MediaItem, description: string, hooks: FacebookPublishHooks): Promise<Published> {
    if (video.data.length === 0) throw new PlatformError('invalid_content', 'Videofilen är tom.');
    let session = sessionOf(hooks.previous);
    let from: { start: number; end: number | null } = { start: 0, end: null };
    if (session) {
      const state = await readVideo(conn, session.videoId, hooks.signal);
      if (state.state === 'published') return { externalId: session.videoId, permalink: state.permalink };
      // Gone before finish means nothing was ever visible (the pipeline looks up first after an unknown finish).
      if (state.state === 'gone') session = null;
      else from = { start: state.received, end: null };
    }
    if (!session) {
      const started = await startSession(conn, video.data.length, hooks.signal);
      session = started.session;
      await hooks.checkpoint({ ...session });
      from = { start: started.start, end: started.end };
    }
    await transfer(conn, session, video, from, hooks);
    await graphCall<{ success?: boolean }>(client(conn, hooks.signal), {
      method: 'POST',
      path: `/${page(conn)}/videos`,
      form: { upload_phase: 'finish', upload_session_id: session.uploadSessionId, description: description || undefined, published: true },
      videoHost: true,
      creates: true,
    });
    let permalink: string | null = null;
    try {
      const state = await readVideo(conn, session.videoId, hooks.signal);
      if (state.state === 'published') permalink = state.permalink;
    } catch {
      // The video is live; a missing link must not turn a success into a failure.
    }
    return { externalId: session.videoId, permalink };
  }

  /** Is the checkpointed video published? Never guesses: a vanished video is for a person to judge. */
  async function lookup(conn: Connection<FacebookCredentials>, checkpoint: Checkpoint | null): Promise<Lookup> {
    const session = sessionOf(checkpoint);
    // No checkpoint: the attempt died before the first byte, and nothing is visible before finish.
    if (!session) return { status: 'not_published' };
    try {
      const state = await readVideo(conn, session.videoId);
      if (state.state === 'published') return { status: 'published', externalId: session.videoId, permalink: state.permalink };
      if (state.state === 'uploading') return { status: 'not_published' };
      return { status: 'unknown', reason: 'Videon som laddades upp finns inte längre hos Facebook; det går inte att avgöra om den hann publiceras.' };
    } catch (e) {
      return { status: 'unknown', reason: e instanceof Error ? e.message : String(e) };
    }
  }

  return { publish, lookup };
}
