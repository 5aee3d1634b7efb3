import { and, asc, count, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { feedItems, feeds, posts, type Feed, type FeedItem } from '../schema';

export async function listFeeds(db: DbOrTx): Promise<Feed[]> {
  return db.select().from(feeds).orderBy(asc(feeds.key));
}

export async function findFeed(db: DbOrTx, key: string): Promise<Feed | undefined> {
  const [row] = await db.select().from(feeds).where(eq(feeds.key, key));
  return row;
}

/** The configuration's columns only: the poll's columns stay as the last poll left them. */
export async function upsertFeedConfig(db: DbOrTx, row: Pick<Feed, 'key' | 'title' | 'url' | 'kind' | 'channelKeys' | 'enabled'>): Promise<void> {
  await db
    .insert(feeds)
    .values(row)
    .onConflictDoUpdate({ target: feeds.key, set: { title: row.title, url: row.url, kind: row.kind, channelKeys: row.channelKeys, enabled: row.enabled } });
}

export async function recordFeedPoll(
  db: DbOrTx,
  key: string,
  result: { at: Date; error: string | null; itemCount?: number; newCount?: number },
): Promise<void> {
  await db
    .update(feeds)
    .set(
      result.error
        ? { lastPolledAt: result.at, lastError: result.error }
        : { lastPolledAt: result.at, lastOkAt: result.at, lastError: null, lastItemCount: result.itemCount ?? 0, lastNewCount: result.newCount ?? 0 },
    )
    .where(eq(feeds.key, key));
}

/**
 * Claims an item's identity for the feed in the caller's transaction: returns the new row, or null when the feed
 * listed it before (the unique constraint decides, so two polls at once claim it once).
 */
export async function claimFeedItem(tx: DbOrTx, row: typeof feedItems.$inferInsert): Promise<FeedItem | null> {
  const [out] = await tx.insert(feedItems).values(row).onConflictDoNothing({ target: [feedItems.feedKey, feedItems.identity] }).returning();
  return out ?? null;
}

/** An item seen again: its last sighting, and when its content changed in the feed (it is never imported again). */
export async function touchFeedItem(tx: DbOrTx, feedKey: string, identity: string, contentSha256: string, at: Date): Promise<void> {
  await tx
    .update(feedItems)
    .set({
      lastSeenAt: at,
      changedInFeedAt: sql`case when ${feedItems.contentSha256} <> ${contentSha256} then ${at.toISOString()}::timestamptz else ${feedItems.changedInFeedAt} end`,
      contentSha256,
    })
    .where(and(eq(feedItems.feedKey, feedKey), eq(feedItems.identity, identity)));
}

export async function setFeedItemPost(tx: DbOrTx, itemId: string, postId: string): Promise<void> {
  await tx.update(feedItems).set({ postId }).where(eq(feedItems.id, itemId));
}

export async function countFeedImports(db: DbOrTx): Promise<{ feedKey: string; n: number }[]> {
  return db.select({ feedKey: feedItems.feedKey, n: count() }).from(feedItems).where(isNotNull(feedItems.postId)).groupBy(feedItems.feedKey);
}

export async function recentFeedItems(db: DbOrTx, limit = 20) {
  return db
    .select({ item: feedItems, reviewState: posts.reviewState })
    .from(feedItems)
    .leftJoin(posts, eq(posts.id, feedItems.postId))
    .orderBy(desc(feedItems.firstSeenAt), desc(feedItems.id))
    .limit(limit);
}
