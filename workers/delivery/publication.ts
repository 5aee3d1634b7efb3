/**
 * The register write and the channel hold: recording a publication (delivery + public record + audit entry in the
 * caller's transaction) and holding a channel's waiting deliveries. Also the delivery's one job.
 */
import { notifyChannelNeedsReauth } from './notifications';
import type { SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import type { Channel, Delivery, Post, PostMedia } from '../../db/schema';
import { lockDeliveriesOfChannel, type DeliveryPatch } from '../../db/queries/deliveries';
import { updateChannel } from '../../db/queries/channels';
import { publicRecordInsertSql, type NewPublicRecord } from '../../db/queries/public-records';
import { auditSql, recordAudit, type AuditInput } from '../../db/queries/audit';
import { executeAll } from '../../db/queries/fast';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import type { Actor } from '../../common/actor';
import { jobPriority } from '../lib/policy';
import { enqueue, removeJob } from './jobs';
import { transitionChannelDeliveries, transitionSql } from './states';

export interface SentContent {
  text: string;
  link: string | null;
  title: string | null;
  media: { filename: string; mimeType: string; sha256: string; sizeBytes: number }[];
}

/** A channel's variant as stored (null columns inherit the base). */
export interface VariantSource {
  text: string | null;
  title: string | null;
  privacy: 'public' | 'unlisted' | 'private' | null;
  ownMedia: boolean;
  /** The post's link tagged for this channel (UTM, ADR 038); null or absent inherits the post's link. */
  link?: string | null;
}

type MediaOf = Pick<PostMedia, 'channelId'>;

/** What one channel gets: its variant over the post's base (ADR 022). The use-cases and the worker share it. */
export interface ChannelContent<M> {
  text: string;
  link: string | null;
  title: string | null;
  privacy: 'public' | 'unlisted' | 'private' | null;
  media: M[];
}

export function resolveChannelContent<M extends MediaOf>(
  post: Pick<Post, 'text' | 'link' | 'title'>,
  variant: VariantSource | null | undefined,
  media: M[],
  channelId: string,
): ChannelContent<M> {
  return {
    text: variant?.text ?? post.text,
    link: variant?.link ?? post.link ?? null,
    title: variant?.title ?? post.title ?? null,
    privacy: variant?.privacy ?? null,
    media: variant?.ownMedia ? media.filter((m) => m.channelId === channelId) : media.filter((m) => m.channelId == null),
  };
}

/** The hash a channel's content is approved under (ADR 030): text, link, title, privacy, media bytes and alt texts. */
export function contentSha256(content: ChannelContent<Pick<PostMedia, 'sha256' | 'altText'>>): string {
  return sha256Hex(
    canonicalJson({
      text: content.text,
      link: content.link,
      title: content.title,
      privacy: content.privacy,
      media: content.media.map((m) => ({ sha256: m.sha256, altText: m.altText ?? null })),
    }),
  );
}

export function sentContentOf(post: Pick<Post, 'text' | 'link' | 'title'>, media: Pick<PostMedia, 'filename' | 'mimeType' | 'sha256' | 'sizeBytes'>[]): SentContent {
  return {
    text: post.text,
    link: post.link ?? null,
    title: post.title ?? null,
    media: media.map((m) => ({ filename: m.filename, mimeType: m.mimeType, sha256: m.sha256, sizeBytes: m.sizeBytes })),
  };
}

/**
 * The delivery's one job: same key (replace), so a re-enqueue moves the pending job, and one still locked by a
 * dead worker is neutered and replaced by a new one (graphile_worker.add_jobs).
 */
export async function enqueuePublish(
  db: DbOrTx,
  delivery: Pick<Delivery, 'id' | 'isCrisis'>,
  runAt: Date,
  maxAttempts?: number,
): Promise<void> {
  await enqueue(db, 'delivery__publish', { deliveryId: delivery.id }, {
    runAt,
    priority: jobPriority(delivery.isCrisis),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
  });
}

export async function removePublishJob(db: DbOrTx, deliveryId: string): Promise<void> {
  await removeJob(db, 'delivery__publish', { deliveryId });
}

export interface PublicationInput {
  /** The delivery, locked by the caller (its state is the from-state of the transition to published). */
  delivery: Delivery;
  channel: Channel;
  content: SentContent;
  /** A drill's post (issue 11): the record says exercise, like the drill's message record. */
  exercise: boolean;
  externalId: string;
  permalink: string | null;
  publishedAt?: Date;
  actor: Actor;
  /** Extra columns for the delivery row (checked_by …). */
  patch?: DeliveryPatch;
  auditDetails?: Record<string, unknown>;
}

/** What recording a publication writes: the delivery's patch, the public record and the audit entry. */
export interface PublicationValues {
  delivery: DeliveryPatch;
  record: NewPublicRecord;
  audit: AuditInput;
}

/** The values of a publication's record (see publicationSql); computed once, so both ways of writing them agree. */
export function publicationValues(input: PublicationInput): PublicationValues {
  const { delivery, channel, content } = input;
  const publishedAt = input.publishedAt ?? new Date();
  const recordContent = {
    text: content.text,
    link: content.link,
    title: content.title,
    media: content.media.map((m) => ({ filename: m.filename, mimeType: m.mimeType, sha256: m.sha256, sizeBytes: m.sizeBytes })),
  };
  return {
    delivery: {
      externalId: input.externalId,
      permalink: input.permalink,
      publishedAt,
      sentText: content.text,
      sentLink: content.link,
      sentTitle: content.title,
      sentMedia: content.media,
      needsReconcile: false,
      nextAttemptAt: null,
      failureClass: null,
      failureReason: null,
      ...input.patch,
    },
    record: {
      registeredAt: publishedAt,
      recordDate: publishedAt,
      postId: delivery.postId,
      kind: delivery.replyToExternalId ? 'outgoing_reply' : 'outgoing_post',
      direction: 'outgoing',
      channelId: channel.id,
      deliveryId: delivery.id,
      platform: channel.platform,
      externalId: input.externalId,
      permalink: input.permalink,
      counterparty: channel.name,
      summary: Array.from(content.text).slice(0, 120).join(''),
      content: recordContent,
      contentSha256: sha256Hex(canonicalJson(recordContent)),
      exercise: input.exercise,
    },
    audit: {
      actorUserId: input.actor.userId,
      actorLabel: input.actor.label,
      action: 'delivery.published',
      objectType: 'delivery',
      objectId: delivery.id,
      details: {
        postId: delivery.postId,
        channelId: channel.id,
        platform: channel.platform,
        externalId: input.externalId,
        permalink: input.permalink,
        ...input.auditDetails,
      },
    },
  };
}

/**
 * The statements that record that the delivery is on the platform: the delivery row (exactly what was sent), one
 * public record (upprättad handling) and an audit entry. The unique indexes on deliveries(channel_id, external_id)
 * and public_records(delivery_id) are the backstops against doing it twice. The values may be placeholders
 * (executeShaped): nothing here looks at them. `delivery` is the locked row's id and state (the from-state).
 */
export function publicationSql(delivery: Pick<Delivery, 'id' | 'state'>, values: PublicationValues): SQL[] {
  return [transitionSql(delivery, 'published', values.delivery), publicRecordInsertSql(values.record), auditSql(values.audit)];
}

export function publicationStatements(input: PublicationInput): SQL[] {
  return publicationSql(input.delivery, publicationValues(input));
}

/** Records the publication in the caller's transaction, as one statement (see publicationStatements). */
export async function recordPublication(tx: DbOrTx, input: PublicationInput, extra: SQL[] = []): Promise<void> {
  await executeAll(tx, [...publicationStatements(input), ...extra]);
}

/**
 * The channel's sign-in no longer works: mark it, and hold its waiting deliveries (their jobs removed) so nothing
 * keeps failing against it. releaseHeldDeliveries (app/models/posts.server.ts) undoes the hold after re-authorisation.
 */
export async function holdChannel(
  tx: DbOrTx,
  channel: Channel,
  credentialError: string,
  actor: Actor,
): Promise<string[]> {
  await updateChannel(tx, channel.id, { credentialStatus: 'needs_reauth', credentialError });
  await notifyChannelNeedsReauth(tx, channel, credentialError);
  // Locked in id order first (as every use-case locks), then moved in one UPDATE restricted by the table.
  const waiting = await lockDeliveriesOfChannel(tx, channel.id, ['scheduled', 'queued']);
  await transitionChannelDeliveries(tx, channel.id, ['scheduled', 'queued'], 'held', { nextAttemptAt: null });
  for (const d of waiting) await removePublishJob(tx, d.id);
  await recordAudit(tx, {
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action: 'channel.needs_reauth',
    objectType: 'channel',
    objectId: channel.id,
    details: { heldDeliveries: waiting.map((d) => d.id), reason: credentialError },
  });
  return waiting.map((d) => d.id);
}
