/**
 * The shared machinery of the platform simulators: one HTTP server, a base path per platform, a record of
 * everything received, fault injection and artificial latency. Each platform's simulator.ts supplies routes
 * that speak that platform's wire format; this file knows nothing of any platform's format.
 */
import { capFeedsRouter } from './cap-feeds';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { z } from 'zod';
import { fileStore, loadState, memoryStore } from './persist';
import { defaultFeeds, FEED_NAME, type SimFeed } from './feeds';
import { platforms, type Platform } from '../contract';

export const faultKinds = [
  'rate_limit',
  'server_error',
  'timeout',
  'drop_after_accept',
  'auth_expired',
  'duplicate',
  'container_error',
  'container_slow',
  'quota_exhausted',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export const faultSchema = z.object({
  platform: z.enum(platforms),
  /** An operation name the platform's simulator declares on its routes, e.g. "publish"; "*" matches all. */
  operation: z.string().min(1),
  kind: z.enum(faultKinds),
  /** How many requests the fault applies to; unlimited when absent. For container_slow: the number of IN_PROGRESS polls. */
  count: z.number().int().positive().optional(),
  /** Chance per matching request, 0..1; 1 when absent. */
  probability: z.number().min(0).max(1).optional(),
});
export type FaultSpec = z.infer<typeof faultSchema>;

export interface SimPost {
  platform: Platform;
  channel: string;
  id: string;
  text: string;
  link: string | null;
  /** altText: the description the platform received for an image (X metadata, Facebook alt_text_custom, Instagram alt_text). */
  media: { id: string; mimeType: string; bytes: number; altText?: string }[];
  replyTo: string | null;
  createdAt: string;
  deleted: boolean;
  /** Platform-specific extras (title, privacy, permalink, hidden …), not part of the documented state shape. */
  extra?: Record<string, unknown>;
}

export interface SimComment {
  platform: Platform;
  channel: string;
  id: string;
  postId: string | null;
  parentId: string | null;
  author: string;
  authorId: string;
  text: string;
  createdAt: string;
  hidden: boolean;
  deleted: boolean;
  /** True when our own account wrote it (a reply from the city). */
  fromOwner: boolean;
  /** When its author last changed the text (POST /_sim/comments/edit); absent if never edited. */
  updatedAt?: string;
  /**
   * X only: the ids of the versions after the first. X gives an edited post a new id and lists every version's id in
   * edit_history_tweet_ids (oldest first), so an edit shows up in the mentions timeline as a post of its own.
   */
  editHistory?: string[];
}

export interface SimRequest {
  method: string;
  /** Path below the platform's base path, starting with "/". */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Named groups from the route's pattern. */
  params: Record<string, string>;
  /** A multipart/form-data body as Node's `Request.formData()` read it; null for other bodies or an unreadable one. */
  form: SimForm | null;
  /** This platform's base URL as the caller reached it (http://host:port/facebook): for links to the simulator's own pages. */
  baseUrl: string;
}

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface SimForm {
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
}

/** multipart/form-data through Node's own parser (undici's Request.formData()), turned into plain maps once. */
async function readForm(body: Buffer, contentType: string | undefined): Promise<SimForm | null> {
  if (!/^multipart\/form-data/i.test(contentType ?? '') || body.length === 0) return null;
  let data: FormData;
  try {
    data = await new Request('http://sim.local/', { method: 'POST', headers: { 'content-type': contentType ?? '' }, body: new Uint8Array(body) }).formData();
  } catch {
    return null; // a torn or boundary-less body: the route answers as if the fields were missing
  }
  const form: SimForm = { fields: new Map(), files: new Map() };
  for (const [name, value] of data.entries()) {
    if (typeof value === 'string') form.fields.set(name, value);
    else form.files.set(name, { filename: value.name, contentType: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
  }
  return form;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; Buffers and strings as they are. */
  body?: unknown;
}

export interface SimRoute {
  method: string;
  /** Matched against SimRequest.path; use named groups for params. */
  pattern: RegExp;
  /**
   * The name faults are injected by; routes that should never fail (authorise pages) omit it. A function when one
   * path carries several operations (Graph's /videos takes upload_phase start/transfer/finish).
   */
  operation?: string | ((req: SimRequest) => string);
  handler: (req: SimRequest, sim: SimulatorHub) => SimResponse | Promise<SimResponse>;
}

export interface PlatformSimulator {
  platform: Platform;
  routes: SimRoute[];
  /** The platform's wire-format answer for an injected fault on an operation. */
  renderFault(kind: FaultKind, operation: string, sim: SimulatorHub): SimResponse;
  /** Injects an inbound comment or mention addressed to this platform (POST /_sim/comments). */
  injectComment(input: { postId?: string; author: string; text: string }, sim: SimulatorHub): SimComment;
  /** A comment's author changed its text: what the platform does beyond the new text and time (X: a new id). */
  onEdit?(comment: SimComment, sim: SimulatorHub): void;
  /** Clears platform-private state (tokens issued, containers, quotas); the hub clears posts and comments. */
  reset(): void;
  /** Platform-private state worth keeping across restarts (tokens issued, upload sessions), JSON-safe (ADR 018). */
  saveState?(): unknown;
  /** Takes back what saveState gave; throws on a shape it does not know, and the platform then starts empty. */
  loadState?(data: unknown): void;
}

interface ActiveFault extends FaultSpec {
  id: string;
  remaining: number | null;
}

export class SimulatorHub {
  posts: SimPost[] = [];
  comments: SimComment[] = [];
  /** Test feeds for feed import, served at /feeds/<name>.xml (sim/feeds.ts). */
  feeds: Map<string, SimFeed> = defaultFeeds();
  private faults: ActiveFault[] = [];
  latencyMs = 0;
  private seq = 0;
  readonly simulators: Map<Platform, PlatformSimulator>;

  constructor(simulators: PlatformSimulator[]) {
    this.simulators = new Map(simulators.map((s) => [s.platform, s]));
  }

  /** Numeric-looking unique ids, like the platforms' own (X ids are 19 digits). */
  nextId(digits = 19): string {
    this.seq += 1;
    const base = `${Date.now()}${String(this.seq).padStart(6, '0')}`;
    return base.padStart(digits, '1').slice(-digits);
  }

  /** Records a comment as the platform would store it: visible, not deleted, stamped now unless a time is given. */
  addComment(input: Omit<SimComment, 'createdAt' | 'hidden' | 'deleted'> & { createdAt?: string }): SimComment {
    const comment: SimComment = { ...input, createdAt: input.createdAt ?? new Date().toISOString(), hidden: false, deleted: false };
    this.comments.push(comment);
    return comment;
  }

  /**
   * Its author changes a comment's text, as the platforms let them: the same comment (same id) with new text and a
   * new change time. Null when there is no such comment (or it is the city's own).
   */
  editComment(id: string, text: string): SimComment | null {
    const comment = this.comments.find((c) => c.id === id && !c.deleted && !c.fromOwner);
    if (!comment) return null;
    comment.text = text;
    // Strictly later than the last change, even within one millisecond, so every edit is a distinct version.
    const last = Date.parse(comment.updatedAt ?? comment.createdAt);
    comment.updatedAt = new Date(Math.max(Date.now(), last + 1)).toISOString();
    this.simulators.get(comment.platform as Platform)?.onEdit?.(comment, this);
    return comment;
  }

  reset(): void {
    this.posts = [];
    this.comments = [];
    this.feeds = defaultFeeds();
    this.faults = [];
    this.latencyMs = 0;
    for (const sim of this.simulators.values()) sim.reset();
  }

  addFault(spec: FaultSpec): string {
    const id = randomUUID();
    this.faults.push({ ...spec, id, remaining: spec.count ?? null });
    return id;
  }

  clearFaults(): void {
    this.faults = [];
  }

  listFaults(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /**
   * Decides whether a fault of one of `kinds` fires for this request, consuming one use when it does.
   * Platform simulators call it for faults that change behaviour rather than the response (container_slow …).
   */
  takeFault(platform: Platform, operation: string, kinds: readonly FaultKind[]): ActiveFault | null {
    for (const fault of this.faults) {
      if (fault.platform !== platform || !kinds.includes(fault.kind)) continue;
      if (fault.operation !== '*' && fault.operation !== operation) continue;
      if (fault.remaining !== null && fault.remaining <= 0) continue;
      if (fault.probability !== undefined && Math.random() >= fault.probability) continue;
      if (fault.remaining !== null) fault.remaining -= 1;
      return fault;
    }
    return null;
  }

  /** Reads (without consuming) the remaining count of a matching fault, for container_slow's poll counting. */
  peekFault(platform: Platform, operation: string, kind: FaultKind): ActiveFault | null {
    return (
      this.faults.find(
        (f) =>
          f.platform === platform &&
          f.kind === kind &&
          (f.operation === '*' || f.operation === operation) &&
          (f.remaining === null || f.remaining > 0),
      ) ?? null
    );
  }

  state(): { posts: Omit<SimPost, 'extra'>[]; comments: SimComment[] } {
    return {
      posts: this.posts.map(({ extra: _extra, ...post }) => post),
      comments: this.comments,
    };
  }
}

/** Faults the hub applies around any route; the rest are the platform simulator's own business. */
const responseFaults: readonly FaultKind[] = [
  'rate_limit',
  'server_error',
  'auth_expired',
  'duplicate',
  'quota_exhausted',
];

const controlComment = z.object({
  platform: z.enum(platforms),
  postId: z.string().optional(),
  author: z.string().min(1),
  text: z.string().min(1),
});
const controlEdit = z.object({ id: z.string().min(1).max(200), text: z.string().min(1).max(100_000) });
const latencyInput = z.object({ ms: z.number().int().min(0).max(600_000) });

function send(res: http.ServerResponse, out: SimResponse): void {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let payload: Buffer | string = '';
  if (Buffer.isBuffer(out.body)) payload = out.body;
  else if (typeof out.body === 'string') payload = out.body;
  else if (out.body !== undefined) {
    payload = JSON.stringify(out.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(out.status, headers);
  res.end(payload);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a `timeout` fault holds a request before dropping it: longer than any client timeout we use. */
export const HANG_MS = 120_000;

async function handleControl(
  hub: SimulatorHub,
  method: string,
  path: string,
  body: Buffer,
): Promise<SimResponse> {
  const json = parseJson(body);
  const bad = (message: string): SimResponse => ({ status: 400, body: { error: message } });
  if (path === '/_sim/state' && method === 'GET') return { status: 200, body: hub.state() };
  if (path === '/_sim/reset' && method === 'POST') {
    hub.reset();
    return { status: 200, body: { ok: true } };
  }
  if (path === '/_sim/faults' && method === 'POST') {
    const parsed = faultSchema.safeParse(json);
    if (!parsed.success) return bad(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return { status: 201, body: { id: hub.addFault(parsed.data) } };
  }
  if (path === '/_sim/faults' && method === 'GET') return { status: 200, body: { faults: hub.listFaults() } };
  if (path === '/_sim/faults' && method === 'DELETE') {
    hub.clearFaults();
    return { status: 200, body: { ok: true } };
  }
  if (path === '/_sim/comments' && method === 'POST') {
    const parsed = controlComment.safeParse(json);
    if (!parsed.success) return bad(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const sim = hub.simulators.get(parsed.data.platform);
    if (!sim) return bad(`no simulator for ${parsed.data.platform}`);
    try {
      return { status: 201, body: sim.injectComment(parsed.data, hub) };
    } catch (e) {
      return bad(e instanceof Error ? e.message : String(e));
    }
  }
  if (path === '/_sim/comments/edit' && method === 'POST') {
    const parsed = controlEdit.safeParse(json);
    if (!parsed.success) return bad(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const edited = hub.editComment(parsed.data.id, parsed.data.text);
    return edited ? { status: 200, body: edited } : { status: 404, body: { error: `no comment ${parsed.data.id}` } };
  }
  if (path === '/_sim/latency' && method === 'GET') return { status: 200, body: { ms: hub.latencyMs } };
  if (path === '/_sim/latency' && method === 'POST') {
    const parsed = latencyInput.safeParse(json);
    if (!parsed.success) return bad('body must be { "ms": non-negative integer }');
    hub.latencyMs = parsed.data.ms;
    return { status: 200, body: { ms: hub.latencyMs } };
  }
  return { status: 404, body: { error: `no control endpoint ${method} ${path}` } };
}

export interface RunningSimulators {
  hub: SimulatorHub;
  /** True when the state came back from the state file; false on a first run, in memory, or after an unreadable file. */
  restored: boolean;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  baseUrl(platform: Platform): string;
  close(): Promise<void>;
}

/** Bodies up to this size are read whole; the largest real request is a video sent in one multipart upload. */
const MAX_BODY = '1gb';

export interface SimulatorServerOptions {
  port?: number;
  host?: string;
  /** Where the state is kept across restarts (ADR 018); in memory only when absent (tests). */
  stateFile?: string;
  /** One line per problem with the state file; stderr when absent. */
  log?: (line: string) => void;
}

/**
 * One express app: the control API under /_sim, then one express Router per platform under /{platform}, its
 * routes matched by express. Faults and latency are applied around every platform route here, so a platform's
 * simulator only speaks its wire format.
 */
export async function startSimulatorServer(
  simulators: PlatformSimulator[],
  opts: SimulatorServerOptions = {},
): Promise<RunningSimulators> {
  const hub = new SimulatorHub(simulators);
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const restored = opts.stateFile ? loadState(hub, opts.stateFile, log) === 'restored' : false;
  const store = opts.stateFile ? fileStore(hub, opts.stateFile, log) : memoryStore;
  let port = 0;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.raw({ type: () => true, limit: MAX_BODY }));
  const bodyOf = (req: express.Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
  const searchOf = (req: express.Request) => new URL(req.originalUrl, 'http://sim.local').searchParams;

  /** Express 4 does not await handlers; a thrown error becomes the simulator's own 500, never a hung request. */
  const run =
    (fn: (req: express.Request, res: express.Response) => Promise<void>): express.RequestHandler =>
    (req, res) => {
      fn(req, res)
        .catch((e: unknown) => {
          if (!res.headersSent) send(res, { status: 500, body: { error: e instanceof Error ? e.message : String(e) } });
        })
        .finally(() => store.changed());
    };

  app.get('/feeds/:name.xml', (req, res) => {
    const feed = hub.feeds.get(req.params.name ?? '');
    if (!feed) return void send(res, { status: 404, body: { error: `no feed ${req.params.name}` } });
    res.status(feed.status).type(feed.contentType).send(feed.body);
  });
  app.put('/_sim/feeds/:name', (req, res) => {
    const name = req.params.name ?? '';
    const status = Number(searchOf(req).get('status') ?? '200');
    if (!FEED_NAME.test(name) || !Number.isInteger(status) || status < 200 || status > 599) return void send(res, { status: 400, body: { error: 'bad feed name or status' } });
    hub.feeds.set(name, { status, contentType: req.headers['content-type'] ?? 'application/xml', body: bodyOf(req).toString('utf8') });
    send(res, { status: 204 });
  });

  app.all(
    '/_sim/*',
    run(async (req, res) => {
      send(res, await handleControl(hub, req.method, req.path, bodyOf(req)));
    }),
  );

  for (const sim of simulators) {
    const platform = sim.platform;
    const router = express.Router();
    for (const route of sim.routes) {
      const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
      router[method](
        route.pattern,
        run(async (req, res) => {
          const simReq: SimRequest = {
            method: req.method,
            path: req.path,
            query: searchOf(req),
            headers: req.headers,
            body: bodyOf(req),
            form: await readForm(bodyOf(req), req.headers['content-type']),
            // Express numbers a RegExp route's groups; the simulators name theirs.
            params: { ...(route.pattern.exec(req.path)?.groups ?? {}) },
            baseUrl: `http://${req.headers.host ?? `${host}:${port}`}/${platform}`,
          };
          if (hub.latencyMs > 0) await sleep(hub.latencyMs);
          const op = typeof route.operation === 'function' ? route.operation(simReq) : route.operation;
          if (op) {
            if (hub.takeFault(platform, op, ['timeout'])) {
              // Hold the request, then drop it without an answer, like a platform that never replies.
              await sleep(HANG_MS);
              req.socket.destroy();
              return;
            }
            const fault = hub.takeFault(platform, op, responseFaults);
            if (fault) {
              send(res, sim.renderFault(fault.kind, op, hub));
              return;
            }
          }
          const dropAfter = op ? hub.takeFault(platform, op, ['drop_after_accept']) : null;
          const out = await route.handler(simReq, hub);
          if (dropAfter && out.status < 400) {
            // The platform accepted and stored the request; the answer is lost on the way back.
            req.socket.destroy();
            return;
          }
          send(res, out);
        }),
      );
    }
    router.use((req, res) => {
      send(res, { status: 404, body: { error: `${platform} simulator has no route ${req.method} ${req.path}` } });
    });
    app.use(`/${platform}`, router);
  }
  // Local CAP feeds (Krisinformation-style Atom, VMA-style JSON) for incoming warnings in the demo and tests.
  app.use('/feeds', capFeedsRouter());
  app.use((req, res) => {
    send(res, { status: 404, body: { error: `unknown simulator path ${req.path}` } });
  });
  // A body over the limit or a torn upload: the simulator's answer, not express's HTML page.
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (!res.headersSent) send(res, { status, body: { error: err instanceof Error ? err.message : String(err) } });
  });

  const server = http.createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${host}:${port}`;
  return {
    hub,
    restored,
    port,
    url,
    baseUrl: (platform) => `${url}/${platform}`,
    close: () =>
      new Promise<void>((resolve) => {
        store.flush();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
