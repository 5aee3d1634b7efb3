/**
 * The sweeper: finds deliveries that nothing is going to run and gives them a job again.
 *
 *  1. Attempts left 'in_progress' by a dead worker → the attempt's outcome is unknown: mark it so, set
 *     needs_reconcile and enqueue the delivery now (its next run looks the post up before sending anything).
 *  2. Deliveries in 'scheduled'/'queued' whose time passed more than `sweepGraceMs` ago and that have no healthy job
 *     (none with their key, one Graphile Worker gave up on, or one locked by a dead runner) → enqueue now. The
 *     same-key add_job neuters a job still locked by a dead runner and creates a fresh one.
 *  3. 'publishing' deliveries without an attempt in progress (an interrupted transition) → 'queued', enqueue now.
 *
 * Runs in one transaction guarded by pg_try_advisory_xact_lock, so concurrent sweepers (every runner sweeps every
 * few seconds, plus the cron task) never do the same work twice. Rows being worked on are skipped (SKIP LOCKED).
 */
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { deliveries } from '../../db/schema';
import { findOrphanedDeliveries, findStrandedPublishing } from '../../db/queries/deliveries';
import { findAttempt, findAttemptsOfDeadWorkers, updateAttempt } from '../../db/queries/delivery-attempts';
import { t } from '../../common/i18n';
import type { Liveness } from '../deps';
import { lookupNotBefore, type DeliveryPolicy } from '../lib/policy';
import { PUBLISH_JOB_KEY_PREFIX } from './jobs';
import { enqueuePublish } from './publication';
import { transition } from './states';

/** pg advisory lock key of the sweeper ("utrop-sweep"). */
const SWEEP_LOCK_KEY = 727_275;
const BATCH = 500;

export interface SweepResult {
  /** False when another sweeper held the lock. */
  ran: boolean;
  reaped: number;
  requeued: number;
  stranded: number;
}

type SweepDeps = { db: Db; policy: DeliveryPolicy; log: Logger; liveness: Liveness; platformTimeoutMs: number };

export async function sweepDeliveries(deps: SweepDeps): Promise<SweepResult> {
  const { db, policy, log } = deps;
  const result = await db.transaction(async (tx) => {
    const [row] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) as locked`);
    if (!row?.locked) return { ran: false, reaped: 0, requeued: 0, stranded: 0 };
    const now = new Date();
    let reaped = 0;
    // 1. A stale heartbeat only means death if our own view of the database has been continuous for that long.
    if (deps.liveness.healthyFor(policy.workerDeadAfterMs)) {
      for (const dead of await findAttemptsOfDeadWorkers(tx, policy.workerDeadAfterMs, BATCH)) {
        const [d] = await tx.select().from(deliveries).where(eq(deliveries.id, dead.deliveryId)).for('update', { skipLocked: true });
        if (!d) continue;
        const attempt = await findAttempt(tx, dead.attemptId);
        if (attempt?.outcome !== 'in_progress') continue;
        await updateAttempt(tx, dead.attemptId, { outcome: 'unknown', endedAt: now, errorClass: 'outcome_unknown', message: t('delivery.workerLost') });
        if (d.state === 'publishing' || d.state === 'queued' || d.state === 'scheduled' || d.state === 'cancelled') {
          // The dead worker's request may still be going through the platform: look it up once it would have timed out.
          const settleAt = lookupNotBefore(deps, attempt.startedAt);
          const runAt = settleAt.getTime() > now.getTime() ? settleAt : now;
          await transition(tx, d, d.state === 'publishing' ? 'queued' : d.state, { needsReconcile: true, nextAttemptAt: runAt });
          await enqueuePublish(tx, d, runAt, policy.jobMaxAttempts);
        } else if (d.state === 'held') {
          await transition(tx, d, 'held', { needsReconcile: true });
        }
        reaped += 1;
        log.info({ deliveryId: d.id, attempt: attempt.number, deadWorker: dead.workerId }, 'attempt of a dead worker: outcome unknown, reconciling');
      }
    }
    // 2. Overdue deliveries without a healthy job.
    let requeued = 0;
    for (const orphan of await findOrphanedDeliveries(tx, {
      graceMs: policy.sweepGraceMs,
      deadAfterMs: policy.workerDeadAfterMs,
      stuckAfterMs: policy.stuckJobAfterMs,
      limit: BATCH,
      jobKeyPrefix: PUBLISH_JOB_KEY_PREFIX,
    })) {
      const [d] = await tx.select().from(deliveries).where(eq(deliveries.id, orphan.id)).for('update', { skipLocked: true });
      if (!d || (d.state !== 'scheduled' && d.state !== 'queued')) continue;
      await enqueuePublish(tx, d, now, policy.jobMaxAttempts);
      requeued += 1;
    }
    // 3. 'publishing' without an attempt in progress.
    let stranded = 0;
    for (const s of await findStrandedPublishing(tx, policy.sweepGraceMs, BATCH)) {
      const [d] = await tx.select().from(deliveries).where(eq(deliveries.id, s.id)).for('update', { skipLocked: true });
      if (!d || d.state !== 'publishing') continue;
      await transition(tx, d, 'queued', { nextAttemptAt: now });
      await enqueuePublish(tx, d, now, policy.jobMaxAttempts);
      stranded += 1;
    }
    return { ran: true, reaped, requeued, stranded };
  });
  if (result.reaped + result.requeued + result.stranded > 0) log.info(result, 'delivery sweep');
  return result;
}

/** Runs the sweeper now and then every `intervalMs` until stopped; errors are logged, never thrown. */
export function startSweeper(
  deps: SweepDeps,
  intervalMs: number,
): { stop(): Promise<void>; runNow(): Promise<SweepResult | null> } {
  let stopped = false;
  let current: Promise<SweepResult | null> = Promise.resolve(null);
  const once = (): Promise<SweepResult | null> => {
    current = current.then(async () => {
      if (stopped) return null;
      try {
        return await sweepDeliveries(deps);
      } catch (e) {
        deps.log.warn({ err: e }, 'delivery sweep failed');
        return null;
      }
    });
    return current;
  };
  void once();
  const timer = setInterval(() => void once(), intervalMs);
  timer.unref();
  return {
    runNow: once,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current.catch(() => null);
    },
  };
}
