/**
 * Publishes one delivery to its platform, exactly once (docs/platforms.md §6–§7):
 *
 *   A. claim    – one transaction with the delivery row locked: decide whether to run at all, turn an attempt left
 *                 in progress by a dead worker into "unknown" (→ reconcile), hold for a channel that needs sign-in,
 *                 apply the give-up clock, and write the new attempt row BEFORE any platform call.
 *   B. load     – channel, credentials (refreshed when due), post and media.
 *   C. reconcile– when an earlier outcome is unknown, ask the platform (lookup) before sending anything again.
 *   D. check    – the platform's limit check, the same function the composer uses.
 *   E. publish  – after re-checking under a row lock that the delivery was not cancelled meanwhile.
 *   F/G. finish – one transaction per outcome: the attempt, the delivery, the public record, the audit entry and,
 *                 when it goes on, the re-enqueued job (same job key) all commit together.
 *
 * The task returns normally for every platform outcome (the pipeline schedules its own retries). It throws only when
 * the database itself fails, so that Graphile Worker retries the job.
 */
import { z } from 'zod';
import type { Task } from 'graphile-worker';
import { t } from '../../common/i18n';
import {
  attemptUpdateSql,
  deliveryUpdateSql,
  gateState,
  isWorkerAlive,
  loadMedia,
  loadVariant,
  lockForClaim,
  lockWithAttempt,
  patchAttempt,
  patchDelivery,
  startAttempt,
  type AttemptPatch,
  type DeliveryPatch,
} from '../../db/queries/deliveries';
import { executeAll } from '../../db/queries/fast';
import type { Tx } from '../../db/client';
import type { Channel, Delivery, DeliveryAttempt, Post, PostMedia } from '../../db/schema';
import { channels } from '../../db/schema';
import { eq } from 'drizzle-orm';
import {
  isPlatformError,
  type Checkpoint,
  type Connection,
  type ErrorClass,
  type PlatformError,
  type PublishRequest,
} from '../platforms/contract';
import { platformModule, type PlatformModule } from '../platforms/registry';
import type { WorkerDeps } from '../deps';
import { checkDraft } from '../lib/limits';
import { CredentialsProblem, credentialsFor } from '../lib/channel-credentials';
import { DeadlineExceeded, lookupNotBefore, rateLimitRunAt, reconcileDelayMs, transientDelayMs, withDeadline } from '../lib/policy';
import {
  audit,
  auditSql,
  contentSha256,
  enqueuePublish,
  holdChannel,
  recordPublication,
  resolveChannelContent,
  sentContentOf,
  type ChannelContent,
  type SentContent,
} from '../lib/publication';
import { mediaStore } from '../../common/media-store.server';

export const payloadSchema = z.object({ deliveryId: z.uuid() });
export type Payload = z.infer<typeof payloadSchema>;

/** A job may start this much before the delivery's time (clock granularity); earlier than that it is re-queued. */
const EARLY_TOLERANCE_MS = 500;
const WORKER_ACTOR = { userId: null, label: 'worker' } as const;

export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { deliveryId } = payloadSchema.parse(payload);
    await publishDelivery(deps, deliveryId);
  };
}

/** A database step of the pipeline, under the policy's deadline (a hang means a broken client: see dbDeadlineMs). */
function db<T>(deps: WorkerDeps, what: string, work: Promise<T>): Promise<T> {
  return withDeadline(work, deps.policy.dbDeadlineMs, `database step '${what}'`, (e) => deps.onFatal(e));
}

/** One run of the pipeline for a delivery; exported for tests and tools that drive it without Graphile Worker. */
export async function publishDelivery(deps: WorkerDeps, deliveryId: string): Promise<void> {
  // A second job for a delivery this runner is already working on (a sweep re-enqueue): the first one owns it.
  if (deps.inFlight.has(deliveryId)) return;
  deps.inFlight.add(deliveryId);
  try {
    const claim = await db(deps, 'claim', claimDelivery(deps, deliveryId));
    if (claim.kind === 'skip') {
      deps.log.debug({ deliveryId, reason: claim.reason }, 'delivery not run');
      return;
    }
    await runAttempt(deps, claim);
  } finally {
    deps.inFlight.delete(deliveryId);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A. Claim

type Claim =
  | { kind: 'skip'; reason: string }
  | { kind: 'claimed'; delivery: Delivery; channel: Channel; post: Post; mediaCount: number; attempt: DeliveryAttempt; reconcileOnly: boolean };

const skip = (reason: string): Claim => ({ kind: 'skip', reason });

async function claimDelivery(deps: WorkerDeps, deliveryId: string): Promise<Claim> {
  const { policy } = deps;
  return deps.db.transaction(async (tx) => {
    const snapshot = await lockForClaim(tx, deliveryId);
    if (!snapshot) return skip('no such delivery');
    const { delivery: d, channel, post, mediaCount, last } = snapshot;
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
        await patchDelivery(tx, d.id, { needsReconcile: true, nextAttemptAt: settleAt, ...(d.state === 'publishing' ? { state: 'queued' as const } : {}) });
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
      if (d.state === 'publishing') await patchDelivery(tx, d.id, { state: 'queued' });
      return skip('not due yet');
    }

    if (!channel.enabled || channel.credentialStatus !== 'ok' || !channel.credentialsEncrypted) {
      if (!reconcileOnly) await patchDelivery(tx, d.id, { state: 'held', nextAttemptAt: null });
      return skip('channel not usable: held');
    }

    if (d.giveUpAt && now.getTime() >= d.giveUpAt.getTime()) {
      const hours = Math.round((policy.maxTotalMs / 3600_000) * 10) / 10;
      const state = needsReconcile ? 'unconfirmed' : 'failed';
      const reason = needsReconcile ? t('delivery.giveUpUnconfirmed', { hours }) : t('delivery.giveUp', { hours });
      await patchDelivery(tx, d.id, {
        state,
        failureClass: needsReconcile ? 'outcome_unknown' : (last?.errorClass ?? 'transient'),
        failureReason: last?.message ? `${reason} ${last.message}` : reason,
        nextAttemptAt: null,
      });
      await audit(tx, {
        actorUserId: null,
        actorLabel: 'worker',
        action: `delivery.${state}`,
        objectType: 'delivery',
        objectId: d.id,
        details: { reason: 'give_up_clock', attempts: d.attemptCount },
      });
      return skip('gave up');
    }

    const patch = {
      state: reconcileOnly ? ('cancelled' as const) : ('publishing' as const),
      attemptCount: d.attemptCount + 1,
      firstSentAt: d.firstSentAt ?? now,
      giveUpAt: d.giveUpAt ?? new Date(now.getTime() + policy.maxTotalMs),
      nextAttemptAt: null,
      needsReconcile,
    } satisfies DeliveryPatch;
    const attempt = await startAttempt(tx, { deliveryId: d.id, number: d.attemptCount + 1, workerId: deps.workerId }, patch);
    return { kind: 'claimed', delivery: { ...d, ...patch, updatedAt: now }, channel, post, mediaCount, attempt, reconcileOnly };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// B–E. Run

interface ErrorInfo {
  errorClass?: ErrorClass | null;
  httpStatus?: number | null;
  platformCode?: string | null;
  message: string;
}

type Outcome =
  | { kind: 'published'; externalId: string; permalink: string | null; via: 'publish' | 'lookup' }
  /** Try again at runAt. reconcile: the next run must look the post up first. */
  | { kind: 'retry'; runAt: Date; reconcile: boolean; countTransient: boolean; countLookup: boolean; error: ErrorInfo }
  | { kind: 'failed'; error: ErrorInfo & { errorClass: ErrorClass } }
  | { kind: 'held'; credentialError: string; error: ErrorInfo }
  /** A lookup found nothing for a cancelled delivery: it stays cancelled, now known to be absent. */
  | { kind: 'absent' }
  /** Cancelled before anything was sent. */
  | { kind: 'abandoned' }
  /** Our attempt was taken over (we were presumed dead) before we sent anything: do nothing more. */
  | { kind: 'lost' };

interface Attempt {
  delivery: Delivery;
  channel: Channel;
  post: Post;
  mediaCount: number;
  attempt: DeliveryAttempt;
  reconcileOnly: boolean;
  content?: SentContent;
  /** What the lookup said in this attempt, for the attempt's message. */
  note: string | null;
  /** A lookup in this attempt found the post absent. */
  lookupAbsent: boolean;
}


interface Loaded {
  channel: Channel;
  module: PlatformModule<unknown>;
  conn: Connection<unknown>;
  post: Post;
  /** The channel's variant over the base, media with their bytes. */
  content: ChannelContent<PostMedia & { data: Buffer }>;
  req: PublishRequest;
}

type Phase = 'load' | 'lookup' | 'publish';

async function runAttempt(deps: WorkerDeps, claim: Extract<Claim, { kind: 'claimed' }>): Promise<void> {
  const at: Attempt = {
    delivery: claim.delivery,
    channel: claim.channel,
    post: claim.post,
    mediaCount: claim.mediaCount,
    attempt: claim.attempt,
    reconcileOnly: claim.reconcileOnly,
    note: null,
    lookupAbsent: false,
  };
  const outcome = await decide(deps, at);
  await finish(deps, at, outcome);
}

async function decide(deps: WorkerDeps, at: Attempt): Promise<Outcome> {
  const { delivery } = at;
  let phase: Phase = 'load';
  let loaded: Loaded | undefined;
  try {
    loaded = await load(deps, at);
    at.content = sentContentOf(loaded.content, loaded.content.media);

    // C. Reconcile: never publish blindly after an unknown outcome.
    if (delivery.needsReconcile) {
      phase = 'lookup';
      const found = await loaded.module.adapter.lookup(loaded.conn, loaded.req, {
        checkpoint: delivery.checkpoint ?? null,
        sentAfter: delivery.firstSentAt ?? at.attempt.startedAt,
      });
      if (found.status === 'published') {
        return { kind: 'published', externalId: found.externalId, permalink: found.permalink, via: 'lookup' };
      }
      if (found.status === 'unknown') {
        const n = delivery.unknownLookups + 1;
        return {
          kind: 'retry',
          runAt: new Date(Date.now() + reconcileDelayMs(deps.policy, n)),
          reconcile: true,
          countTransient: false,
          countLookup: true,
          error: { errorClass: 'outcome_unknown', message: found.reason },
        };
      }
      if (at.reconcileOnly) return { kind: 'absent' };
      at.lookupAbsent = true;
      at.note = t('delivery.lookupNotPublished');
    }

    // D. The last limit check: the same function the composer and createPost use.
    const problems = checkDraft(loaded.channel.platform, {
      text: loaded.content.text,
      link: loaded.content.link,
      title: loaded.content.title,
      media: loaded.content.media,
    });
    // Four-eyes (ADR 030): only the content a second person approved may go out.
    if (delivery.approvedSha256 && contentSha256(loaded.content) !== delivery.approvedSha256) {
      problems.push({ code: 'changed_after_approval', message: t('compose.changedAfterApproval') });
    }
    if (problems.length > 0) {
      return {
        kind: 'failed',
        error: { errorClass: 'invalid_content', platformCode: problems.map((p) => p.code).join(','), message: problems.map((p) => p.message).join(' ') },
      };
    }

    // Re-check under the row lock: a cancel that arrived meanwhile wins, as does a takeover of our attempt.
    const gate = await db(deps, 'gate', gateState(deps.db, delivery.id, at.attempt.id));
    if (!gate || gate.attemptOutcome !== 'in_progress') return { kind: 'lost' };
    if (gate.state === 'cancelled') return { kind: 'abandoned' };
    // The lookup said "not there": that is now what we know, whatever happens to the send.
    if (gate.needsReconcile) await patchDelivery(deps.db, delivery.id, { needsReconcile: false, unknownLookups: 0 });

    // E. Publish.
    phase = 'publish';
    const deliveryId = delivery.id;
    const result = await loaded.module.adapter.publish(loaded.conn, loaded.req, {
      previous: delivery.checkpoint ?? null,
      checkpoint: async (data: Checkpoint) => {
        // Its own committed statement: durable before the adapter takes the irreversible step.
        await db(deps, 'checkpoint', patchDelivery(deps.db, deliveryId, { checkpoint: data }));
      },
    });
    return { kind: 'published', externalId: result.externalId, permalink: result.permalink, via: 'publish' };
  } catch (e) {
    if (e instanceof CredentialsProblem) {
      return { kind: 'held', credentialError: e.message, error: { errorClass: 'auth_expired', message: e.message } };
    }
    if (isPlatformError(e)) return classify(deps, at, e, phase, loaded?.channel);
    if (isDatabaseError(e) || e instanceof DeadlineExceeded) throw e;
    const message = t('delivery.unexpected', { error: e instanceof Error ? e.message : String(e) });
    deps.log.error({ err: e, deliveryId: delivery.id, phase }, 'unexpected error in delivery pipeline');
    if (phase === 'publish') {
      // The platform call may have started: its outcome is unknown.
      return retryReconcile(deps, delivery, { errorClass: 'outcome_unknown', message }, false);
    }
    if (phase === 'lookup') return retryReconcile(deps, delivery, { errorClass: 'outcome_unknown', message }, true);
    return retryTransient(deps, delivery, { errorClass: 'transient', message });
  }
}

function errorInfo(e: PlatformError): ErrorInfo {
  return {
    errorClass: e.errorClass,
    httpStatus: e.details.httpStatus ?? null,
    platformCode: e.details.platformCode ?? null,
    message: e.message,
  };
}

function retryTransient(deps: WorkerDeps, delivery: Delivery, error: ErrorInfo): Outcome {
  return {
    kind: 'retry',
    runAt: new Date(Date.now() + transientDelayMs(deps.policy, delivery.transientFailures + 1)),
    reconcile: false,
    countTransient: true,
    countLookup: false,
    error,
  };
}

function retryReconcile(deps: WorkerDeps, delivery: Delivery, error: ErrorInfo, countLookup: boolean): Extract<Outcome, { kind: 'retry' }> {
  return {
    kind: 'retry',
    runAt: new Date(Date.now() + reconcileDelayMs(deps.policy, countLookup ? delivery.unknownLookups + 1 : 1)),
    reconcile: true,
    countTransient: false,
    countLookup,
    error,
  };
}

function classify(deps: WorkerDeps, at: Attempt, e: PlatformError, phase: Phase, channel: Channel | undefined): Outcome {
  const error = errorInfo(e);
  const { delivery } = at;
  switch (e.errorClass) {
    case 'auth_expired':
      return { kind: 'held', credentialError: t('delivery.authExpired', { channel: channel?.name ?? '' }) + ` (${e.message})`, error };
    case 'rate_limited':
    case 'quota_exhausted':
      // Waiting for a reset is not a failure: not counted toward the transient limit.
      return {
        kind: 'retry',
        runAt: rateLimitRunAt(deps.policy, e.details.retryAt),
        reconcile: phase === 'lookup',
        countTransient: false,
        countLookup: false,
        error,
      };
    case 'invalid_content':
      if (phase === 'lookup') return retryReconcile(deps, delivery, error, true);
      return { kind: 'failed', error: { ...error, errorClass: 'invalid_content' } };
    case 'duplicate':
    case 'outcome_unknown':
      return retryReconcile(deps, delivery, error, phase === 'lookup');
    case 'transient':
      if (phase === 'lookup') return retryReconcile(deps, delivery, error, true);
      return retryTransient(deps, delivery, error);
  }
}

async function load(deps: WorkerDeps, at: Attempt): Promise<Loaded> {
  const { delivery, channel, post } = at;
  const [allMedia, variant] = await Promise.all([
    at.mediaCount > 0 ? db(deps, 'load media', loadMedia(deps.db, post.id)) : Promise.resolve([]),
    db(deps, 'load variant', loadVariant(deps.db, post.id, channel.id)),
  ]);
  const resolved = resolveChannelContent(post, variant, allMedia, channel.id);
  // Media written before the store kept their bytes in the row; newer ones are read from the store (ADR 022).
  const media = await Promise.all(
    resolved.media.map(async (m) => {
      const data = m.data ?? (await mediaStore().get(m.sha256));
      if (!data) throw new Error(t('compose.mediaMissing', { filename: m.filename }));
      return { ...m, data };
    }),
  );
  const content = { ...resolved, media };
  const module = platformModule(channel.platform);
  const credentials = await credentialsFor(deps, channel, module);
  const conn: Connection<unknown> = {
    channelId: channel.id,
    accountId: channel.accountId ?? '',
    apiBaseUrl: channel.apiBaseUrl,
    credentials,
    timeoutMs: deps.platformTimeoutMs,
  };
  const base = deps.publicUrl.replace(/\/+$/, '');
  const req: PublishRequest = {
    deliveryId: delivery.id,
    text: content.text,
    link: content.link,
    title: content.title,
    ...(content.privacy ? { privacy: content.privacy } : {}),
    media: media.map((m) => ({
      kind: m.kind,
      mimeType: m.mimeType,
      filename: m.filename,
      data: m.data,
      publicUrl: `${base}/media/${m.id}`,
      ...(m.altText ? { altText: m.altText } : {}),
      ...(m.width != null ? { width: m.width } : {}),
      ...(m.height != null ? { height: m.height } : {}),
    })),
  };
  return { channel, module, conn, post, content, req };
}

// ---------------------------------------------------------------------------------------------------------------
// F/G. Finish

async function finish(deps: WorkerDeps, at: Attempt, outcome: Outcome): Promise<void> {
  if (outcome.kind === 'lost') {
    deps.log.warn({ deliveryId: at.delivery.id, attempt: at.attempt.number }, 'attempt taken over before sending; nothing sent');
    return;
  }
  try {
    await db(deps, 'finish', deps.db.transaction((tx) => finishIn(deps, tx, at, outcome)));
  } catch (e) {
    if (outcome.kind === 'published' && outcome.via === 'lookup' && isUniqueViolation(e)) {
      // The post the lookup matched is already recorded for another delivery of this channel (two identical
      // posts): we cannot tell which is ours, so this lookup did not decide anything.
      await db(
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
  const deliverySet = (patch: DeliveryPatch) => deliveryUpdateSql(d.id, patch);
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

    case 'failed': {
      const attemptDone = attemptSet({ outcome: 'failed', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) });
      if (cancelled) {
        await executeAll(tx, [attemptDone]);
        return;
      }
      await executeAll(tx, [
        attemptDone,
        deliverySet({
          state: 'failed',
          needsReconcile: d.needsReconcile && !at.lookupAbsent,
          failureClass: outcome.error.errorClass,
          failureReason: outcome.error.message,
          nextAttemptAt: null,
        }),
        workerAudit('delivery.failed', { errorClass: outcome.error.errorClass, reason: outcome.error.message, attempt: at.attempt.number }),
      ]);
      return;
    }

    case 'held': {
      await executeAll(tx, [
        attemptSet({ outcome: 'held', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) }),
        ...(cancelled
          ? []
          : [deliverySet({ state: 'held', nextAttemptAt: null, failureClass: 'auth_expired', failureReason: outcome.credentialError })]),
      ]);
      const [channel] = await tx.select().from(channels).where(eq(channels.id, d.channelId)).for('update');
      if (channel && channel.credentialStatus === 'ok') await holdChannel(tx, channel, outcome.credentialError, WORKER_ACTOR);
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
          deliverySet({ state: 'failed', transientFailures, failureClass: outcome.error.errorClass ?? 'transient', failureReason: reason, nextAttemptAt: null }),
          workerAudit('delivery.failed', { errorClass: outcome.error.errorClass, reason, attempt: at.attempt.number }),
        ]);
        return;
      }
      if (outcome.countLookup && unknownLookups >= policy.maxUnknownLookups) {
        const reason = t('delivery.unconfirmedLookups', { count: unknownLookups });
        await executeAll(tx, [
          attemptDone,
          deliverySet({
            state: 'unconfirmed',
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
        deliverySet({
          state: cancelled ? 'cancelled' : 'queued',
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

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function isUniqueViolation(e: unknown): boolean {
  return errorCode(e) === '23505';
}

/** Errors that mean the database (not the platform) failed: let Graphile Worker retry the job. */
function isDatabaseError(e: unknown): boolean {
  const code = errorCode(e);
  if (!code) return false;
  // PostgreSQL SQLSTATEs are five characters; connection-level failures come as Node error codes.
  return /^[0-9A-Z]{5}$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'EPIPE'].includes(code);
}
