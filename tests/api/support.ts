/**
 * What the API tests share: the real web app (Remix build over HTTP, simulators, demo seed), tokens made with the
 * same use-case the CLI calls, and a small JSON client that sends exactly what it is given.
 */
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../support/app';
import { createApiToken } from '../../app/models/api-tokens.server';
import { channels, users } from '../../db/schema';
import { toCityLocalInput } from '../../common/time';
import type { Role } from '../../common/roles';

export type { TestApp };
export { startTestApp };

let seq = 0;

/** A token for a demo user of `role` (or, with `service`, one of no user); returns the secret. */
export async function tokenFor(app: TestApp, role: Role, opts: { email?: string; service?: boolean; perMinute?: number } = {}): Promise<string> {
  seq += 1;
  const email = opts.service ? undefined : (opts.email ?? app.seed.demoUsers.find((u) => u.role === role)?.email);
  const { token } = await createApiToken(app.db.db, { name: `test-${role}-${seq}`, role, userEmail: email, ratePerMinute: opts.perMinute ?? 1000 }, { userId: null, label: 'test' });
  return token;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string; field?: string; details?: unknown } } & Record<string, unknown>;
}

/** One request: a JSON body when `body` is an object, sent as given when it is a string or bytes. */
export async function call(app: TestApp, token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const raw = body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const res = await fetch(`${app.url}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && typeof body === 'object' && !(body instanceof Uint8Array) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: raw as BodyInit | undefined,
  });
  const text = await res.text();
  let parsed: ApiResponse['body'];
  try {
    parsed = JSON.parse(text) as ApiResponse['body'];
  } catch {
    throw new Error(`${method} ${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function channelId(app: TestApp, key: string): Promise<string> {
  const [c] = await app.db.db.select().from(channels).where(eq(channels.key, key));
  if (!c) throw new Error(`no channel ${key}`);
  return c.id;
}

export async function userId(app: TestApp, email: string): Promise<string> {
  const [u] = await app.db.db.select().from(users).where(eq(users.email, email));
  if (!u) throw new Error(`no user ${email}`);
  return u.id;
}

/** A Stockholm wall-clock time `ms` from now, with seconds, as the composer's field takes it. */
export function cityTimeIn(ms: number): string {
  const at = new Date(Date.now() + ms);
  return `${toCityLocalInput(at)}:${String(at.getUTCSeconds()).padStart(2, '0')}`;
}
