/**
 * Wire-format helpers shared by the Facebook and Instagram simulators: Graph error bodies, request parameters
 * (query, form, JSON or multipart, merged like Graph does), bearer tokens and the usage headers.
 */
import { randomBytes } from 'node:crypto';
import type { SimRequest, SimResponse, SimRoute, SimulatorHub, UploadedFile } from '../sim/core';

/** Graph accepts any supported version in the path; the adapters send the one in graph.ts. */
export function graphRoute(
  method: string,
  path: string,
  operation: SimRoute['operation'],
  handler: (req: SimRequest, hub: SimulatorHub) => SimResponse | Promise<SimResponse>,
): SimRoute {
  return { method, pattern: new RegExp(`^/v\\d+\\.\\d+${path}$`), operation, handler };
}

export interface GraphErrorSpec {
  code: number;
  subcode?: number;
  message: string;
  type?: string;
  isTransient?: boolean;
  userTitle?: string;
  userMsg?: string;
}

export function fbtraceId(): string {
  return randomBytes(12).toString('base64url');
}

export function graphError(status: number, spec: GraphErrorSpec, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers,
    body: {
      error: {
        message: spec.message,
        type: spec.type ?? 'OAuthException',
        code: spec.code,
        ...(spec.subcode !== undefined ? { error_subcode: spec.subcode } : {}),
        is_transient: spec.isTransient ?? false,
        ...(spec.userTitle ? { error_user_title: spec.userTitle } : {}),
        ...(spec.userMsg ? { error_user_msg: spec.userMsg } : {}),
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

export const ok = (body: unknown, headers: Record<string, string> = {}): SimResponse => ({ status: 200, headers, body });

/** What Graph says for an id that is unknown, deleted or not the token's to touch. */
export function noSuchObject(id: string, verb: 'get' | 'post' | 'delete'): SimResponse {
  return graphError(400, {
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
  });
}

export function invalidToken(): SimResponse {
  return graphError(
    400,
    { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
    { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"' },
  );
}

export function expiredToken(): SimResponse {
  const message = 'Error validating access token: Session has expired on Monday, 01-Jan-24 00:00:00 PST.';
  return graphError(400, { code: 190, subcode: 463, message }, { 'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${message}"` });
}

export function serverError(): SimResponse {
  return graphError(500, { code: 2, isTransient: true, message: 'An unexpected error has occurred. Please retry your request later.' });
}

/** X-Business-Use-Case-Usage with a wait the adapters turn into retryAt; fractional minutes keep chaos runs short. */
export function businessUseCaseHeader(accountId: string, type: 'pages' | 'instagram', waitSeconds: number): Record<string, string> {
  const usage = { type, call_count: 100, total_cputime: 24, total_time: 31, estimated_time_to_regain_access: waitSeconds / 60 };
  return {
    'x-business-use-case-usage': JSON.stringify({ [accountId]: [usage] }),
    'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 24, total_time: 31 }),
  };
}

export type { UploadedFile };

export interface GraphInput {
  /** Query and body fields merged; the body wins, as on Graph. */
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
}

export function readInput(req: SimRequest): GraphInput {
  const input: GraphInput = { fields: new Map(req.query), files: new Map() };
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (req.body.length === 0) return input;
  if (type.startsWith('multipart/form-data')) {
    // Read once by the hub with Node's Request.formData().
    for (const [k, v] of req.form?.fields ?? []) input.fields.set(k, v.replace(/\r\n/g, '\n'));
    for (const [k, v] of req.form?.files ?? []) input.files.set(k, v);
  } else if (type.startsWith('application/json')) {
    try {
      const json = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(json)) input.fields.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    } catch {
      // Graph ignores a body it cannot parse; the missing fields then produce their own errors.
    }
  } else {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) input.fields.set(k, v);
  }
  return input;
}

/** Graph takes the token as a bearer header or an access_token parameter. */
export function accessToken(req: SimRequest, input?: GraphInput): string | null {
  const header = String(req.headers.authorization ?? '');
  const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
  if (m?.[1]) return m[1].trim();
  return input?.fields.get('access_token') ?? req.query.get('access_token');
}

/** Top-level names of a `fields` parameter ("id,replies{id,text}" → id, replies). */
export function requestedFields(input: GraphInput): Set<string> {
  const raw = input.fields.get('fields') ?? '';
  const out = new Set<string>();
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '{') depth += 1;
    if (ch === '}') depth -= 1;
    if (ch === ',' && depth === 0) {
      if (current.trim()) out.add(current.trim().replace(/\{.*$/, ''));
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.add(current.trim().replace(/\{.*$/, ''));
  return out;
}

export function isTrue(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

/** Opaque paging cursors, like Graph's base64 ones. */
export const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  try {
    return Buffer.from(cursor, 'base64url').toString('utf8');
  } catch {
    return null;
  }
}

/** A stable numeric user id for a citizen's display name, so repeated comments from one name share an author. */
export function citizenId(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 1_000_000_007;
  return `10000${String(h).padStart(10, '0')}`;
}
