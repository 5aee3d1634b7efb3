/**
 * Test support for the Meta platform tests: JPEG bytes built by hand, a tiny HTTP server that plays the public
 * media host Instagram fetches image_url from, and helpers for the simulators' control API.
 */
import http from 'node:http';
import { PlatformError, type Checkpoint, type PublishHooks } from '../../workers/platforms/contract';
import type { FaultSpec, SimComment, SimPost } from '../../workers/platforms/sim/core';

/**
 * A decodable baseline JPEG of a flat grey image: one grey component, one Huffman code per table (DC diff 0,
 * AC end-of-block), so every 8×8 block is the two bits "00".
 */
export function makeJpeg(width: number, height: number): Buffer {
  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, payload: number[]) => {
    const length = payload.length + 2;
    out.push(0xff, marker, length >> 8, length & 0xff, ...payload);
  };
  segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF
  segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]); // quantisation table 0
  segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]); // SOF0
  const oneCode = [1, ...new Array<number>(15).fill(0), 0x00];
  segment(0xc4, [0x00, ...oneCode]); // DC table 0
  segment(0xc4, [0x10, ...oneCode]); // AC table 0
  segment(0xda, [1, 1, 0x00, 0, 63, 0]); // start of scan
  const bits = Math.ceil(width / 8) * Math.ceil(height / 8) * 2;
  for (let i = 0; i < Math.floor(bits / 8); i += 1) out.push(0x00);
  const rest = bits % 8;
  if (rest > 0) out.push((1 << (8 - rest)) - 1); // pad the last byte with ones
  out.push(0xff, 0xd9);
  return Buffer.from(out);
}

export const PNG_BYTES = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x01, 0x00,
  0x00, 0x00, 0x01, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,
]);

/** The start of an MP4: a 24-byte ftyp box. Enough for the simulator's format check. */
export const MP4_BYTES = Buffer.concat([
  Buffer.from([0, 0, 0, 24]),
  Buffer.from('ftypisom', 'latin1'),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from('isomiso2', 'latin1'),
  Buffer.alloc(64),
]);

export interface MediaHost {
  url: string;
  serve(path: string, body: Buffer, contentType: string): string;
  close(): Promise<void>;
}

/** A public file host for image_url/video_url: paths not served answer 404. */
export async function startMediaHost(): Promise<MediaHost> {
  const files = new Map<string, { body: Buffer; contentType: string }>();
  const server = http.createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', 'http://host').pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.body.length) }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    serve(path, body, contentType) {
      files.set(path, { body, contentType });
      return `${url}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The simulators' control API, over HTTP as chaos runs and drills use it. */
export function control(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  return {
    reset: () => call('POST', '/_sim/reset'),
    fault: (spec: FaultSpec) => call('POST', '/_sim/faults', spec),
    faults: async () => ((await call('GET', '/_sim/faults')) as { faults: (FaultSpec & { remaining: number | null })[] }).faults,
    comment: async (input: { platform: 'facebook' | 'instagram'; postId?: string; author: string; text: string }) =>
      (await call('POST', '/_sim/comments', input)) as SimComment,
    state: async () => (await call('GET', '/_sim/state')) as { posts: Omit<SimPost, 'extra'>[]; comments: SimComment[] },
    configure: (platform: 'facebook' | 'instagram', config: Record<string, number>) => call('POST', `/${platform}/_sim/config`, config),
  };
}

export interface RecordingHooks extends PublishHooks {
  saved: Checkpoint[];
}

/** Hooks that keep every checkpoint; `onCheckpoint` runs before the checkpoint counts as durable. */
export function recordingHooks(previous: Checkpoint | null = null, onCheckpoint?: (c: Checkpoint) => Promise<void>): RecordingHooks {
  const saved: Checkpoint[] = [];
  return {
    previous,
    saved,
    async checkpoint(data) {
      if (onCheckpoint) await onCheckpoint(data);
      saved.push({ ...data });
    },
  };
}

export async function platformError(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof PlatformError) return e;
    throw e;
  }
  throw new Error('expected a PlatformError, but the call succeeded');
}

/** A port nothing listens on, for "connection refused". */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Walks the simulated Facebook Login dialog like a browser: load the page, submit its form with the chosen button. */
export async function submitLoginDialog(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`dialog answered ${page.status}: ${html}`);
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '';
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(m[1] ?? '', decodeEntities(m[2] ?? ''));
  }
  form.set('decision', decision);
  const res = await fetch(new URL(action, authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(location);
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
