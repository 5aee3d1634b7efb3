/**
 * Feed import (ADR 042): read one configured feed and turn each item it lists for the first time into a draft post
 * of the feed's kind, with the item's link, waiting for review. Exactly once: the item's identity (guid, else link)
 * is claimed in the same transaction that creates the draft, against a unique constraint, so a second poll, a poll
 * after a restart, two workers at once or an item edited in the feed never create a second draft.
 */
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import { t } from '../../common/i18n';
import type { Feed } from '../../db/schema';
import { claimFeedItem, recordFeedPoll, setFeedItemPost, touchFeedItem } from '../../db/queries/feeds';
import { findChannelsByKeys } from '../../db/queries/channels';
import { insertPost } from '../../db/queries/posts';
import { recordAudit } from '../../db/queries/audit';
import { createDeliveries } from '../delivery/states';
import type { WorkerDeps } from '../deps';
import { parseFeed, type FeedEntry } from './feed-parse';

export const FEED_MAX_BYTES = 5 * 1024 * 1024;
export const FEED_TIMEOUT_MS = 10_000;

export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
}

/** The feed's body as text, refusing more than `maxBytes` (by Content-Length, and again while reading). */
export async function fetchFeedText(url: string, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<string> {
  const maxBytes = opts.maxBytes ?? FEED_MAX_BYTES;
  let res: Response;
  try {
    res = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(opts.timeoutMs ?? FEED_TIMEOUT_MS),
      headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8' },
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
    throw new FeedFetchError(t('feeds.error.unreachable', { message: cause }));
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new FeedFetchError(t('feeds.error.http', { status: res.status }));
  }
  const declared = Number(res.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new FeedFetchError(t('feeds.error.tooLarge', { max: maxBytes }));
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  if (reader) {
    for (;;) {
      let part: ReadableStreamReadResult<Uint8Array>;
      try {
        part = await reader.read();
      } catch (e) {
        throw new FeedFetchError(t('feeds.error.unreachable', { message: e instanceof Error ? e.message : String(e) }));
      }
      if (part.done) break;
      size += part.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new FeedFetchError(t('feeds.error.tooLarge', { max: maxBytes }));
      }
      chunks.push(part.value);
    }
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function parseErrorText(e: Exclude<ReturnType<typeof parseFeed>, { ok: true }>['error']): string {
  if (e.code === 'entities') return t('feeds.error.entities');
  if (e.code === 'not_a_feed') return t('feeds.error.notAFeed');
  return t('feeds.error.malformed', { message: e.message.slice(0, 300) });
}

function draftText(e: FeedEntry): string {
  if (!e.summary) return e.title;
  const summary = e.summary.length > 240 ? `${e.summary.slice(0, 239).trimEnd()}…` : e.summary;
  return `${e.title}\n\n${summary}`;
}

export interface FeedPollResult {
  feed: string;
  ok: boolean;
  error: string | null;
  items: number;
  created: number;
}

/** One poll of one feed: fetch, parse, import what is new, and record the poll (or its error) on the feed. */
export async function pollFeed(deps: Pick<WorkerDeps, 'db' | 'log'>, feed: Feed, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<FeedPollResult> {
  const at = new Date();
  let entries: FeedEntry[];
  try {
    const parsed = parseFeed(await fetchFeedText(feed.url, opts));
    if (!parsed.ok) throw new FeedFetchError(parseErrorText(parsed.error));
    entries = parsed.entries;
  } catch (e) {
    if (!(e instanceof FeedFetchError)) throw e;
    // The parser quotes the feed (a NUL byte, say): only printable text is stored and shown.
    // eslint-disable-next-line no-control-regex
    const error = e.message.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD').slice(0, 500);
    await recordFeedPoll(deps.db, feed.key, { at, error });
    deps.log.warn({ feed: feed.key, error }, 'feed: poll failed');
    return { feed: feed.key, ok: false, error, items: 0, created: 0 };
  }
  const chans = await findChannelsByKeys(deps.db, feed.channelKeys);
  let created = 0;
  for (const e of entries) {
    const contentSha256 = sha256Hex(canonicalJson({ title: e.title, link: e.link, summary: e.summary }));
    const made = await deps.db.transaction(async (tx) => {
      const item = await claimFeedItem(tx, { feedKey: feed.key, identity: e.identity, guid: e.guid, link: e.link, title: e.title, contentSha256, firstSeenAt: at, lastSeenAt: at });
      if (!item) {
        await touchFeedItem(tx, feed.key, e.identity, contentSha256, at);
        return false;
      }
      const post = await insertPost(tx, {
        text: draftText(e),
        link: e.link,
        kind: feed.kind,
        createdBy: null,
        lastEditedBy: null,
        scheduledAt: at,
        // A draft: it waits in the review queue, where a person edits it and another approves (four eyes, ADR 030).
        reviewState: 'pending_approval',
        reviewComment: t('feeds.draftComment', { feed: feed.title }),
      });
      const rows = await createDeliveries(
        tx,
        chans.filter((c) => c.enabled).map((c) => ({ postId: post.id, channelId: c.id, state: 'draft' as const, scheduledAt: at, isCrisis: false })),
      );
      await setFeedItemPost(tx, item.id, post.id);
      await recordAudit(tx, {
        actorUserId: null,
        actorLabel: 'feed',
        action: 'post.import',
        objectType: 'post',
        objectId: post.id,
        details: { feed: feed.key, identity: e.identity, link: e.link, kind: feed.kind, deliveries: rows.map((d) => d.id) },
      });
      return true;
    });
    if (made) created += 1;
  }
  await recordFeedPoll(deps.db, feed.key, { at, error: null, itemCount: entries.length, newCount: created });
  if (created > 0) deps.log.info({ feed: feed.key, created }, 'feed: drafts imported');
  return { feed: feed.key, ok: true, error: null, items: entries.length, created };
}
