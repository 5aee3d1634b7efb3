import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Liveness of worker runners: each writes its row on start and every couple of seconds. An attempt whose worker's
 * row has gone stale belongs to a dead worker, so its outcome is unknown and it must be reconciled.
 */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text('worker_id').primaryKey(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  pid: integer('pid'),
  hostname: text('hostname'),
  /** Graphile Worker's pool id (graphile_worker jobs.locked_by) of this runner, to tell a dead runner's locked jobs. */
  graphilePoolId: text('graphile_pool_id'),
  /** Set on a clean stop, so the worker counts as dead at once. */
  stoppedAt: timestamp('stopped_at', { withTimezone: true }),
});

export type WorkerHeartbeat = typeof workerHeartbeats.$inferSelect;
