/**
 * Maps every twitter-api-v2 failure into exactly one PlatformError class (platforms.md §1.3, §1.4, §6).
 * Messages are built from status codes and X's own problem texts only: the client's error objects carry the
 * request (with its Authorization header), so they are never attached or stringified.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { PlatformError, isPlatformError } from '../contract';
import type { RequestTracker } from './client';

export interface ErrorContext {
  /**
   * True for requests that create or destroy something (POST /2/tweets, DELETE): if the connection fails
   * after the request went out, nobody knows whether X acted, so the answer is outcome_unknown.
   * Reads, uploads of not-yet-attached media and idempotent PUTs are safe to repeat: transient.
   */
  ambiguousAfterSend: boolean;
  tracker: RequestTracker;
  /** The token endpoint: a 400 there means the grant or refresh token is dead, not that content is bad. */
  tokenEndpoint?: boolean;
  /** A Swedish explanation of why X rejected the content, when the caller can tell (from the limit check). */
  describeInvalid?: () => string | null;
}

interface ProblemBody {
  title?: string;
  detail?: string;
  type?: string;
  period?: string;
  error?: string;
  error_description?: string;
  errors?: { message?: string }[];
}

function problemOf(data: unknown): ProblemBody {
  return typeof data === 'object' && data !== null ? (data as ProblemBody) : {};
}

/** X's own wording, trimmed; never contains credentials (X does not echo tokens). */
function problemText(body: ProblemBody): string {
  const text = body.errors?.[0]?.message ?? body.detail ?? body.error_description ?? body.title ?? '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function header(headers: IncomingHttpHeaders, name: string): number | null {
  const raw = headers[name];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** When the exhausted window(s) reset; the 24-hour caps win when they are the ones at zero. */
function rateLimitRetryAt(headers: IncomingHttpHeaders, now = Date.now()): Date {
  const resets: number[] = [];
  for (const scope of ['x-user-limit-24hour', 'x-app-limit-24hour']) {
    const remaining = Number(headers[`${scope}-remaining`]);
    const reset = header(headers, `${scope}-reset`);
    if (reset !== null && remaining === 0) resets.push(reset * 1000);
  }
  const windowReset = header(headers, 'x-rate-limit-reset');
  const windowRemaining = Number(headers['x-rate-limit-remaining']);
  if (windowReset !== null && (windowRemaining === 0 || resets.length === 0)) resets.push(windowReset * 1000);
  // No usable header: X's standard window is 15 minutes.
  const at = resets.length > 0 ? Math.max(...resets) : now + 15 * 60_000;
  return new Date(Math.max(at, now + 1000));
}

/** A usage cap lasts until its period rolls over; X does not say when, so take the period's boundary. */
function usageCapRetryAt(body: ProblemBody, headers: IncomingHttpHeaders, now = new Date()): Date {
  const period = (body.period ?? '').toLowerCase();
  if (period === 'monthly') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  if (period === 'daily') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const dayReset = header(headers, 'x-user-limit-24hour-reset') ?? header(headers, 'x-app-limit-24hour-reset');
  return dayReset !== null ? new Date(dayReset * 1000) : new Date(now.getTime() + 24 * 3600_000);
}

function timeOf(date: Date): string {
  return date.toLocaleString('sv-SE', { timeZone: 'Europe/Stockholm' });
}

function fromResponse(e: ApiResponseError, ctx: ErrorContext): PlatformError {
  const status = e.code;
  const body = problemOf(e.data);
  const text = problemText(body);
  const details = { httpStatus: status, platformCode: body.type ?? body.error ?? body.title };
  if (status === 429 || status === 420) {
    if ((body.type ?? '').endsWith('usage-capped') || body.title === 'UsageCapExceeded') {
      const retryAt = usageCapRetryAt(body, e.headers);
      return new PlatformError(
        'quota_exhausted',
        `X-kontots användningstak är nått. Publicering är möjlig igen tidigast ${timeOf(retryAt)}.`,
        { ...details, retryAt },
      );
    }
    const retryAt = rateLimitRetryAt(e.headers);
    return new PlatformError('rate_limited', `X begränsar antalet anrop. Nytt försök efter ${timeOf(retryAt)}.`, {
      ...details,
      retryAt,
    });
  }
  if (status === 401) {
    return new PlatformError('auth_expired', 'X godtar inte längre kontots inloggning. Anslut kontot igen.', details);
  }
  if (ctx.tokenEndpoint && status === 400) {
    // invalid_request / invalid_grant: the refresh token was spent or revoked, or the code expired.
    return new PlatformError('auth_expired', 'X godtog inte förnyelsen av inloggningen. Anslut kontot igen.', details);
  }
  if (status === 403 && /duplicate/i.test(text)) {
    return new PlatformError('duplicate', 'X avvisade inlägget som en dubblett av ett tidigare inlägg.', details);
  }
  if (status === 403 && (body.type ?? '').endsWith('client-forbidden')) {
    return new PlatformError(
      'auth_expired',
      'Kontots behörigheter hos X räcker inte för åtgärden. Anslut kontot igen med alla behörigheter.',
      details,
    );
  }
  if (status === 403 && /reply to a (Tweet|Post) that is deleted or not visible/i.test(text)) {
    return new PlatformError(
      'invalid_content',
      'Inlägget som du svarar på är borttaget eller inte synligt längre.',
      details,
    );
  }
  if (status >= 500) {
    return new PlatformError(
      'transient',
      `X har tillfälliga problem (HTTP ${status}). Försök igen om en stund.`,
      details,
    );
  }
  if (status === 400 || status === 403 || status === 404 || status === 413 || status === 422) {
    const own = ctx.describeInvalid?.() ?? null;
    const message = own ?? (text ? `X avvisade begäran: ”${text}”` : `X avvisade begäran (HTTP ${status}).`);
    return new PlatformError('invalid_content', message, details);
  }
  return new PlatformError('transient', `Oväntat svar från X (HTTP ${status}).`, details);
}

function fromNetwork(cause: Error | undefined, ctx: ErrorContext): PlatformError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const aborted = cause?.name === 'AbortError';
  const what = aborted ? 'avbröts' : code ? `misslyckades (${code})` : 'fick inget svar';
  if (!ctx.tracker.connected) {
    return new PlatformError('transient', `Anslutningen till X ${what} innan begäran skickades.`, {
      platformCode: code,
    });
  }
  if (ctx.ambiguousAfterSend) {
    return new PlatformError(
      'outcome_unknown',
      `Anslutningen till X ${what} efter att begäran skickats. Det är oklart om X utförde den.`,
      { platformCode: code ?? (aborted ? 'aborted' : 'no_response') },
    );
  }
  return new PlatformError('transient', `Anslutningen till X ${what}. Försök igen.`, { platformCode: code });
}

export function toPlatformError(e: unknown, ctx: ErrorContext): PlatformError {
  if (isPlatformError(e)) return e;
  if (e instanceof ApiResponseError) return fromResponse(e, ctx);
  if (e instanceof ApiPartialResponseError) {
    // Headers arrived, the body did not: X saw the request.
    return ctx.ambiguousAfterSend
      ? new PlatformError('outcome_unknown', 'Svaret från X bröts av. Det är oklart om X utförde begäran.', {
          httpStatus: e.response.statusCode,
        })
      : new PlatformError('transient', 'Svaret från X bröts av. Försök igen.', { httpStatus: e.response.statusCode });
  }
  if (e instanceof ApiRequestError) return fromNetwork(e.requestError, ctx);
  if (e instanceof Error && e.name === 'AbortError') return fromNetwork(e, ctx);
  // Anything else is a bug or an unexpected library error; once connected it says nothing about whether X acted.
  return ctx.ambiguousAfterSend && ctx.tracker.connected
    ? new PlatformError('outcome_unknown', 'Ett oväntat fel inträffade vid anropet till X.')
    : new PlatformError('transient', 'Ett oväntat fel inträffade vid anropet till X.');
}
