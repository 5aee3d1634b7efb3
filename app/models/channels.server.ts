import { createHash, randomBytes } from 'node:crypto';
import { asc, eq, max, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { channels, deliveries, type Channel } from '../../db/schema';
import { encryptCredentials, decryptCredentials } from '../../db/credentials';
import { recordAudit } from '../../db/queries/audit';
import { platformModule } from '../../workers/platforms/index';
import type { TokenGrant } from '../../workers/platforms/index';
import type { Actor } from '../../common/actor';

export type ChannelSummary = Pick<
  Channel,
  'id' | 'key' | 'platform' | 'name' | 'description' | 'accountId' | 'handle' | 'apiBaseUrl' | 'credentialStatus' | 'credentialError' | 'credentialsRefreshDueAt' | 'enabled'
>;

export async function listChannels(db: Db): Promise<ChannelSummary[]> {
  return db
    .select({
      id: channels.id,
      key: channels.key,
      platform: channels.platform,
      name: channels.name,
      description: channels.description,
      accountId: channels.accountId,
      handle: channels.handle,
      apiBaseUrl: channels.apiBaseUrl,
      credentialStatus: channels.credentialStatus,
      credentialError: channels.credentialError,
      credentialsRefreshDueAt: channels.credentialsRefreshDueAt,
      enabled: channels.enabled,
    })
    .from(channels)
    .orderBy(asc(channels.platform), asc(channels.name));
}

export async function getChannel(db: Db, id: string): Promise<Channel | undefined> {
  const [row] = await db.select().from(channels).where(eq(channels.id, id));
  return row;
}

/** OAuth app for a channel (the simulators' own in demo mode), decided once in workers/platforms from the caller's Config. */
export { oauthClientFor } from '../../workers/platforms/index';

export function pkcePair(): { verifier: string; challenge: string; state: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url'), state: randomBytes(16).toString('base64url') };
}

export class CredentialsInvalidError extends Error {}

/**
 * Stores new credentials for a channel (encrypted) and marks it usable again, in one transaction with the audit
 * entry. Deliveries held because the channel needed re-authorisation are released by the caller's hook.
 */
export async function storeCredentials(
  db: Db,
  key: Buffer,
  channelId: string,
  input: { credentials: unknown; accountId?: string; accountName?: string; via: 'oauth' | 'manual' },
  actor: Actor,
): Promise<void> {
  const channel = await getChannel(db, channelId);
  if (!channel) throw new CredentialsInvalidError('Kanalen finns inte.');
  const mod = platformModule(channel.platform);
  const parsed = mod.credentialsSchema.safeParse(input.credentials);
  if (!parsed.success) {
    throw new CredentialsInvalidError(
      `Uppgifterna passar inte ${mod.label}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'värdet'} – ${i.message}`).join('; ')}`,
    );
  }
  const dueAt = mod.adapter.refreshDueAt(parsed.data);
  await db.transaction(async (tx) => {
    await tx
      .update(channels)
      .set({
        credentialsEncrypted: encryptCredentials(key, channelId, parsed.data),
        credentialStatus: 'ok',
        credentialError: null,
        credentialsRefreshDueAt: dueAt,
        accountId: input.accountId ?? channel.accountId,
        updatedAt: new Date(),
      })
      .where(eq(channels.id, channelId));
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'channel.credentials_stored',
      objectType: 'channel',
      objectId: channelId,
      details: { via: input.via, accountId: input.accountId ?? channel.accountId },
    });
  });
}

/** Pending grants (several Pages/accounts) travel sealed through the selection form, never in clear text. */
export function sealGrants(key: Buffer, channelId: string, grants: TokenGrant<unknown>[]): string {
  return encryptCredentials(key, `grants:${channelId}`, grants);
}

export function openGrants(key: Buffer, channelId: string, sealed: string): TokenGrant<unknown>[] {
  return decryptCredentials(key, `grants:${channelId}`, sealed) as TokenGrant<unknown>[];
}

export interface ChannelHealth extends ChannelSummary {
  /** When the stored access token expires (from the credentials themselves); null: it does not expire or is unknown. */
  tokenExpiresAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: { at: Date; message: string; errorClass: string | null } | null;
}

/**
 * The channel health page (/kanaler/halsa, ADR 043): listChannels plus the token's expiry, the last published
 * delivery and the last failed attempt of each channel. The credentials are decrypted here only to read their expiry;
 * nothing of them leaves this function.
 */
export async function channelHealth(db: Db, credentialsKey: Buffer): Promise<ChannelHealth[]> {
  const list = await listChannels(db);
  const sealed = await db.select({ id: channels.id, credentials: channels.credentialsEncrypted }).from(channels);
  const success = await db
    .select({ channelId: deliveries.channelId, at: max(deliveries.publishedAt) })
    .from(deliveries)
    .where(eq(deliveries.state, 'published'))
    .groupBy(deliveries.channelId);
  const errors = await db.execute<{ channel_id: string; at: string; message: string | null; error_class: string | null }>(sql`
    select distinct on (d.channel_id) d.channel_id, coalesce(a.ended_at, a.started_at)::text as at, a.message, a.error_class::text as error_class
    from delivery_attempts a join deliveries d on d.id = a.delivery_id
    where a.error_class is not null
    order by d.channel_id, coalesce(a.ended_at, a.started_at) desc`);
  const expiry = new Map(sealed.map((s) => [s.id, s.credentials ? expiresAtOf(credentialsKey, s.id, s.credentials) : null]));
  const lastSuccess = new Map(success.map((s) => [s.channelId, s.at]));
  const lastError = new Map(errors.map((e) => [e.channel_id, { at: new Date(e.at), message: e.message ?? '', errorClass: e.error_class }]));
  return list.map((c) => ({
    ...c,
    tokenExpiresAt: expiry.get(c.id) ?? null,
    lastSuccessAt: lastSuccess.get(c.id) ?? null,
    lastError: lastError.get(c.id) ?? null,
  }));
}

function expiresAtOf(key: Buffer, channelId: string, sealed: string): Date | null {
  try {
    const credentials = decryptCredentials(key, channelId, sealed) as { expiresAt?: unknown } | null;
    const raw = credentials?.expiresAt;
    if (typeof raw !== 'string' && typeof raw !== 'number') return null;
    const at = new Date(raw);
    return Number.isNaN(at.getTime()) ? null : at;
  } catch {
    // A key rotated without re-encrypting shows as "unknown" here; the worker reports the channel itself.
    return null;
  }
}
