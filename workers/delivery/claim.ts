/**
 * A. Claim: one transaction with the delivery row locked decides whether to run at all, turns an attempt left in
 * progress by a dead worker into "unknown" (→ reconcile), holds for a channel that needs sign-in, applies the give-up
 * clock, and writes the new attempt row BEFORE any platform call. Every state change goes through states.ts.
 */
import { notifyCrisisDeliveryFailed } from './notifications';
import { t } from '../../common/i18n';
import { claimInOneStatement, lockForClaim, patchDelivery, type DeliveryPatch } from '../../db/queries/deliveries';
import { patchAttempt, startAttempt } from '../../db/queries/delivery-attempts';
import { isWorkerAlive } from '../../db/queries/worker-heartbeats';
import { recordAudit } from '../../db/queries/audit';
import type { Channel, Delivery, DeliveryAttempt, Post, PostVariant } from '../../db/schema';
import type { WorkerDeps } from '../deps';
import { lookupNotBefore } from '../lib/policy';
import { enqueuePublish } from './publication';
import { statesLeadingTo, transition, transitionSql } from './states';

/** A job may start this much before the delivery's time (clock granularity); earlier than that it is re-queued. */
const EARLY_TOLERANCE_MS = 500;

export type Claim =
  | { kind: 'skip'; reason: string }
  | { kind: 'claimed'; delivery: Delivery; channel: Channel; post: Post; mediaCount: number; variant: PostVariant | undefined; exercise: boolean; attempt: DeliveryAttempt; reconcileOnly: boolean };

const skip = (reason: string): Claim => ({ kind: 'skip', reason });

/** What starting an attempt changes on the delivery (both claim paths; the one-statement claim writes it in SQL). */
function attemptPatch(d: Delivery, now: Date, maxTotalMs: number, needsReconcile: boolean) {
  return {
    attemptCount: d.attemptCount + 1,
    firstSentAt: d.firstSentAt ?? now,
    giveUpAt: d.giveUpAt ?? new Date(now.getTime() + maxTotalMs),
    nextAttemptAt: null,
    needsReconcile,
  } satisfies DeliveryPatch;
}

/** The states the common claim starts from: the transition table's way into publishing, and a stranded publishing. */
const RUNNABLE = [...statesLeadingTo('publishing').filter((s) => s === 'scheduled' || s === 'queued'), 'publishing' as const];

export async function claimDelivery(deps: WorkerDeps, deliveryId: string): Promise<Claim> {
  const { policy } = deps;
  // The common case in one statement (no BEGIN, lock, insert, COMMIT: a quarter of a delivery's round trips).
  const now = new Date();
  const one = await claimInOneStatement(deps.db, deliveryId, {
    from: RUNNABLE,
    to: 'publishing',
    workerId: deps.workerId,
    now,
    dueBy: new Date(now.getTime() + EARLY_TOLERANCE_MS),
    giveUpAt: new Date(now.getTime() + policy.maxTotalMs),
  });
  if (!one) return skip('no such delivery');
  if (one.attempt) {
    const { delivery: d, channel, post, mediaCount, variant, exercise } = one.snapshot;
    const patch = attemptPatch(d, now, policy.maxTotalMs, d.needsReconcile);
    return { kind: 'claimed', delivery: { ...d, ...patch, state: 'publishing', updatedAt: now }, channel, post, mediaCount, variant, exercise, attempt: one.attempt, reconcileOnly: false };
  }
  // Anything unusual (an attempt left in progress, not due, a channel to hold, the give-up clock, a cancelled one to
  // look up) is decided with the row locked in a transaction.
  return deps.db.transaction(async (tx) => {
    const snapshot = await lockForClaim(tx, deliveryId);
    if (!snapshot) return skip('no such delivery');
    const { delivery: d, channel, post, mediaCount, variant, exercise, last } = snapshot;
    // A cancelled delivery whose last attempt's outcome is unknown is still looked up (never published again), so
    // that what happened is recorded honestly.
    const reconcileOnly = d.state === 'cancelled' && d.needsReconcile;
    if (!reconcileOnly && d.state !== 'scheduled' && d.state !== 'queued' && d.state !== 'publishing') {
      return skip(`state ${d.state}`);
    }
    const now = new Date();
    let needsReconcile = d.needsReconcile;
    if (last?.outcome === 'in_progress') {
      const owner = last.workerId;
      if (owner && owner !== deps.workerId) {
        if (await isWorkerAlive(tx, owner, policy.workerDeadAfterMs)) return skip(`attempt ${last.number} owned by live worker ${owner}`);
        if (!deps.liveness.healthyFor(policy.workerDeadAfterMs)) {
          // Our own connection to the database just came back: a stale heartbeat may be the database's outage, not
          // the worker's death. Look again once every live worker has had time to write one.
          await enqueuePublish(tx, d, new Date(now.getTime() + policy.workerDeadAfterMs), policy.jobMaxAttempts);
          return skip('owner liveness uncertain');
        }
      }
      // The worker that made the attempt is gone (or it was this runner, which is no longer working on it): the
      // platform may or may not have the post.
      await patchAttempt(tx, last.id, { outcome: 'unknown', endedAt: now, errorClass: 'outcome_unknown', message: t('delivery.workerLost') });
      needsReconcile = true;
      // Its request may still be on its way through the platform: look only once it would have timed out.
      const settleAt = lookupNotBefore(deps, last.startedAt);
      if (settleAt.getTime() > now.getTime()) {
        await transition(tx, d, d.state === 'publishing' ? 'queued' : d.state, { needsReconcile: true, nextAttemptAt: settleAt });
        await enqueuePublish(tx, d, settleAt, policy.jobMaxAttempts);
        return skip('waiting for the lost attempt to settle');
      }
      await patchDelivery(tx, d.id, { needsReconcile: true });
    }

    // A cancelled delivery is only looked up, so its own time no longer matters; a pending retry time still does.
    const dueAt = reconcileOnly ? (d.nextAttemptAt?.getTime() ?? 0) : Math.max(d.scheduledAt.getTime(), d.nextAttemptAt?.getTime() ?? 0);
    if (dueAt > now.getTime() + EARLY_TOLERANCE_MS) {
      // An older job (e.g. one already running when the post was rescheduled): the delivery's time is later.
      await enqueuePublish(tx, d, new Date(dueAt), policy.jobMaxAttempts);
      if (d.state === 'publishing') await transition(tx, d, 'queued');
      return skip('not due yet');
    }

    if (!channel.enabled || channel.credentialStatus !== 'ok' || !channel.credentialsEncrypted) {
      if (!reconcileOnly) await transition(tx, d, 'held', { nextAttemptAt: null });
      return skip('channel not usable: held');
    }

    if (d.giveUpAt && now.getTime() >= d.giveUpAt.getTime()) {
      const hours = Math.round((policy.maxTotalMs / 3600_000) * 10) / 10;
      const state = needsReconcile ? 'unconfirmed' : 'failed';
      const reason = needsReconcile ? t('delivery.giveUpUnconfirmed', { hours }) : t('delivery.giveUp', { hours });
      await transition(tx, d, state, {
        failureClass: needsReconcile ? 'outcome_unknown' : (last?.errorClass ?? 'transient'),
        failureReason: last?.message ? `${reason} ${last.message}` : reason,
        nextAttemptAt: null,
      });
      await recordAudit(tx, {
        actorUserId: null,
        actorLabel: 'worker',
        action: `delivery.${state}`,
        objectType: 'delivery',
        objectId: d.id,
        details: { reason: 'give_up_clock', attempts: d.attemptCount },
      });
      if (state === 'failed') await notifyCrisisDeliveryFailed(tx, d, reason);
      return skip('gave up');
    }

    const state = reconcileOnly ? ('cancelled' as const) : ('publishing' as const);
    const patch = attemptPatch(d, now, policy.maxTotalMs, needsReconcile);
    const attempt = await startAttempt(tx, { deliveryId: d.id, number: d.attemptCount + 1, workerId: deps.workerId }, transitionSql(d, state, patch));
    return { kind: 'claimed', delivery: { ...d, ...patch, state, updatedAt: now }, channel, post, mediaCount, variant, exercise, attempt, reconcileOnly };
  });
}
