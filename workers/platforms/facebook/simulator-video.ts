/**
 * Page video publishing in the Facebook simulator: Graph's resumable upload on POST /{page-id}/videos with
 * upload_phase start → transfer (multipart chunks at the offsets the server names) → finish, and the video
 * object read back with GET /{video-id}?fields=published,status,permalink_url.
 *
 * What is documented by Meta and what is our guess [U]: the three phases, their field names and the
 * `{video_id, upload_session_id, start_offset, end_offset}` answers are Graph's own. The error codes for a
 * wrong offset, an incomplete upload and a bad file, and a repeated finish answering success without a second
 * post, are guesses; the adapter never relies on the repeat (it reads the video's status first).
 */
import type { SimPost, SimRequest, SimResponse, SimulatorHub } from '../sim/core';
import { graphError, noSuchObject, ok, requestedFields, type GraphInput } from '../meta/sim-http';
import { FACEBOOK_MAX_VIDEO_BYTES, FACEBOOK_VIDEO_TYPES } from './limits';

export interface VideoSession {
  sessionId: string;
  videoId: string;
  pageId: string;
  fileSize: number;
  received: number;
  /** The container type sniffed from the first chunk; null until then or when it is not a video. */
  mimeType: string | null;
  published: boolean;
  createdAt: string;
}

export interface VideoDeps {
  authPage(req: SimRequest, input: GraphInput, pathPageId?: string): { pageId: string; pageName: string } | SimResponse;
  record(hub: SimulatorHub, page: { pageId: string; pageName: string }, fields: { id: string; message: string; media: SimPost['media'] }, req: SimRequest): SimPost;
  checkMessage(message: string): SimResponse | null;
  chunkBytes(): number;
}

/** MP4 and MOV both start with a box whose type sits at offset 4: "ftyp" (MP4, modern MOV) or "moov"/"mdat"/"wide" (old MOV). */
function videoMimeOf(head: Buffer): string | null {
  const box = head.subarray(4, 8).toString('latin1');
  if (box === 'ftyp') return head.subarray(8, 10).toString('latin1') === 'qt' ? 'video/quicktime' : 'video/mp4';
  if (box === 'moov' || box === 'mdat' || box === 'wide') return 'video/quicktime';
  return null;
}

export function createVideoUploads(deps: VideoDeps) {
  const sessions = new Map<string, VideoSession>();
  const isError = (x: object): x is SimResponse => 'status' in x;

  /** The operation a fault is injected by: finish is the step that makes the post visible, so it is "publish". */
  function operationOf(input: GraphInput): string {
    return input.fields.get('upload_phase') === 'finish' ? 'publish' : 'media_upload';
  }

  const nextRange = (s: VideoSession) => ({
    start_offset: String(s.received),
    end_offset: String(Math.min(s.received + deps.chunkBytes(), s.fileSize)),
  });

  function start(hub: SimulatorHub, input: GraphInput, page: { pageId: string }): SimResponse {
    const raw = input.fields.get('file_size') ?? '';
    const fileSize = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(fileSize) || fileSize <= 0) {
      return graphError(400, { code: 100, message: '(#100) The parameter file_size is required and must be a positive integer' });
    }
    if (fileSize > FACEBOOK_MAX_VIDEO_BYTES) {
      return graphError(400, { code: 6000, subcode: 1363023, message: '(#6000) The video file is too large.' });
    }
    const session: VideoSession = {
      sessionId: hub.nextId(15),
      videoId: hub.nextId(16),
      pageId: page.pageId,
      fileSize,
      received: 0,
      mimeType: null,
      published: false,
      createdAt: new Date().toISOString(),
    };
    sessions.set(session.sessionId, session);
    return ok({ video_id: session.videoId, upload_session_id: session.sessionId, ...nextRange(session) });
  }

  function sessionOf(input: GraphInput, pageId: string): VideoSession | SimResponse {
    const id = input.fields.get('upload_session_id') ?? '';
    const session = sessions.get(id);
    if (!session || session.pageId !== pageId) {
      return graphError(400, { code: 100, subcode: 1363020, message: '(#100) Invalid upload_session_id' });
    }
    return session;
  }

  function transfer(input: GraphInput, page: { pageId: string }): SimResponse {
    const session = sessionOf(input, page.pageId);
    if (isError(session)) return session;
    if (session.published) return graphError(400, { code: 100, message: '(#100) The upload session is already finished' });
    const chunk = input.files.get('video_file_chunk')?.data;
    const offset = Number(input.fields.get('start_offset'));
    if (!chunk || chunk.length === 0) return graphError(400, { code: 100, message: '(#100) Requires upload file video_file_chunk' });
    if (offset !== session.received) {
      // Graph answers a chunk at the wrong place with the offsets it wants instead.
      return graphError(400, { code: 6001, subcode: 1363037, message: `(#6001) Wrong start_offset; expected ${session.received}` });
    }
    if (session.received + chunk.length > session.fileSize) {
      return graphError(400, { code: 6001, subcode: 1363038, message: '(#6001) The chunk goes past file_size' });
    }
    if (session.received === 0) session.mimeType = videoMimeOf(chunk);
    session.received += chunk.length;
    return ok(nextRange(session));
  }

  function finish(req: SimRequest, hub: SimulatorHub, input: GraphInput, page: { pageId: string; pageName: string }): SimResponse {
    const session = sessionOf(input, page.pageId);
    if (isError(session)) return session;
    if (session.published) return ok({ success: true }); // [U] a repeated finish makes no second post
    if (session.received !== session.fileSize) {
      return graphError(400, { code: 6000, subcode: 1363019, message: `(#6000) The upload is incomplete: ${session.received} of ${session.fileSize} bytes` });
    }
    if (!session.mimeType || !(FACEBOOK_VIDEO_TYPES as readonly string[]).includes(session.mimeType)) {
      return graphError(400, { code: 351, message: '(#351) There was a problem with your video file. Please try again with another file.' });
    }
    if (input.fields.get('published') === 'false') {
      return graphError(400, { code: 100, message: '(#100) Unpublished and scheduled videos are not supported by this simulator.' });
    }
    const message = input.fields.get('description') ?? '';
    const tooLong = deps.checkMessage(message);
    if (tooLong) return tooLong;
    session.published = true;
    deps.record(hub, page, { id: session.videoId, message, media: [{ id: session.videoId, mimeType: session.mimeType, bytes: session.fileSize }] }, req);
    return ok({ success: true });
  }

  /** POST /{page-id}/videos: one path, three phases. */
  function upload(req: SimRequest, hub: SimulatorHub, input: GraphInput): SimResponse {
    const page = deps.authPage(req, input, req.params.page);
    if (isError(page)) return page;
    switch (input.fields.get('upload_phase')) {
      case 'start':
        return start(hub, input, page);
      case 'transfer':
        return transfer(input, page);
      case 'finish':
        return finish(req, hub, input, page);
      default:
        return graphError(400, { code: 100, message: '(#100) Non-resumable video uploads are not supported by this simulator; use upload_phase' });
    }
  }

  /** GET /{video-id} for a video that is uploading or unpublished (a published one is read as its post). */
  function read(id: string, pageId: string, input: GraphInput, post: SimPost | undefined): SimResponse | null {
    const session = [...sessions.values()].find((s) => s.videoId === id);
    if (!session) return null;
    if (session.pageId !== pageId || (session.published && !post)) return noSuchObject(id, 'get');
    const fields = requestedFields(input);
    const view: Record<string, unknown> = { id };
    const complete = session.received === session.fileSize;
    if (fields.has('published')) view.published = session.published;
    if (fields.has('permalink_url') && post) view.permalink_url = post.extra?.permalink;
    if (fields.has('description') && post) view.description = post.text;
    if (fields.size === 0 || fields.has('status')) {
      view.status = {
        video_status: session.published ? 'ready' : complete ? 'upload_complete' : 'uploading',
        uploading_phase: { status: complete ? 'complete' : 'in_progress', bytes_transferred: session.received },
        processing_phase: { status: session.published ? 'complete' : 'not_started' },
        publishing_phase: { status: session.published ? 'complete' : 'not_started', publish_status: session.published ? 'published' : 'draft' },
      };
    }
    return ok(view);
  }

  return { sessions, upload, read, operationOf, reset: () => sessions.clear() };
}
