/**
 * "Delete from platform" for a published delivery (ADR 039), through the delivery module like a publish:
 * 1. requestRemoval (the web app's use-case calls it in its own transaction): lock the delivery, refuse anything but
 *    a published delivery with no removal pending or done, register a deletion event (the saved copy of what was
 *    sent, the reason, who asked, related to the post's outgoing record), write the removal row as `requested`,
 *    enqueue delivery__remove (job key = delivery) and audit. The platform is never asked before the record exists.
 * 2. performRemoval (the task): one platform delete per attempt, only while the row says `requested`; the outcome is
 *    written under the row's lock. Deleting what is already gone counts as done (the adapters say so), so a worker
 *    killed after the platform call but before the write leaves a retry that cannot delete twice.
 * The delivery stays `published`: its public record is never changed; the deletion is a record of its own.
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { channels, type Delivery } from '../../db/schema';
import { lockDelivery } from '../../db/queries/deliveries';
import { countRemovalAttempt, findDeliveryRecord, insertRemovalRecord, insertRemoval, lockRemoval } from '../../db/queries/removals';
import { recordAudit } from '../../db/queries/audit';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import type { Actor } from '../../common/actor';
import { t } from '../../common/i18n';
import { isPlatformError } from '../platforms/contract';
import { platformModule } from '../platforms/registry';
import { credentialsFor, CredentialsProblem } from '../lib/channel-credentials';
import { enqueue } from './jobs';
import { transitionRemoval } from './states';
import type { WorkerDeps } from '../deps';

/** Platforms whose API can delete a published post (Instagram's Graph API cannot). */
export const removablePlatforms = ['x', 'facebook', 'youtube'] as const;

export class RemovalRefused extends Error {
  override readonly name = 'RemovalRefused';
  constructor(
    readonly code: 'not_found' | 'not_published' | 'already' | 'unsupported',
    message: string,
  ) {
    super(message);
  }
}

export interface RemovalRequest {
  deliveryId: string;
  reason: string;
  actor: Actor;
}

/** Step 1, in the caller's transaction. Returns the deletion event's registration number. */
export async function requestRemoval(tx: DbOrTx, input: RemovalRequest): Promise<{ recordId: number; registrationNumber: string | null; delivery: Delivery }> {
  const d = await lockDelivery(tx, input.deliveryId);
  if (!d) throw new RemovalRefused('not_found', t('live.remove.notFound'));
  if (d.state !== 'published' || !d.externalId) throw new RemovalRefused('not_published', t('live.remove.notPublished'));
  const [channel] = await tx.select().from(channels).where(eq(channels.id, d.channelId));
  if (!channel) throw new RemovalRefused('not_found', t('live.remove.notFound'));
  if (!(removablePlatforms as readonly string[]).includes(channel.platform)) {
    throw new RemovalRefused('unsupported', t('live.remove.unsupported', { platform: platformModule(channel.platform).label }));
  }
  const existing = await lockRemoval(tx, d.id);
  if (existing && existing.state !== 'failed') throw new RemovalRefused('already', t('live.remove.already'));
  const postRecord = await findDeliveryRecord(tx, d.id);
  const content = {
    action: 'delete_from_platform',
    reason: input.reason,
    requestedBy: input.actor.userId,
    savedCopy: {
      text: d.sentText,
      link: d.sentLink,
      title: d.sentTitle,
      media: d.sentMedia ?? [],
      externalId: d.externalId,
      permalink: d.permalink,
      publishedAt: d.publishedAt?.toISOString() ?? null,
    },
    postRecord: postRecord?.registrationNumber ?? null,
  };
  const record = await insertRemovalRecord(tx, {
    kind: 'deletion_event',
    direction: 'internal',
    channelId: channel.id,
    postId: d.postId,
    relatedRecordId: postRecord?.id ?? null,
    platform: channel.platform,
    externalId: d.externalId,
    permalink: d.permalink,
    counterparty: channel.name,
    summary: t('live.remove.record', { channel: channel.name, reason: input.reason }),
    content,
    contentSha256: sha256Hex(canonicalJson(content)),
  });
  if (existing) await transitionRemoval(tx, existing, 'requested', { reason: input.reason, requestedBy: input.actor.userId, requestedAt: new Date(), recordId: record.id, error: null });
  else await insertRemoval(tx, { deliveryId: d.id, state: 'requested', reason: input.reason, requestedBy: input.actor.userId, recordId: record.id });
  await enqueue(tx, 'delivery__remove', { deliveryId: d.id });
  await recordAudit(tx, {
    actorUserId: input.actor.userId,
    actorLabel: input.actor.label,
    action: 'delivery.remove_requested',
    objectType: 'delivery',
    objectId: d.id,
    details: { postId: d.postId, reason: input.reason, recordId: record.id, externalId: d.externalId, again: Boolean(existing) },
  });
  return { recordId: record.id, registrationNumber: record.registrationNumber, delivery: d };
}

/** Platform answers worth another try (Graphile Worker retries with its backoff): deleting is idempotent. */
const retryable = new Set(['transient', 'rate_limited', 'quota_exhausted', 'outcome_unknown']);

/** Step 2, the task. 'skipped' when there is nothing requested (already done, or a stale job). */
export async function performRemoval(
  deps: Pick<WorkerDeps, 'db' | 'credentialsKey' | 'log' | 'platformTimeoutMs'>,
  deliveryId: string,
): Promise<'removed' | 'failed' | 'skipped'> {
  const claimed = await deps.db.transaction(async (tx) => {
    const r = await lockRemoval(tx, deliveryId);
    if (!r || r.state !== 'requested') return null;
    const d = await lockDelivery(tx, deliveryId);
    if (!d?.externalId) return null;
    await countRemovalAttempt(tx, r.deliveryId);
    const [channel] = await tx.select().from(channels).where(eq(channels.id, d.channelId));
    return channel ? { delivery: d, channel } : null;
  });
  if (!claimed) return 'skipped';
  const { delivery, channel } = claimed;
  const module = platformModule(channel.platform);
  let error: string | null = null;
  try {
    const credentials = await credentialsFor(deps, channel, module);
    await module.adapter.deletePost(
      { channelId: channel.id, accountId: channel.accountId ?? '', apiBaseUrl: channel.apiBaseUrl, credentials, timeoutMs: deps.platformTimeoutMs },
      delivery.externalId ?? '',
    );
  } catch (e) {
    if (isPlatformError(e) && retryable.has(e.errorClass)) throw e;
    if (!(e instanceof CredentialsProblem) && !isPlatformError(e)) throw e;
    error = e.message;
  }
  return deps.db.transaction(async (tx) => {
    const r = await lockRemoval(tx, deliveryId);
    if (!r || r.state !== 'requested') return 'skipped' as const;
    await transitionRemoval(tx, r, error ? 'failed' : 'removed', error ? { error } : { removedAt: new Date(), error: null });
    await recordAudit(tx, {
      actorUserId: null,
      actorLabel: 'worker',
      action: error ? 'delivery.remove_failed' : 'delivery.removed',
      objectType: 'delivery',
      objectId: deliveryId,
      details: { postId: delivery.postId, channelId: channel.id, externalId: delivery.externalId, recordId: r.recordId, ...(error ? { error } : {}) },
    });
    return error ? ('failed' as const) : ('removed' as const);
  });
}
