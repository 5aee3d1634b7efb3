import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Task } from 'graphile-worker';
import { channels } from '../../db/schema';
import { findInboxItem, lockInboxItem, updateInboxItem } from '../../db/queries/inbox';
import { isPlatformError } from '../platforms/contract';
import { platformModule } from '../platforms/registry';
import { credentialsFor, CredentialsProblem } from '../lib/channel-credentials';
import { recordAudit as audit } from '../../db/queries/audit';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const payloadSchema = jobCatalogue.inbox__moderate.payload;
export type Payload = z.infer<typeof payloadSchema>;

/** Platform answers worth another try (Graphile Worker retries with its backoff); hide and delete are idempotent. */
const retryable = new Set(['transient', 'rate_limited', 'quota_exhausted', 'outcome_unknown', 'duplicate']);

/**
 * Hides or deletes a comment on its platform. Runs only after the use-case registered the saved copy and the
 * reason (ADR 032), so the platform call can never come first. The outcome is written to the item and audited.
 */
export async function moderateItem(deps: Pick<WorkerDeps, 'db' | 'credentialsKey' | 'log' | 'platformTimeoutMs'>, itemId: string): Promise<'done' | 'failed' | 'skipped'> {
  const item = await findInboxItem(deps.db, itemId);
  if (!item || item.moderationStatus !== 'pending' || !item.moderationAction) return 'skipped';
  const [channel] = await deps.db.select().from(channels).where(eq(channels.id, item.channelId));
  if (!channel) return 'skipped';
  const module = platformModule(channel.platform);
  const action = item.moderationAction;
  let error: string | null = null;
  try {
    const credentials = await credentialsFor(deps, channel, module);
    await module.adapter.moderateComment(
      { channelId: channel.id, accountId: channel.accountId ?? '', apiBaseUrl: channel.apiBaseUrl, credentials, timeoutMs: deps.platformTimeoutMs },
      { commentExternalId: item.externalId, action },
    );
  } catch (e) {
    if (isPlatformError(e) && retryable.has(e.errorClass)) throw e;
    if (!(e instanceof CredentialsProblem) && !isPlatformError(e)) throw e;
    error = e.message;
  }
  await deps.db.transaction(async (tx) => {
    const locked = await lockInboxItem(tx, itemId);
    if (!locked || locked.moderationStatus !== 'pending') return;
    await updateInboxItem(
      tx,
      itemId,
      error ? { moderationStatus: 'failed', moderationError: error } : { moderationStatus: 'done', moderationError: null, state: 'removed' },
    );
    await audit(tx, {
      actorUserId: null,
      actorLabel: 'worker',
      action: error ? 'inbox.moderation_failed' : action === 'hide' ? 'inbox.hidden' : 'inbox.deleted',
      objectType: 'inbox_item',
      objectId: itemId,
      details: { channelId: channel.id, externalId: item.externalId, reason: item.moderationReason, recordId: item.moderationRecordId, ...(error ? { error } : {}) },
    });
  });
  return error ? 'failed' : 'done';
}

export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { itemId } = payloadSchema.parse(payload);
    await moderateItem(deps, itemId);
  };
}
