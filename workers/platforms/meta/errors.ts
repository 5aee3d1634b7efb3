/**
 * Graph API error object → PlatformError, per docs/platforms.md §2.2 (Facebook), §3.4 (Instagram) and §6.
 * Shared by the Facebook and Instagram adapters because both speak the same Graph error dialect.
 */
import { PlatformError, type ErrorClass } from '../contract';

export type MetaPlatform = 'facebook' | 'instagram';

/** The `error` member of a Graph error body. */
export interface GraphErrorObject {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

export interface ErrorPolicy {
  /** Wait when a throttle answer carries no estimated_time_to_regain_access. Meta's guidance is 15–60 min. */
  rateLimitFallbackMs: number;
  /** Hold for blocks Meta describes as long (spam restriction 2207051, policy block 368). */
  longHoldMs: number;
  /** Wait after the IG publishing limit when the oldest post in the window is unknown. */
  quotaFallbackMs: number;
  now: () => Date;
}

export const defaultErrorPolicy: ErrorPolicy = {
  rateLimitFallbackMs: 15 * 60_000,
  longHoldMs: 24 * 60 * 60_000,
  quotaFallbackMs: 60 * 60_000,
  now: () => new Date(),
};

const label: Record<MetaPlatform, string> = { facebook: 'Facebook', instagram: 'Instagram' };

const rateLimitCodes = new Set([4, 17, 32, 341, 613]);
/** 8000x are the Business Use Case throttles (80001 Pages, 80002 Instagram …). */
const isBusinessUseCaseThrottle = (code: number) => code >= 80000 && code <= 80014;
const authCodes = new Set([102, 104, 190]);
const authSubcodes = new Set([458, 459, 460, 463, 464, 467, 492]);
/** Instagram subcodes whose remedy is "try again" or "create a new container" (§3.4). */
const transientSubcodes = new Set([2207001, 2207003, 2207006, 2207008, 2207020, 2207032, 2207053]);

/** Swedish, actionable texts for the content errors the platforms report by code or subcode. */
const contentMessages: Record<string, string> = {
  '2207004': 'Bilden är för stor för Instagram. Den får vara högst 8 MB.',
  '36000': 'Bilden är för stor för Instagram. Den får vara högst 8 MB.',
  '2207005': 'Instagram tar bara emot bilder i JPEG-format. Spara bilden som JPEG och försök igen.',
  '36001': 'Instagram tar bara emot bilder i JPEG-format. Spara bilden som JPEG och försök igen.',
  '2207009': 'Bildens proportioner godtas inte av Instagram. Beskär bilden till mellan 4:5 (stående) och 1,91:1 (liggande).',
  '36003': 'Bildens proportioner godtas inte av Instagram. Beskär bilden till mellan 4:5 (stående) och 1,91:1 (liggande).',
  '2207010': 'Bildtexten är för lång för Instagram. Den får vara högst 2 200 tecken.',
  '36004': 'Bildtexten är för lång för Instagram. Den får vara högst 2 200 tecken.',
  '2207040': 'Bildtexten har för många omnämnanden (@). Instagram tillåter högst 20.',
  '2207023': 'Instagram känner inte igen mediatypen. Använd en JPEG-bild eller en video i MP4-format.',
  '2207028': 'Ett karusellinlägg måste ha mellan 2 och 10 bilder eller videor.',
  '2207026': 'Videoformatet stöds inte av Instagram. Använd MP4 eller MOV.',
  '352': 'Videoformatet stöds inte av Instagram. Använd MP4 eller MOV.',
  '2207052': 'Instagram kunde inte hämta filen från dess adress. Kontrollera att filen är publikt åtkomlig och försök igen.',
  '9004': 'Instagram kunde inte hämta filen från dess adress. Kontrollera att filen är publikt åtkomlig och försök igen.',
  '2207050': 'Instagramkontot är begränsat. Logga in i Instagram-appen och åtgärda begränsningen.',
  '1609005': 'Facebook kunde inte läsa länken. Kontrollera att adressen är rätt och att sidan är publik.',
  '351': 'Facebook kunde inte läsa videon. Kontrollera att filen är en hel MP4- eller MOV-video.',
  '324': 'Facebook kunde inte läsa bilden. Kontrollera att filen är en giltig bild.',
  '2069019': 'Facebook kunde inte läsa bilden. Kontrollera att filen är en giltig bild.',
};

/** Strips anything that looks like a Meta token from platform-supplied text before we store or show it. */
export function redactTokens(text: string, knownToken?: string | null): string {
  let out = text;
  if (knownToken) out = out.split(knownToken).join('[token]');
  return out
    .replace(/access_token=[^&\s"']+/gi, 'access_token=[token]')
    .replace(/\b(EAA|IGQ|IGA)[A-Za-z0-9_-]{8,}/g, '[token]')
    .slice(0, 300);
}

export function platformCodeOf(error: Pick<GraphErrorObject, 'code' | 'error_subcode'>): string | undefined {
  if (error.code === undefined) return undefined;
  return error.error_subcode !== undefined ? `${error.code}/${error.error_subcode}` : String(error.code);
}

/** Reads back the Graph code/subcode the mapping stored in details.platformCode. */
export function graphCodeOf(e: unknown): { code?: number; subcode?: number } {
  if (!(e instanceof PlatformError) || !e.details.platformCode) return {};
  const [code, subcode] = e.details.platformCode.split('/').map(Number);
  return {
    code: Number.isFinite(code) ? code : undefined,
    subcode: subcode !== undefined && Number.isFinite(subcode) ? subcode : undefined,
  };
}

/** 9007/2207027: the container is not ready yet; the caller should poll again rather than fail. */
export function isNotReadyError(e: unknown): boolean {
  const { code, subcode } = graphCodeOf(e);
  return code === 9007 || subcode === 2207027;
}

/**
 * Minutes until access is regained, from X-Business-Use-Case-Usage
 * ({"<id>":[{"type":"pages","estimated_time_to_regain_access":N,…}]}). Fractions are accepted (the simulator uses them).
 */
export function regainAccessMinutes(headers: Headers): number | null {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  let best: number | null = null;
  for (const entries of Object.values(parsed as Record<string, unknown>)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const minutes = (entry as { estimated_time_to_regain_access?: unknown })?.estimated_time_to_regain_access;
      if (typeof minutes === 'number' && minutes > 0 && (best === null || minutes > best)) best = minutes;
    }
  }
  return best;
}

function make(errorClass: ErrorClass, message: string, status: number, error: GraphErrorObject, retryAt?: Date) {
  return new PlatformError(errorClass, message, {
    httpStatus: status,
    platformCode: platformCodeOf(error),
    ...(retryAt ? { retryAt } : {}),
  });
}

/**
 * An Instagram container that ended in status_code ERROR. Its `status` text carries the subcode
 * ("Error: 2207020 …"), which decides between "make a new container" (transient) and a content problem.
 */
export function mapContainerError(statusText: string | undefined): PlatformError {
  const text = redactTokens(statusText ?? '');
  const subcode = /\b(2207\d{3})\b/.exec(text)?.[1];
  const details = { platformCode: subcode ? `ERROR/${subcode}` : 'ERROR' };
  if (subcode && transientSubcodes.has(Number(subcode))) {
    return new PlatformError('transient', `Instagram kunde inte behandla mediet (${subcode}). Nästa försök skapar en ny behållare.`, details);
  }
  const known = subcode ? contentMessages[subcode] : undefined;
  return new PlatformError('invalid_content', known ?? `Instagram kunde inte behandla bilden eller videon. Instagrams svar: ”${text}”`, details);
}

export interface MapInput {
  platform: MetaPlatform;
  status: number;
  /** The `error` member; null when the body was not a Graph error (proxy page, empty body). */
  error: GraphErrorObject | null;
  headers: Headers;
  policy: ErrorPolicy;
  token?: string | null;
}

export function mapGraphError({ platform, status, error, headers, policy, token }: MapInput): PlatformError {
  const name = label[platform];
  const now = policy.now().getTime();
  if (!error || typeof error.code !== 'number') {
    const e = error ?? {};
    if (status >= 500) return make('transient', `${name} svarade med ett serverfel (HTTP ${status}).`, status, e);
    if (status === 429) {
      return make('rate_limited', `${name} begränsar antalet anrop just nu.`, status, e, new Date(now + policy.rateLimitFallbackMs));
    }
    if (status === 401) return make('auth_expired', `${name} godtog inte inloggningen. Anslut kanalen på nytt.`, status, e);
    return make('invalid_content', `${name} avvisade anropet (HTTP ${status}).`, status, e);
  }

  const code = error.code ?? 0;
  const subcode = error.error_subcode;
  const graphText = redactTokens(error.error_user_msg || error.message || '', token);
  const codeText = platformCodeOf(error) ?? '';

  if (code === 9007 || subcode === 2207027) {
    return make('transient', `${name} har inte bearbetat mediet färdigt än (kod ${codeText}).`, status, error);
  }
  if (authCodes.has(code) || (subcode !== undefined && authSubcodes.has(subcode))) {
    return make('auth_expired', `Inloggningen till ${name} har gått ut eller återkallats (kod ${codeText}). Anslut kanalen på nytt.`, status, error);
  }
  if (code === 10 || (code >= 200 && code <= 299)) {
    return make('auth_expired', `Appen saknar behörighet hos ${name} (kod ${codeText}). Anslut kanalen på nytt och godkänn alla behörigheter.`, status, error);
  }
  if (code === 25 || subcode === 2207050) {
    return make('auth_expired', contentMessages['2207050'] ?? '', status, error);
  }
  if (code === 506) {
    return make('duplicate', `${name} säger att inlägget redan är publicerat (dubblett, kod ${codeText}).`, status, error);
  }
  if (code === 9 || subcode === 2207042) {
    return make('quota_exhausted', `${name}-kontot har nått gränsen för antal publiceringar per dygn (kod ${codeText}).`, status, error, new Date(now + policy.quotaFallbackMs));
  }
  if (subcode === 2207051 || code === 368) {
    return make('rate_limited', `${name} har tillfälligt begränsat kontot (kod ${codeText}). Vänta minst ett dygn.`, status, error, new Date(now + policy.longHoldMs));
  }
  if (rateLimitCodes.has(code) || isBusinessUseCaseThrottle(code)) {
    const minutes = regainAccessMinutes(headers);
    const waitMs = minutes !== null ? minutes * 60_000 : policy.rateLimitFallbackMs;
    return make('rate_limited', `${name} begränsar antalet anrop just nu (kod ${codeText}).`, status, error, new Date(now + waitMs));
  }
  if (
    code === 1 ||
    code === 2 ||
    code === -1 ||
    code === -2 ||
    error.is_transient === true ||
    status >= 500 ||
    (subcode !== undefined && transientSubcodes.has(subcode))
  ) {
    return make('transient', `${name} hade ett tillfälligt fel (kod ${codeText}). Försök igen om en stund.`, status, error);
  }

  const known = (subcode !== undefined ? contentMessages[String(subcode)] : undefined) ?? contentMessages[String(code)];
  const message = known ?? `${name} godtog inte inlägget (kod ${codeText}). ${name}s svar: ”${graphText}”`;
  return make('invalid_content', message, status, error);
}
