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
import { t } from '../../common/i18n';
import { gateState, patchDelivery, threadParentExternalId } from '../../db/queries/deliveries';
import { loadMedia } from '../../db/queries/post-media';
import type { Channel, PostMedia, Post } from '../../db/schema';
import { isPlatformError, type Checkpoint, type Connection, type PlatformError, type PublishRequest } from '../platforms/contract';
import { platformModule, type PlatformModule } from '../platforms/registry';
import type { WorkerDeps } from '../deps';
import { checkDraft, checkReply } from '../lib/limits';
import { screenText } from '../../common/screening';
import { CredentialsProblem, credentialsFor } from '../lib/channel-credentials';
import { DeadlineExceeded, rateLimitRunAt, reconcileDelayMs } from '../lib/policy';
import { claimDelivery, type Claim } from './claim';
import { finish } from './finish';
import { dbStep, isDatabaseError, retryReconcile, retryTransient, type Attempt, type ErrorInfo, type Outcome } from './outcome';
import { contentSha256, resolveChannelContent, sentContentOf, type ChannelContent } from './publication';
import { mediaStore } from '../../common/media-store.server';

/** One run of the pipeline for a delivery (the delivery__publish task, and tools that drive it without Graphile Worker). */
/** One run of the pipeline for a delivery; exported for tests and tools that drive it without Graphile Worker. */
export async function publishDelivery(deps: WorkerDeps, deliveryId: string): Promise<void> {
  // A second job for a delivery this runner is already working on (a sweep re-enqueue): the first one owns it.
  if (deps.inFlight.has(deliveryId)) return;
  deps.inFlight.add(deliveryId);
  try {
    const claim = await dbStep(deps, 'claim', claimDelivery(deps, deliveryId));
    if (claim.kind === 'skip') {
      deps.log.debug({ deliveryId, reason: claim.reason }, 'delivery not run');
      return;
    }
    await runAttempt(deps, claim);
  } finally {
    deps.inFlight.delete(deliveryId);
  }
}

interface Loaded {
  channel: Channel;
  module: PlatformModule<unknown>;
  conn: Connection<unknown>;
  post: Post;
  /** The channel's variant over the base (ADR 022), media with their bytes. */
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
    variant: claim.variant,
    exercise: claim.exercise,
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
      // Only X's lookup can find a reply (it matches in_reply_to); elsewhere a reply is never resent blind (ADR 032).
      const found =
        delivery.replyToExternalId && loaded.channel.platform !== 'x'
          ? ({ status: 'unknown', reason: t('inbox.reply.cannotLookup') } as const)
          : await loaded.module.adapter.lookup(loaded.conn, loaded.req, {
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
    const problems = delivery.replyToExternalId
      ? checkReply(loaded.channel.platform, loaded.post.text)
      : checkDraft(loaded.channel.platform, {
          text: loaded.content.text,
          link: loaded.content.link,
          title: loaded.content.title,
          media: loaded.content.media,
        });
    // Four-eyes (ADR 030): only the content a second person approved may go out.
    if (delivery.approvedSha256 && contentSha256(loaded.content) !== delivery.approvedSha256) {
      problems.push({ code: 'changed_after_approval', message: t('compose.changedAfterApproval') });
    }
    // The last screening gate (issue 12): the same screenText the composer shows; a blocking finding holds the
    // delivery unless a person overrode it with a recorded reason (posts.screening_override_reason).
    const blocking = screenText(loaded.content.text).filter((f) => f.severity === 'block');
    if (blocking.length > 0 && !loaded.post.screeningOverrideReason) {
      return {
        kind: 'screening_held',
        error: { errorClass: 'invalid_content', platformCode: `screening:${blocking.map((f) => f.rule).join(',')}`, message: blocking.map((f) => f.message).join(' ') },
      };
    }
    if (problems.length > 0) {
      return {
        kind: 'failed',
        error: { errorClass: 'invalid_content', platformCode: problems.map((p) => p.code).join(','), message: problems.map((p) => p.message).join(' ') },
      };
    }

    // Re-check under the row lock: a cancel that arrived meanwhile wins, as does a takeover of our attempt.
    const gate = await dbStep(deps, 'gate', gateState(deps.db, delivery.id, at.attempt.id));
    if (!gate || gate.attemptOutcome !== 'in_progress') return { kind: 'lost' };
    if (gate.state === 'cancelled') return { kind: 'abandoned' };
    // Pause all (ADR 031): the last moment before the platform call; the pause waits for attempts past this point.
    if (gate.paused) return { kind: 'paused' };
    // The lookup said "not there": that is now what we know, whatever happens to the send.
    if (gate.needsReconcile) await patchDelivery(deps.db, delivery.id, { needsReconcile: false, unknownLookups: 0 });

    // E. Publish.
    phase = 'publish';
    const deliveryId = delivery.id;
    // A reply from the inbox goes out as the platform's comment reply (X: a post in reply to it).
    const result = delivery.replyToExternalId
      ? await loaded.module.adapter.reply(loaded.conn, { targetExternalId: delivery.replyToExternalId, text: loaded.post.text })
      : await loaded.module.adapter.publish(loaded.conn, loaded.req, {
          previous: delivery.checkpoint ?? null,
          checkpoint: async (data: Checkpoint) => {
            // Its own committed statement: durable before the adapter takes the irreversible step.
            await dbStep(deps, 'checkpoint', patchDelivery(deps.db, deliveryId, { checkpoint: data }));
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
  const allMedia = at.mediaCount > 0 ? await dbStep(deps, 'load media', loadMedia(deps.db, post.id)) : [];
  const resolved = resolveChannelContent(post, at.variant, allMedia, channel.id);
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
    // An inbox reply answers a comment; a crisis update threads under the incident's first post (X replies to it).
    replyToExternalId:
      delivery.replyToExternalId ?? (post.replyToPostId ? await dbStep(deps, 'load thread', threadParentExternalId(deps.db, post.replyToPostId, channel.id)) : null),
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
