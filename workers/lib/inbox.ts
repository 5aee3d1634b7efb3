/**
 * Inbound comments (ADR 024): fetch a channel's new comments, replies and mentions since its stored cursor, and
 * register each one as an inbound public record before anything else is done with it. One transaction per fetch
 * holds the channel's cursor row locked, skips platform ids already registered, writes record → item (with the
 * classifier's suggestions) per comment, and moves the cursor last. A fetch that is retried, overlaps another or
 * dies before commit therefore registers every comment exactly once: what was not committed is fetched again, and
 * what was committed is recognised by its platform id (unique in inbox_items and, as a backstop, in the register).
 *
 * Edits (issue 9, ADR 036): a known comment seen with new text is a new version, registered as an `edit` record
 * that references the record of the version it replaces (a correction is a new record; nothing is changed). It
 * counts only if the version is newer than the one registered — the platform's change time when it gives one,
 * otherwise when this fetch started — so an overlapping fetch that read the old text before the edit cannot
 * register it back, and each edit is registered once (migration 0013: a record is replaced at most once).
 */
import type { Channel } from '../../db/schema';
import type { Tx } from '../../db/client';
import {
  insertInboundRecord,
  insertInboxItem,
  knownItems,
  latestCommentEdit,
  listFetchableChannels,
  lockCursor,
  publishedPostsOfChannel,
  readInboxSettings,
  recentItemsOfChannel,
  saveCursor,
  updateInboxItem,
} from '../../db/queries/inbox';
import { findCursor } from '../../db/queries/inbox';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import { classifyComment } from '../../common/moderation';
import { moderationOptionsOf, readModerationConfig } from '../../common/inbox/settings';
import { answerDueAt } from '../../common/inbox/answer-time';
import { isPlatformError, type InboundComment } from '../platforms/contract';
import { platformModule } from '../platforms/registry';
import { credentialsFor, CredentialsProblem } from './channel-credentials';
import { recordAudit as audit } from '../../db/queries/audit';
import type { WorkerDeps } from '../deps';

/** How many of our newest posts per channel are watched for comments. */
export const WATCHED_POSTS = 50;

export type FetchDeps = Pick<WorkerDeps, 'db' | 'credentialsKey' | 'log' | 'platformTimeoutMs'>;

export interface FetchResult {
  channelId: string;
  fetched: number;
  registered: number;
  /** Known comments seen with new text: each registered as an edit record. */
  edited: number;
  error: string | null;
}

export function itemKind(c: Pick<InboundComment, 'postExternalId' | 'parentExternalId'>): 'comment' | 'reply' | 'mention' {
  if (!c.postExternalId) return 'mention';
  if (!c.parentExternalId || c.parentExternalId === c.postExternalId) return 'comment';
  return 'reply';
}

/** What the register keeps of an inbound comment: exactly what the platform showed, nothing we derived. */
export function inboundRecordContent(channel: Channel, c: InboundComment) {
  return {
    text: c.text,
    author: c.authorName,
    authorId: c.authorId,
    platform: channel.platform,
    channel: channel.key,
    externalId: c.externalId,
    postExternalId: c.postExternalId,
    parentExternalId: c.parentExternalId,
    kind: itemKind(c),
    appearedAt: c.createdAt.toISOString(),
  };
}

export interface Registered {
  registered: number;
  edited: number;
}

/** The summary (ärendemening) of a comment's record: its first 120 characters. */
const summaryOf = (text: string) => Array.from(text).slice(0, 120).join('') || '(tom kommentar)';

/** The registration fields a comment's record (the comment, or a new version of it) takes from the comment. */
function commentRecord(channel: Channel, c: InboundComment, ours: { postId: string } | undefined, content: Record<string, unknown>) {
  return {
    direction: 'incoming' as const,
    channelId: channel.id,
    postId: ours?.postId ?? null,
    platform: channel.platform,
    externalId: c.externalId,
    counterparty: c.authorName || c.authorId || '(okänd)',
    summary: summaryOf(c.text),
    content,
    contentSha256: sha256Hex(canonicalJson(content)),
  };
}

/**
 * New versions of known comments: an `edit` record per changed text, newer than the version registered, that
 * references that version's record; the inbox item then shows the new text.
 */
async function registerEdits(
  tx: Tx,
  channel: Channel,
  seen: InboundComment[],
  known: Awaited<ReturnType<typeof knownItems>>,
  postsByExternalId: Map<string, { deliveryId: string; postId: string }>,
  seenAt: Date,
): Promise<number> {
  let edited = 0;
  for (const c of seen) {
    const item = known.get(c.externalId);
    if (!item || item.text === c.text) continue;
    const versionAt = c.editedAt ?? seenAt;
    const previous = await latestCommentEdit(tx, channel.id, c.externalId);
    const previousAt = previous?.recordDate ?? item.appearedAt;
    // Stored to the millisecond: a version is newer only if it is newer at that precision.
    if (versionAt.getTime() <= previousAt.getTime()) continue;
    const replaces = previous?.id ?? item.recordId;
    const ours = c.postExternalId ? postsByExternalId.get(c.postExternalId) : undefined;
    const content = { ...inboundRecordContent(channel, c), editedAt: c.editedAt?.toISOString() ?? null, seenAt: seenAt.toISOString(), replacesRecordId: replaces };
    await insertInboundRecord(tx, { ...commentRecord(channel, c, ours, content), kind: 'edit', recordDate: versionAt, relatedRecordId: replaces });
    await updateInboxItem(tx, item.id, { text: c.text });
    edited += 1;
  }
  return edited;
}

export async function registerComments(
  tx: Tx,
  channel: Channel,
  comments: InboundComment[],
  postsByExternalId: Map<string, { deliveryId: string; postId: string }>,
  seenAt: Date = new Date(),
): Promise<Registered> {
  // The same comment twice in one page (platform paging overlap) counts once.
  const unique = [...new Map(comments.map((c) => [c.externalId, c])).values()];
  const known = await knownItems(tx, channel.id, unique.map((c) => c.externalId));
  const edited = await registerEdits(tx, channel, unique, known, postsByExternalId, seenAt);
  const fresh = unique.filter((c) => !known.has(c.externalId)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  if (fresh.length === 0) return { registered: 0, edited };
  const settings = await readInboxSettings(tx);
  const config = readModerationConfig(settings.moderation);
  const options = moderationOptionsOf(config);
  const oldest = fresh[0]!.createdAt.getTime();
  const recent = (await recentItemsOfChannel(tx, channel.id, new Date(oldest - config.repeatWindowMinutes * 60_000))).map((r) => ({
    id: r.id,
    text: r.text,
    author: r.authorId ?? r.author,
    at: r.at,
  }));
  for (const c of fresh) {
    const ours = c.postExternalId ? postsByExternalId.get(c.postExternalId) : undefined;
    const content = inboundRecordContent(channel, c);
    // 1. The record, first: the comment is an allmän handling from the moment it reached us.
    const recordId = await insertInboundRecord(tx, { ...commentRecord(channel, c, ours, content), kind: 'inbound_comment', recordDate: c.createdAt });
    // 2. Then what we make of it: suggestions (a person decides), the answer-time target for questions.
    const self = { id: c.externalId, text: c.text, author: c.authorId ?? c.authorName, at: c.createdAt };
    const { labels } = classifyComment(self, { recent, now: c.createdAt, options });
    const question = labels.some((l) => l.label === 'question');
    await insertInboxItem(tx, {
      channelId: channel.id,
      platform: channel.platform,
      externalId: c.externalId,
      kind: itemKind(c),
      postExternalId: c.postExternalId,
      parentExternalId: c.parentExternalId,
      deliveryId: ours?.deliveryId ?? null,
      authorId: c.authorId,
      authorName: c.authorName,
      text: c.text,
      appearedAt: c.createdAt,
      recordId,
      labels: labels.map((l) => ({ label: l.label, rule: l.rule, score: l.score, explanation: l.explanation })),
      dueAt: question ? answerDueAt(c.createdAt, settings.answerTargetHours) : null,
      // The city's policy: questions on Facebook are answered by the contact centre.
      queue: question && channel.platform === 'facebook' ? 'contact_centre' : null,
    });
    recent.push(self);
  }
  await audit(tx, {
    actorUserId: null,
    actorLabel: 'worker',
    action: 'inbox.registered',
    objectType: 'channel',
    objectId: channel.id,
    details: { count: fresh.length, externalIds: fresh.map((c) => c.externalId) },
  });
  return { registered: fresh.length, edited };
}

/** One fetch of one channel. Platform trouble is recorded on the cursor and left for the next run. */
export async function fetchChannelComments(deps: FetchDeps, channel: Channel): Promise<FetchResult> {
  const module = platformModule(channel.platform);
  const posts = await publishedPostsOfChannel(deps.db, channel.id, WATCHED_POSTS);
  const postsByExternalId = new Map(posts.map((p) => [p.externalId!, { deliveryId: p.deliveryId, postId: p.postId }]));
  const before = await findCursor(deps.db, channel.id);
  // What a version seen in this fetch is dated by when the platform gives no change time (see registerEdits).
  const seenAt = new Date();
  let page;
  try {
    const credentials = await credentialsFor(deps, channel, module);
    page = await module.adapter.fetchComments(
      { channelId: channel.id, accountId: channel.accountId ?? '', apiBaseUrl: channel.apiBaseUrl, credentials, timeoutMs: deps.platformTimeoutMs },
      { cursor: before?.cursor ?? null, postExternalIds: [...postsByExternalId.keys()] },
    );
  } catch (e) {
    if (!(e instanceof CredentialsProblem) && !isPlatformError(e)) throw e;
    const message = e.message;
    deps.log.warn({ channelId: channel.id, err: message }, 'inbox fetch failed; retried next run');
    await saveCursor(deps.db, channel.id, { lastError: message, lastFetchedAt: new Date() });
    return { channelId: channel.id, fetched: 0, registered: 0, edited: 0, error: message };
  }
  const registered = await deps.db.transaction(async (tx) => {
    const cursor = await lockCursor(tx, channel.id);
    const n = await registerComments(tx, channel, page.comments, postsByExternalId, seenAt);
    // A fetch that started from an older cursor than the one now stored (it overlapped another) leaves it alone.
    const moveCursor = (cursor.cursor ?? null) === (before?.cursor ?? null) && page.cursor !== null;
    await saveCursor(tx, channel.id, { ...(moveCursor ? { cursor: page.cursor } : {}), lastError: null, lastFetchedAt: new Date() });
    return n;
  });
  return { channelId: channel.id, fetched: page.comments.length, ...registered, error: null };
}

export async function fetchableChannels(deps: FetchDeps): Promise<Channel[]> {
  return listFetchableChannels(deps.db);
}
