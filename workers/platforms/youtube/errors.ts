/**
 * Maps every YouTube/Google failure onto the contract's error classes (docs/platforms.md §4.4 and §6).
 * Messages are written here, never copied from the client error, so no token or session URL can leak into them.
 */
import { TZDate } from '@date-fns/tz';
import { PlatformError, isPlatformError } from '../contract';
import { youtubeConfig } from './config';

/**
 * What a lost answer can mean. 'read': nothing can have changed (reads, and resumable steps before the last
 * byte, since a video exists only once its last byte arrived) → transient. 'write': the platform may have acted
 * → outcome_unknown, so the pipeline reconciles before trying again.
 */
export type Effect = 'read' | 'write';

const PACIFIC = 'America/Los_Angeles';
const DAY_MS = 24 * 60 * 60 * 1000;

/** YouTube quotas reset at midnight Pacific time; TZDate keeps that right across daylight-saving changes. */
export function nextPacificMidnight(now: Date = new Date()): Date {
  const local = new TZDate(now.getTime(), PACIFIC);
  const midnight = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + 1, PACIFIC);
  return new Date(midnight.getTime());
}

/** Failures where the request never left this machine, so retrying cannot duplicate anything. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

const rateLimitReasons = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'rate_limit_exceeded']);
const oauthAuthReasons = new Set([
  'authError',
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'invalid_token',
]);

/** Swedish, actionable messages for the permanent refusals a communications officer can fix. */
const contentMessages: Record<string, string> = {
  invalidTitle:
    'YouTube godtog inte titeln. Den måste finnas, vara högst 100 tecken lång och får inte innehålla < eller >.',
  invalidDescription:
    'YouTube godtog inte beskrivningen. Den får vara högst 5 000 byte och får inte innehålla < eller >.',
  invalidTags: 'YouTube godtog inte taggarna. De får vara högst 500 tecken sammanlagt.',
  invalidCategoryId: 'YouTube godtog inte videons kategori.',
  invalidPublishAt: 'YouTube godtog inte publiceringstiden. En tidsinställd video måste vara privat.',
  invalidVideoMetadata: 'YouTube godtog inte videons uppgifter.',
  mediaBodyRequired: 'Videofilen saknas eller är tom.',
  forbidden: 'YouTube nekade åtgärden: kanalen saknar behörighet till videon eller kommentaren.',
  insufficientPermissions:
    'Kanalens behörighet räcker inte för åtgärden. Koppla kanalen igen och godkänn alla behörigheter.',
  youtubeSignupRequired: 'Google-kontot har ingen YouTube-kanal. Skapa en kanal och koppla sedan kanalen igen.',
  videoNotFound: 'Videon finns inte längre på YouTube.',
  commentNotFound: 'Kommentaren finns inte längre på YouTube.',
  parentCommentNotFound: 'Kommentaren du svarar på finns inte längre på YouTube.',
  operationNotSupported: 'Det går bara att svara på kommentarer på översta nivån i en tråd.',
  commentTextRequired: 'Svaret får inte vara tomt.',
};

interface HttpFailure {
  status: number | null;
  body: unknown;
  headers: Headers | null;
  code: string | null;
}

/** Reads a GaxiosError (or anything shaped like one) without importing gaxios, a transitive dependency. */
function asHttpFailure(e: unknown): HttpFailure | null {
  if (typeof e !== 'object' || e === null || !('config' in e)) return null;
  const response = (e as { response?: { status?: unknown; data?: unknown; headers?: unknown } }).response;
  const code = (e as { code?: unknown }).code;
  // A timeout or a cancelled signal surfaces as node-fetch's AbortError, which carries no code of its own.
  const aborted = (e as { cause?: { name?: unknown } }).cause?.name === 'AbortError';
  return {
    status: typeof response?.status === 'number' ? response.status : null,
    body: response?.data,
    headers: response?.headers instanceof Headers ? response.headers : null,
    code: typeof code === 'string' ? code : aborted ? 'aborted' : null,
  };
}

/** Google's reason: errors[0].reason for API errors, the OAuth `error` string for token endpoint errors. */
export function googleReason(body: unknown): string | null {
  let data = body;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (typeof data !== 'object' || data === null || !('error' in data)) return null;
  const error = (data as { error: unknown }).error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
    const first: unknown = error.errors[0];
    if (typeof first === 'object' && first !== null && 'reason' in first && typeof first.reason === 'string') {
      return first.reason;
    }
  }
  return null;
}

function retryAfterMs(headers: Headers | null, now: Date): number | null {
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** Classifies an HTTP answer YouTube (or Google's token endpoint) gave. */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Headers | null,
  now: Date = new Date(),
): PlatformError {
  const reason = googleReason(body);
  const details = { httpStatus: status, platformCode: reason ?? String(status) };

  if (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded') {
    return new PlatformError(
      'quota_exhausted',
      'YouTubes dagliga kvot är slut. Nytt försök efter midnatt, Stillahavstid.',
      { ...details, retryAt: nextPacificMidnight(now) },
    );
  }
  if (reason === 'uploadLimitExceeded') {
    return new PlatformError(
      'quota_exhausted',
      'Kanalen har nått YouTubes gräns för antal uppladdningar per dygn. Nytt försök om 24 timmar.',
      { ...details, retryAt: new Date(now.getTime() + DAY_MS) },
    );
  }
  if (status === 429 || (reason !== null && rateLimitReasons.has(reason))) {
    const wait = Math.max(retryAfterMs(headers, now) ?? 0, youtubeConfig().rateLimitBackoffMs);
    return new PlatformError('rate_limited', 'YouTube begränsar antalet anrop just nu. Nytt försök om en stund.', {
      ...details,
      retryAt: new Date(now.getTime() + wait),
    });
  }
  if (reason !== null && reason in contentMessages) {
    return new PlatformError('invalid_content', contentMessages[reason] ?? '', details);
  }
  if (status === 401 || (reason !== null && oauthAuthReasons.has(reason))) {
    return new PlatformError('auth_expired', 'Inloggningen mot YouTube har gått ut eller återkallats.', details);
  }
  if (status >= 500 || status === 408) {
    return new PlatformError('transient', `YouTube svarade med ett tillfälligt fel (HTTP ${status}).`, details);
  }
  if (/^invalid[A-Z]/.test(reason ?? '')) {
    return new PlatformError('invalid_content', `YouTube godtog inte videons uppgifter (${reason}).`, details);
  }
  return new PlatformError(
    'invalid_content',
    `YouTube avvisade begäran (HTTP ${status}${reason ? `, ${reason}` : ''}).`,
    details,
  );
}

/** Classifies anything a Google client call threw. */
export function toPlatformError(e: unknown, effect: Effect, now: Date = new Date()): PlatformError {
  if (isPlatformError(e)) return e;
  const failure = asHttpFailure(e);
  if (failure?.status != null) return errorFromResponse(failure.status, failure.body, failure.headers, now);
  if (failure?.code && notSentCodes.has(failure.code)) {
    return new PlatformError('transient', 'Det gick inte att nå YouTube.', { platformCode: failure.code });
  }
  const details = failure?.code ? { platformCode: failure.code } : {};
  if (effect === 'write') {
    return new PlatformError(
      'outcome_unknown',
      'Svaret från YouTube uteblev (tidsgräns eller avbruten anslutning); det är oklart om åtgärden genomfördes.',
      details,
    );
  }
  return new PlatformError('transient', 'Svaret från YouTube uteblev (tidsgräns eller avbruten anslutning).', details);
}
