/**
 * F/G. Finish: one transaction per outcome. The attempt, the delivery (through the transition table), the public
 * record, the audit entry and, when it goes on, the re-enqueued job (same job key) all commit together.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { t } from '../../common/i18n';
import type { Tx } from '../../db/client';
import { channels } from '../../db/schema';
import { lockWithAttempt } from '../../db/queries/deliveries';
import { attemptUpdateSql, type AttemptPatch } from '../../db/queries/delivery-attempts';
import { auditSql } from '../../db/queries/audit';
import { executeAll, executeShaped } from '../../db/queries/fast';
import type { DeliveryPatch } from '../../db/queries/deliveries';
import type { DeliveryState } from '../../db/schema';
import type { WorkerDeps } from '../deps';
import { dbStep, errorCode, isUniqueViolation, retryReconcile, WORKER_ACTOR, type Attempt, type ErrorInfo, type Outcome } from './outcome';
import { enqueuePublish, holdChannel, publicationSql, publicationValues, recordPublication } from './publication';
import { notifyCrisisDeliveryFailed } from './notifications';
import { transitionSql } from './states';

export async function finish(deps: WorkerDeps, at: Attempt, outcome: Outcome): Promise<void> {
  if (outcome.kind === 'lost') {
    deps.log.warn({ deliveryId: at.delivery.id, attempt: at.attempt.number }, 'attempt taken over before sending; nothing sent');
    return;
  }
  if (outcome.kind === 'published' && outcome.via === 'publish' && at.delivery.state === 'publishing' && !at.reconcileOnly && at.content) {
    // The common outcome in one statement; when its guards do not hold it writes nothing and the careful path runs.
    if (await dbStep(deps, 'finish', publishedInOneStatement(deps, at, outcome))) return;
  }
  try {
    await dbStep(deps, 'finish', deps.db.transaction((tx) => finishIn(deps, tx, at, outcome)));
  } catch (e) {
    if (outcome.kind === 'published' && outcome.via === 'lookup' && isUniqueViolation(e)) {
      // The post the lookup matched is already recorded for another delivery of this channel (two identical
      // posts): we cannot tell which is ours, so this lookup did not decide anything.
      await dbStep(
        deps,
        'finish',
        deps.db.transaction((tx) =>
          finishIn(deps, tx, at, retryReconcile(deps, at.delivery, { errorClass: 'outcome_unknown', message: t('delivery.lookupAmbiguous') }, true)),
        ),
      );
      return;
    }
    throw e;
  }
}

/** SQLSTATE of utrop_fallback() (migration 0022): a one-statement write whose guards did not hold. */
const FALLBACK = 'UTFB1';

/**
 * A publish by this attempt recorded as ONE autocommitted statement (ADR 033): the delivery moved from publishing
 * to published (the transition's WHERE is the first guard), the public record, the audit entry, and the attempt
 * closed only if it is still in progress (the second guard; its WHERE reads the delivery's write first, so the rows
 * are locked in the order every transaction locks them). If either guard fails, utrop_fallback aborts the whole
 * statement and the caller decides in a transaction, with the rows locked and read afresh.
 */
async function publishedInOneStatement(deps: WorkerDeps, at: Attempt, outcome: Extract<Outcome, { kind: 'published' }>): Promise<boolean> {
  const now = new Date();
  const values = publicationValues({
    delivery: at.delivery,
    channel: at.channel,
    content: at.content!,
    exercise: at.exercise,
    externalId: outcome.externalId,
    permalink: outcome.permalink,
    publishedAt: now,
    actor: WORKER_ACTOR,
    auditDetails: { attempt: at.attempt.number, via: outcome.via },
  });
  const groups = {
    ids: { delivery: at.delivery.id, attempt: at.attempt.id },
    delivery: { ...values.delivery, updatedAt: now },
    record: values.record,
    audit: values.audit,
    attempt: { outcome: 'published', endedAt: now, message: withNote(at, null) } satisfies AttemptPatch,
  };
  try {
    // The text is built once (executeShaped): the delivery's from-state is publishing on this path, always.
    await executeShaped(deps.db, 'finish.published', groups, (v) => {
      const [transitionStmt, ...rest] = publicationSql({ id: v.ids.delivery, state: 'publishing' }, v);
      const attemptClose = sql`${attemptUpdateSql(v.ids.attempt, v.attempt)} and outcome = 'in_progress' and exists (select 1 from moved)`;
      const ctes: SQL[] = [sql`moved as (${transitionStmt!} returning id)`, ...rest.map((s, i) => sql`${sql.raw(`w${i}`)} as (${s})`), sql`closed as (${attemptClose} returning id)`];
      return sql`with ${sql.join(ctes, sql`, `)}
        select case when exists (select 1 from moved) and exists (select 1 from closed) then true else utrop_fallback('finish') end as ok`;
    });
    return true;
  } catch (e) {
    if (errorCode(e) === FALLBACK) return false;
    throw e;
  }
}

function withNote(at: Attempt, message: string | null | undefined): string | null {
  const parts = [at.note, message].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(' ') : null;
}

async function finishIn(deps: WorkerDeps, tx: Tx, at: Attempt, outcome: Exclude<Outcome, { kind: 'lost' }>): Promise<void> {
  const { policy, log } = deps;
  const now = new Date();
  const locked = await lockWithAttempt(tx, at.delivery.id, at.attempt.id);
  if (!locked) throw new Error(`delivery ${at.delivery.id} vanished`);
  const { delivery: d, attempt } = locked;
  const ours = attempt?.outcome === 'in_progress';
  const ended = { endedAt: now };
  // Each outcome is written as ONE statement (data-modifying CTEs): fewer round trips on the hot path.
  const attemptSet = (patch: AttemptPatch) => attemptUpdateSql(at.attempt.id, patch);
  // The delivery's writes go through the transition table (d is locked, so its state is the from-state).
  const deliverySet = (patch: DeliveryPatch) => transitionSql(d, d.state, patch);
  const deliveryTo = (to: DeliveryState, patch: DeliveryPatch) => transitionSql(d, to, patch);
  const workerAudit = (action: string, details: Record<string, unknown>) =>
    auditSql({ actorUserId: null, actorLabel: 'worker', action, objectType: 'delivery', objectId: d.id, details });

  if (outcome.kind === 'published') {
    const attemptOutcome = outcome.via === 'lookup' ? 'reconciled_published' : 'published';
    if (d.state === 'published') {
      // Someone else recorded it first (a takeover after we were presumed dead, or the other way round).
      if (d.externalId === outcome.externalId) {
        await executeAll(tx, [attemptSet({ outcome: attemptOutcome, ...ended, message: withNote(at, t('delivery.lookupPublished')) })]);
        return;
      }
      log.error({ deliveryId: d.id, recorded: d.externalId, other: outcome.externalId }, 'DUPLICATE: a second platform post for one delivery');
      await executeAll(tx, [
        attemptSet({ outcome: attemptOutcome, ...ended, errorClass: 'duplicate', message: `Dubblett: plattformen har även inlägget ${outcome.externalId}.` }),
        workerAudit('delivery.duplicate_detected', { recordedExternalId: d.externalId, duplicateExternalId: outcome.externalId }),
      ]);
      return;
    }
    if (!at.content) throw new Error(`delivery ${d.id}: content missing at finish`);
    const cancelled = d.state === 'cancelled';
    await recordPublication(
      tx,
      {
        delivery: d,
        channel: at.channel,
        content: at.content,
        exercise: at.exercise,
        externalId: outcome.externalId,
        permalink: outcome.permalink,
        publishedAt: now,
        actor: WORKER_ACTOR,
        auditDetails: {
          attempt: at.attempt.number,
          via: outcome.via,
          ...(cancelled ? { note: 'published_after_cancel' } : {}),
          ...(ours ? {} : { note: 'late_result_of_superseded_attempt' }),
        },
      },
      [
        attemptSet({
          outcome: attemptOutcome,
          ...ended,
          message: withNote(at, cancelled ? t('delivery.publishedAfterCancel') : outcome.via === 'lookup' ? t('delivery.lookupPublished') : null),
        }),
      ],
    );
    return;
  }

  if (!ours) {
    // We were presumed dead and another run has taken the delivery over (it reconciles before it sends): leave the
    // delivery to it and only note what our call actually ended with.
    const late = outcome.kind === 'retry' || outcome.kind === 'failed' || outcome.kind === 'held' ? outcome.error.message : outcome.kind;
    await executeAll(tx, [attemptSet({ message: withNote(at, `${attempt?.message ?? ''} Sent svar: ${late}`.trim()) })]);
    return;
  }
  if (d.state === 'published') {
    await executeAll(tx, [attemptSet({ outcome: 'reconciled_published', ...ended, message: withNote(at, t('delivery.lookupPublished')) })]);
    return;
  }
  const cancelled = d.state === 'cancelled';

  switch (outcome.kind) {
    case 'absent':
      await executeAll(tx, [
        attemptSet({ outcome: 'reconciled_absent', ...ended, message: t('delivery.absentAfterCancel') }),
        deliverySet({ needsReconcile: false, unknownLookups: 0, nextAttemptAt: null }),
      ]);
      return;

    case 'abandoned':
      await executeAll(tx, [
        attemptSet({ outcome: 'abandoned', ...ended, message: withNote(at, t('delivery.cancelledBeforeSend')) }),
        deliverySet({ nextAttemptAt: null }),
      ]);
      return;

    case 'paused':
      await executeAll(tx, [
        attemptSet({ outcome: 'held', ...ended, message: t('crisis.pause.heldByPause') }),
        ...(cancelled ? [] : [deliveryTo('held', { nextAttemptAt: null, failureReason: t('crisis.pause.heldByPause') })]),
      ]);
      return;

    case 'failed': {
      const attemptDone = attemptSet({ outcome: 'failed', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) });
      if (cancelled) {
        await executeAll(tx, [attemptDone]);
        return;
      }
      await executeAll(tx, [
        attemptDone,
        deliveryTo('failed', {
          needsReconcile: d.needsReconcile && !at.lookupAbsent,
          failureClass: outcome.error.errorClass,
          failureReason: outcome.error.message,
          nextAttemptAt: null,
        }),
        workerAudit('delivery.failed', { errorClass: outcome.error.errorClass, reason: outcome.error.message, attempt: at.attempt.number }),
      ]);
      await notifyCrisisDeliveryFailed(tx, d, outcome.error.message);
      return;
    }

    case 'held': {
      await executeAll(tx, [
        attemptSet({ outcome: 'held', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) }),
        ...(cancelled
          ? []
          : [deliveryTo('held', { nextAttemptAt: null, failureClass: 'auth_expired', failureReason: outcome.credentialError })]),
      ]);
      const [channel] = await tx.select().from(channels).where(eq(channels.id, d.channelId)).for('update');
      if (channel && channel.credentialStatus === 'ok') await holdChannel(tx, channel, outcome.credentialError, WORKER_ACTOR);
      return;
    }

    case 'screening_held': {
      await executeAll(tx, [
        attemptSet({ outcome: 'held', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) }),
        ...(cancelled
          ? []
          : [
              deliveryTo('held', { nextAttemptAt: null, failureClass: 'invalid_content', failureReason: outcome.error.message }),
              workerAudit('delivery.screening_held', { rules: outcome.error.platformCode, attempt: at.attempt.number }),
            ]),
      ]);
      return;
    }

    case 'retry': {
      // Once an outcome is unknown it stays so until a lookup decides (the gate commits a "not there").
      const reconcile = outcome.reconcile || d.needsReconcile;
      const attemptOutcome = reconcile ? 'unknown' : 'retry';
      if (cancelled && !reconcile) {
        // A definite failure after a cancel: nothing was published and nothing more will be tried.
        await executeAll(tx, [attemptSet({ outcome: 'failed', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) })]);
        return;
      }
      const transientFailures = d.transientFailures + (outcome.countTransient ? 1 : 0);
      const unknownLookups = d.unknownLookups + (outcome.countLookup ? 1 : 0);
      const attemptDone = attemptSet({ outcome: attemptOutcome, ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) });
      if (outcome.countTransient && transientFailures >= policy.maxTransientFailures) {
        const reason = t('delivery.tooManyTransient', { count: transientFailures, error: outcome.error.message });
        await executeAll(tx, [
          attemptDone,
          deliveryTo('failed', { transientFailures, failureClass: outcome.error.errorClass ?? 'transient', failureReason: reason, nextAttemptAt: null }),
          workerAudit('delivery.failed', { errorClass: outcome.error.errorClass, reason, attempt: at.attempt.number }),
        ]);
        await notifyCrisisDeliveryFailed(tx, d, reason);
        return;
      }
      if (outcome.countLookup && unknownLookups >= policy.maxUnknownLookups) {
        const reason = t('delivery.unconfirmedLookups', { count: unknownLookups });
        await executeAll(tx, [
          attemptDone,
          deliveryTo('unconfirmed', {
            unknownLookups,
            needsReconcile: true,
            failureClass: 'outcome_unknown',
            failureReason: `${reason} ${outcome.error.message}`,
            nextAttemptAt: null,
          }),
          workerAudit('delivery.unconfirmed', { lookups: unknownLookups, reason: outcome.error.message }),
        ]);
        return;
      }
      await executeAll(tx, [
        attemptDone,
        deliveryTo(cancelled ? 'cancelled' : 'queued', {
          transientFailures,
          unknownLookups,
          needsReconcile: reconcile,
          nextAttemptAt: outcome.runAt,
        }),
      ]);
      await enqueuePublish(tx, d, outcome.runAt, policy.jobMaxAttempts);
      return;
    }
  }
}

function errorColumns(e: ErrorInfo) {
  return { errorClass: e.errorClass ?? null, httpStatus: e.httpStatus ?? null, platformCode: e.platformCode ?? null };
}
