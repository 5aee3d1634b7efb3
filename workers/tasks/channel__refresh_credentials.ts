import { and, eq, isNotNull, lte } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import { channels, type Channel } from '../../db/schema';
import { platformModule } from '../platforms/registry';
import { isPlatformError } from '../platforms/contract';
import { credentialsFor, CredentialsProblem } from '../lib/channel-credentials';
import { holdChannel } from '../delivery/publication';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const payloadSchema = jobCatalogue.channel__refresh_credentials.payload;

/** Refreshes credentials this far ahead of their due time, so a publish rarely has to refresh on its own path. */
export const REFRESH_LOOK_AHEAD_MS = 30 * 60_000;

export interface RefreshResult {
  refreshed: string[];
  needsReauth: string[];
  failed: string[];
}

/**
 * Cron: every usable channel whose credentials are due within the look-ahead is refreshed (and the new credentials
 * stored before anything uses them; see workers/lib/channel-credentials.ts). A platform that refuses the refresh puts
 * the channel in needs_reauth and holds its deliveries; a passing fault is left for the next run.
 */
export async function refreshDueCredentials(
  deps: Pick<WorkerDeps, 'db' | 'credentialsKey' | 'log' | 'platformTimeoutMs'>,
  now = new Date(),
): Promise<RefreshResult> {
  const horizon = now.getTime() + REFRESH_LOOK_AHEAD_MS;
  const due: Channel[] = await deps.db
    .select()
    .from(channels)
    .where(
      and(
        eq(channels.enabled, true),
        eq(channels.credentialStatus, 'ok'),
        isNotNull(channels.credentialsEncrypted),
        lte(channels.credentialsRefreshDueAt, new Date(horizon)),
      ),
    );
  const result: RefreshResult = { refreshed: [], needsReauth: [], failed: [] };
  for (const channel of due) {
    try {
      await credentialsFor(deps, channel, platformModule(channel.platform), horizon - Date.now());
      result.refreshed.push(channel.id);
    } catch (e) {
      if (e instanceof CredentialsProblem || (isPlatformError(e) && e.errorClass === 'auth_expired')) {
        await deps.db.transaction((tx) => holdChannel(tx, channel, e.message, { userId: null, label: 'worker' }));
        result.needsReauth.push(channel.id);
      } else {
        deps.log.warn({ channelId: channel.id, err: isPlatformError(e) ? e.message : String(e) }, 'credential refresh failed; retried next run');
        result.failed.push(channel.id);
      }
    }
  }
  return result;
}

export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    await refreshDueCredentials(deps);
  };
}
