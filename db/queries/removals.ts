import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { deliveryRemovals, publicRecords, type DeliveryRemoval, type RemovalState } from '../schema';

export async function listRemovals(db: DbOrTx, deliveryIds: string[]): Promise<DeliveryRemoval[]> {
  if (deliveryIds.length === 0) return [];
  return db.select().from(deliveryRemovals).where(inArray(deliveryRemovals.deliveryId, deliveryIds));
}

/** The removal row, locked until the end of the transaction. */
export async function lockRemoval(tx: DbOrTx, deliveryId: string): Promise<DeliveryRemoval | undefined> {
  const [row] = await tx.select().from(deliveryRemovals).where(eq(deliveryRemovals.deliveryId, deliveryId)).for('update');
  return row;
}

export async function insertRemoval(tx: DbOrTx, row: typeof deliveryRemovals.$inferInsert): Promise<DeliveryRemoval> {
  const [out] = await tx.insert(deliveryRemovals).values(row).returning();
  if (!out) throw new Error('delivery_removals insert returned nothing');
  return out;
}

export type RemovalPatch = Partial<Omit<DeliveryRemoval, 'deliveryId' | 'state'>>;

/** Only workers/delivery/states.ts writes `state` (from-states derived from its table); the WHERE requires them. */
export async function updateRemovalState(tx: DbOrTx, deliveryId: string, from: RemovalState[], to: RemovalState, patch: RemovalPatch = {}) {
  const [row] = await tx
    .update(deliveryRemovals)
    .set({ ...patch, state: to })
    .where(and(eq(deliveryRemovals.deliveryId, deliveryId), inArray(deliveryRemovals.state, from)))
    .returning();
  return row;
}

/** The registered deletion event; returns its id and number (set by the register's insert trigger). */
export async function insertRemovalRecord(tx: DbOrTx, values: typeof publicRecords.$inferInsert): Promise<{ id: number; registrationNumber: string | null }> {
  const [row] = await tx.insert(publicRecords).values(values).returning({ id: publicRecords.id, registrationNumber: publicRecords.registrationNumber });
  if (!row) throw new Error('public_records insert returned nothing');
  return row;
}

/** The outgoing record of a published delivery (the deletion event relates to it). */
export async function findDeliveryRecord(db: DbOrTx, deliveryId: string): Promise<{ id: number; registrationNumber: string | null } | undefined> {
  const [row] = await db.select({ id: publicRecords.id, registrationNumber: publicRecords.registrationNumber }).from(publicRecords).where(eq(publicRecords.deliveryId, deliveryId));
  return row;
}

export async function countRemovalAttempt(tx: DbOrTx, deliveryId: string): Promise<void> {
  await tx
    .update(deliveryRemovals)
    .set({ attempts: sql`${deliveryRemovals.attempts} + 1` })
    .where(eq(deliveryRemovals.deliveryId, deliveryId));
}
