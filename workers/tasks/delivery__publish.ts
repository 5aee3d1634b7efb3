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
import { t } from '../../app/i18n';
import { decryptCredentials, encryptCredentials } from '../../db/credentials';
import { recordAudit } from '../../db/queries/audit';
import {
  findAttempt,
  findChannel,
  findPost,
  insertAttempt,
  isWorkerAlive,
  latestAttempt,
  listPostMedia,
  lockDelivery,
  updateAttempt,
  updateChannel,
  updateDelivery,
} from '../../db/queries/deliveries';
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
import { rateLimitRunAt, reconcileDelayMs, transientDelayMs } from '../lib/policy';
import { enqueuePublish, holdChannel, recordPublication, sentContentOf, type SentContent } from '../lib/publication';

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

/** One run of the pipeline for a delivery; exported for tests and tools that drive it without Graphile Worker. */
export async function publishDelivery(deps: WorkerDeps, deliveryId: string): Promise<void> {
  // A second job for a delivery this runner is already working on (a sweep re-enqueue): the first one owns it.
  if (deps.inFlight.has(deliveryId)) return;
  deps.inFlight.add(deliveryId);
  try {
    const claim = await claimDelivery(deps, deliveryId);
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
  | { kind: 'claimed'; delivery: Delivery; attempt: DeliveryAttempt; reconcileOnly: boolean };

const skip = (reason: string): Claim => ({ kind: 'skip', reason });

async function claimDelivery(deps: WorkerDeps, deliveryId: string): Promise<Claim> {
  const { policy } = deps;
  return deps.db.transaction(async (tx) => {
    const d = await lockDelivery(tx, deliveryId);
    if (!d) return skip('no such delivery');
    // A cancelled delivery whose last attempt's outcome is unknown is still looked up (never published again), so
    // that what happened is recorded honestly.
    const reconcileOnly = d.state === 'cancelled' && d.needsReconcile;
    if (!reconcileOnly && d.state !== 'scheduled' && d.state !== 'queued' && d.state !== 'publishing') {
      return skip(`state ${d.state}`);
    }
    const now = new Date();
    let needsReconcile = d.needsReconcile;
    const last = await latestAttempt(tx, d.id);
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
      await updateAttempt(tx, last.id, { outcome: 'unknown', endedAt: now, errorClass: 'outcome_unknown', message: t('delivery.workerLost') });
      needsReconcile = true;
      await updateDelivery(tx, d.id, { needsReconcile: true });
    }

    if (!reconcileOnly) {
      const dueAt = Math.max(d.scheduledAt.getTime(), d.nextAttemptAt?.getTime() ?? 0);
      if (dueAt > now.getTime() + EARLY_TOLERANCE_MS) {
        // An older job (e.g. one already running when the post was rescheduled): the delivery's time is later.
        await enqueuePublish(tx, d, new Date(dueAt), policy.jobMaxAttempts);
        if (d.state === 'publishing') await updateDelivery(tx, d.id, { state: 'queued' });
        return skip('not due yet');
      }
    }

    const channel = await findChannel(tx, d.channelId);
    if (!channel || !channel.enabled || channel.credentialStatus !== 'ok' || !channel.credentialsEncrypted) {
      if (!reconcileOnly) await updateDelivery(tx, d.id, { state: 'held', nextAttemptAt: null });
      return skip('channel not usable: held');
    }

    if (d.giveUpAt && now.getTime() >= d.giveUpAt.getTime()) {
      const hours = Math.round((policy.maxTotalMs / 3600_000) * 10) / 10;
      const state = needsReconcile ? 'unconfirmed' : 'failed';
      const reason = needsReconcile ? t('delivery.giveUpUnconfirmed', { hours }) : t('delivery.giveUp', { hours });
      await updateDelivery(tx, d.id, {
        state,
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
      return skip('gave up');
    }

    const attempt = await insertAttempt(tx, { deliveryId: d.id, number: d.attemptCount + 1, workerId: deps.workerId });
    const delivery = await updateDelivery(tx, d.id, {
      state: reconcileOnly ? 'cancelled' : 'publishing',
      attemptCount: d.attemptCount + 1,
      firstSentAt: d.firstSentAt ?? now,
      giveUpAt: d.giveUpAt ?? new Date(now.getTime() + policy.maxTotalMs),
      nextAttemptAt: null,
      needsReconcile,
    });
    return { kind: 'claimed', delivery, attempt, reconcileOnly };
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
  attempt: DeliveryAttempt;
  reconcileOnly: boolean;
  content?: SentContent;
  /** What the lookup said in this attempt, for the attempt's message. */
  note: string | null;
  /** A lookup in this attempt found the post absent. */
  lookupAbsent: boolean;
}

class CredentialsProblem extends Error {}

interface Loaded {
  channel: Channel;
  module: PlatformModule<unknown>;
  conn: Connection<unknown>;
  post: Post;
  media: PostMedia[];
  req: PublishRequest;
}

type Phase = 'load' | 'lookup' | 'publish';

async function runAttempt(deps: WorkerDeps, claim: Extract<Claim, { kind: 'claimed' }>): Promise<void> {
  const at: Attempt = { delivery: claim.delivery, attempt: claim.attempt, reconcileOnly: claim.reconcileOnly, note: null, lookupAbsent: false };
  const outcome = await decide(deps, at);
  await finish(deps, at, outcome);
}

async function decide(deps: WorkerDeps, at: Attempt): Promise<Outcome> {
  const { delivery } = at;
  let phase: Phase = 'load';
  let loaded: Loaded | undefined;
  try {
    loaded = await load(deps, delivery);
    at.content = sentContentOf(loaded.post, loaded.media);

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
      text: loaded.post.text,
      link: loaded.post.link,
      title: loaded.post.title,
      media: loaded.media,
    });
    if (problems.length > 0) {
      return {
        kind: 'failed',
        error: { errorClass: 'invalid_content', platformCode: problems.map((p) => p.code).join(','), message: problems.map((p) => p.message).join(' ') },
      };
    }

    // Re-check under the row lock: a cancel that arrived meanwhile wins, as does a takeover of our attempt.
    const gate = await deps.db.transaction(async (tx) => {
      const d = await lockDelivery(tx, delivery.id);
      const a = await findAttempt(tx, at.attempt.id);
      if (!d || a?.outcome !== 'in_progress') return 'lost' as const;
      if (d.state === 'cancelled') return 'cancelled' as const;
      // The lookup said "not there": that is now what we know, whatever happens to the send.
      if (d.needsReconcile) await updateDelivery(tx, d.id, { needsReconcile: false, unknownLookups: 0 });
      return 'go' as const;
    });
    if (gate === 'lost') return { kind: 'lost' };
    if (gate === 'cancelled') return { kind: 'abandoned' };

    // E. Publish.
    phase = 'publish';
    const deliveryId = delivery.id;
    const result = await loaded.module.adapter.publish(loaded.conn, loaded.req, {
      previous: delivery.checkpoint ?? null,
      checkpoint: async (data: Checkpoint) => {
        // Its own committed statement: durable before the adapter takes the irreversible step.
        await updateDelivery(deps.db, deliveryId, { checkpoint: data });
      },
    });
    return { kind: 'published', externalId: result.externalId, permalink: result.permalink, via: 'publish' };
  } catch (e) {
    if (e instanceof CredentialsProblem) {
      return { kind: 'held', credentialError: e.message, error: { errorClass: 'auth_expired', message: e.message } };
    }
    if (isPlatformError(e)) return classify(deps, at, e, phase, loaded?.channel);
    if (isDatabaseError(e)) throw e;
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

async function load(deps: WorkerDeps, delivery: Delivery): Promise<Loaded> {
  const channel = await findChannel(deps.db, delivery.channelId);
  if (!channel) throw new Error(`channel ${delivery.channelId} not found`);
  const post = await findPost(deps.db, delivery.postId);
  if (!post) throw new Error(`post ${delivery.postId} not found`);
  const media = await listPostMedia(deps.db, post.id);
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
    text: post.text,
    link: post.link,
    title: post.title,
    media: media.map((m) => ({
      kind: m.kind,
      mimeType: m.mimeType,
      filename: m.filename,
      data: m.data,
      publicUrl: `${base}/media/${m.id}`,
      ...(m.width != null ? { width: m.width } : {}),
      ...(m.height != null ? { height: m.height } : {}),
    })),
  };
  return { channel, module, conn, post, media, req };
}

function openCredentials(deps: WorkerDeps, channel: Channel, module: PlatformModule<unknown>): unknown {
  if (!channel.credentialsEncrypted) throw new CredentialsProblem(t('delivery.credentialsMissing', { channel: channel.name }));
  let raw: unknown;
  try {
    raw = decryptCredentials(deps.credentialsKey, channel.id, channel.credentialsEncrypted);
  } catch {
    throw new CredentialsProblem(t('delivery.credentialsUnreadable'));
  }
  const parsed = module.credentialsSchema.safeParse(raw);
  if (!parsed.success) throw new CredentialsProblem(t('delivery.credentialsUnreadable'));
  return parsed.data;
}

/**
 * The channel's credentials, refreshed first when they are due. Refreshing holds the channel row locked so that two
 * workers never spend the same single-use refresh token (X); the new credentials are stored before they are used.
 */
async function credentialsFor(deps: WorkerDeps, channel: Channel, module: PlatformModule<unknown>): Promise<unknown> {
  const credentials = openCredentials(deps, channel, module);
  const due = module.adapter.refreshDueAt(credentials);
  if (!due || due.getTime() > Date.now()) return credentials;
  return deps.db.transaction(async (tx) => {
    const [locked] = await tx.select().from(channels).where(eq(channels.id, channel.id)).for('update');
    if (!locked) throw new Error(`channel ${channel.id} not found`);
    const current = openCredentials(deps, locked, module);
    const stillDue = module.adapter.refreshDueAt(current);
    if (!stillDue || stillDue.getTime() > Date.now()) return current;
    const fresh = await module.adapter.refreshCredentials({
      channelId: locked.id,
      accountId: locked.accountId ?? '',
      apiBaseUrl: locked.apiBaseUrl,
      credentials: current,
      timeoutMs: deps.platformTimeoutMs,
    });
    const nextDue = module.adapter.refreshDueAt(fresh);
    await updateChannel(tx, locked.id, {
      credentialsEncrypted: encryptCredentials(deps.credentialsKey, locked.id, fresh),
      credentialsRefreshDueAt: nextDue,
    });
    await recordAudit(tx, { actorUserId: null, actorLabel: 'worker', action: 'channel.credentials_refreshed', objectType: 'channel', objectId: locked.id });
    return fresh;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// F/G. Finish

async function finish(deps: WorkerDeps, at: Attempt, outcome: Outcome): Promise<void> {
  if (outcome.kind === 'lost') {
    deps.log.warn({ deliveryId: at.delivery.id, attempt: at.attempt.number }, 'attempt taken over before sending; nothing sent');
    return;
  }
  try {
    await deps.db.transaction((tx) => finishIn(deps, tx, at, outcome));
  } catch (e) {
    if (outcome.kind === 'published' && outcome.via === 'lookup' && isUniqueViolation(e)) {
      // The post the lookup matched is already recorded for another delivery of this channel (two identical
      // posts): we cannot tell which is ours, so this lookup did not decide anything.
      await deps.db.transaction((tx) =>
        finishIn(deps, tx, at, retryReconcile(deps, at.delivery, { errorClass: 'outcome_unknown', message: t('delivery.lookupAmbiguous') }, true)),
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
  const d = await lockDelivery(tx, at.delivery.id);
  if (!d) throw new Error(`delivery ${at.delivery.id} vanished`);
  const attempt = await findAttempt(tx, at.attempt.id);
  const ours = attempt?.outcome === 'in_progress';
  const attemptId = at.attempt.id;
  const ended = { endedAt: now };

  if (outcome.kind === 'published') {
    const attemptOutcome = outcome.via === 'lookup' ? 'reconciled_published' : 'published';
    if (d.state === 'published') {
      // Someone else recorded it first (a takeover after we were presumed dead, or the other way round).
      if (d.externalId === outcome.externalId) {
        await updateAttempt(tx, attemptId, { outcome: attemptOutcome, ...ended, message: withNote(at, t('delivery.lookupPublished')) });
        return;
      }
      log.error({ deliveryId: d.id, recorded: d.externalId, other: outcome.externalId }, 'DUPLICATE: a second platform post for one delivery');
      await updateAttempt(tx, attemptId, {
        outcome: attemptOutcome,
        ...ended,
        errorClass: 'duplicate',
        message: `Dubblett: plattformen har även inlägget ${outcome.externalId}.`,
      });
      await recordAudit(tx, {
        actorUserId: null,
        actorLabel: 'worker',
        action: 'delivery.duplicate_detected',
        objectType: 'delivery',
        objectId: d.id,
        details: { recordedExternalId: d.externalId, duplicateExternalId: outcome.externalId },
      });
      return;
    }
    const channel = await findChannel(tx, d.channelId);
    if (!channel || !at.content) throw new Error(`delivery ${d.id}: channel or content missing at finish`);
    const cancelled = d.state === 'cancelled';
    await recordPublication(tx, {
      delivery: d,
      channel,
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
    });
    await updateAttempt(tx, attemptId, {
      outcome: attemptOutcome,
      ...ended,
      message: withNote(at, cancelled ? t('delivery.publishedAfterCancel') : outcome.via === 'lookup' ? t('delivery.lookupPublished') : null),
    });
    return;
  }

  if (!ours) {
    // We were presumed dead and another run has taken the delivery over (it reconciles before it sends): leave the
    // delivery to it and only note what our call actually ended with.
    const late = outcome.kind === 'retry' || outcome.kind === 'failed' || outcome.kind === 'held' ? outcome.error.message : outcome.kind;
    await updateAttempt(tx, attemptId, { message: withNote(at, `${attempt?.message ?? ''} Sent svar: ${late}`.trim()) });
    return;
  }
  if (d.state === 'published') {
    await updateAttempt(tx, attemptId, { outcome: 'reconciled_published', ...ended, message: withNote(at, t('delivery.lookupPublished')) });
    return;
  }
  const cancelled = d.state === 'cancelled';

  switch (outcome.kind) {
    case 'absent':
      await updateAttempt(tx, attemptId, { outcome: 'reconciled_absent', ...ended, message: t('delivery.absentAfterCancel') });
      await updateDelivery(tx, d.id, { needsReconcile: false, unknownLookups: 0, nextAttemptAt: null });
      return;

    case 'abandoned':
      await updateAttempt(tx, attemptId, { outcome: 'abandoned', ...ended, message: withNote(at, t('delivery.cancelledBeforeSend')) });
      await updateDelivery(tx, d.id, { nextAttemptAt: null });
      return;

    case 'failed': {
      await updateAttempt(tx, attemptId, { outcome: 'failed', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) });
      if (cancelled) return;
      await updateDelivery(tx, d.id, {
        state: 'failed',
        needsReconcile: d.needsReconcile && !at.lookupAbsent,
        failureClass: outcome.error.errorClass,
        failureReason: outcome.error.message,
        nextAttemptAt: null,
      });
      await recordAudit(tx, {
        actorUserId: null,
        actorLabel: 'worker',
        action: 'delivery.failed',
        objectType: 'delivery',
        objectId: d.id,
        details: { errorClass: outcome.error.errorClass, reason: outcome.error.message, attempt: at.attempt.number },
      });
      return;
    }

    case 'held': {
      await updateAttempt(tx, attemptId, { outcome: 'held', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) });
      const [channel] = await tx.select().from(channels).where(eq(channels.id, d.channelId)).for('update');
      if (channel && channel.credentialStatus === 'ok') await holdChannel(tx, channel, outcome.credentialError, WORKER_ACTOR);
      if (!cancelled) {
        await updateDelivery(tx, d.id, { state: 'held', nextAttemptAt: null, failureClass: 'auth_expired', failureReason: outcome.credentialError });
      }
      return;
    }

    case 'retry': {
      // Once an outcome is unknown it stays so until a lookup decides (the gate commits a "not there").
      const reconcile = outcome.reconcile || d.needsReconcile;
      const attemptOutcome = reconcile ? 'unknown' : 'retry';
      if (cancelled && !reconcile) {
        // A definite failure after a cancel: nothing was published and nothing more will be tried.
        await updateAttempt(tx, attemptId, { outcome: 'failed', ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) });
        return;
      }
      const transientFailures = d.transientFailures + (outcome.countTransient ? 1 : 0);
      const unknownLookups = d.unknownLookups + (outcome.countLookup ? 1 : 0);
      await updateAttempt(tx, attemptId, { outcome: attemptOutcome, ...ended, ...errorColumns(outcome.error), message: withNote(at, outcome.error.message) });
      if (outcome.countTransient && transientFailures >= policy.maxTransientFailures) {
        const reason = t('delivery.tooManyTransient', { count: transientFailures, error: outcome.error.message });
        await updateDelivery(tx, d.id, {
          state: 'failed',
          transientFailures,
          failureClass: outcome.error.errorClass ?? 'transient',
          failureReason: reason,
          nextAttemptAt: null,
        });
        await recordAudit(tx, {
          actorUserId: null,
          actorLabel: 'worker',
          action: 'delivery.failed',
          objectType: 'delivery',
          objectId: d.id,
          details: { errorClass: outcome.error.errorClass, reason, attempt: at.attempt.number },
        });
        return;
      }
      if (outcome.countLookup && unknownLookups >= policy.maxUnknownLookups) {
        const reason = t('delivery.unconfirmedLookups', { count: unknownLookups });
        await updateDelivery(tx, d.id, {
          state: 'unconfirmed',
          unknownLookups,
          needsReconcile: true,
          failureClass: 'outcome_unknown',
          failureReason: `${reason} ${outcome.error.message}`,
          nextAttemptAt: null,
        });
        await recordAudit(tx, {
          actorUserId: null,
          actorLabel: 'worker',
          action: 'delivery.unconfirmed',
          objectType: 'delivery',
          objectId: d.id,
          details: { lookups: unknownLookups, reason: outcome.error.message },
        });
        return;
      }
      await updateDelivery(tx, d.id, {
        state: cancelled ? 'cancelled' : 'queued',
        transientFailures,
        unknownLookups,
        needsReconcile: reconcile,
        nextAttemptAt: outcome.runAt,
      });
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
