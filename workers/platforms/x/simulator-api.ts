/**
 * The X simulator's tweet routes: create (with twitter-text validation, duplicates, reply targets, media), delete,
 * hide replies, timeline and mention listings with X's paging, and the permalink page people open.
 */
import type { SimRequest, SimResponse, SimulatorHub } from '../sim/core';
import { postPage } from '../sim/html';
import { X_LIMITS } from './limits';
import { xAccounts, type TokenClaims } from './sim-oauth';
import { compareIds, csv, duplicateContent, forbidden, invalidRequest, isNumericId, notFound, parseJsonObject, renderTweet, tooManyRequests, type TweetRecord } from './sim-wire';
import { dayHeaders, find, authorOf, conversationOf, record, take, userObject, xComments, xPosts, type SimMedia, type XSimState } from './simulator-state';
import { twitterText } from './twitter-text';

export interface ListQuery {
  max: number;
  sinceId: string | null;
  untilId: string | null;
  start: number | null;
  end: number | null;
  before: string | null;
  fields: Set<string>;
  expansions: Set<string>;
  excludeReplies: boolean;
}

export function readListQuery(q: URLSearchParams): ListQuery | SimResponse {
  const max = q.has('max_results') ? Number(q.get('max_results')) : 10;
  if (!Number.isInteger(max) || max < 5 || max > 100) {
    return invalidRequest('The `max_results` query parameter value is not between 5 and 100', {
      max_results: [q.get('max_results')],
    });
  }
  const time = (name: string): number | null | SimResponse => {
    const raw = q.get(name);
    if (raw === null) return null;
    const value = Date.parse(raw);
    return Number.isFinite(value) ? value : invalidRequest(`Invalid ${name}`, { [name]: [raw] });
  };
  const start = time('start_time');
  const end = time('end_time');
  if (typeof start === 'object' && start !== null) return start;
  if (typeof end === 'object' && end !== null) return end;
  for (const name of ['since_id', 'until_id']) {
    const raw = q.get(name);
    if (raw !== null && !isNumericId(raw)) return invalidRequest(`Invalid ${name}`, { [name]: [raw] });
  }
  const token = q.get('pagination_token');
  let before: string | null = null;
  if (token !== null) {
    before = Buffer.from(token, 'base64url').toString('utf8');
    if (!isNumericId(before)) return invalidRequest('Invalid pagination_token', { pagination_token: [token] });
  }
  return {
    max,
    sinceId: q.get('since_id'),
    untilId: q.get('until_id'),
    start,
    end,
    before,
    fields: csv(q.get('tweet.fields')),
    expansions: csv(q.get('expansions')),
    excludeReplies: csv(q.get('exclude')).has('replies'),
  };
}

export function listing(s: XSimState, hub: SimulatorHub, all: TweetRecord[], query: ListQuery): SimResponse {
  const matching = all
    .filter((t) => !query.excludeReplies || t.replyTo === null)
    .filter((t) => query.sinceId === null || compareIds(t.id, query.sinceId) > 0)
    .filter((t) => query.untilId === null || compareIds(t.id, query.untilId) < 0)
    .filter((t) => query.start === null || Date.parse(t.createdAt) >= query.start)
    .filter((t) => query.end === null || Date.parse(t.createdAt) <= query.end)
    .sort((a, b) => compareIds(b.id, a.id));
  const from = query.before === null ? matching : matching.filter((t) => compareIds(t.id, query.before ?? '0') < 0);
  const page = from.slice(0, query.max);
  const meta: Record<string, unknown> = { result_count: page.length };
  if (page.length === 0) return { status: 200, body: { meta } };
  const first = page[0];
  const last = page[page.length - 1];
  if (first && last) {
    meta.newest_id = first.id;
    meta.oldest_id = last.id;
    if (from.length > page.length) meta.next_token = Buffer.from(last.id).toString('base64url');
  }
  const includes: Record<string, unknown[]> = {};
  if (query.expansions.has('author_id')) {
    const ids = [...new Set(page.map((t) => t.authorId))];
    includes.users = ids.map((id) => userObject(hub, id)).filter((u) => u !== null);
  }
  if (query.expansions.has('referenced_tweets.id')) {
    const refs = [...new Set(page.map((t) => t.replyTo).filter((id) => id !== null))];
    includes.tweets = refs
      .map((id) => find(hub, id))
      .filter((f) => f !== null)
      .map((f) => renderTweet(record(s, hub, f), query.fields));
  }
  const body: Record<string, unknown> = { data: page.map((t) => renderTweet(t, query.fields)), meta };
  if (Object.keys(includes).length > 0) body.includes = includes;
  return { status: 200, body };
}

export function createTweet(s: XSimState, req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
  const json = parseJsonObject(req.body);
  if (!json) return invalidRequest('Request body must be a JSON object');
  const text = typeof json.text === 'string' ? json.text : '';
  const mediaField = json.media as { media_ids?: unknown } | undefined;
  const mediaIds = Array.isArray(mediaField?.media_ids) ? mediaField.media_ids.map(String) : [];
  if (text === '' && mediaIds.length === 0) {
    return invalidRequest('You must specify at least one of text or media.', { text: [text] });
  }
  if (text !== '') {
    const parsed = twitterText.parseTweet(text);
    if (!parsed.valid) {
      const why =
        parsed.weightedLength > X_LIMITS.maxWeightedLength
          ? 'Your Tweet text is too long.'
          : 'Your Tweet text is invalid.';
      return invalidRequest(why, { text: [text] });
    }
  }
  const attached: SimMedia[] = [];
  for (const id of mediaIds) {
    const item = s.media.get(id);
    if (!item || item.owner !== user.sub || item.state !== 'succeeded') {
      return invalidRequest('Your media IDs are invalid.', { media_ids: mediaIds });
    }
    attached.push(item);
  }
  const single = attached.filter((m) => m.category !== 'tweet_image').length;
  if (attached.length > X_LIMITS.maxImages || (single > 0 && attached.length > 1)) {
    return invalidRequest('Your media IDs are invalid.', { media_ids: mediaIds });
  }
  const reply = json.reply as { in_reply_to_tweet_id?: unknown } | undefined;
  const replyTo = reply?.in_reply_to_tweet_id === undefined ? null : String(reply.in_reply_to_tweet_id);
  const target = replyTo === null ? null : find(hub, replyTo);
  if (replyTo !== null && !target) {
    return forbidden('You attempted to reply to a Tweet that is deleted or not visible to you.');
  }
  if (text !== '' && xPosts(hub).some((p) => p.channel === user.sub && !p.deleted && p.text === text)) {
    return duplicateContent();
  }
  let dayHeader: Record<string, string> = {};
  if (s.options.userDayPublishLimit !== null) {
    const day = take(s.dayWindows, user.sub, s.options.userDayPublishLimit, 86_400);
    dayHeader = dayHeaders(day);
    if (!day.allowed) return tooManyRequests(dayHeader);
  }
  const id = hub.nextId();
  const createdAt = new Date().toISOString();
  hub.posts.push({
    platform: 'x',
    channel: user.sub,
    id,
    text,
    link: twitterText.extractUrls(text)[0] ?? null,
    media: attached.map((m) => ({ id: m.id, mimeType: m.mimeType, bytes: m.totalBytes, ...(m.altText ? { altText: m.altText } : {}) })),
    replyTo,
    createdAt,
    deleted: false,
  });
  if (target?.kind === 'comment') {
    // The city answering someone in a conversation: it shows up in that thread as the owner's reply.
    const account = xAccounts().find((a) => a.accountId === user.sub);
    hub.addComment({
      platform: 'x',
      channel: user.sub,
      id,
      postId: target.comment.postId,
      parentId: replyTo,
      author: account?.handle ?? user.sub,
      authorId: user.sub,
      text,
      createdAt,
      fromOwner: true,
    });
  }
  const rendered = renderTweet(
    { id, text, authorId: user.sub, createdAt, conversationId: id, replyTo, inReplyToUserId: null, mediaKeys: [] },
    new Set(),
  );
  return { status: 201, headers: dayHeader, body: { data: rendered } };
}

export function deleteTweet(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
  const id = req.params.id ?? '';
  const found = find(hub, id);
  if (!found) return notFound(id);
  if (authorOf(found) !== user.sub) return forbidden('You are not allowed to delete a Tweet you did not create.');
  for (const p of xPosts(hub)) if (p.id === id) p.deleted = true;
  for (const c of xComments(hub)) if (c.id === id) c.deleted = true;
  return { status: 200, body: { data: { deleted: true } } };
}

export function hideReply(req: SimRequest, hub: SimulatorHub, user: TokenClaims): SimResponse {
  const id = req.params.id ?? '';
  const json = parseJsonObject(req.body);
  if (!json || typeof json.hidden !== 'boolean') return invalidRequest('`hidden` must be a boolean', { hidden: [] });
  const found = find(hub, id);
  if (!found) return notFound(id);
  const root = find(hub, conversationOf(hub, id));
  // Only replies by others, in conversations the user started, can be hidden.
  if (found.kind !== 'comment' || found.comment.parentId === null || !root || authorOf(root) !== user.sub) {
    return forbidden('You can only hide or unhide replies to conversations you authored.');
  }
  found.comment.hidden = json.hidden;
  return { status: 200, body: { data: { hidden: json.hidden } } };
}

/** The page a permalink opens (ADR 018). */
export function statusPage(req: SimRequest, hub: SimulatorHub): SimResponse {
  const found = find(hub, req.params.id ?? '');
  const post = found?.kind === 'post' ? found.post : undefined;
  const account = xAccounts().find((a) => a.accountId === post?.channel);
  return postPage('X', post, account ? { name: account.name, handle: account.handle } : null);
}
