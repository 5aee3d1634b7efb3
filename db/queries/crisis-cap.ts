/** Queries of incoming CAP alerts (crisis_cap_alerts, ADR 040); the db or transaction handle first. */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { crisisCapAlerts, type CrisisCapAlert } from '../schema';

export type NewCapAlert = typeof crisisCapAlerts.$inferInsert;

/**
 * Records an alert once: the same identity again (another poll, a restart, the same file uploaded twice) returns the
 * row already there, and `created` says whether this call made it.
 */
export async function recordCapAlertOnce(db: DbOrTx, values: NewCapAlert): Promise<{ alert: CrisisCapAlert; created: boolean }> {
  const [inserted] = await db.insert(crisisCapAlerts).values(values).onConflictDoNothing({ target: crisisCapAlerts.identity }).returning();
  if (inserted) return { alert: inserted, created: true };
  const [existing] = await db.select().from(crisisCapAlerts).where(eq(crisisCapAlerts.identity, values.identity));
  if (!existing) throw new Error('crisis_cap_alerts: conflicting row vanished');
  return { alert: existing, created: false };
}

export async function findCapAlert(db: DbOrTx, id: string): Promise<CrisisCapAlert | undefined> {
  const [row] = await db.select().from(crisisCapAlerts).where(eq(crisisCapAlerts.id, id));
  return row;
}

/** The alert an incident was opened from, if any. */
export async function findCapAlertOfIncident(db: DbOrTx, incidentId: string): Promise<CrisisCapAlert | undefined> {
  const [row] = await db.select().from(crisisCapAlerts).where(eq(crisisCapAlerts.incidentId, incidentId)).orderBy(asc(crisisCapAlerts.receivedAt)).limit(1);
  return row;
}

/** Feed alerts nobody has acted on yet (the banner), oldest first. Uploads are acted on by the uploader at once. */
export async function listPendingFeedAlerts(db: DbOrTx, limit = 5): Promise<CrisisCapAlert[]> {
  return db
    .select()
    .from(crisisCapAlerts)
    .where(and(isNull(crisisCapAlerts.incidentId), isNull(crisisCapAlerts.dismissedAt), isNull(crisisCapAlerts.receivedBy)))
    .orderBy(asc(crisisCapAlerts.receivedAt))
    .limit(limit);
}

/** Links an alert to the incident opened from it; only one incident per alert. */
export async function linkCapAlert(db: DbOrTx, id: string, incidentId: string): Promise<boolean> {
  const rows = await db
    .update(crisisCapAlerts)
    .set({ incidentId })
    .where(and(eq(crisisCapAlerts.id, id), isNull(crisisCapAlerts.incidentId)))
    .returning({ id: crisisCapAlerts.id });
  return rows.length > 0;
}

export async function dismissCapAlert(db: DbOrTx, id: string, userId: string | null): Promise<boolean> {
  const rows = await db
    .update(crisisCapAlerts)
    .set({ dismissedAt: new Date(), dismissedBy: userId })
    .where(and(eq(crisisCapAlerts.id, id), isNull(crisisCapAlerts.incidentId), isNull(crisisCapAlerts.dismissedAt)))
    .returning({ id: crisisCapAlerts.id });
  return rows.length > 0;
}
