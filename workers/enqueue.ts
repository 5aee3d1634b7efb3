/**
 * Typed enqueueing through graphile_worker.add_job on the caller's own connection or transaction: a job exists
 * exactly when the change that needs it was committed.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';

export interface JobSpec {
  runAt?: Date;
  /** Lower runs first (Graphile Worker's convention). */
  priority?: number;
  maxAttempts?: number;
  /** Always prefixed with the task name, per Graphile Worker's advice. */
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at';
  queueName?: string;
}

export async function enqueue(db: DbOrTx, task: string, payload: unknown, spec: JobSpec = {}): Promise<void> {
  await db.execute(sql`select graphile_worker.add_job(
    identifier => ${task}::text,
    payload => ${JSON.stringify(payload)}::json,
    queue_name => ${spec.queueName ?? null}::text,
    run_at => ${spec.runAt ? spec.runAt.toISOString() : null}::timestamptz,
    max_attempts => ${spec.maxAttempts ?? null}::int,
    job_key => ${spec.jobKey ? `${task}:${spec.jobKey}` : null}::text,
    priority => ${spec.priority ?? null}::int,
    job_key_mode => ${spec.jobKeyMode ?? (spec.jobKey ? 'replace' : null)}::text
  )`);
}

/** Removes a pending job by key (cancel); a job already running is not touched, which the task itself handles. */
export async function removeJob(db: DbOrTx, task: string, jobKey: string): Promise<void> {
  await db.execute(sql`select graphile_worker.remove_job(${`${task}:${jobKey}`}::text)`);
}
