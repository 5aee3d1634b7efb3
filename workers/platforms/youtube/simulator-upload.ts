/**
 * POST /upload/youtube/v3/videos (resumable session or multipart) and PUT on the session URI (chunks and the
 * `bytes *\/N` status probe). A video is stored in the hub only when its last byte arrived, as on YouTube.
 */
import { readRawParts } from '../sim/multipart';
import { HANG_MS, type FaultKind, type SimRequest, type SimResponse, type SimulatorHub } from '../sim/core';
import {
  authenticate,
  googleError,
  isResponse,
  newUploadId,
  parseJsonBody,
  parseVideoInput,
  storeVideo,
  videoResource,
  type UploadSession,
  type YoutubeSimState,
} from './simulator-state';

export const CHUNK_UNIT = 256 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const probeFaults: readonly FaultKind[] = [
  'rate_limit',
  'server_error',
  'auth_expired',
  'duplicate',
  'quota_exhausted',
];

type RenderFault = (kind: FaultKind, operation: string, hub: SimulatorHub) => SimResponse;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const badRequest = (message: string) => googleError(400, 'badRequest', message, 'global');
const mediaBodyRequired = () =>
  googleError(400, 'mediaBodyRequired', 'The request does not include the video content.', 'youtube.video');
const sessionNotFound = () =>
  googleError(404, 'notFound', 'The upload session does not exist or has expired.', 'global');

/** Quota and per-channel caps, checked the way YouTube does before it accepts a videos.insert. */
function admitUpload(state: YoutubeSimState, hub: SimulatorHub, channelId: string): SimResponse | null {
  const cap = state.settings.channelUploadCap;
  if (cap !== null) {
    const since = Date.now() - DAY_MS;
    const recent = hub.posts.filter(
      (p) => p.platform === 'youtube' && p.channel === channelId && Date.parse(p.createdAt) > since,
    ).length;
    if (recent >= cap) {
      return googleError(
        400,
        'uploadLimitExceeded',
        'The user has exceeded the number of videos they may upload.',
        'youtube.video',
      );
    }
  }
  if (!state.chargeUpload()) {
    return googleError(
      403,
      'quotaExceeded',
      'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
      'youtube.quota',
    );
  }
  return null;
}

function parseMultipart(body: Buffer, contentType: string): { json: unknown; media: Buffer; mimeType: string } | null {
  const [meta, media] = readRawParts(body, contentType) ?? [];
  if (!meta) return null;
  let json: unknown;
  try {
    json = JSON.parse(meta.data.toString('utf8'));
  } catch {
    return null;
  }
  return { json, media: media?.data ?? Buffer.alloc(0), mimeType: media?.contentType ?? 'application/octet-stream' };
}

function sessionUri(req: SimRequest, uploadId: string): string {
  const host = req.headers.host ?? '127.0.0.1';
  return `http://${host}/youtube/upload/youtube/v3/videos?uploadType=resumable&part=snippet%2Cstatus&upload_id=${uploadId}`;
}

export function startUpload(req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const channelId = authenticate(req, state);
  if (typeof channelId !== 'string') return channelId;
  const uploadType = req.query.get('uploadType');

  if (uploadType === 'resumable') {
    const video = parseVideoInput(parseJsonBody(req));
    if (isResponse(video)) return video;
    const lengthHeader = req.headers['x-upload-content-length'];
    const total = typeof lengthHeader === 'string' ? Number(lengthHeader) : null;
    if (total !== null && (!Number.isInteger(total) || total < 0))
      return badRequest('Invalid X-Upload-Content-Length.');
    if (total === 0) return mediaBodyRequired();
    const refused = admitUpload(state, hub, channelId);
    if (refused) return refused;
    const typeHeader = req.headers['x-upload-content-type'];
    const session: UploadSession = {
      id: newUploadId(),
      channelId,
      video,
      total,
      mimeType: typeof typeHeader === 'string' ? typeHeader : 'application/octet-stream',
      chunks: [],
      received: 0,
      createdAt: Date.now(),
      videoId: null,
    };
    state.sessions.set(session.id, session);
    return { status: 200, headers: { location: sessionUri(req, session.id), 'x-guploader-uploadid': session.id } };
  }

  if (uploadType === 'multipart') {
    const parsed = parseMultipart(req.body, String(req.headers['content-type'] ?? ''));
    if (!parsed) return badRequest('Malformed multipart/related body.');
    const video = parseVideoInput(parsed.json);
    if (isResponse(video)) return video;
    if (parsed.media.length === 0) return mediaBodyRequired();
    const refused = admitUpload(state, hub, channelId);
    if (refused) return refused;
    const post = storeVideo(hub, channelId, video, {
      id: newUploadId(),
      mimeType: parsed.mimeType,
      bytes: parsed.media.length,
    });
    return { status: 200, body: videoResource(post, state) };
  }

  return badRequest(`Unsupported uploadType ${uploadType ?? '(none)'}; use resumable or multipart.`);
}

function finish(session: UploadSession, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const post = storeVideo(hub, session.channelId, session.video, {
    id: session.id,
    mimeType: session.mimeType,
    bytes: session.received,
  });
  session.videoId = post.id;
  session.chunks = [];
  return { status: 200, body: videoResource(post, state) };
}

function completed(session: UploadSession, hub: SimulatorHub, state: YoutubeSimState): SimResponse {
  const post = hub.posts.find((p) => p.platform === 'youtube' && p.id === session.videoId);
  return post ? { status: 200, body: videoResource(post, state) } : sessionNotFound();
}

const incomplete = (session: UploadSession): SimResponse => ({
  status: 308,
  // Google sends no Range at all while it holds no bytes.
  headers: session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {},
});

/**
 * One route for every PUT on a session URI: the hub applies 'publish' faults to it (chunks and probes share the
 * URI, so they cannot be told apart by path), and this handler adds 'probe' faults to status probes only.
 */
export function makeUploadPut(renderFault: RenderFault) {
  return async (req: SimRequest, hub: SimulatorHub, state: YoutubeSimState): Promise<SimResponse> => {
    const range = String(req.headers['content-range'] ?? '');
    const probe = /^bytes \*\/(\d+|\*)$/.exec(range);
    if (probe) {
      if (hub.takeFault('youtube', 'probe', ['timeout'])) {
        await sleep(HANG_MS);
        return googleError(503, 'backendError', 'Backend Error', 'global');
      }
      const fault = hub.takeFault('youtube', 'probe', probeFaults);
      if (fault) return renderFault(fault.kind, 'probe', hub);
    }

    const session = state.sessions.get(req.query.get('upload_id') ?? '');
    if (!session) return sessionNotFound();
    if (session.videoId) return completed(session, hub, state);
    if (Date.now() - session.createdAt > state.settings.sessionTtlMs) {
      state.sessions.delete(session.id);
      return sessionNotFound();
    }
    if (probe) {
      if (req.body.length > 0) return badRequest('A status request must not carry a body.');
      return incomplete(session);
    }

    const chunk = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(range);
    let first = 0;
    let last = req.body.length - 1;
    let total: number | null = req.body.length;
    if (range) {
      if (!chunk) return badRequest(`Invalid Content-Range: ${range}`);
      first = Number(chunk[1]);
      last = Number(chunk[2]);
      total = chunk[3] === '*' ? null : Number(chunk[3]);
    }
    if (req.body.length === 0) return mediaBodyRequired();
    if (last - first + 1 !== req.body.length) return badRequest('Content-Range does not match the body length.');
    if (total !== null && session.total !== null && total !== session.total) {
      return badRequest('Content-Range total does not match X-Upload-Content-Length.');
    }
    const expectedTotal = total ?? session.total;
    if (expectedTotal !== null && last + 1 > expectedTotal)
      return badRequest('Content-Range goes past the end of the file.');
    if (first > session.received) return badRequest(`Content-Range starts at ${first}, expected ${session.received}.`);
    const isLast = expectedTotal !== null && last + 1 === expectedTotal;
    if (!isLast && req.body.length % CHUNK_UNIT !== 0) {
      return badRequest(
        `Chunk size ${req.body.length} is not a multiple of ${CHUNK_UNIT} bytes (only the last chunk may be).`,
      );
    }

    // Bytes the session already holds (a resent overlap) are skipped, as Google does.
    const fresh = req.body.subarray(session.received - first);
    session.chunks.push(Buffer.from(fresh));
    session.received += fresh.length;
    if (session.total === null && total !== null) session.total = total;
    if (session.total !== null && session.received === session.total) return finish(session, hub, state);
    return incomplete(session);
  };
}
