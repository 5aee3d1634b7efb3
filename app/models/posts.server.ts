/**
 * Use-cases of posts and their deliveries (no Remix here: the web app, the CLI and the tests call these).
 * Every change is one transaction that also changes the delivery's job (same job key = replace; removed on cancel)
 * and records an audit entry, so the database never says one thing while the queue does another.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { t, type MessageKey } from '../../common/i18n';
import type { Db, DbOrTx } from '../../db/client';
import type { Channel, Delivery, DeliveryAttempt, DeliveryState, Post } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { findChannel, findChannelsByIds, findChannelsByKeys } from '../../db/queries/channels';
import { findPost, insertPost, listRecentPostsWithDeliveryStates, updatePost } from '../../db/queries/posts';
import { findMedia as findMediaRow, insertPostMedia, listPostMedia, listPostMediaInfo, type PostMediaInfo } from '../../db/queries/post-media';
import { findDelivery, listDeliveriesOfPost, lockDeliveriesOfChannel, lockDeliveriesOfPost, lockDelivery } from '../../db/queries/deliveries';
import { listAttempts } from '../../db/queries/delivery-attempts';
import type { LimitProblem, Platform } from '../../workers/platforms/index';
import { jpegDimensions } from '../../workers/platforms/index';
import {
  checkDraft,
  createDeliveries,
  enqueuePublish,
  mediaKindOf,
  recordPublication,
  removePublishJob,
  sentContentOf,
  statesLeadingTo,
  transitionReturning,
} from '../../workers/delivery/index';
import type { Actor } from '../../common/actor';

export type { Actor };

// ---------------------------------------------------------------------------------------------------------------
// Errors

export interface ChannelProblems {
  channelId: string;
  channelKey: string;
  channelName: string;
  platform: Platform;
  problems: LimitProblem[];
}

/** The post cannot be sent as it is: general problems and, per channel, the platform's limit problems (Swedish). */
export class PostValidationError extends Error {
  override readonly name = 'PostValidationError';
  constructor(
    readonly general: LimitProblem[],
    readonly channels: ChannelProblems[],
  ) {
    super(
      [
        ...general.map((p) => p.message),
        ...channels.flatMap((c) => c.problems.map((p) => `${c.channelName} (${c.platform}): ${p.message}`)),
      ].join('\n'),
    );
  }
}

/** The delivery (or post) does not exist, or is in a state that does not allow the action. Message in Swedish. */
export class DeliveryStateError extends Error {
  override readonly name = 'DeliveryStateError';
  constructor(
    readonly code: 'not_found' | 'wrong_state' | 'invalid_input',
    message: string,
    readonly state?: DeliveryState,
  ) {
    super(message);
  }
}

function wrongState(action: 'reschedule' | 'cancel' | 'retry' | 'resolve', state: DeliveryState): DeliveryStateError {
  return new DeliveryStateError(
    'wrong_state',
    t('delivery.wrongState', { action: t(`delivery.action.${action}` as MessageKey), state: t(`delivery.state.${state}` as MessageKey).toLowerCase() }),
    state,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// createPost

export interface MediaInput {
  filename: string;
  mimeType: string;
  data: Buffer;
  width?: number;
  height?: number;
}

export interface CreatePostInput {
  text: string;
  link?: string | null;
  title?: string | null;
  media?: MediaInput[];
  channelKeys?: string[];
  channelIds?: string[];
  /** Default: now (publish at once). */
  scheduledAt?: Date;
  isCrisis?: boolean;
  createdBy: string | null;
  actorLabel: string;
  /** Set when a blocking screening finding was overridden: the recorded reason (issue 12). */
  screeningOverrideReason?: string | null;
}

export interface CreatedPost {
  post: Post;
  media: PostMediaInfo[];
  deliveries: Delivery[];
}

const inputSchema = z.object({
  text: z.string(),
  link: z.string().trim().min(1).nullish(),
  title: z.string().nullish(),
  scheduledAt: z.date().optional(),
});

function problem(code: string, key: MessageKey, params: Record<string, string | number> = {}): LimitProblem {
  return { code, message: t(key, params) };
}

async function resolveChannels(db: DbOrTx, input: { channelKeys?: string[]; channelIds?: string[] }): Promise<{ found: Channel[]; problems: LimitProblem[] }> {
  const keys = [...new Set(input.channelKeys ?? [])];
  const ids = [...new Set(input.channelIds ?? [])];
  const problems: LimitProblem[] = [];
  const byKey = await findChannelsByKeys(db, keys);
  for (const key of keys) if (!byKey.some((c) => c.key === key)) problems.push(problem('unknown_channel', 'delivery.unknownChannel', { channel: key }));
  const uuid = z.uuid();
  const validIds = ids.filter((id) => uuid.safeParse(id).success);
  const byId = await findChannelsByIds(db, validIds);
  for (const id of ids) if (!byId.some((c) => c.id === id)) problems.push(problem('unknown_channel', 'delivery.unknownChannel', { channel: id }));
  const found = new Map<string, Channel>();
  for (const c of [...byKey, ...byId]) found.set(c.id, c);
  return { found: [...found.values()], problems };
}

/**
 * Creates a post with one delivery per channel and enqueues each delivery's job at the post's time (crisis posts
 * first). Checks every channel with its platform's limit check (the same one the worker runs last) and throws
 * PostValidationError, with Swedish problems per channel, before anything is written.
 */
export async function createPost(db: Db, input: CreatePostInput): Promise<CreatedPost> {
  const base = inputSchema.parse(input);
  const general: LimitProblem[] = [];
  const scheduledAt = base.scheduledAt ?? new Date();
  if (Number.isNaN(scheduledAt.getTime())) general.push(problem('invalid_schedule', 'delivery.invalidSchedule'));

  const media = (input.media ?? []).map((m, position) => {
    const kind = mediaKindOf(m.mimeType);
    // The limit checks look at the picture's proportions: read them from the file when the caller did not say.
    const dims = m.width === undefined && m.height === undefined && m.mimeType === 'image/jpeg' ? jpegDimensions(m.data) : null;
    if (!kind) general.push(problem('unsupported_media', 'delivery.unsupportedMedia', { filename: m.filename, mimeType: m.mimeType }));
    return {
      position,
      kind: kind ?? 'image',
      filename: m.filename,
      mimeType: m.mimeType,
      sizeBytes: m.data.length,
      width: m.width ?? dims?.width ?? null,
      height: m.height ?? dims?.height ?? null,
      sha256: createHash('sha256').update(m.data).digest('hex'),
      data: m.data,
    };
  });

  const { found, problems } = await resolveChannels(db, input);
  general.push(...problems);
  if (found.length === 0 && problems.length === 0) general.push(problem('no_channels', 'delivery.noChannels'));

  const perChannel: ChannelProblems[] = [];
  for (const channel of found) {
    const list: LimitProblem[] = [];
    if (!channel.enabled) list.push(problem('channel_disabled', 'delivery.channelDisabled', { channel: channel.name }));
    list.push(...checkDraft(channel.platform, { text: base.text, link: base.link, title: base.title, media }));
    if (list.length > 0) {
      perChannel.push({ channelId: channel.id, channelKey: channel.key, channelName: channel.name, platform: channel.platform, problems: list });
    }
  }
  if (general.length > 0 || perChannel.length > 0) throw new PostValidationError(general, perChannel);

  const isCrisis = input.isCrisis ?? false;
  const now = new Date();
  const state: DeliveryState = scheduledAt.getTime() > now.getTime() ? 'scheduled' : 'queued';
  return db.transaction(async (tx) => {
    const post = await insertPost(tx, {
      text: base.text,
      link: base.link ?? null,
      title: base.title ?? null,
      isCrisis,
      createdBy: input.createdBy,
      scheduledAt,
      screeningOverrideReason: input.screeningOverrideReason ?? null,
      screeningOverrideBy: input.screeningOverrideReason ? input.createdBy : null,
    });
    const mediaRows = await insertPostMedia(
      tx,
      media.map((m) => ({ ...m, postId: post.id })),
    );
    const rows = await createDeliveries(
      tx,
      found.map((channel) => ({ postId: post.id, channelId: channel.id, state, scheduledAt, isCrisis })),
    );
    for (const d of rows) await enqueuePublish(tx, d, scheduledAt);
    await recordAudit(tx, {
      actorUserId: input.createdBy,
      actorLabel: input.actorLabel,
      action: 'post.create',
      objectType: 'post',
      objectId: post.id,
      details: {
        channels: found.map((c) => c.key),
        deliveries: rows.map((d) => d.id),
        scheduledAt: scheduledAt.toISOString(),
        isCrisis,
        media: mediaRows.map((m) => ({ filename: m.filename, sha256: m.sha256 })),
        ...(input.screeningOverrideReason ? { screeningOverride: input.screeningOverrideReason } : {}),
      },
    });
    return { post, media: mediaRows, deliveries: rows };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reschedule, cancel, retry, resolve

const reschedulable: DeliveryState[] = ['draft', 'scheduled', 'queued', 'held'];

/**
 * Moves the post's waiting deliveries (draft, scheduled, queued, held) to a new time, moving their jobs with them.
 * Deliveries that are publishing or done are left as they are; returns the ones moved.
 */
export async function reschedulePost(db: Db, postId: string, scheduledAt: Date, actor: Actor): Promise<Delivery[]> {
  if (Number.isNaN(scheduledAt.getTime())) throw new DeliveryStateError('invalid_input', t('delivery.invalidSchedule'));
  return db.transaction(async (tx) => {
    const post = await findPost(tx, postId);
    if (!post) throw new DeliveryStateError('not_found', t('delivery.postNotFound'));
    const all = await lockDeliveriesOfPost(tx, postId);
    const movable = all.filter((d) => reschedulable.includes(d.state));
    if (movable.length === 0) throw wrongState('reschedule', all[0]?.state ?? 'published');
    const future = scheduledAt.getTime() > Date.now();
    const moved: Delivery[] = [];
    for (const d of movable) {
      const state: DeliveryState = d.state === 'held' || d.state === 'draft' ? d.state : future ? 'scheduled' : 'queued';
      moved.push(await transitionReturning(tx, d, state, { scheduledAt, nextAttemptAt: null }));
      if (state === 'scheduled' || state === 'queued') await enqueuePublish(tx, d, scheduledAt);
    }
    await updatePost(tx, postId, { scheduledAt });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'post.reschedule',
      objectType: 'post',
      objectId: postId,
      details: { from: post.scheduledAt.toISOString(), to: scheduledAt.toISOString(), deliveries: moved.map((d) => d.id) },
    });
    return moved;
  });
}

/** Derived from the transition table: draft, scheduled, queued, held, publishing. */
const cancellable: DeliveryState[] = statesLeadingTo('cancelled');

async function cancelIn(tx: DbOrTx, d: Delivery, actor: Actor, reason: string | null): Promise<Delivery> {
  // While publishing, the running task re-checks under this same row lock before it sends; if it has already sent,
  // its outcome wins and is recorded as it is.
  // A delivery whose last outcome is unknown keeps its job: the next run only looks the post up (never sends), so
  // the record says honestly whether it came out before the cancel.
  const keepJob = d.needsReconcile && d.state !== 'held';
  const updated = await transitionReturning(tx, d, 'cancelled', keepJob ? {} : { nextAttemptAt: null });
  if (!keepJob) await removePublishJob(tx, d.id);
  await recordAudit(tx, {
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action: 'delivery.cancel',
    objectType: 'delivery',
    objectId: d.id,
    details: { postId: d.postId, from: d.state, ...(reason ? { reason } : {}) },
  });
  return updated;
}

export async function cancelDelivery(db: Db, deliveryId: string, actor: Actor, reason: string | null = null): Promise<Delivery> {
  return db.transaction(async (tx) => {
    const d = await lockDelivery(tx, deliveryId);
    if (!d) throw new DeliveryStateError('not_found', t('delivery.notFound'));
    if (!cancellable.includes(d.state)) throw wrongState('cancel', d.state);
    return cancelIn(tx, d, actor, reason);
  });
}

/** Cancels every delivery of the post that can still be cancelled; returns those cancelled. */
export async function cancelPost(db: Db, postId: string, actor: Actor, reason: string | null = null): Promise<Delivery[]> {
  return db.transaction(async (tx) => {
    const all = await lockDeliveriesOfPost(tx, postId);
    if (all.length === 0) throw new DeliveryStateError('not_found', t('delivery.postNotFound'));
    const out: Delivery[] = [];
    for (const d of all) if (cancellable.includes(d.state)) out.push(await cancelIn(tx, d, actor, reason));
    return out;
  });
}

/** A failed delivery goes back to the queue now, with fresh retry counters and give-up clock. */
export async function retryDelivery(db: Db, deliveryId: string, actor: Actor): Promise<Delivery> {
  return db.transaction(async (tx) => {
    const d = await lockDelivery(tx, deliveryId);
    if (!d) throw new DeliveryStateError('not_found', t('delivery.notFound'));
    if (d.state !== 'failed') throw wrongState('retry', d.state);
    const now = new Date();
    const updated = await transitionReturning(tx, d, 'queued', {
      transientFailures: 0,
      unknownLookups: 0,
      giveUpAt: null,
      // A failed delivery has no unknown outcome pending, so its reconciliation window can start over.
      firstSentAt: d.needsReconcile ? d.firstSentAt : null,
      checkpoint: d.needsReconcile ? d.checkpoint : null,
      nextAttemptAt: null,
      failureClass: null,
      failureReason: null,
    });
    await enqueuePublish(tx, d, now);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'delivery.retry',
      objectType: 'delivery',
      objectId: d.id,
      details: { postId: d.postId, previousFailure: d.failureReason },
    });
    return updated;
  });
}

export interface ResolveInput {
  /** What a person found on the platform. */
  published: boolean;
  externalId?: string | null;
  permalink?: string | null;
  reason: string;
  userId: string | null;
  actorLabel?: string;
}

/**
 * A person checked an 'unconfirmed' delivery on the platform. Published → recorded as published (public record
 * included); not published → 'failed' (and may then be retried).
 */
export async function markUnconfirmed(db: Db, deliveryId: string, input: ResolveInput): Promise<Delivery> {
  const reason = input.reason.trim();
  if (!reason) throw new DeliveryStateError('invalid_input', t('delivery.reasonRequired'));
  const externalId = input.externalId?.trim() || input.permalink?.trim() || null;
  if (input.published && !externalId) throw new DeliveryStateError('invalid_input', t('delivery.externalIdRequired'));
  const actor = { userId: input.userId, label: input.actorLabel ?? 'user' };
  return db.transaction(async (tx) => {
    const d = await lockDelivery(tx, deliveryId);
    if (!d) throw new DeliveryStateError('not_found', t('delivery.notFound'));
    if (d.state !== 'unconfirmed') throw wrongState('resolve', d.state);
    const checked = { checkedBy: input.userId, checkedReason: reason };
    if (input.published && externalId) {
      const channel = await findChannel(tx, d.channelId);
      const post = await findPost(tx, d.postId);
      if (!channel || !post) throw new DeliveryStateError('not_found', t('delivery.notFound'));
      const media = await listPostMedia(tx, post.id);
      await recordPublication(tx, {
        delivery: d,
        channel,
        content: sentContentOf(post, media),
        externalId,
        permalink: input.permalink?.trim() || null,
        actor,
        patch: checked,
        auditDetails: { resolvedBy: 'hand', reason },
      });
      const updated = await findDelivery(tx, d.id);
      if (!updated) throw new DeliveryStateError('not_found', t('delivery.notFound'));
      return updated;
    }
    const updated = await transitionReturning(tx, d, 'failed', {
      ...checked,
      needsReconcile: false,
      failureClass: d.failureClass ?? 'outcome_unknown',
      failureReason: t('delivery.checkedNotPublished', { reason }),
      nextAttemptAt: null,
    });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'delivery.resolve_not_published',
      objectType: 'delivery',
      objectId: d.id,
      details: { reason },
    });
    return updated;
  });
}

/**
 * After the channel has been authorised again (credential_status 'ok'): its held deliveries go back to the queue at
 * their own time (or now), with a fresh give-up clock. Returns the released deliveries.
 */
export async function releaseHeldDeliveries(db: Db, channelId: string, actor: Actor = { userId: null, label: 'system' }): Promise<Delivery[]> {
  return db.transaction(async (tx) => {
    const held = await lockDeliveriesOfChannel(tx, channelId, ['held']);
    const now = Date.now();
    const out: Delivery[] = [];
    for (const d of held) {
      const future = d.scheduledAt.getTime() > now;
      out.push(
        await transitionReturning(tx, d, future ? 'scheduled' : 'queued', {
          giveUpAt: null,
          nextAttemptAt: null,
          failureClass: null,
          failureReason: null,
        }),
      );
      await enqueuePublish(tx, d, future ? d.scheduledAt : new Date(now));
    }
    if (held.length > 0) {
      await recordAudit(tx, {
        actorUserId: actor.userId,
        actorLabel: actor.label,
        action: 'channel.release_held',
        objectType: 'channel',
        objectId: channelId,
        details: { deliveries: held.map((d) => d.id) },
      });
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface DeliveryView {
  id: string;
  state: DeliveryState;
  channel: Pick<Channel, 'id' | 'key' | 'name' | 'platform' | 'credentialStatus'>;
  scheduledAt: Date;
  isCrisis: boolean;
  /** When the next attempt runs (retry, rate-limit reset), null when none is pending. */
  nextAttemptAt: Date | null;
  attemptCount: number;
  needsReconcile: boolean;
  externalId: string | null;
  permalink: string | null;
  publishedAt: Date | null;
  /** Why it failed/was held/is unconfirmed, or the last attempt's error while it is still retrying (Swedish). */
  errorText: string | null;
  failureClass: Delivery['failureClass'];
  attempts: DeliveryAttempt[];
  delivery: Delivery;
}

export interface PostView {
  post: Post;
  media: PostMediaInfo[];
  deliveries: DeliveryView[];
}

export async function getPostWithDeliveries(db: DbOrTx, postId: string): Promise<PostView | null> {
  const post = await findPost(db, postId);
  if (!post) return null;
  const [media, rows] = await Promise.all([listPostMediaInfo(db, postId), listDeliveriesOfPost(db, postId)]);
  const [attempts, chans] = await Promise.all([
    listAttempts(db, rows.map((d) => d.id)),
    findChannelsByIds(db, [...new Set(rows.map((d) => d.channelId))]),
  ]);
  const deliveries = rows.map((d): DeliveryView => {
    const own = attempts.filter((a) => a.deliveryId === d.id);
    const last = own[own.length - 1];
    const c = chans.find((ch) => ch.id === d.channelId);
    return {
      id: d.id,
      state: d.state,
      channel: {
        id: d.channelId,
        key: c?.key ?? '',
        name: c?.name ?? '',
        platform: c?.platform ?? 'x',
        credentialStatus: c?.credentialStatus ?? 'missing',
      },
      scheduledAt: d.scheduledAt,
      isCrisis: d.isCrisis,
      nextAttemptAt: d.nextAttemptAt,
      attemptCount: d.attemptCount,
      needsReconcile: d.needsReconcile,
      externalId: d.externalId,
      permalink: d.permalink,
      publishedAt: d.publishedAt,
      errorText: d.failureReason ?? (d.state === 'published' ? null : (last?.message ?? null)),
      failureClass: d.failureClass,
      attempts: own,
      delivery: d,
    };
  });
  return { post, media, deliveries };
}

// Reads the routes need, so that routes never import db/ themselves.
export async function listRecentPosts(db: DbOrTx, limit = 50) {
  return listRecentPostsWithDeliveryStates(db, limit);
}

/** A post's media file by id, for the public media route. */
export async function findPostMedia(db: DbOrTx, mediaId: string) {
  return findMediaRow(db, mediaId);
}
