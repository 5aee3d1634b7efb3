/**
 * The one place that knows the Graph API's address and version, and the request helper both Meta adapters use.
 * Tokens travel only in the Authorization header, never in URLs, so they cannot leak into logs or error texts.
 */
import { PlatformError } from '../contract';
import { defaultErrorPolicy, isNotReadyError, mapGraphError, type ErrorPolicy, type GraphErrorObject, type MetaPlatform } from './errors';

export const GRAPH_API_VERSION = 'v21.0';
export const GRAPH_HOST = 'https://graph.facebook.com';
/** Video uploads go to their own host on the real Graph; the simulator serves both under one base path. */
export const GRAPH_VIDEO_HOST = 'https://graph-video.facebook.com';
export const FACEBOOK_WEB = 'https://www.facebook.com';
export const DEFAULT_TIMEOUT_MS = 30_000;

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Versioned API root: https://graph.facebook.com/v21.0, or the simulator's base path plus the version. */
export function graphRoot(apiBaseUrl: string | null, host: string = GRAPH_HOST): string {
  return `${trimSlash(apiBaseUrl ?? host)}/${GRAPH_API_VERSION}`;
}

/** The Facebook Login dialog lives on www.facebook.com for real, on the simulator's base path in demo mode. */
export function loginDialogUrl(apiBaseUrl: string | null): string {
  return `${trimSlash(apiBaseUrl ?? FACEBOOK_WEB)}/${GRAPH_API_VERSION}/dialog/oauth`;
}

export type GraphParams = Record<string, string | number | boolean | null | undefined>;

export interface GraphClient {
  platform: MetaPlatform;
  apiBaseUrl: string | null;
  token: string | null;
  timeoutMs?: number;
  signal?: AbortSignal;
  policy?: ErrorPolicy;
}

export interface GraphCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** Below the versioned root, starting with "/". */
  path: string;
  query?: GraphParams;
  form?: GraphParams;
  multipart?: FormData;
  /**
   * True for calls that create something visible (a post, a comment). A lost answer or a server fault on such a
   * call leaves us unsure whether it took effect, which is outcome_unknown rather than transient (§6, §7).
   */
  creates?: boolean;
  /** Send to Graph's video upload host (graph-video.facebook.com). */
  videoHost?: boolean;
}

export interface GraphResult<T> {
  data: T;
  headers: Headers;
  status: number;
}

const platformName: Record<MetaPlatform, string> = { facebook: 'Facebook', instagram: 'Instagram' };

/** Failures that happen before a byte of the request reaches the server: nothing can have taken effect. */
const beforeSendCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function causeCode(e: unknown): string | undefined {
  const cause = (e as { cause?: unknown })?.cause as { code?: unknown; errors?: { code?: unknown }[] } | undefined;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? (e as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function lostAnswer(creates: boolean, name: string, why: string): PlatformError {
  return creates
    ? new PlatformError('outcome_unknown', `${why} Det går inte att veta om ${name} hann genomföra anropet.`)
    : new PlatformError('transient', why);
}

function networkError(e: unknown, ctx: { creates: boolean; timedOut: boolean; aborted: boolean; name: string }): PlatformError {
  if (ctx.timedOut) return lostAnswer(ctx.creates, ctx.name, `${ctx.name} svarade inte inom tidsgränsen.`);
  if (ctx.aborted) return lostAnswer(ctx.creates, ctx.name, `Anropet till ${ctx.name} avbröts.`);
  const code = causeCode(e);
  if (code && beforeSendCodes.has(code)) {
    return new PlatformError('transient', `Kunde inte ansluta till ${ctx.name} (${code}).`);
  }
  return lostAnswer(ctx.creates, ctx.name, `Förbindelsen med ${ctx.name} bröts (${code ?? 'okänt nätverksfel'}).`);
}

function toSearchParams(params: GraphParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) out.set(key, String(value));
  }
  return out;
}

function graphErrorOf(json: unknown): GraphErrorObject | null {
  const error = (json as { error?: unknown } | null | undefined)?.error;
  return error && typeof error === 'object' ? (error as GraphErrorObject) : null;
}

export async function graphCall<T>(client: GraphClient, call: GraphCall): Promise<GraphResult<T>> {
  const name = platformName[client.platform];
  const policy = client.policy ?? defaultErrorPolicy;
  const creates = call.creates ?? false;
  const url = new URL(graphRoot(client.apiBaseUrl, call.videoHost ? GRAPH_VIDEO_HOST : GRAPH_HOST) + call.path);
  if (call.query) url.search = toSearchParams(call.query).toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  const body = call.multipart ?? (call.form ? toSearchParams(call.form) : undefined);

  if (client.signal?.aborted) throw new PlatformError('transient', `Anropet till ${name} avbröts innan det skickades.`);
  const timeout = AbortSignal.timeout(client.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = client.signal ? AbortSignal.any([timeout, client.signal]) : timeout;
  const failure = (e: unknown) =>
    networkError(e, { creates, timedOut: timeout.aborted, aborted: client.signal?.aborted ?? false, name });

  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: call.method, headers, body, signal });
    text = await res.text();
  } catch (e) {
    throw failure(e);
  }

  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const error = graphErrorOf(json);
  if (!res.ok || error) {
    const mapped = mapGraphError({ platform: client.platform, status: res.status, error, headers: res.headers, policy, token: client.token });
    const serverFault = res.status >= 500 || error?.is_transient === true || [1, 2, -1, -2].includes(error?.code ?? 0);
    if (creates && mapped.errorClass === 'transient' && serverFault && !isNotReadyError(mapped)) {
      // A real incident: media_publish answered code 2 after creating the post (§6). Reconcile, never blindly retry.
      throw new PlatformError('outcome_unknown', `${mapped.message} Inlägget kan ändå ha publicerats.`, mapped.details);
    }
    throw mapped;
  }
  if (json === undefined || json === null || typeof json !== 'object') {
    throw lostAnswer(creates, name, `${name} gav ett svar som inte gick att läsa.`);
  }
  return { data: json as T, headers: res.headers, status: res.status };
}

/** Graph list envelope. `paging.next` carries the token in its query string, so we page with `after` instead. */
export interface GraphList<T> {
  data: T[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string };
}
