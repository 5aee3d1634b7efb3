/**
 * Deployment settings for the YouTube adapter and where its endpoints live. The worker calls configureYoutube()
 * once at start-up with the Google Cloud OAuth client; demo mode and tests talk to the simulator, which only knows
 * simulatorOAuthClient, so that client is the fallback whenever a connection points at a simulator.
 */
import { simulatorOAuthClient } from '../sim/demo-accounts';

export const RESUMABLE_CHUNK_UNIT = 256 * 1024;

export interface YoutubeConfig {
  clientId: string | null;
  clientSecret: string | null;
  /** Bytes per upload PUT; a multiple of 256 KiB (the protocol requires it for every chunk but the last). */
  chunkSize: number;
  /** How long to wait after a rate-limit answer that carries no Retry-After. */
  rateLimitBackoffMs: number;
  /** Category for new uploads; 22 ("People & Blogs") is YouTube's own default. */
  defaultCategoryId: string;
}

const defaults: YoutubeConfig = {
  clientId: null,
  clientSecret: null,
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

export function oauthClientFor(apiBaseUrl: string | null): { clientId: string; clientSecret: string } {
  if (current.clientId && current.clientSecret)
    return { clientId: current.clientId, clientSecret: current.clientSecret };
  if (apiBaseUrl) return simulatorOAuthClient;
  throw new Error('YouTube OAuth client is not configured: call configureYoutube({ clientId, clientSecret })');
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

export const DEFAULT_TIMEOUT_MS = 30_000;
