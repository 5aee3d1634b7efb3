/**
 * YouTube's resumable upload protocol, hand-rolled because googleapis' videos.insert only speaks multipart, which
 * leaves nothing to resume or reconcile after a crash. Requests go through the OAuth2 client's request(), which
 * adds the Authorization header. The session URI is the idempotency handle: a video exists only once the last
 * byte arrived, and probing the session tells whether that happened.
 */
import type { youtube_v3 } from '@googleapis/youtube';
import { PlatformError } from '../contract';
import { noRetries, type YoutubeContext } from './client';
import { toPlatformError, type Effect } from './errors';

export interface UploadMedia {
  data: Buffer;
  mimeType: string;
}

export type SessionStatus =
  | { state: 'complete'; video: youtube_v3.Schema$Video }
  | { state: 'incomplete'; offset: number }
  | { state: 'gone' };

/** A slow uplink must not look like a hung platform: each PUT gets the request timeout plus time per byte. */
const MIN_UPLOAD_BYTES_PER_SECOND = 256 * 1024;
/** How many 308s without progress we accept before giving the attempt up as transient. */
const MAX_STALLS = 3;

interface RawResponse {
  status: number;
  headers: Headers;
  data: unknown;
}

async function send(
  ctx: YoutubeContext,
  effect: Effect,
  opts: { method: 'POST' | 'PUT'; url: string; headers: Record<string, string>; data?: unknown; timeoutMs?: number },
  accept: (status: number) => boolean,
): Promise<RawResponse> {
  try {
    const res = await ctx.oauth.request<unknown>({
      method: opts.method,
      url: opts.url,
      headers: opts.headers,
      data: opts.data,
      timeout: opts.timeoutMs ?? ctx.timeoutMs,
      signal: ctx.signal,
      responseType: 'text',
      // A 308 here means "resume incomplete", never a redirect to follow.
      redirect: 'manual',
      validateStatus: accept,
      ...noRetries,
    });
    return { status: res.status, headers: res.headers, data: parseJson(res.data) };
  } catch (e) {
    throw toPlatformError(e, effect);
  }
}

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** Google's 308 carries `Range: bytes=0-LAST` for what it holds, and no Range at all when it holds nothing. */
export function nextOffsetFromRange(range: string | null): number {
  const match = range ? /bytes=0-(\d+)/.exec(range) : null;
  return match?.[1] ? Number(match[1]) + 1 : 0;
}

function asVideo(data: unknown): youtube_v3.Schema$Video {
  if (typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string') {
    return data as youtube_v3.Schema$Video;
  }
  // The last byte was accepted, so a video may exist although we cannot name it.
  throw new PlatformError('outcome_unknown', 'YouTube bekräftade uppladdningen men skickade inget video-id.');
}

/**
 * The session URI is sent our Bearer token, and it comes from a stored checkpoint or a response header, so it
 * must point at Google's API hosts (or, with a simulator, at the simulator's own origin) before we use it.
 */
export function isTrustedSessionUri(uri: string, apiBaseUrl: string | null): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (apiBaseUrl) return url.origin === new URL(apiBaseUrl).origin;
  return url.protocol === 'https:' && (url.hostname === 'googleapis.com' || url.hostname.endsWith('.googleapis.com'));
}

/** Step 1: create the session. No video can exist yet, so a lost answer here is only transient. */
export async function startSession(
  ctx: YoutubeContext,
  apiBaseUrl: string | null,
  resource: youtube_v3.Schema$Video,
  media: UploadMedia,
): Promise<string> {
  const url = `${ctx.rootUrl}upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`;
  const res = await send(
    ctx,
    'read',
    {
      method: 'POST',
      url,
      headers: {
        'Content-Type': 'application/json; charset=UTF-8',
        'X-Upload-Content-Length': String(media.data.length),
        'X-Upload-Content-Type': media.mimeType,
      },
      data: resource,
    },
    (s) => s >= 200 && s < 300,
  );
  const location = res.headers.get('location');
  if (!location || !isTrustedSessionUri(location, apiBaseUrl)) {
    throw new PlatformError('transient', 'YouTube skapade ingen giltig uppladdningssession.');
  }
  return location;
}

/** `PUT <session> Content-Range: bytes *\/TOTAL` with no body: what does the session hold? */
export async function probeSession(
  ctx: YoutubeContext,
  sessionUri: string,
  total: number | null,
): Promise<SessionStatus> {
  const res = await send(
    ctx,
    'read',
    { method: 'PUT', url: sessionUri, headers: { 'Content-Range': `bytes */${total ?? '*'}` } },
    (s) => s === 200 || s === 201 || s === 308 || s === 404 || s === 410,
  );
  if (res.status === 404 || res.status === 410) return { state: 'gone' };
  if (res.status === 308) return { state: 'incomplete', offset: nextOffsetFromRange(res.headers.get('range')) };
  return { state: 'complete', video: asVideo(res.data) };
}

/**
 * Step 2: PUT the bytes from `offset` in chunks. Only the PUT carrying the last byte can create the video, so only
 * its lost answer is outcome_unknown; a 5xx anywhere leaves the session resumable (transient).
 */
export async function sendBytes(
  ctx: YoutubeContext,
  sessionUri: string,
  media: UploadMedia,
  startAt: number,
  chunkSize: number,
  onProgress?: (uploaded: number, total: number) => void | Promise<void>,
): Promise<youtube_v3.Schema$Video> {
  const total = media.data.length;
  let offset = startAt;
  let stalls = 0;
  for (;;) {
    if (ctx.signal?.aborted) throw new PlatformError('transient', 'Uppladdningen till YouTube avbröts.');
    const end = Math.min(offset + chunkSize, total);
    const isLast = end === total;
    const res = await send(
      ctx,
      isLast ? 'write' : 'read',
      {
        method: 'PUT',
        url: sessionUri,
        headers: { 'Content-Type': media.mimeType, 'Content-Range': `bytes ${offset}-${end - 1}/${total}` },
        data: media.data.subarray(offset, end),
        timeoutMs: ctx.timeoutMs + Math.ceil(((end - offset) / MIN_UPLOAD_BYTES_PER_SECOND) * 1000),
      },
      (s) => s === 200 || s === 201 || s === 308,
    );
    if (res.status !== 308) return asVideo(res.data);
    const next = nextOffsetFromRange(res.headers.get('range'));
    stalls = next > offset ? 0 : stalls + 1;
    if (stalls > MAX_STALLS) {
      throw new PlatformError('transient', 'Uppladdningen till YouTube kommer inte framåt.', { httpStatus: 308 });
    }
    offset = next;
    await onProgress?.(offset, total);
  }
}
