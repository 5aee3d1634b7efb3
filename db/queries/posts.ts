/** Queries of the posts table (and the posts list, which reads each post's delivery states). */
import { asc, desc, eq, inArray } from 'drizzle-orm';
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
