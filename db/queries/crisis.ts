/** Queries of the crisis domain (incidents, messages, variants, pause-all); the db or transaction handle first. */
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import {
  crisisIncidents,
  crisisMessages,
  crisisMessageVariants,
  crisisPauses,
  deliveries,
  publicRecords,
  type CrisisIncident,
  type CrisisMessage,
  type CrisisMessageVariant,
  type CrisisPause,
  type Delivery,
} from '../schema';

export async function insertIncident(db: DbOrTx, values: typeof crisisIncidents.$inferInsert): Promise<CrisisIncident> {
  const [row] = await db.insert(crisisIncidents).values(values).returning();
  if (!row) throw new Error('insert into crisis_incidents returned no row');
  return row;
}

export async function findIncident(db: DbOrTx, id: string): Promise<CrisisIncident | undefined> {
  const [row] = await db.select().from(crisisIncidents).where(eq(crisisIncidents.id, id));
  return row;
}

/** Locks the incident row: messages of one incident are numbered one at a time. */
export async function lockIncident(db: DbOrTx, id: string): Promise<CrisisIncident | undefined> {
  const [row] = await db.select().from(crisisIncidents).where(eq(crisisIncidents.id, id)).for('update');
  return row;
}

export async function updateIncident(db: DbOrTx, id: string, patch: Partial<typeof crisisIncidents.$inferInsert>): Promise<void> {
  await db.update(crisisIncidents).set(patch).where(eq(crisisIncidents.id, id));
}

export async function listIncidents(db: DbOrTx, limit = 50): Promise<CrisisIncident[]> {
  return db.select().from(crisisIncidents).orderBy(desc(crisisIncidents.openedAt)).limit(limit);
}

export async function listMessages(db: DbOrTx, incidentId: string): Promise<CrisisMessage[]> {
  return db.select().from(crisisMessages).where(eq(crisisMessages.incidentId, incidentId)).orderBy(asc(crisisMessages.seq));
}

export async function findMessage(db: DbOrTx, id: string): Promise<CrisisMessage | undefined> {
  const [row] = await db.select().from(crisisMessages).where(eq(crisisMessages.id, id));
  return row;
}

export async function insertMessage(db: DbOrTx, values: typeof crisisMessages.$inferInsert): Promise<CrisisMessage> {
  const [row] = await db.insert(crisisMessages).values(values).returning();
  if (!row) throw new Error('insert into crisis_messages returned no row');
  return row;
}

export async function insertVariant(db: DbOrTx, values: typeof crisisMessageVariants.$inferInsert): Promise<CrisisMessageVariant> {
  const [row] = await db.insert(crisisMessageVariants).values(values).returning();
  if (!row) throw new Error('insert into crisis_message_variants returned no row');
  return row;
}

export async function listVariants(db: DbOrTx, messageIds: string[]): Promise<CrisisMessageVariant[]> {
  if (messageIds.length === 0) return [];
  return db.select().from(crisisMessageVariants).where(inArray(crisisMessageVariants.messageId, messageIds)).orderBy(asc(crisisMessageVariants.language));
}

/** A public record; the insert trigger numbers and chains it. Returns its id and registration number. */
export async function insertCrisisRecord(db: DbOrTx, values: typeof publicRecords.$inferInsert): Promise<{ id: number; registrationNumber: string | null }> {
  const [row] = await db.insert(publicRecords).values(values).returning({ id: publicRecords.id, registrationNumber: publicRecords.registrationNumber });
  if (!row) throw new Error('insert into public_records returned no row');
  return row;
}

export async function findRecords(db: DbOrTx, ids: number[]) {
  if (ids.length === 0) return [];
  return db.select().from(publicRecords).where(inArray(publicRecords.id, ids));
}

export async function listDeliveriesOfPosts(db: DbOrTx, postIds: string[]): Promise<Delivery[]> {
  if (postIds.length === 0) return [];
  return db.select().from(deliveries).where(inArray(deliveries.postId, postIds));
}

// ---------------------------------------------------------------------------------------------------------------
// Pause all

export async function findActivePause(db: DbOrTx): Promise<CrisisPause | undefined> {
  const [row] = await db.select().from(crisisPauses).where(isNull(crisisPauses.resumedAt));
  return row;
}

export async function insertPause(db: DbOrTx, values: typeof crisisPauses.$inferInsert): Promise<CrisisPause> {
  const [row] = await db.insert(crisisPauses).values(values).returning();
  if (!row) throw new Error('insert into crisis_pauses returned no row');
  return row;
}

export async function updatePause(db: DbOrTx, id: string, patch: Partial<typeof crisisPauses.$inferInsert>): Promise<void> {
  await db.update(crisisPauses).set(patch).where(eq(crisisPauses.id, id));
}

/** Attempts of ordinary deliveries that are still running: a worker may be in its platform call. */
export async function ordinaryAttemptsInProgress(db: DbOrTx): Promise<number[]> {
  const rows = await db.execute<{ id: string | number }>(sql`
    select a.id from delivery_attempts a join deliveries d on d.id = a.delivery_id
    where a.outcome = 'in_progress' and not d.is_crisis`);
  return rows.map((r) => Number(r.id));
}

export async function attemptsStillInProgress(db: DbOrTx, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db.execute<{ n: string | number }>(sql`
    select count(*) as n from delivery_attempts where outcome = 'in_progress' and id in ${sql`(${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`}`);
  return Number(rows[0]?.n ?? 0);
}

/** Ordinary deliveries waiting to go out (scheduled or queued), locked. */
export async function lockWaitingOrdinaryDeliveries(db: DbOrTx): Promise<Delivery[]> {
  return db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.isCrisis, false), inArray(deliveries.state, ['scheduled', 'queued'])))
    .for('update');
}

/** Held ordinary deliveries, locked (held by the pause, or by a channel that needed signing in again). */
export async function lockHeldOrdinaryDeliveries(db: DbOrTx, ids?: string[]): Promise<Delivery[]> {
  const conds = [eq(deliveries.isCrisis, false), eq(deliveries.state, 'held')];
  if (ids) conds.push(inArray(deliveries.id, ids.length > 0 ? ids : ['00000000-0000-0000-0000-000000000000']));
  return db.select().from(deliveries).where(and(...conds)).orderBy(asc(deliveries.scheduledAt)).for('update');
}

export async function listHeldOrdinaryDeliveries(db: DbOrTx): Promise<Delivery[]> {
  return db.select().from(deliveries).where(and(eq(deliveries.isCrisis, false), eq(deliveries.state, 'held'))).orderBy(asc(deliveries.scheduledAt));
}

/** Whether a post is a language of a drill's message (övning): its published deliveries are registered as exercise. */
export function isExercisePostSql(postId: SQL): SQL {
  return sql`exists (select 1 from crisis_message_variants v join crisis_messages m on m.id = v.message_id where v.post_id = ${postId} and m.exercise)`;
}

export async function isExercisePost(db: DbOrTx, postId: string): Promise<boolean> {
  const rows = await db.execute<{ exercise: boolean }>(sql`select ${isExercisePostSql(sql`${postId}::uuid`)} as exercise`);
  return rows[0]?.exercise === true;
}
