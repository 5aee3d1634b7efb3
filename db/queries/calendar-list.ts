import { and, desc, eq, exists, ilike, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { channels, deliveries, posts, users, type DeliveryState } from '../schema';
import type { PostKind } from '../../common/post-kinds';

export interface CalendarListFilter {
  channelId?: string;
  state?: DeliveryState;
  authorId?: string;
  kind?: PostKind;
  text?: string;
  /** Posts with a delivery due or published in [from, to). */
  between?: { from: Date; to: Date };
}

/** `%` and `_` are literal in what a person types. */
function likeLiteral(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The calendar's list view: posts matching every filter given (a delivery filter matches one of its deliveries). */
export async function listCalendarPosts(db: DbOrTx, f: CalendarListFilter, limit = 200) {
  const delivery: SQL[] = [eq(deliveries.postId, posts.id)];
  if (f.channelId) delivery.push(eq(deliveries.channelId, f.channelId));
  if (f.state) delivery.push(eq(deliveries.state, f.state));
  if (f.between) {
    delivery.push(sql`coalesce(${deliveries.publishedAt}, ${deliveries.scheduledAt}) >= ${f.between.from.toISOString()}::timestamptz`);
    delivery.push(sql`coalesce(${deliveries.publishedAt}, ${deliveries.scheduledAt}) < ${f.between.to.toISOString()}::timestamptz`);
  }
  const where: SQL[] = [exists(db.select({ one: sql`1` }).from(deliveries).where(and(...delivery)))];
  if (f.authorId) where.push(eq(posts.createdBy, f.authorId));
  if (f.kind) where.push(eq(posts.kind, f.kind));
  if (f.text) where.push(ilike(posts.text, likeLiteral(f.text)));
  const rows = await db
    .select({ id: posts.id, text: posts.text, kind: posts.kind, reviewState: posts.reviewState, scheduledAt: posts.scheduledAt, author: users.name })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.createdBy))
    .where(and(...where))
    .orderBy(desc(posts.scheduledAt), desc(posts.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const ds = await db
    .select({ id: deliveries.id, postId: deliveries.postId, state: deliveries.state, permalink: deliveries.permalink, channel: channels.name })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .where(inArray(deliveries.postId, rows.map((r) => r.id)))
    .orderBy(channels.name);
  return rows.map((r) => ({ ...r, deliveries: ds.filter((d) => d.postId === r.id) }));
}

/** Who has written posts (the author filter's choices). */
export async function listPostAuthors(db: DbOrTx) {
  return db
    .selectDistinct({ id: users.id, name: users.name })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.createdBy))
    .where(isNotNull(posts.createdBy))
    .orderBy(users.name);
}
