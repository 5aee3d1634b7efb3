/**
 * Tuning of the YouTube adapter (chunk size, back-off, category) and where its endpoints live. The OAuth client is
 * not here: it comes on the Connection from oauthClientFor(channel, config) (workers/platforms/oauth-client.ts).
 */

export const RESUMABLE_CHUNK_UNIT = 256 * 1024;

export interface YoutubeConfig {
  /** Bytes per upload PUT; a multiple of 256 KiB (the protocol requires it for every chunk but the last). */
  chunkSize: number;
  /** How long to wait after a rate-limit answer that carries no Retry-After. */
  rateLimitBackoffMs: number;
  /** Category for new uploads; 22 ("People & Blogs") is YouTube's own default. */
  defaultCategoryId: string;
}

const defaults: YoutubeConfig = {
  chunkSize: 32 * RESUMABLE_CHUNK_UNIT, // 8 MiB
  rateLimitBackoffMs: 30_000,
  defaultCategoryId: '22',
};

let current: YoutubeConfig = { ...defaults };

export function configureYoutube(patch: Partial<YoutubeConfig>): void {
  const next = { ...current, ...patch };
  if (!Number.isInteger(next.chunkSize) || next.chunkSize <= 0 || next.chunkSize % RESUMABLE_CHUNK_UNIT !== 0) {
    throw new Error(`YouTube chunkSize must be a positive multiple of ${RESUMABLE_CHUNK_UNIT} bytes`);
  }
  if (!(next.rateLimitBackoffMs >= 0)) throw new Error('YouTube rateLimitBackoffMs must be >= 0');
  current = next;
}

/** Back to the built-in defaults (tests). */
export function resetYoutubeConfig(): void {
  current = { ...defaults };
}

export function youtubeConfig(): Readonly<YoutubeConfig> {
  return current;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The Google client's rootUrl: the simulator's base path (it mirrors Google's paths below it) or the real host. */
export function rootUrlFor(apiBaseUrl: string | null): string {
  return apiBaseUrl ? `${trimSlash(apiBaseUrl)}/` : 'https://youtube.googleapis.com/';
}

export function tokenUrlFor(apiBaseUrl: string | null): string {
  return apiBaseUrl ? `${trimSlash(apiBaseUrl)}/token` : 'https://oauth2.googleapis.com/token';
}

export function authorizeEndpointFor(apiBaseUrl: string | null): string {
  return apiBaseUrl ? `${trimSlash(apiBaseUrl)}/o/oauth2/v2/auth` : 'https://accounts.google.com/o/oauth2/v2/auth';
}

/**
 * Where people watch a video (and a comment on it): youtube.com for real, the simulator's own watch page in demo
 * mode (ADR 018), so every permalink the console shows opens something.
 */
export function watchUrlFor(apiBaseUrl: string | null, videoId: string, commentId?: string): string {
  const origin = apiBaseUrl ? trimSlash(apiBaseUrl) : 'https://www.youtube.com';
  const query = new URLSearchParams({ v: videoId, ...(commentId ? { lc: commentId } : {}) });
  return `${origin}/watch?${query.toString()}`;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
