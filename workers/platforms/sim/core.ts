/**
 * The shared machinery of the platform simulators: one HTTP server, a base path per platform, a record of
 * everything received, fault injection and artificial latency. Each platform's simulator.ts supplies routes
 * that speak that platform's wire format; this file knows nothing of any platform's format.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
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
  media: { id: string; mimeType: string; bytes: number }[];
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
  /** This platform's base URL as the caller reached it (http://host:port/facebook): for links to the simulator's own pages. */
  baseUrl: string;
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
  /** Clears platform-private state (tokens issued, containers, quotas); the hub clears posts and comments. */
  reset(): void;
}

interface ActiveFault extends FaultSpec {
  id: string;
  remaining: number | null;
}

export class SimulatorHub {
  posts: SimPost[] = [];
  comments: SimComment[] = [];
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

  reset(): void {
    this.posts = [];
    this.comments = [];
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
const latencyInput = z.object({ ms: z.number().int().min(0).max(600_000) });

function send(res: http.ServerResponse, out: SimResponse): void {
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

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
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
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  baseUrl(platform: Platform): string;
  close(): Promise<void>;
}

export async function startSimulatorServer(
  simulators: PlatformSimulator[],
  opts: { port?: number; host?: string } = {},
): Promise<RunningSimulators> {
  const hub = new SimulatorHub(simulators);
  const host = opts.host ?? '127.0.0.1';
  let port = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim.local');
      const body = await readBody(req);
      if (url.pathname.startsWith('/_sim/')) {
        send(res, await handleControl(hub, req.method ?? 'GET', url.pathname, body));
        return;
      }
      const [, first = '', ...rest] = url.pathname.split('/');
      const platform = platforms.find((p) => p === first);
      const sim = platform ? hub.simulators.get(platform) : undefined;
      if (!platform || !sim) {
        send(res, { status: 404, body: { error: `unknown simulator path ${url.pathname}` } });
        return;
      }
      const path = `/${rest.join('/')}`;
      const method = req.method ?? 'GET';
      let params: Record<string, string> = {};
      const route = sim.routes.find((r) => {
        if (r.method !== method) return false;
        const m = r.pattern.exec(path);
        if (!m) return false;
        params = { ...(m.groups ?? {}) };
        return true;
      });
      if (hub.latencyMs > 0) await sleep(hub.latencyMs);
      if (!route) {
        send(res, { status: 404, body: { error: `${platform} simulator has no route ${method} ${path}` } });
        return;
      }
      const simReq: SimRequest = {
        method,
        path,
        query: url.searchParams,
        headers: req.headers,
        body,
        params,
        baseUrl: `http://${req.headers.host ?? `${host}:${port}`}/${platform}`,
      };
      const op = typeof route.operation === 'function' ? route.operation(simReq) : route.operation;
      if (op) {
        const timeout = hub.takeFault(platform, op, ['timeout']);
        if (timeout) {
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
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: e instanceof Error ? e.message : String(e) } });
    });
  });
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
    port,
    url,
    baseUrl: (platform) => `${url}/${platform}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
