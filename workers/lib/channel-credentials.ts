/**
 * A channel's credentials as a platform call needs them: decrypted, validated, and refreshed first when due. Used by
 * delivery__publish just before it calls a platform, and by channel__refresh_credentials ahead of time.
 */
import { eq } from 'drizzle-orm';
import { t } from '../../common/i18n';
import { config } from '../../common/config.server';
import { oauthClientFor } from '../platforms/oauth-client';
import { channels, type Channel } from '../../db/schema';
import { decryptCredentials, encryptCredentials } from '../../db/credentials';
import { updateChannel } from '../../db/queries/channels';
import type { PlatformModule } from '../platforms/registry';
import type { WorkerDeps } from '../deps';
import { recordAudit } from '../../db/queries/audit';

/** The stored credentials are missing or unreadable: a person must connect the channel again. */
export class CredentialsProblem extends Error {}

export function openCredentials(deps: Pick<WorkerDeps, 'credentialsKey'>, channel: Channel, module: PlatformModule<unknown>): unknown {
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
export async function credentialsFor(
  deps: Pick<WorkerDeps, 'db' | 'credentialsKey' | 'platformTimeoutMs'>,
  channel: Channel,
  module: PlatformModule<unknown>,
  /** Refresh when due within this many ms (the cron task looks ahead; a publish refreshes only when due now). */
  lookAheadMs = 0,
): Promise<unknown> {
  const credentials = openCredentials(deps, channel, module);
  const due = module.adapter.refreshDueAt(credentials);
  if (!due || due.getTime() > Date.now() + lookAheadMs) return credentials;
  return deps.db.transaction(async (tx) => {
    const [locked] = await tx.select().from(channels).where(eq(channels.id, channel.id)).for('update');
    if (!locked) throw new Error(`channel ${channel.id} not found`);
    const current = openCredentials(deps, locked, module);
    const stillDue = module.adapter.refreshDueAt(current);
    if (!stillDue || stillDue.getTime() > Date.now() + lookAheadMs) return current;
    const fresh = await module.adapter.refreshCredentials({
      channelId: locked.id,
      accountId: locked.accountId ?? '',
      apiBaseUrl: locked.apiBaseUrl,
      credentials: current,
      timeoutMs: deps.platformTimeoutMs,
      oauthClient: oauthClientFor(locked, config()),
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

