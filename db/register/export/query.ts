import { and, asc, eq, gt, gte, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../client';
import { publicRecords, type PublicRecord } from '../../schema/register';

export interface RecordRange {
  /** Registered at or after. */
  from?: Date;
  /** Registered before. */
  before?: Date;
}

const BATCH = 2000;

/**
 * The records registered in a range, in chain order, read in batches by id: an export of a whole year holds one batch in
 * memory at a time. Registration time, not record date, picks them: it is the order of the chain and of the numbers.
 */
export async function* recordsInRange(db: DbOrTx, range: RecordRange = {}, extra?: SQL): AsyncGenerator<PublicRecord> {
  const conditions: SQL[] = [];
  if (range.from) conditions.push(gte(publicRecords.registeredAt, range.from));
  if (range.before) conditions.push(lt(publicRecords.registeredAt, range.before));
  if (extra) conditions.push(extra);
  for (let after = 0; ; ) {
    const rows = await db
      .select()
      .from(publicRecords)
      .where(and(gt(publicRecords.id, after), ...conditions))
      .orderBy(asc(publicRecords.id))
      .limit(BATCH);
    for (const r of rows) yield r;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * A post's records: the post itself and every record on it (comments, replies, moderation events, edits), and what
 * refers to those through related_record_id (a reply to a comment, the hiding of it), followed until nothing new turns
 * up. In chain order. One post's records fit in memory.
 */
export async function postRecords(db: DbOrTx, postId: string): Promise<PublicRecord[]> {
  const found = new Map<number, PublicRecord>();
  let frontier = await db.select().from(publicRecords).where(eq(publicRecords.postId, postId));
  while (frontier.length > 0) {
    for (const r of frontier) found.set(r.id, r);
    const ids = frontier.map((r) => r.id);
    const related = frontier.map((r) => r.relatedRecordId).filter((id): id is number => id !== null && !found.has(id));
    frontier = (
      await db
        .select()
        .from(publicRecords)
        .where(related.length ? or(inArray(publicRecords.relatedRecordId, ids), inArray(publicRecords.id, related)) : inArray(publicRecords.relatedRecordId, ids))
    ).filter((r) => !found.has(r.id));
  }
  return [...found.values()].sort((a, b) => a.id - b.id);
}
