/** Queries of the worker_heartbeats table (worker liveness). */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { workerHeartbeats } from '../schema';

/** Writes (or refreshes) a worker's heartbeat with the database's clock. */
export async function beatHeart(db: DbOrTx, workerId: string, info: { pid: number; hostname: string }): Promise<void> {
  await db
    .insert(workerHeartbeats)
    .values({ workerId, pid: info.pid, hostname: info.hostname })
    .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: sql`now()` } });
}

export async function setGraphilePoolId(db: DbOrTx, workerId: string, poolId: string): Promise<void> {
  await db.update(workerHeartbeats).set({ graphilePoolId: poolId }).where(eq(workerHeartbeats.workerId, workerId));
}

export async function markWorkerStopped(db: DbOrTx, workerId: string): Promise<void> {
  await db.update(workerHeartbeats).set({ stoppedAt: sql`now()` }).where(eq(workerHeartbeats.workerId, workerId));
}

/** A worker is alive while its heartbeat is fresher than `deadAfterMs` (database clock) and it has not stopped. */
export async function isWorkerAlive(db: DbOrTx, workerId: string, deadAfterMs: number): Promise<boolean> {
  const rows = await db.execute<{ alive: boolean }>(sql`
    select exists(
      select 1 from worker_heartbeats
      where worker_id = ${workerId}
        and stopped_at is null
        and last_seen_at > now() - make_interval(secs => ${deadAfterMs / 1000})
    ) as alive`);
  return rows[0]?.alive === true;
}

export async function deleteOldHeartbeats(db: DbOrTx, olderThanMs: number): Promise<number> {
  const rows = await db.execute<{ worker_id: string }>(sql`
    delete from worker_heartbeats
    where last_seen_at < now() - make_interval(secs => ${olderThanMs / 1000})
      and not exists (
        select 1 from delivery_attempts a
        where a.worker_id = worker_heartbeats.worker_id and a.outcome = 'in_progress'
      )
    returning worker_id`);
  return rows.length;
}
