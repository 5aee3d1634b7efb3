/**
 * Use-cases of posts and their deliveries (no Remix here: the web app, the CLI and the tests call these).
 * Every change is one transaction that also changes the delivery's job (same job key = replace; removed on cancel)
 * and records an audit entry, so the database never says one thing while the queue does another.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { t, type Locale, type MessageKey } from '../../common/i18n';
import type { Db, DbOrTx } from '../../db/client';
import type { Channel, Delivery, DeliveryAttempt, DeliveryState, Post } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { findChannel, findChannelsByIds, findChannelsByKeys } from '../../db/queries/channels';
import { isExercisePost } from '../../db/queries/crisis';
import { findPost, insertPost, listRecentPostsWithDeliveryStates, updatePost } from '../../db/queries/posts';
import { findMedia as findMediaRow, insertPostMedia, listPostMedia, listPostMediaInfo, type PostMediaInfo } from '../../db/queries/post-media';
import { insertVariants, loadVariant } from '../../db/queries/post-variants';
import { findDelivery, listDeliveriesOfPost, lockDeliveriesOfChannel, lockDeliveriesOfPost, lockDelivery } from '../../db/queries/deliveries';
import { listAttempts } from '../../db/queries/delivery-attempts';
import type { LimitProblem, Platform } from '../../workers/platforms/index';
import { describeMedia } from '../../workers/platforms/index';
import {
  checkDraft,
  createDeliveries,
  enqueuePublish,
  mediaKindOf,
  recordPublication,
  removePublishJob,
  resolveChannelContent,
  sentContentOf,
  statesLeadingTo,
  transitionReturning,
  type ChannelContent,
} from '../../workers/delivery/index';
import { isSha256Hex, mediaStore } from '../../common/media-store.server';
import type { PostKind } from '../../common/post-kinds';
import type { Role } from '../../common/roles';
import { roleHasPermission } from '../utils/permissions';
import { postKindRules } from './post-kinds.server';
import type { Actor } from '../../common/actor';
import { linkCardSchema, type LinkCard } from '../../common/link-card';
import { channelLink, type ChannelUtm } from '../../common/utm';
import { channelUtm } from './utm.server';
import type { ComposeValue } from '../forms/posts';
import { screenForPublishing, type ScreeningDecision } from './screening.server';

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
  /** The bytes; or sha256 of bytes already in the media store (an upload kept across a refused submit). */
  data?: Buffer;
  sha256?: string;
  width?: number;
  height?: number;
  /** Required for every image. */
  altText?: string | null;
}

export interface VariantInput {
  channelId?: string;
  channelKey?: string;
  /** Null or absent: inherit the base text (for YouTube this is the description). */
  text?: string | null;
  title?: string | null;
  privacy?: 'public' | 'unlisted' | 'private' | null;
  /** Present (even empty): the channel uses these instead of the base media. */
  media?: MediaInput[];
}

export interface CreatePostInput {
  text: string;
  link?: string | null;
  title?: string | null;
  media?: MediaInput[];
  channelKeys?: string[];
  channelIds?: string[];
  variants?: VariantInput[];
  kind?: PostKind;
  /** The author's role: a role without post:publish always goes to approval. */
  authorRole?: Role;
  /** Default: now (publish at once). */
  scheduledAt?: Date;
  isCrisis?: boolean;
  createdBy: string | null;
  actorLabel: string;
  /** Set when a blocking screening finding was overridden: the recorded reason (issue 12). */
  screeningOverrideReason?: string | null;
  /** Keep it as a draft (review state 'draft', no job) until submitted (submitPost; the REST API, ADR 037). */
  draft?: boolean;
  /** The link's card (ADR 038): fetched by the composer and edited by hand; kept only beside a link. */
  linkCard?: LinkCard | null;
  /** UTM parameters by channel key; default the city's configuration (none: links are not tagged). */
  utm?: ChannelUtm;
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

/** A media file ready for its row: its bytes are in the media store under sha256. */
export interface PreparedMedia {
  channelId: string | null;
  kind: 'image' | 'video';
  filename: string;
  mimeType: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  sha256: string;
  altText: string | null;
}

/**
 * Puts an upload into the media store (ADR 022) and describes it. Called before validation, so that a refused
 * submit can hand the stored file back to the form (by hash) instead of losing it.
 */
export async function storeUpload(data: Buffer, filename: string): Promise<{ sha256: string; filename: string; mimeType: string; sizeBytes: number } | null> {
  const info = describeMedia(data, filename);
  if (info.mimeType === 'application/octet-stream') return null;
  const sha256 = await mediaStore().put(data);
  return { sha256, filename, mimeType: info.mimeType, sizeBytes: data.length };
}

async function prepareMedia(m: MediaInput, channelId: string | null, problems: LimitProblem[]): Promise<PreparedMedia | null> {
  let data = m.data;
  let sha256: string;
  if (data) {
    sha256 = await mediaStore().put(data);
  } else if (m.sha256 && isSha256Hex(m.sha256)) {
    sha256 = m.sha256;
    data = (await mediaStore().get(sha256)) ?? undefined;
  } else {
    sha256 = '';
  }
  if (!data) {
    problems.push(problem('media_missing', 'compose.mediaMissing', { filename: m.filename }));
    return null;
  }
  // A file named by hash is described from its bytes, never from what the form claims.
  const mimeType = m.data ? m.mimeType : describeMedia(data, m.filename).mimeType;
  const kind = mediaKindOf(mimeType);
  if (!kind) {
    problems.push(problem('unsupported_media', 'delivery.unsupportedMedia', { filename: m.filename, mimeType }));
    return null;
  }
  // The limit checks look at the picture's proportions: read them from the file when the caller did not say.
  const described = m.width === undefined && m.height === undefined && kind === 'image' ? describeMedia(data, m.filename) : null;
  const altText = m.altText?.trim() || null;
  if (kind === 'image' && !altText) problems.push(problem('alt_required', 'compose.altRequired', { filename: m.filename }));
  return {
    channelId,
    kind,
    filename: m.filename,
    mimeType,
    sizeBytes: data.length,
    width: m.width ?? described?.width ?? null,
    height: m.height ?? described?.height ?? null,
    sha256,
    altText,
  };
}

interface PreparedVariant {
  channelId: string;
  text: string | null;
  title: string | null;
  privacy: 'public' | 'unlisted' | 'private' | null;
  ownMedia: boolean;
  link: string | null;
}

/** Whether a post of this kind by this role must be approved by a second person before it is scheduled (ADR 030). */
export function approvalRequired(kind: PostKind, authorRole: Role | undefined, isCrisis = false): boolean {
  if (isCrisis || kind === 'crisis') return false;
  if (authorRole && !roleHasPermission(authorRole, 'post:publish')) return true;
  return postKindRules()[kind].requiresApproval;
}

/**
 * Validates a whole post — base, variants, media, every chosen channel's limits — and prepares its rows. Nothing is
 * written but media files (content-addressed, harmless). Throws PostValidationError with Swedish problems.
 */
async function preparePost(db: DbOrTx, input: CreatePostInput) {
  const base = inputSchema.parse(input);
  const general: LimitProblem[] = [];
  const scheduledAt = base.scheduledAt ?? new Date();
  if (Number.isNaN(scheduledAt.getTime())) general.push(problem('invalid_schedule', 'delivery.invalidSchedule'));

  const { found, problems } = await resolveChannels(db, input);
  general.push(...problems);
  if (found.length === 0 && problems.length === 0) general.push(problem('no_channels', 'delivery.noChannels'));

  const media: PreparedMedia[] = [];
  for (const m of input.media ?? []) {
    const p = await prepareMedia(m, null, general);
    if (p) media.push(p);
  }

  const perChannelProblems = new Map<string, LimitProblem[]>();
  const variants: PreparedVariant[] = [];
  for (const v of input.variants ?? []) {
    const channel = found.find((c) => (v.channelId && c.id === v.channelId) || (v.channelKey && c.key === v.channelKey));
    // A variant of a channel that was not chosen is not part of the post.
    if (!channel) continue;
    const list = perChannelProblems.get(channel.id) ?? [];
    perChannelProblems.set(channel.id, list);
    const own = v.media !== undefined;
    if (own) {
      for (const m of v.media ?? []) {
        const p = await prepareMedia(m, channel.id, list);
        if (p) media.push(p);
      }
    }
    const text = v.text != null && v.text.trim() !== '' ? v.text : null;
    const title = v.title != null && v.title.trim() !== '' ? v.title.trim() : null;
    if (text !== null || title !== null || v.privacy || own) {
      variants.push({ channelId: channel.id, text, title, privacy: v.privacy ?? null, ownMedia: own, link: null });
    }
  }
  // UTM parameters per channel: the tagged link is the channel's own, so checks, approval hash and worker agree.
  const utm = input.utm ?? channelUtm();
  for (const channel of found) {
    const tagged = channelLink(base.link, utm[channel.key]);
    if (!tagged || tagged === base.link) continue;
    const existing = variants.find((v) => v.channelId === channel.id);
    if (existing) existing.link = tagged;
    else variants.push({ channelId: channel.id, text: null, title: null, privacy: null, ownMedia: false, link: tagged });
  }

  const post = { text: base.text, link: base.link ?? null, title: base.title ?? null };
  const perChannel: ChannelProblems[] = [];
  const contents = new Map<string, ChannelContent<PreparedMedia>>();
  for (const channel of found) {
    const list = perChannelProblems.get(channel.id) ?? [];
    if (!channel.enabled) list.push(problem('channel_disabled', 'delivery.channelDisabled', { channel: channel.name }));
    const content = resolveChannelContent(post, variants.find((v) => v.channelId === channel.id), media, channel.id);
    contents.set(channel.id, content);
    list.push(...checkDraft(channel.platform, content));
    if (list.length > 0) {
      perChannel.push({ channelId: channel.id, channelKey: channel.key, channelName: channel.name, platform: channel.platform, problems: list });
    }
  }
  if (general.length > 0 || perChannel.length > 0) throw new PostValidationError(general, perChannel);
  return { post, scheduledAt, channels: found, media, variants, contents };
}

/**
 * Creates a post with one delivery per channel (each with its own variant of the text and media) and enqueues each
 * delivery's job at the post's time (crisis posts first) — or, when the post needs approval, leaves the deliveries
 * as drafts in 'pending_approval' for a second person (ADR 030). Every channel is checked with its platform's limit
 * check (the same one the worker runs last); PostValidationError, before anything is written, names the problems.
 */
export async function createPost(db: Db, input: CreatePostInput): Promise<CreatedPost> {
  const prepared = await preparePost(db, input);
  const { scheduledAt, channels: found } = prepared;
  const isCrisis = input.isCrisis ?? false;
  const kind: PostKind = input.kind ?? (isCrisis ? 'crisis' : 'general');
  const draft = input.draft === true && !isCrisis;
  const needsApproval = !draft && approvalRequired(kind, input.authorRole, isCrisis);
  const now = new Date();
  const state: DeliveryState = draft || needsApproval ? 'draft' : scheduledAt.getTime() > now.getTime() ? 'scheduled' : 'queued';
  return db.transaction(async (tx) => {
    const post = await insertPost(tx, {
      ...prepared.post,
      kind,
      reviewState: draft ? 'draft' : needsApproval ? 'pending_approval' : 'not_required',
      isCrisis,
      createdBy: input.createdBy,
      lastEditedBy: input.createdBy,
      scheduledAt,
      screeningOverrideReason: input.screeningOverrideReason ?? null,
      screeningOverrideBy: input.screeningOverrideReason ? input.createdBy : null,
      linkCard: prepared.post.link && input.linkCard ? linkCardSchema.parse(input.linkCard) : null,
    });
    const mediaRows = await insertPostMedia(
      tx,
      prepared.media.map((m, position) => ({ ...m, position, postId: post.id, stored: true, data: null })),
    );
    await insertVariants(
      tx,
      prepared.variants.map((v) => ({ ...v, postId: post.id })),
    );
    const rows = await createDeliveries(
      tx,
      found.map((channel) => ({ postId: post.id, channelId: channel.id, state, scheduledAt, isCrisis })),
    );
    if (state !== 'draft') for (const d of rows) await enqueuePublish(tx, d, scheduledAt);
    await recordAudit(tx, {
      actorUserId: input.createdBy,
      actorLabel: input.actorLabel,
      action: 'post.create',
      objectType: 'post',
      objectId: post.id,
      details: {
        kind,
        channels: found.map((c) => c.key),
        deliveries: rows.map((d) => d.id),
        scheduledAt: scheduledAt.toISOString(),
        isCrisis,
        reviewState: post.reviewState,
        variants: prepared.variants.map((v) => v.channelId),
        media: mediaRows.map((m) => ({ filename: m.filename, sha256: m.sha256, channelId: m.channelId })),
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
      const content = resolveChannelContent(post, await loadVariant(tx, post.id, channel.id), media, channel.id);
      await recordPublication(tx, {
        delivery: d,
        channel,
        content: sentContentOf(content, content.media),
        exercise: await isExercisePost(tx, post.id),
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

/**
 * A post's media file by id, for the public media route the platforms fetch from: a stream from the media store
 * (videos are large), or the bytes of a row written before the store existed.
 */
export async function openPostMedia(db: DbOrTx, mediaId: string): Promise<{ mimeType: string; size: number; body: ReadableStream | Uint8Array } | null> {
  const row = await findMediaRow(db, mediaId);
  if (!row) return null;
  if (row.data) return { mimeType: row.mimeType, size: row.data.length, body: new Uint8Array(row.data) };
  const opened = await mediaStore().open(row.sha256);
  if (!opened) return null;
  return { mimeType: row.mimeType, size: opened.size, body: Readable.toWeb(opened.stream) as ReadableStream };
}

/**
 * An image already in the media store, by hash, for the composer's previews and link card (the officer's own
 * uploads and fetched card images; not public). Only JPEG and PNG are served — never a video or anything else.
 */
export async function openStoredImage(sha256: string): Promise<{ mimeType: string; body: Uint8Array } | null> {
  if (!isSha256Hex(sha256)) return null;
  const data = await mediaStore().get(sha256);
  if (!data) return null;
  const { mimeType } = describeMedia(data, 'bild');
  if (mimeType !== 'image/jpeg' && mimeType !== 'image/png') return null;
  return { mimeType, body: new Uint8Array(data) };
}

// ---------------------------------------------------------------------------------------------------------------
// The composer's submit, shared by /skriv and POST /api/v1/posts (ADR 037)

/** The composer's values once its form (or the API's JSON) is read: composeSchema's shape, times already parsed. */
export interface ComposedPost {
  value: Pick<ComposeValue, 'kind' | 'text' | 'link' | 'title' | 'channelIds' | 'variants' | 'screeningOverride'> & { crisis?: boolean };
  /** The base media and each variant's own file (by the variant's index), already in the media store. */
  media: MediaInput[];
  variantMedia: (index: number) => MediaInput | null;
  scheduledAt?: Date;
  author: { userId: string | null; role: Role; label: string };
  /** Keep it a draft: screening findings are reported then, and block only when it is sent on. */
  draft?: boolean;
  /** The link's card (ADR 038), as the composer fetched and the officer edited it. */
  linkCard?: LinkCard | null;
  locale: Locale;
}

export type ComposeOutcome = { ok: false; screening: ScreeningDecision } | { ok: true; created: CreatedPost; screening: ScreeningDecision };

/**
 * Pre-publish screening (issue 12) over the base and every channel's own text, then createPost: what the composer's
 * submit does. A blocking finding without a reason returns `ok: false` and writes nothing; PostValidationError as
 * createPost throws it.
 */
export async function createComposedPost(db: Db, c: ComposedPost): Promise<ComposeOutcome> {
  const variants: VariantInput[] = (c.value.variants ?? []).map((variant, i) => {
    const own = c.variantMedia(i);
    return { channelId: variant.channelId, text: variant.text ?? null, title: variant.title ?? null, privacy: variant.privacy ?? null, ...(own ? { media: [own] } : {}) };
  });
  const screening = screenForPublishing([c.value.text, ...variants.map((x) => x.text ?? '')].join('\n'), c.value.screeningOverride, c.locale);
  if (screening.blocked && !c.draft) return { ok: false, screening };
  const created = await createPost(db, {
    screeningOverrideReason: screening.overrideReason,
    kind: c.value.kind,
    text: c.value.text,
    link: c.value.link ?? null,
    title: c.value.title ?? null,
    media: c.media,
    variants,
    channelIds: c.value.channelIds,
    scheduledAt: c.scheduledAt,
    isCrisis: c.value.crisis ?? false,
    authorRole: c.author.role,
    createdBy: c.author.userId,
    actorLabel: c.author.label,
    draft: c.draft ?? false,
    linkCard: c.linkCard ?? null,
  });
  return { ok: true, created, screening };
}
