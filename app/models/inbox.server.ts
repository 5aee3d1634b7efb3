/**
 * Use-cases of the inbox (issue 12): the list and thread view, and the agent's actions — reply, hide/delete with a
 * policy reason, escalate, mark handled — plus reply templates and the classifier's settings. Each action is one
 * transaction with its audit entry; a hide/delete registers the saved copy and the reason before its platform call
 * is even queued (ADR 032).
 */
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import {
  channels,
  deliveries,
  inboxItems,
  inboxSettings,
  posts,
  publicRecords,
  replyTemplates,
  auditLog,
  type Channel,
  type InboxItem,
  type InboxState,
  type ModerationAction,
} from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { findInboxItem, insertInboundRecord, lockInboxItem, readInboxSettings, updateInboxItem } from '../../db/queries/inbox';
import { insertPost } from '../../db/queries/posts';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import { t, type Locale } from '../../common/i18n';
import { blocks, screenText, type Finding } from '../../common/screening';
import { readModerationConfig, signReply, type ModerationConfig } from '../../common/inbox/settings';
import { isOverdue } from '../../common/inbox/answer-time';
import type { Actor } from '../../common/actor';
import type { ModerationReason } from '../../common/inbox/states';
import type { Role } from '../../common/roles';
import { checkReply, createDeliveries, enqueueModeration, enqueuePublish } from '../../workers/delivery/index';
import type { LimitProblem } from '../../workers/platforms/index';

export type { ModerationReason };

/** A state or permission conflict the agent can understand; the route maps `code` to 404/409/400. */
export class InboxActionError extends Error {
  override readonly name = 'InboxActionError';
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid',
    message: string,
    readonly problems: LimitProblem[] = [],
    readonly findings: Finding[] = [],
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// List and thread

export interface InboxFilter {
  channelId?: string | null;
  state?: InboxState | null;
  label?: string | null;
  queue?: string | null;
  overdue?: boolean;
}

export interface InboxRow {
  id: string;
  channelId: string;
  channelName: string;
  platform: Channel['platform'];
  kind: InboxItem['kind'];
  authorName: string;
  text: string;
  appearedAt: Date;
  state: InboxState;
  labels: InboxItem['labels'];
  queue: string | null;
  escalatedTo: string | null;
  dueAt: Date | null;
  overdue: boolean;
  moderationStatus: InboxItem['moderationStatus'];
}

function filterConditions(filter: InboxFilter, now: Date): SQL[] {
  const where: SQL[] = [];
  if (filter.channelId) where.push(eq(inboxItems.channelId, filter.channelId));
  if (filter.state) where.push(eq(inboxItems.state, filter.state));
  if (filter.label) where.push(sql`${inboxItems.labels} @> ${JSON.stringify([{ label: filter.label }])}::jsonb`);
  if (filter.queue) where.push(eq(inboxItems.queue, filter.queue));
  if (filter.overdue) {
    where.push(lt(inboxItems.dueAt, now));
    where.push(inArray(inboxItems.state, ['new', 'escalated']));
  }
  return where;
}

export async function listInbox(db: DbOrTx, filter: InboxFilter = {}, limit = 200, now = new Date()): Promise<InboxRow[]> {
  const rows = await db
    .select({ item: inboxItems, channelName: channels.name })
    .from(inboxItems)
    .innerJoin(channels, eq(channels.id, inboxItems.channelId))
    .where(and(...filterConditions(filter, now)))
    .orderBy(filter.overdue ? asc(inboxItems.dueAt) : desc(inboxItems.appearedAt))
    .limit(limit);
  return rows.map(({ item, channelName }) => ({
    id: item.id,
    channelId: item.channelId,
    channelName,
    platform: item.platform,
    kind: item.kind,
    authorName: item.authorName,
    text: item.text,
    appearedAt: item.appearedAt,
    state: item.state,
    labels: item.labels,
    queue: item.queue,
    escalatedTo: item.escalatedTo,
    dueAt: item.dueAt,
    overdue: isOverdue(item.dueAt, now) && (item.state === 'new' || item.state === 'escalated'),
    moderationStatus: item.moderationStatus,
  }));
}

export async function listInboxChannels(db: DbOrTx) {
  return db.select({ id: channels.id, name: channels.name, platform: channels.platform }).from(channels).orderBy(asc(channels.name));
}

export async function getThread(db: DbOrTx, itemId: string) {
  const item = await findInboxItem(db, itemId);
  if (!item) return null;
  const [channel] = await db.select().from(channels).where(eq(channels.id, item.channelId));
  if (!channel) return null;
  const ourPost = item.deliveryId
    ? ((
        await db
          .select({ text: posts.text, permalink: deliveries.permalink, publishedAt: deliveries.publishedAt, postId: posts.id })
          .from(deliveries)
          .innerJoin(posts, eq(posts.id, deliveries.postId))
          .where(eq(deliveries.id, item.deliveryId))
      )[0] ?? null)
    : null;
  const thread = item.postExternalId
    ? await db
        .select()
        .from(inboxItems)
        .where(and(eq(inboxItems.channelId, item.channelId), eq(inboxItems.postExternalId, item.postExternalId)))
        .orderBy(asc(inboxItems.appearedAt))
        .limit(200)
    : [item];
  const replies = await db
    .select({ id: deliveries.id, state: deliveries.state, text: posts.text, permalink: deliveries.permalink, publishedAt: deliveries.publishedAt, failureReason: deliveries.failureReason })
    .from(deliveries)
    .innerJoin(posts, eq(posts.id, deliveries.postId))
    .where(and(eq(deliveries.channelId, item.channelId), eq(deliveries.replyToExternalId, item.externalId)))
    .orderBy(asc(deliveries.createdAt));
  const [record] = await db
    .select({ registrationNumber: publicRecords.registrationNumber })
    .from(publicRecords)
    .where(eq(publicRecords.id, item.recordId));
  const history = await db
    .select({ at: auditLog.at, action: auditLog.action, actorLabel: auditLog.actorLabel, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.objectType, 'inbox_item'), eq(auditLog.objectId, item.id)))
    .orderBy(asc(auditLog.at), asc(auditLog.id));
  return { item, channel, ourPost, thread, replies, registrationNumber: record?.registrationNumber ?? null, history };
}

// ---------------------------------------------------------------------------------------------------------------
// Actions

async function lockForAction(tx: DbOrTx, itemId: string): Promise<InboxItem> {
  const item = await lockInboxItem(tx, itemId);
  if (!item) throw new InboxActionError('not_found', t('inbox.error.notFound'));
  return item;
}

export interface ReplyInput {
  itemId: string;
  text: string;
  /** The agent: their display name signs the reply. */
  user: { id: string; name: string };
  /** Publishing despite a blocking screening finding needs a reason, which is recorded. */
  overrideReason?: string | null;
  locale?: Locale;
}

/**
 * A reply goes out like any post: screened (a personnummer blocks unless overridden with a reason), checked against
 * the platform's limits, signed, then published by the delivery pipeline and registered as an outgoing reply.
 */
export async function replyToItem(db: Db, input: ReplyInput) {
  const locale = input.locale ?? 'sv';
  const settings = await readInboxSettings(db);
  const signed = signReply(input.text, settings.signatureFormat, input.user.name);
  const findings = screenText(signed, { locale });
  const override = input.overrideReason?.trim() || null;
  if (blocks(findings) && !override) throw new InboxActionError('invalid', t('inbox.reply.blocked', {}, locale), [], findings);
  return db.transaction(async (tx) => {
    const item = await lockForAction(tx, input.itemId);
    if (item.state === 'removed' || item.moderationStatus === 'pending') throw new InboxActionError('conflict', t('inbox.error.removed', {}, locale));
    const [channel] = await tx.select().from(channels).where(eq(channels.id, item.channelId));
    if (!channel) throw new InboxActionError('not_found', t('inbox.error.notFound', {}, locale));
    const problems = checkReply(channel.platform, signed, locale);
    if (problems.length > 0) throw new InboxActionError('invalid', problems.map((p) => p.message).join(' '), problems);
    const now = new Date();
    const post = await insertPost(tx, {
      text: signed,
      createdBy: input.user.id,
      scheduledAt: now,
      screeningOverrideReason: blocks(findings) ? override : null,
      screeningOverrideBy: blocks(findings) ? input.user.id : null,
    });
    const [delivery] = await createDeliveries(tx, [{ postId: post.id, channelId: channel.id, state: 'queued', scheduledAt: now, replyToExternalId: item.externalId }]);
    await enqueuePublish(tx, delivery!, now);
    await updateInboxItem(tx, item.id, { state: 'answered', answeredAt: now, handledBy: input.user.id });
    await recordAudit(tx, {
      actorUserId: input.user.id,
      actorLabel: 'user',
      action: 'inbox.replied',
      objectType: 'inbox_item',
      objectId: item.id,
      details: {
        postId: post.id,
        deliveryId: delivery!.id,
        findings: findings.map((f) => ({ kind: f.kind, rule: f.rule, severity: f.severity })),
        ...(blocks(findings) ? { screeningOverride: override } : {}),
      },
    });
    return { post, delivery: delivery! };
  });
}

export interface ModerateInput {
  itemId: string;
  action: ModerationAction;
  reason: ModerationReason;
  note?: string | null;
  actor: Actor;
}

/**
 * Hide or delete with the policy's reason. In one transaction: the moderation record (the saved copy of the comment
 * and the reason) is registered, the item marked pending, the platform job queued and the decision audited. The job
 * (workers/tasks/inbox__moderate.ts) only runs after that commit, so the register always has the copy first.
 */
export async function moderateComment(db: Db, input: ModerateInput) {
  return db.transaction(async (tx) => {
    const item = await lockForAction(tx, input.itemId);
    if (item.moderationStatus === 'pending' || (item.state === 'removed' && item.moderationStatus === 'done')) {
      throw new InboxActionError('conflict', t('inbox.error.alreadyModerated'));
    }
    const [channel] = await tx.select().from(channels).where(eq(channels.id, item.channelId));
    if (!channel) throw new InboxActionError('not_found', t('inbox.error.notFound'));
    const [commentRecord] = await tx.select({ registrationNumber: publicRecords.registrationNumber }).from(publicRecords).where(eq(publicRecords.id, item.recordId));
    const content = {
      action: input.action,
      reason: input.reason,
      note: input.note ?? null,
      savedCopy: {
        text: item.text,
        author: item.authorName,
        authorId: item.authorId,
        externalId: item.externalId,
        postExternalId: item.postExternalId,
        appearedAt: item.appearedAt.toISOString(),
      },
      commentRecord: commentRecord?.registrationNumber ?? null,
    };
    const recordId = await insertInboundRecord(tx, {
      kind: 'moderation_event',
      direction: 'internal',
      channelId: channel.id,
      postId: null,
      relatedRecordId: item.recordId,
      platform: channel.platform,
      // Not an inbound comment, so the inbound uniqueness does not apply; the external id ties it to the comment.
      externalId: item.externalId,
      counterparty: item.authorName || '(okänd)',
      summary: t('inbox.record.moderation', { action: t(`inbox.action.${input.action}`), reason: t(`inbox.reason.${input.reason}`) }),
      content,
      contentSha256: sha256Hex(canonicalJson(content)),
    });
    await updateInboxItem(tx, item.id, {
      moderationAction: input.action,
      moderationReason: input.reason,
      moderationStatus: 'pending',
      moderationError: null,
      moderationRecordId: recordId,
      handledBy: input.actor.userId,
    });
    await enqueueModeration(tx, item.id);
    await recordAudit(tx, {
      actorUserId: input.actor.userId,
      actorLabel: input.actor.label,
      action: `inbox.${input.action}_requested`,
      objectType: 'inbox_item',
      objectId: item.id,
      details: { reason: input.reason, recordId, note: input.note ?? null },
    });
    return { recordId };
  });
}

export async function escalateItem(db: Db, input: { itemId: string; role: Role; note?: string | null; actor: Actor }) {
  await db.transaction(async (tx) => {
    const item = await lockForAction(tx, input.itemId);
    if (item.state === 'removed') throw new InboxActionError('conflict', t('inbox.error.removed'));
    await updateInboxItem(tx, item.id, { state: 'escalated', escalatedTo: input.role, escalationNote: input.note ?? null });
    await recordAudit(tx, {
      actorUserId: input.actor.userId,
      actorLabel: input.actor.label,
      action: 'inbox.escalated',
      objectType: 'inbox_item',
      objectId: item.id,
      details: { role: input.role, note: input.note ?? null },
    });
  });
}

export async function markHandled(db: Db, input: { itemId: string; actor: Actor }) {
  await db.transaction(async (tx) => {
    const item = await lockForAction(tx, input.itemId);
    if (item.state === 'handled') return;
    await updateInboxItem(tx, item.id, { state: 'handled', handledAt: new Date(), handledBy: input.actor.userId });
    await recordAudit(tx, { actorUserId: input.actor.userId, actorLabel: input.actor.label, action: 'inbox.handled', objectType: 'inbox_item', objectId: item.id, details: { from: item.state } });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Templates and settings

export async function listReplyTemplates(db: DbOrTx) {
  return db.select().from(replyTemplates).orderBy(asc(replyTemplates.name));
}

export async function saveReplyTemplate(db: Db, input: { name: string; body: string; actor: Actor }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(replyTemplates)
      .values({ name: input.name, body: input.body, createdBy: input.actor.userId })
      .onConflictDoUpdate({ target: replyTemplates.name, set: { body: input.body, updatedAt: new Date() } })
      .returning();
    await recordAudit(tx, { actorUserId: input.actor.userId, actorLabel: input.actor.label, action: 'inbox.template_saved', objectType: 'reply_template', objectId: row!.id, details: { name: input.name } });
    return row!;
  });
}

export async function deleteReplyTemplate(db: Db, input: { id: string; actor: Actor }) {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(replyTemplates).where(eq(replyTemplates.id, input.id)).returning();
    if (!row) throw new InboxActionError('not_found', t('inbox.error.templateNotFound'));
    await recordAudit(tx, { actorUserId: input.actor.userId, actorLabel: input.actor.label, action: 'inbox.template_deleted', objectType: 'reply_template', objectId: row.id, details: { name: row.name } });
  });
}

export async function getInboxSettings(db: DbOrTx) {
  const row = await readInboxSettings(db);
  return { moderation: readModerationConfig(row.moderation), signatureFormat: row.signatureFormat, answerTargetHours: row.answerTargetHours };
}

export async function updateInboxSettings(
  db: Db,
  input: { moderation: ModerationConfig; signatureFormat: string; answerTargetHours: number; actor: Actor },
) {
  await db.transaction(async (tx) => {
    await readInboxSettings(tx);
    await tx
      .update(inboxSettings)
      .set({ moderation: input.moderation, signatureFormat: input.signatureFormat, answerTargetHours: input.answerTargetHours, updatedBy: input.actor.userId, updatedAt: new Date() })
      .where(eq(inboxSettings.id, 1));
    await recordAudit(tx, {
      actorUserId: input.actor.userId,
      actorLabel: input.actor.label,
      action: 'inbox.settings_updated',
      objectType: 'inbox_settings',
      objectId: '1',
      details: { moderation: input.moderation, signatureFormat: input.signatureFormat, answerTargetHours: input.answerTargetHours },
    });
  });
}
