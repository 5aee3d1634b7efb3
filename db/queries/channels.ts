/** Queries of the channels table. */
import { eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { channels, type Channel } from '../schema';

export async function findChannel(db: DbOrTx, channelId: string): Promise<Channel | undefined> {
  const [row] = await db.select().from(channels).where(eq(channels.id, channelId));
  return row;
}

export async function findChannelsByKeys(db: DbOrTx, keys: string[]): Promise<Channel[]> {
  if (keys.length === 0) return [];
  return db.select().from(channels).where(inArray(channels.key, keys));
}

export async function findChannelsByIds(db: DbOrTx, ids: string[]): Promise<Channel[]> {
  if (ids.length === 0) return [];
  return db.select().from(channels).where(inArray(channels.id, ids));
}

export async function updateChannel(db: DbOrTx, channelId: string, patch: Partial<typeof channels.$inferInsert>): Promise<void> {
  await db
    .update(channels)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(channels.id, channelId));
}
