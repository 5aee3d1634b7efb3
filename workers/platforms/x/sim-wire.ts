/**
 * X's wire format as the simulator speaks it: problem bodies (platforms.md §1.4), tweet objects with field
 * selection, t.co links and HTML escaping the way the v2 API returns text, and multipart parsing for the
 * media append step.
 */
import { createHash } from 'node:crypto';
import type { SimResponse } from '../sim/core';
import { readRawParts } from '../sim/multipart';
import { twitterText } from './twitter-text';

export const PROBLEM_TYPE = 'https://api.twitter.com/2/problems';

export function problem(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): SimResponse {
  return { status, headers: { 'content-type': 'application/problem+json', ...headers }, body };
}

export function invalidRequest(message: string, parameters: Record<string, unknown> = {}): SimResponse {
  return problem(400, {
    errors: [{ parameters, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: `${PROBLEM_TYPE}/invalid-request`,
  });
}

export const unauthorized = (): SimResponse =>
  problem(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });

export const duplicateContent = (headers: Record<string, string> = {}): SimResponse =>
  problem(
    403,
    {
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    },
    headers,
  );

export const tooManyRequests = (headers: Record<string, string>): SimResponse =>
  problem(429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, headers);

export const usageCapped = (period: string, headers: Record<string, string>): SimResponse =>
  problem(
    429,
    {
      title: 'UsageCapExceeded',
      detail: `Usage cap exceeded: ${period} product cap`,
      type: `${PROBLEM_TYPE}/usage-capped`,
      period,
      scope: 'Product',
    },
    headers,
  );

export function notFound(id: string, resource = 'tweet'): SimResponse {
  return problem(404, {
    errors: [
      {
        value: id,
        detail: `Could not find ${resource} with id: [${id}].`,
        title: 'Not Found Error',
        resource_type: resource,
        parameter: 'id',
        resource_id: id,
        type: `${PROBLEM_TYPE}/resource-not-found`,
      },
    ],
    title: 'Not Found Error',
    detail: `Could not find ${resource} with id: [${id}].`,
    type: `${PROBLEM_TYPE}/resource-not-found`,
  });
}

export function forbidden(detail: string): SimResponse {
  return problem(403, { detail, type: 'about:blank', title: 'Forbidden', status: 403 });
}

/** Anything the API lists as a tweet: our posts and the inbound replies/mentions. */
export interface TweetRecord {
  id: string;
  text: string;
  authorId: string;
  createdAt: string;
  conversationId: string;
  replyTo: string | null;
  inReplyToUserId: string | null;
  mediaKeys: string[];
  /** Every version's id, oldest first (edit_history_tweet_ids); absent: never edited. */
  editHistory?: string[];
}

interface UrlEntity {
  start: number;
  end: number;
  url: string;
  expanded_url: string;
  display_url: string;
}

/** X's own escaping of tweet text: only these three characters. */
function escapeTweetText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function tco(url: string): string {
  return `https://t.co/${createHash('sha256').update(url).digest('base64url').slice(0, 10)}`;
}

const codePoints = (s: string): number => Array.from(s).length;

/** The text as X returns it: every link as a t.co link, `& < >` escaped, indices in code points. */
export function renderText(original: string): { text: string; urls: UrlEntity[] } {
  const text = original.normalize('NFC');
  const urls: UrlEntity[] = [];
  let out = '';
  let at = 0;
  for (const { url, indices } of twitterText.extractUrlsWithIndices(text)) {
    out += escapeTweetText(text.slice(at, indices[0]));
    const short = tco(url);
    const bare = url.replace(/^https?:\/\//i, '');
    const start = codePoints(out);
    out += short;
    urls.push({
      start,
      end: start + codePoints(short),
      url: short,
      expanded_url: /^https?:\/\//i.test(url) ? url : `http://${url}`,
      display_url: bare.length > 26 ? `${bare.slice(0, 26)}…` : bare,
    });
    at = indices[1];
  }
  return { text: out + escapeTweetText(text.slice(at)), urls };
}

export function csv(value: string | null): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** A v2 tweet object with only the requested optional fields, as the real API does. */
export function renderTweet(tweet: TweetRecord, fields: Set<string>): Record<string, unknown> {
  const rendered = renderText(tweet.text);
  const out: Record<string, unknown> = { id: tweet.id, text: rendered.text, edit_history_tweet_ids: tweet.editHistory ?? [tweet.id] };
  if (fields.has('created_at')) out.created_at = tweet.createdAt;
  if (fields.has('author_id')) out.author_id = tweet.authorId;
  if (fields.has('conversation_id')) out.conversation_id = tweet.conversationId;
  if (fields.has('in_reply_to_user_id') && tweet.inReplyToUserId) out.in_reply_to_user_id = tweet.inReplyToUserId;
  if (fields.has('referenced_tweets') && tweet.replyTo)
    out.referenced_tweets = [{ type: 'replied_to', id: tweet.replyTo }];
  if (fields.has('entities') && rendered.urls.length > 0) out.entities = { urls: rendered.urls };
  if (fields.has('attachments') && tweet.mediaKeys.length > 0) out.attachments = { media_keys: tweet.mediaKeys };
  return out;
}

/** The named parts of the media APPEND body; binary-safe (media chunks are raw bytes without a filename). */
export function parseMultipart(body: Buffer, contentType: string | undefined): Map<string, Buffer> | null {
  if (!/^multipart\/form-data/i.test(contentType ?? '')) return null;
  const parts = readRawParts(body, contentType);
  if (!parts) return null;
  return new Map(parts.filter((p) => p.name !== null).map((p) => [p.name ?? '', p.data]));
}

export function parseJsonObject(body: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isNumericId(value: string | null): value is string {
  return value !== null && /^\d{1,19}$/.test(value);
}
