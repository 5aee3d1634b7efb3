/** Queries of the post_variants table: a channel's own text, title, privacy and media over the post's base (ADR 022). */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { postVariants, type PostVariant } from '../schema';
import { fromRow } from './fast';

export type NewPostVariant = typeof postVariants.$inferInsert;

export async function insertVariants(db: DbOrTx, rows: NewPostVariant[]): Promise<PostVariant[]> {
  if (rows.length === 0) return [];
  return db.insert(postVariants).values(rows).returning();
}

export async function listVariants(db: DbOrTx, postId: string): Promise<PostVariant[]> {
  return db.select().from(postVariants).where(eq(postVariants.postId, postId));
}

/** The variant of one channel (the worker), or undefined when the channel takes the base as it is. */
export async function loadVariant(db: DbOrTx, postId: string, channelId: string): Promise<PostVariant | undefined> {
  const rows = await db.execute<Record<string, unknown>>(sql`select * from post_variants where post_id = ${postId} and channel_id = ${channelId}`);
  return rows[0] ? fromRow(postVariants, rows[0]) : undefined;
}

/** Removes the post's variants (an edit replaces them as a whole). */
export async function deleteVariants(db: DbOrTx, postId: string): Promise<void> {
  await db.delete(postVariants).where(eq(postVariants.postId, postId));
}
