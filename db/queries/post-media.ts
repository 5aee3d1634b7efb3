/** Queries of the post_media table. */
import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { postMedia, type PostMedia } from '../schema';
import { fromRow } from './fast';

export type NewPostMedia = typeof postMedia.$inferInsert;

/** Post media without the bytes (lists, the console). */
export type PostMediaInfo = Omit<PostMedia, 'data'>;

export async function insertPostMedia(db: DbOrTx, rows: NewPostMedia[]): Promise<PostMediaInfo[]> {
  if (rows.length === 0) return [];
  const { data: _data, ...columns } = mediaColumns();
  return db.insert(postMedia).values(rows).returning(columns);
}

function mediaColumns() {
  return {
    id: postMedia.id,
    postId: postMedia.postId,
    position: postMedia.position,
    kind: postMedia.kind,
    filename: postMedia.filename,
    mimeType: postMedia.mimeType,
    sizeBytes: postMedia.sizeBytes,
    width: postMedia.width,
    height: postMedia.height,
    sha256: postMedia.sha256,
    stored: postMedia.stored,
    channelId: postMedia.channelId,
    altText: postMedia.altText,
    data: postMedia.data,
  };
}

/** The media of a post in order, with their bytes (the worker). */
export async function listPostMedia(db: DbOrTx, postId: string): Promise<PostMedia[]> {
  return db.select().from(postMedia).where(eq(postMedia.postId, postId)).orderBy(asc(postMedia.position));
}

/** The media of a post in order, without their bytes. */
export async function listPostMediaInfo(db: DbOrTx, postId: string): Promise<PostMediaInfo[]> {
  const { data: _data, ...columns } = mediaColumns();
  return db.select(columns).from(postMedia).where(eq(postMedia.postId, postId)).orderBy(asc(postMedia.position));
}

/** One media file with its bytes, for the public media route the platforms fetch from. */
export async function findMedia(db: DbOrTx, mediaId: string): Promise<PostMedia | undefined> {
  const [row] = await db.select().from(postMedia).where(eq(postMedia.id, mediaId));
  return row;
}

/** A post's media with their bytes, in order (plain SQL). */
export async function loadMedia(db: DbOrTx, postId: string): Promise<PostMedia[]> {
  const rows = await db.execute<Record<string, unknown>>(sql`select * from post_media where post_id = ${postId} order by position`);
  return rows.map((m) => fromRow(postMedia, m));
}
