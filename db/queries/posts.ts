/** Queries of the posts table (and the posts list, which reads each post's delivery states). */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { channels, deliveries, posts, type Post } from '../schema';

export type NewPost = typeof posts.$inferInsert;

export async function insertPost(db: DbOrTx, values: NewPost): Promise<Post> {
  const [row] = await db.insert(posts).values(values).returning();
  if (!row) throw new Error('insert into posts returned no row');
  return row;
}

export async function findPost(db: DbOrTx, postId: string): Promise<Post | undefined> {
  const [row] = await db.select().from(posts).where(eq(posts.id, postId));
  return row;
}

export async function updatePost(db: DbOrTx, postId: string, patch: Partial<Omit<NewPost, 'id'>>): Promise<void> {
  await db.update(posts).set(patch).where(eq(posts.id, postId));
}

/** The newest posts with each delivery's channel and state, in two queries whatever the number of posts (the posts list). */
export async function listRecentPostsWithDeliveryStates(db: DbOrTx, limit: number) {
  const recent = await db.select().from(posts).orderBy(desc(posts.createdAt)).limit(limit);
  if (recent.length === 0) return [];
  const rows = await db
    .select({ postId: deliveries.postId, id: deliveries.id, state: deliveries.state, channel: channels.name })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .where(inArray(deliveries.postId, recent.map((p) => p.id)))
    .orderBy(asc(channels.name));
  return recent.map((post) => ({ post, deliveries: rows.filter((r) => r.postId === post.id) }));
}

export interface PostPageFilters {
  kind?: Post['kind'];
  reviewState?: Post['reviewState'];
  /** A channel key: posts with a delivery on it. */
  channelKey?: string;
  /** Posts with a delivery in this state. */
  deliveryState?: (typeof deliveries.$inferSelect)['state'];
  /** Words in the base text (case-insensitive, literal). */
  text?: string;
  createdBy?: string;
  /** Keyset: strictly older than this (microseconds since the epoch, id). */
  before?: { micros: string; id: string };
}

const createdMicros = sql<string>`(extract(epoch from ${posts.createdAt}) * 1000000)::bigint`;

/**
 * One page of posts, newest first, with each delivery's channel, state and permalink (the REST API's list). Keyset
 * paging on (created_at in microseconds, id), so pages neither skip nor repeat posts created meanwhile.
 */
export async function listPostsPage(db: DbOrTx, filters: PostPageFilters, limit: number) {
  const where = and(
    filters.kind ? eq(posts.kind, filters.kind) : undefined,
    filters.reviewState ? eq(posts.reviewState, filters.reviewState) : undefined,
    filters.createdBy ? eq(posts.createdBy, filters.createdBy) : undefined,
    filters.text ? sql`${posts.text} ilike ${`%${filters.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : undefined,
    filters.channelKey || filters.deliveryState
      ? sql`exists (select 1 from ${deliveries} join ${channels} on ${channels.id} = ${deliveries.channelId} where ${deliveries.postId} = ${posts.id}${
          filters.channelKey ? sql` and ${channels.key} = ${filters.channelKey}` : sql``
        }${filters.deliveryState ? sql` and ${deliveries.state} = ${filters.deliveryState}` : sql``})`
      : undefined,
    filters.before ? sql`(${createdMicros}, ${posts.id}) < (${filters.before.micros}::bigint, ${filters.before.id}::uuid)` : undefined,
  );
  const page = await db
    .select({ post: posts, micros: createdMicros })
    .from(posts)
    .where(where)
    .orderBy(desc(createdMicros), desc(posts.id))
    .limit(limit);
  if (page.length === 0) return [];
  const rows = await db
    .select({
      postId: deliveries.postId,
      id: deliveries.id,
      state: deliveries.state,
      scheduledAt: deliveries.scheduledAt,
      publishedAt: deliveries.publishedAt,
      permalink: deliveries.permalink,
      channelId: channels.id,
      channelKey: channels.key,
      channelName: channels.name,
      platform: channels.platform,
    })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .where(inArray(deliveries.postId, page.map((p) => p.post.id)))
    .orderBy(asc(channels.name));
  return page.map(({ post, micros }) => ({ post, cursor: { micros: String(micros), id: post.id }, deliveries: rows.filter((r) => r.postId === post.id) }));
}
