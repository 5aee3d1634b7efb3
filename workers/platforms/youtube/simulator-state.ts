/**
 * The YouTube simulator's private state and the helpers its routes share: Google's error JSON, Bearer checks,
 * the daily upload quota ledger and the mapping between hub records and YouTube resources.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import type { SimComment, SimPost, SimRequest, SimResponse, SimulatorHub } from '../sim/core';
import { isObject, mapFromJson, mapToJson } from '../sim/persist';
import { demoAccountsFor } from '../sim/demo-accounts';
import { YOUTUBE_DESCRIPTION_MAX_BYTES, YOUTUBE_FORBIDDEN_CHARS, YOUTUBE_TITLE_MAX_CHARS } from './limits';

export interface YoutubeSimSettings {
  /** videos.insert calls per project and Pacific day (the insert quota bucket, 1 per call). */
  dailyUploadLimit: number;
  /** Completed uploads per channel in a rolling 24 h before 400 uploadLimitExceeded; null: no cap. */
  channelUploadCap: number | null;
  /** How long an upload session accepts bytes; Google's own lifetime is about a week. */
  sessionTtlMs: number;
}

export const defaultYoutubeSimSettings: YoutubeSimSettings = {
  dailyUploadLimit: 100,
  channelUploadCap: null,
  sessionTtlMs: 7 * 24 * 60 * 60 * 1000,
};

export const ACCESS_TOKEN_TTL_SECONDS = 3599;
const CODE_TTL_MS = 10 * 60 * 1000;
const PACIFIC = 'America/Los_Angeles';

export interface SimChannel {
  id: string;
  title: string;
  handle: string;
}

export interface VideoInput {
  title: string;
  description: string;
  categoryId: string;
  tags: string[];
  privacyStatus: string;
}

export interface UploadSession {
  id: string;
  channelId: string;
  video: VideoInput;
  total: number | null;
  mimeType: string;
  chunks: Buffer[];
  received: number;
  createdAt: number;
  videoId: string | null;
}

export interface AuthCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  method: 'S256' | 'plain';
  channelId: string;
  scope: string;
  expiresAt: number;
}

export class YoutubeSimState {
  settings: YoutubeSimSettings;
  readonly channels: SimChannel[] = demoAccountsFor('youtube').map((a) => ({
    id: a.accountId,
    title: a.name,
    handle: a.handle,
  }));
  sessions = new Map<string, UploadSession>();
  accessTokens = new Map<string, { channelId: string; expiresAt: number }>();
  refreshTokens = new Map<string, string>();
  codes = new Map<string, AuthCode>();
  /** heldForReview or rejected, per hidden comment id. */
  moderation = new Map<string, string>();
  ledger = { day: '', used: 0 };

  constructor(private readonly initial: YoutubeSimSettings) {
    this.settings = { ...initial };
    this.seedDemoTokens();
  }

  reset(): void {
    this.settings = { ...this.initial };
    this.sessions.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.codes.clear();
    this.moderation.clear();
    this.ledger = { day: '', used: 0 };
    this.seedDemoTokens();
  }

  /**
   * What survives a restart (ADR 018): issued tokens, moderation, the quota ledger and finished upload sessions
   * (so a probe after a restart still returns the video, never a second one). An unfinished session holds bytes
   * in memory only; after a restart it answers 404 and the adapter starts a new one, which is safe because
   * nothing exists on YouTube before the last byte.
   */
  save(): unknown {
    const finite = (e: { channelId: string; expiresAt: number }) => ({ channelId: e.channelId, expiresAt: Number.isFinite(e.expiresAt) ? e.expiresAt : null });
    return {
      accessTokens: mapToJson(this.accessTokens).map(([k, v]) => [k, finite(v)]),
      refreshTokens: mapToJson(this.refreshTokens),
      moderation: mapToJson(this.moderation),
      ledger: this.ledger,
      sessions: mapToJson(this.sessions).filter(([, session]) => session.videoId !== null),
    };
  }

  load(data: unknown): void {
    if (!isObject(data)) throw new Error('expected an object');
    const token = (v: unknown): v is { channelId: string; expiresAt: number | null } =>
      isObject(v) && typeof v.channelId === 'string' && (typeof v.expiresAt === 'number' || v.expiresAt === null);
    for (const [k, v] of mapFromJson(data.accessTokens, token)) {
      this.accessTokens.set(k, { channelId: v.channelId, expiresAt: v.expiresAt ?? Number.POSITIVE_INFINITY });
    }
    for (const [k, v] of mapFromJson(data.refreshTokens, (v): v is string => typeof v === 'string')) this.refreshTokens.set(k, v);
    for (const [k, v] of mapFromJson(data.moderation, (v): v is string => typeof v === 'string')) this.moderation.set(k, v);
    const ledger = data.ledger;
    if (isObject(ledger) && typeof ledger.day === 'string' && typeof ledger.used === 'number') this.ledger = { day: ledger.day, used: ledger.used };
    const session = (v: unknown): v is UploadSession => isObject(v) && typeof v.id === 'string' && typeof v.videoId === 'string' && typeof v.channelId === 'string';
    for (const [k, v] of mapFromJson(data.sessions, session)) this.sessions.set(k, { ...v, chunks: [] });
  }

  private seedDemoTokens(): void {
    for (const account of demoAccountsFor('youtube')) {
      this.accessTokens.set(account.accessToken, { channelId: account.accountId, expiresAt: Number.POSITIVE_INFINITY });
      if (account.refreshToken) this.refreshTokens.set(account.refreshToken, account.accountId);
    }
  }

  channel(id: string): SimChannel | undefined {
    return this.channels.find((c) => c.id === id);
  }

  issueAccessToken(channelId: string): string {
    const token = `ya29.sim-${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(token, { channelId, expiresAt: Date.now() + ACCESS_TOKEN_TTL_SECONDS * 1000 });
    return token;
  }

  issueRefreshToken(channelId: string): string {
    const token = `1//sim-${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(token, channelId);
    return token;
  }

  issueCode(code: Omit<AuthCode, 'expiresAt'>): string {
    const value = `4/sim-${randomBytes(18).toString('base64url')}`;
    this.codes.set(value, { ...code, expiresAt: Date.now() + CODE_TTL_MS });
    return value;
  }

  /** Charges one videos.insert call against today's (Pacific) bucket; false when the bucket is empty. */
  chargeUpload(now: Date = new Date()): boolean {
    const day = pacificDay(now);
    if (this.ledger.day !== day) this.ledger = { day, used: 0 };
    if (this.ledger.used >= this.settings.dailyUploadLimit) return false;
    this.ledger.used += 1;
    return true;
  }
}

export function pacificDay(now: Date): string {
  const d = new TZDate(now.getTime(), PACIFIC);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export const newVideoId = () => randomBytes(8).toString('base64url').slice(0, 11);
export const newUploadId = () => `AUsim${randomBytes(24).toString('base64url')}`;
export const newCommentId = () => `Ugz${randomBytes(15).toString('base64url')}`;
export const etag = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('base64url');

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Google's standard error body: {error:{code, message, errors:[{message, domain, reason}], status}}. */
export function googleError(
  status: number,
  reason: string,
  message: string,
  domain = 'youtube.api',
  extra: Record<string, string> = {},
): SimResponse {
  return {
    status,
    body: {
      error: {
        code: status,
        message,
        errors: [{ message, domain, reason, ...extra }],
        ...(statusNames[status] ? { status: statusNames[status] } : {}),
      },
    },
  };
}

export const authError = (): SimResponse =>
  googleError(
    401,
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    'global',
    { location: 'Authorization', locationType: 'header' },
  );

/** The channel the request's Bearer token belongs to, or Google's 401. */
export function authenticate(req: SimRequest, state: YoutubeSimState): string | SimResponse {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer (.+)$/i.exec(header)?.[1];
  const entry = token ? state.accessTokens.get(token) : undefined;
  if (!entry || entry.expiresAt <= Date.now()) return authError();
  return entry.channelId;
}

export function parseJsonBody(req: SimRequest): unknown {
  try {
    return JSON.parse(req.body.toString('utf8') || '{}');
  } catch {
    return undefined;
  }
}

/** Query values, whether repeated (id=a&id=b, as googleapis sends arrays) or comma-separated. */
export function queryList(req: SimRequest, name: string): string[] {
  return req.query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function checkTitle(title: string | undefined): SimResponse | null {
  if (!title || !title.trim() || [...title].length > YOUTUBE_TITLE_MAX_CHARS || YOUTUBE_FORBIDDEN_CHARS.test(title)) {
    return googleError(
      400,
      'invalidTitle',
      'The request metadata specifies an invalid or empty video title.',
      'youtube.video',
    );
  }
  return null;
}

export function checkDescription(description: string): SimResponse | null {
  if (
    Buffer.byteLength(description, 'utf8') > YOUTUBE_DESCRIPTION_MAX_BYTES ||
    YOUTUBE_FORBIDDEN_CHARS.test(description)
  ) {
    return googleError(
      400,
      'invalidDescription',
      'The request metadata specifies an invalid video description.',
      'youtube.video',
    );
  }
  return null;
}

const privacyStatuses = ['public', 'private', 'unlisted'];

/** Validates a video resource as videos.insert does; answers with YouTube's own reasons. */
export function parseVideoInput(body: unknown): VideoInput | SimResponse {
  const snippet = asRecord(asRecord(body).snippet);
  const status = asRecord(asRecord(body).status);
  const title = asString(snippet.title);
  const description = asString(snippet.description) ?? '';
  const tags = Array.isArray(snippet.tags) ? snippet.tags.filter((t): t is string => typeof t === 'string') : [];
  const privacyStatus = asString(status.privacyStatus) ?? 'public';
  const bad = checkTitle(title) ?? checkDescription(description);
  if (bad) return bad;
  if (tags.join(',').length > 500) {
    return googleError(400, 'invalidTags', 'The request metadata specifies invalid video keywords.', 'youtube.video');
  }
  if (!privacyStatuses.includes(privacyStatus)) {
    return googleError(400, 'invalidVideoMetadata', 'The request metadata is invalid.', 'youtube.video');
  }
  if (status.publishAt !== undefined && privacyStatus !== 'private') {
    return googleError(
      400,
      'invalidPublishAt',
      'The request metadata specifies an invalid scheduled publishing time.',
      'youtube.video',
    );
  }
  return {
    title: title ?? '',
    description,
    categoryId: asString(snippet.categoryId) ?? '22',
    tags,
    privacyStatus,
  };
}

export function isResponse(value: unknown): value is SimResponse {
  return typeof value === 'object' && value !== null && 'status' in value && typeof value.status === 'number';
}

/** Records a finished upload in the hub: /_sim/state shows exactly what arrived. */
export function storeVideo(
  hub: SimulatorHub,
  channelId: string,
  video: VideoInput,
  media: { id: string; mimeType: string; bytes: number },
): SimPost {
  const post: SimPost = {
    platform: 'youtube',
    channel: channelId,
    id: newVideoId(),
    text: video.description,
    link: null,
    media: [media],
    replyTo: null,
    createdAt: new Date().toISOString(),
    deleted: false,
    extra: { title: video.title, categoryId: video.categoryId, tags: video.tags, privacyStatus: video.privacyStatus },
  };
  hub.posts.push(post);
  return post;
}

export function findVideo(hub: SimulatorHub, id: string): SimPost | undefined {
  return hub.posts.find((p) => p.platform === 'youtube' && p.id === id && !p.deleted);
}

export function videoResource(post: SimPost, state: YoutubeSimState): Record<string, unknown> {
  const extra = post.extra ?? {};
  const title = String(extra.title ?? '');
  const resource = {
    kind: 'youtube#video',
    id: post.id,
    snippet: {
      publishedAt: post.createdAt,
      channelId: post.channel,
      title,
      description: post.text,
      categoryId: String(extra.categoryId ?? '22'),
      tags: Array.isArray(extra.tags) ? extra.tags : [],
      channelTitle: state.channel(post.channel)?.title ?? '',
      liveBroadcastContent: 'none',
      localized: { title, description: post.text },
    },
    status: {
      uploadStatus: 'uploaded',
      privacyStatus: String(extra.privacyStatus ?? 'public'),
      license: 'youtube',
      embeddable: true,
      publicStatsViewable: true,
      madeForKids: false,
    },
  };
  return { ...resource, etag: etag(resource) };
}

export function commentResource(comment: SimComment, state: YoutubeSimState): Record<string, unknown> {
  const resource = {
    kind: 'youtube#comment',
    id: comment.id,
    snippet: {
      channelId: comment.channel,
      videoId: comment.postId,
      textDisplay: comment.text,
      textOriginal: comment.text,
      ...(comment.parentId ? { parentId: comment.parentId } : {}),
      authorDisplayName: comment.author,
      authorChannelUrl: `http://www.youtube.com/channel/${comment.authorId}`,
      authorChannelId: { value: comment.authorId },
      canRate: true,
      viewerRating: 'none',
      likeCount: 0,
      ...(state.moderation.has(comment.id) ? { moderationStatus: state.moderation.get(comment.id) } : {}),
      publishedAt: comment.createdAt,
      updatedAt: comment.updatedAt ?? comment.createdAt,
    },
  };
  return { ...resource, etag: etag(resource) };
}
