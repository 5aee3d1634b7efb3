/** Queries of the inbox (migration 0007): items, cursors, templates and settings. Handle first, as everywhere. */
import { and, desc, eq, gte, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import {
  channels,
  deliveries,
  inboxCursors,
  inboxItems,
  inboxSettings,
  publicRecords,
  type Channel,
  type InboxCursor,
  type InboxItem,
  type InboxSettings,
  type NewInboxItem,
} from '../schema';

/** Channels whose comments are fetched: enabled and signed in. */
export async function listFetchableChannels(db: DbOrTx): Promise<Channel[]> {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.enabled, true), eq(channels.credentialStatus, 'ok'), isNotNull(channels.credentialsEncrypted)));
}

/** Our published posts on a channel, newest first: what comments are fetched for (and linked back to). */
export async function publishedPostsOfChannel(db: DbOrTx, channelId: string, limit: number) {
  return db
    .select({ deliveryId: deliveries.id, postId: deliveries.postId, externalId: deliveries.externalId })
    .from(deliveries)
    .where(and(eq(deliveries.channelId, channelId), eq(deliveries.state, 'published'), isNotNull(deliveries.externalId)))
    .orderBy(desc(deliveries.publishedAt))
    .limit(limit);
}

/** The channel's cursor row, created if missing and locked for the rest of the transaction (one fetch at a time). */
export async function lockCursor(tx: DbOrTx, channelId: string): Promise<InboxCursor> {
  await tx.insert(inboxCursors).values({ channelId }).onConflictDoNothing();
  const [row] = await tx.select().from(inboxCursors).where(eq(inboxCursors.channelId, channelId)).for('update');
  if (!row) throw new Error(`inbox cursor for ${channelId} vanished`);
  return row;
}

export async function findCursor(db: DbOrTx, channelId: string): Promise<InboxCursor | null> {
  const [row] = await db.select().from(inboxCursors).where(eq(inboxCursors.channelId, channelId));
  return row ?? null;
}

export async function saveCursor(db: DbOrTx, channelId: string, patch: { cursor?: string | null; lastFetchedAt?: Date; lastError?: string | null }) {
  await db
    .insert(inboxCursors)
    .values({ channelId, ...patch, updatedAt: new Date() })
    .onConflictDoUpdate({ target: inboxCursors.channelId, set: { ...patch, updatedAt: new Date() } });
}

/** The channel's items for these platform ids (registered once, never again), with the text last registered. */
export async function knownItems(db: DbOrTx, channelId: string, externalIds: string[]) {
  if (externalIds.length === 0) return new Map<string, { id: string; text: string; recordId: number | null; appearedAt: Date }>();
  const rows = await db
    .select({ externalId: inboxItems.externalId, id: inboxItems.id, text: inboxItems.text, recordId: inboxItems.recordId, appearedAt: inboxItems.appearedAt })
    .from(inboxItems)
    .where(and(eq(inboxItems.channelId, channelId), inArray(inboxItems.externalId, externalIds)));
  return new Map(rows.map((r) => [r.externalId, { id: r.id, text: r.text, recordId: r.recordId, appearedAt: r.appearedAt }]));
}

/**
 * The newest edit record of a comment, or null when it was never edited (then its inbound record is the current
 * version). Matches the partial index of migration 0013.
 */
export async function latestCommentEdit(db: DbOrTx, channelId: string, externalId: string) {
  const [row] = await db
    .select({ id: publicRecords.id, recordDate: publicRecords.recordDate })
    .from(publicRecords)
    .where(and(eq(publicRecords.kind, 'edit'), eq(publicRecords.channelId, channelId), eq(publicRecords.externalId, externalId)))
    .orderBy(desc(publicRecords.id))
    .limit(1);
  return row ?? null;
}

/** Recent items of a channel, for the classifier's repeated-text rules. */
export async function recentItemsOfChannel(db: DbOrTx, channelId: string, since: Date, limit = 2000) {
  return db
    .select({ id: inboxItems.id, text: inboxItems.text, author: inboxItems.authorName, authorId: inboxItems.authorId, at: inboxItems.appearedAt })
    .from(inboxItems)
    .where(and(eq(inboxItems.channelId, channelId), gte(inboxItems.appearedAt, since)))
    .orderBy(desc(inboxItems.appearedAt))
    .limit(limit);
}

export async function insertInboundRecord(tx: DbOrTx, values: typeof publicRecords.$inferInsert): Promise<number> {
  const [row] = await tx.insert(publicRecords).values(values).returning({ id: publicRecords.id });
  if (!row) throw new Error('public record not inserted');
  return row.id;
}

export async function insertInboxItem(tx: DbOrTx, values: NewInboxItem): Promise<InboxItem> {
  const [row] = await tx.insert(inboxItems).values(values).returning();
  if (!row) throw new Error('inbox item not inserted');
  return row;
}

export async function findInboxItem(db: DbOrTx, id: string): Promise<InboxItem | null> {
  const [row] = await db.select().from(inboxItems).where(eq(inboxItems.id, id));
  return row ?? null;
}

export async function lockInboxItem(tx: DbOrTx, id: string): Promise<InboxItem | null> {
  const [row] = await tx.select().from(inboxItems).where(eq(inboxItems.id, id)).for('update');
  return row ?? null;
}

export async function updateInboxItem(db: DbOrTx, id: string, patch: Partial<NewInboxItem>): Promise<void> {
  await db
    .update(inboxItems)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(inboxItems.id, id));
}

export async function readInboxSettings(db: DbOrTx): Promise<InboxSettings> {
  const [row] = await db.select().from(inboxSettings).where(eq(inboxSettings.id, 1));
  if (row) return row;
  // The migration inserts the row; a database restored without it still works with the defaults.
  const [created] = await db.insert(inboxSettings).values({ id: 1 }).onConflictDoNothing().returning();
  if (created) return created;
  const [again] = await db.select().from(inboxSettings).where(eq(inboxSettings.id, 1));
  if (!again) throw new Error('inbox settings missing');
  return again;
}

