/** Queries of the delivery_attempts table. */
import { asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { deliveryAttempts, type DeliveryAttempt } from '../schema';
import { fromRow, insertRowSql, updateById, updateByIdSql } from './fast';

export type AttemptPatch = Partial<Omit<typeof deliveryAttempts.$inferInsert, 'id' | 'deliveryId' | 'number'>>;

export async function latestAttempt(db: DbOrTx, deliveryId: string): Promise<DeliveryAttempt | undefined> {
  const [row] = await db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, deliveryId))
    .orderBy(desc(deliveryAttempts.number))
    .limit(1);
  return row;
}

export async function findAttempt(db: DbOrTx, attemptId: number): Promise<DeliveryAttempt | undefined> {
  const [row] = await db.select().from(deliveryAttempts).where(eq(deliveryAttempts.id, attemptId));
  return row;
}

export async function insertAttempt(
  db: DbOrTx,
  values: { deliveryId: string; number: number; workerId: string; message?: string | null },
): Promise<DeliveryAttempt> {
  const [row] = await db
    .insert(deliveryAttempts)
    .values({ ...values, outcome: 'in_progress' })
    .returning();
  if (!row) throw new Error('insert into delivery_attempts returned no row');
  return row;
}

export async function updateAttempt(db: DbOrTx, attemptId: number, patch: AttemptPatch): Promise<void> {
  await db.update(deliveryAttempts).set(patch).where(eq(deliveryAttempts.id, attemptId));
}

export async function listAttempts(db: DbOrTx, deliveryIds: string[]): Promise<DeliveryAttempt[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .select()
    .from(deliveryAttempts)
    .where(inArray(deliveryAttempts.deliveryId, deliveryIds))
    .orderBy(asc(deliveryAttempts.deliveryId), asc(deliveryAttempts.number));
}

/** Attempts still in progress whose worker is dead (stale heartbeat, stopped, or never seen). */
export async function findAttemptsOfDeadWorkers(
  db: DbOrTx,
  deadAfterMs: number,
  limit: number,
): Promise<{ attemptId: number; deliveryId: string; workerId: string | null }[]> {
  const rows = await db.execute<{ id: string | number; delivery_id: string; worker_id: string | null }>(sql`
    select a.id, a.delivery_id, a.worker_id
    from delivery_attempts a
    left join worker_heartbeats h on h.worker_id = a.worker_id
    where a.outcome = 'in_progress'
      and a.started_at < now() - make_interval(secs => ${deadAfterMs / 1000})
      and (h.worker_id is null or h.stopped_at is not null
           or h.last_seen_at < now() - make_interval(secs => ${deadAfterMs / 1000}))
    order by a.started_at
    limit ${limit}`);
  return rows.map((r) => ({ attemptId: Number(r.id), deliveryId: r.delivery_id, workerId: r.worker_id }));
}

export async function patchAttempt(db: DbOrTx, attemptId: number, patch: AttemptPatch): Promise<void> {
  await updateById(db, deliveryAttempts, attemptId, patch);
}

/**
 * Inserts the new attempt (in progress) and runs the delivery's update (built by the delivery lifecycle, which owns
 * its state), in one statement; returns the attempt.
 */
export async function startAttempt(
  db: DbOrTx,
  values: { deliveryId: string; number: number; workerId: string },
  deliveryUpdate: SQL,
): Promise<DeliveryAttempt> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    with a as (${insertRowSql(deliveryAttempts, { ...values, outcome: 'in_progress' })} returning *),
         u as (${deliveryUpdate})
    select * from a`);
  const row = rows[0];
  if (!row) throw new Error('insert into delivery_attempts returned no row');
  return fromRow(deliveryAttempts, row);
}

export function attemptUpdateSql(attemptId: number, patch: AttemptPatch) {
  return updateByIdSql(deliveryAttempts, attemptId, patch);
}
