/**
 * The REST API's layer (ADR 037): the bearer-token guard, JSON bodies and queries through the one request-parsing
 * layer, and every refusal as `{ "error": { "code", "message", "field"? } }`. The guard asks the same per-request
 * question as a session (permissionsAt): a staff host's token is worth their week's rights, and no more.
 */
import type { AppLoadContext } from '@remix-run/node';
import type { ZodType, z } from 'zod';
import { isMessageKey, t, type Locale } from '../../common/i18n';
import { logger } from '../../common/logger.server';
import { checkApiToken } from '../models/api-tokens.server';
import { ApiProblem, type ApiIdentity } from '../models/api.server';
import { permissionsAt } from './session.server';
import { rolePermissions, type Permission } from './permissions';
import { isUuid, JsonInputError, readJson, readQuery } from './request.server';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** English when the client asks for it first (Accept-Language), otherwise Swedish like the console. */
export function apiLocale(request: Request): Locale {
  const first = (request.headers.get('accept-language') ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'sv';
}

export function apiJson(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers } });
}

function errorBody(e: { code: string; message: string; field?: string; details?: unknown }) {
  return { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.details !== undefined ? { details: e.details } : {}) } };
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;

/** The caller of this request with `permission`, or an ApiError: 401 (no, bad, revoked token), 429 (throttled), 403. */
export async function requireApiCaller(request: Request, context: AppLoadContext, permission: Permission): Promise<ApiIdentity & { permissions: readonly Permission[] }> {
  const locale = apiLocale(request);
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  const challenge = { 'WWW-Authenticate': 'Bearer realm="utrop"' };
  if (!match || !TOKEN_SHAPE.test(match[1]!)) throw new ApiError(401, 'unauthorized', t('api.error.unauthorized', {}, locale), undefined, challenge);
  const now = new Date();
  const check = await checkApiToken(context.db, match[1]!, now);
  if (!check.ok) {
    const key = check.code === 'token_revoked' ? 'api.error.tokenRevoked' : check.code === 'user_disabled' ? 'api.error.userDisabled' : 'api.error.unauthorized';
    throw new ApiError(401, check.code, t(key, {}, locale), undefined, challenge);
  }
  if (check.retryAfterS !== null) {
    throw new ApiError(429, 'rate_limited', t('api.error.throttled', { seconds: check.retryAfterS }, locale), undefined, { 'Retry-After': String(check.retryAfterS) });
  }
  const { token, user } = check;
  const rights = user ? await permissionsAt(context, user, now) : { permissions: rolePermissions[token.role], hostWindow: null };
  if (!rights.permissions.includes(permission)) {
    throw new ApiError(403, 'forbidden', t('api.error.forbidden', { role: token.role, permission }, locale));
  }
  return { userId: user?.id ?? null, role: token.role, label: `api:${token.name}`, hostWindow: rights.hostWindow, locale, permissions: rights.permissions };
}

/** The first problem zod found, as a message naming its field (catalogue keys translated, as the forms do). */
function zodError(error: z.ZodError, locale: Locale): ApiError {
  const issue = error.issues[0]!;
  let field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys[0]) field = [...issue.path.map(String), issue.keys[0]].join('.');
  const named = field || 'body';
  const message = isMessageKey(issue.message) ? t(issue.message, { field: named }, locale) : `${named}: ${issue.message}`;
  return new ApiError(400, 'invalid_input', message, named);
}

/** A JSON body checked by the one request layer (type, size, UTF-8, NUL) and then by the form's zod schema. */
export async function parseJsonBody<S extends ZodType>(request: Request, schema: S, options: { maxBytes?: number; allowEmpty?: boolean } = {}): Promise<z.output<S>> {
  const locale = apiLocale(request);
  // An action without fields (approve) may come without a body at all; a body, when sent, is JSON like any other.
  const empty = options.allowEmpty && !request.headers.get('content-type') && (request.headers.get('content-length') ?? '0') === '0';
  const raw = empty ? {} : await readJson(request, { maxBytes: options.maxBytes, locale });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw zodError(parsed.error, locale);
  return parsed.data;
}

/** The query string, field by field through readQuery (NUL, UTF-8, length), then the schema. */
export function parseApiQuery<S extends ZodType>(request: Request, schema: S): z.output<S> {
  const locale = apiLocale(request);
  const read = readQuery(request, { locale, maxChars: { '*': 200 } });
  const [bad] = Object.entries(read.fieldErrors);
  if (bad) throw new ApiError(400, 'invalid_input', bad[1][0] ?? t('input.malformed', {}, locale), bad[0] || 'query');
  const parsed = schema.safeParse(Object.fromEntries(read.form.entries()));
  if (!parsed.success) throw zodError(parsed.error, locale);
  return parsed.data;
}

/** A post id from the path: anything but a uuid is a 400 naming it (never a database error). */
export function apiIdParam(params: Record<string, string | undefined>, request: Request): string {
  const id = params.id;
  if (!isUuid(id)) throw new ApiError(400, 'invalid_input', t('api.error.badId', {}, apiLocale(request)), 'id');
  return id.toLowerCase();
}

/**
 * Runs an API handler: whatever it refuses — our errors, the request layer's, a model's ApiProblem, a Response
 * thrown by a shared guard — leaves as the JSON error shape; anything unexpected is a logged 500 without details.
 */
export async function apiHandle(request: Request, fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError) return apiJson(errorBody(e), e.status, e.headers);
    if (e instanceof ApiProblem) return apiJson(errorBody(e), e.status);
    // The unread rest of a refused body stays on the connection: close it, so the client does not reuse it.
    if (e instanceof JsonInputError) return apiJson(errorBody(e), e.status, e.status === 413 ? { Connection: 'close' } : {});
    if (e instanceof Response) {
      const message = (await e.text().catch(() => '')).slice(0, 500) || e.statusText || String(e.status);
      return apiJson(errorBody({ code: e.status === 404 ? 'not_found' : e.status === 403 ? 'forbidden' : 'refused', message }), e.status);
    }
    logger.error({ err: e, path: new URL(request.url).pathname }, 'api request failed');
    return apiJson(errorBody({ code: 'internal', message: t('api.error.unexpected', {}, apiLocale(request)) }), 500);
  }
}

/** The answer for a method a resource does not have. */
export function methodNotAllowed(request: Request, allow: string): Response {
  return apiJson(errorBody({ code: 'method_not_allowed', message: t('api.error.methodNotAllowed', {}, apiLocale(request)) }), 405, { Allow: allow });
}
