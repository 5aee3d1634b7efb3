import { sql } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import { deleteOldHeartbeats } from '../../db/queries/worker-heartbeats';
import type { WorkerDeps } from '../deps';
import { jobCatalogue, type TaskName } from '../delivery/jobs';

const PUBLISH_TASK: TaskName = 'delivery__publish';

export const payloadSchema = jobCatalogue.jobs__cleanup.payload;

/**
 * Deletes Graphile Worker's permanently failed jobs (attempts >= max_attempts) once nothing depends on them:
 *  - delivery__publish jobs whose delivery has reached a state that no longer needs that job (published, failed,
 *    cancelled without pending reconciliation, unconfirmed, held) or that were superseded (key cleared by a
 *    same-key re-enqueue or remove_job: a newer job or the cancel owns the delivery now);
 *  - other tasks' jobs after a week (kept that long for diagnosis).
 * A job still locked is left alone unless the lock is older than 15 minutes (its worker is gone; Graphile Worker
 * itself only frees such locks after four hours). Also forgets heartbeats of workers gone for a day.
 */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    const deleted = await deps.db.execute<{ id: string }>(sql`
      delete from graphile_worker._private_jobs j
      using graphile_worker._private_tasks t
      where t.id = j.task_id
        and j.attempts >= j.max_attempts
        and (j.locked_at is null or j.locked_at < now() - interval '15 minutes')
        and (
          (t.identifier = ${PUBLISH_TASK} and (
            j.key is null
            or not exists (
              select 1 from deliveries d
              where d.id::text = j.payload->>'deliveryId'
                and (d.state in ('scheduled', 'queued', 'publishing') or (d.state = 'cancelled' and d.needs_reconcile))
            )
          ))
          or (t.identifier <> ${PUBLISH_TASK} and j.updated_at < now() - interval '7 days')
        )
      returning j.id`);
    const heartbeats = await deleteOldHeartbeats(deps.db, 24 * 3600_000);
    if (deleted.length + heartbeats > 0) deps.log.info({ jobs: deleted.length, heartbeats }, 'cleaned up failed jobs');
  };
}
