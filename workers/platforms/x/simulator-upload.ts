/**
 * The X simulator's v2 chunked media upload: initialize, append (multipart segments), finalize and the STATUS
 * poll with scriptable processing (pending → in_progress → succeeded | failed).
 */
import type { SimRequest, SimResponse, SimulatorHub } from '../sim/core';
import type { TokenClaims } from './sim-oauth';
import { invalidRequest, parseJsonObject, parseMultipart } from './sim-wire';
import { X_MAX_ALT_TEXT } from './limits';
import { categoryOf, keyPrefix, maxBytes, now, type SimMedia, type XSimState } from './simulator-state';

export function initializeUpload(s: XSimState, req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
  const json = parseJsonObject(req.body);
  const mimeType = typeof json?.media_type === 'string' ? json.media_type.toLowerCase() : '';
  const totalBytes = Number(json?.total_bytes);
  const category = categoryOf(mimeType);
  if (!category) return invalidRequest('Unsupported media_type', { media_type: [mimeType] });
  const requested = json?.media_category;
  if (requested !== undefined && requested !== category) {
    return invalidRequest('media_category does not match media_type', { media_category: [requested] });
  }
  if (!Number.isInteger(totalBytes) || totalBytes <= 0 || totalBytes > maxBytes[category]) {
    return invalidRequest('total_bytes is invalid or exceeds the size limit', { total_bytes: [json?.total_bytes] });
  }
  const id = hub.nextId();
  const key = `${keyPrefix[category]}_${id}`;
  s.media.set(id, {
    id,
    key,
    owner: user.sub,
    mimeType,
    category,
    totalBytes,
    segments: new Map(),
    state: 'uploading',
    pollsLeft: 0,
    doomed: false,
  });
  return { status: 200, body: { data: { id, media_key: key, expires_after_secs: 86_400 } } };
}

export function ownedUpload(s: XSimState, id: string, user: TokenClaims): SimMedia | SimResponse {
  const item = s.media.get(id);
  if (!item || item.owner !== user.sub) return invalidRequest('Invalid media id', { id: [id] });
  return item;
}

export function appendUpload(s: XSimState, req: SimRequest, user: TokenClaims): SimResponse {
  const item = ownedUpload(s, req.params.id ?? '', user);
  if ('status' in item) return item;
  if (item.state !== 'uploading') return invalidRequest('Media is already finalized', { id: [item.id] });
  const parts = parseMultipart(req.body, req.headers['content-type']);
  if (!parts) return invalidRequest('Append must be multipart/form-data', {});
  const index = Number(parts.get('segment_index')?.toString('utf8'));
  const chunk = parts.get('media');
  if (!Number.isInteger(index) || index < 0 || index > 999 || !chunk) {
    return invalidRequest('segment_index (0-999) and media are required', { segment_index: [index] });
  }
  item.segments.set(index, chunk.length);
  const received = [...item.segments.values()].reduce((a, b) => a + b, 0);
  if (received > item.totalBytes)
    return invalidRequest('Segments exceed total_bytes', { total_bytes: [item.totalBytes] });
  return { status: 200, body: { data: { expires_at: Math.floor(now() / 1000) + 86_400 } } };
}

export function processingInfo(s: XSimState, item: SimMedia): Record<string, unknown> | undefined {
  if (item.state === 'succeeded' && item.category === 'tweet_image' && !item.doomed) return undefined;
  const info: Record<string, unknown> = { state: item.state };
  if (item.state === 'pending' || item.state === 'in_progress') {
    info.check_after_secs = s.options.processingCheckAfterSecs;
    info.progress_percent = item.state === 'pending' ? 0 : 50;
  }
  if (item.state === 'succeeded') info.progress_percent = 100;
  if (item.state === 'failed') info.error = { code: 1, name: 'InvalidMedia', message: 'Unsupported media file' };
  return info;
}

export function finalizeUpload(s: XSimState, req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
  const item = ownedUpload(s, req.params.id ?? '', user);
  if ('status' in item) return item;
  if (item.state !== 'uploading') return invalidRequest('Media is already finalized', { id: [item.id] });
  const received = [...item.segments.values()].reduce((a, b) => a + b, 0);
  if (received !== item.totalBytes) {
    return invalidRequest('Segments do not add up to provided total file size.', { total_bytes: [item.totalBytes] });
  }
  item.doomed = hub.takeFault('x', 'media_upload', ['container_error']) !== null;
  if (item.category === 'tweet_image' && !item.doomed) {
    item.state = 'succeeded';
  } else {
    item.state = 'pending';
    item.pollsLeft = Math.max(1, s.options.videoProcessingPolls);
  }
  const info = processingInfo(s, item);
  return {
    status: 200,
    body: {
      data: {
        id: item.id,
        media_key: item.key,
        size: item.totalBytes,
        expires_after_secs: 86_400,
        ...(info ? { processing_info: info } : {}),
      },
    },
  };
}

export function uploadStatus(s: XSimState, req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
  if (req.query.get('command') !== 'STATUS')
    return invalidRequest('Unsupported command', { command: [req.query.get('command')] });
  const item = ownedUpload(s, req.query.get('media_id') ?? '', user);
  if ('status' in item) return item;
  if (item.state === 'uploading') return invalidRequest('Media is not finalized', { media_id: [item.id] });
  if (item.state === 'pending' || item.state === 'in_progress') {
    // container_slow holds the media in_progress for as many polls as the fault's count.
    if (hub.takeFault('x', 'media_upload', ['container_slow'])) item.state = 'in_progress';
    else if (item.pollsLeft > 1) {
      item.pollsLeft -= 1;
      item.state = 'in_progress';
    } else item.state = item.doomed ? 'failed' : 'succeeded';
  }
  const info = processingInfo(s, item) ?? { state: 'succeeded', progress_percent: 100 };
  return { status: 200, body: { data: { id: item.id, media_key: item.key, processing_info: info } } };
}

/** POST /2/media/metadata: the image's description for screen readers, kept with the media and shown on the post. */
export function mediaMetadata(s: XSimState, req: SimRequest, user: TokenClaims): SimResponse {
  const json = parseJsonObject(req.body);
  const item = ownedUpload(s, typeof json?.id === 'string' ? json.id : '', user);
  if ('status' in item) return item;
  const alt = (json?.metadata as { alt_text?: { text?: unknown } } | undefined)?.alt_text?.text;
  if (typeof alt !== 'string' || alt.length === 0 || Array.from(alt).length > X_MAX_ALT_TEXT) {
    return invalidRequest(`alt_text.text must be 1–${X_MAX_ALT_TEXT} characters`, { alt_text: [alt ?? null] });
  }
  item.altText = alt;
  return { status: 200, body: { data: { id: item.id, associated_metadata: { alt_text: { text: alt } } } } };
}
