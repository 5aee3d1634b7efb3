import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Task } from 'graphile-worker';
import { channels } from '../../db/schema';
import { enqueue } from '../delivery/jobs';
import { recordOverdueInbox } from '../delivery/notifications';
import { fetchChannelComments, fetchableChannels } from '../lib/inbox';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const TASK = 'inbox__fetch';

/** Without a channel: the cron run, which queues one job per channel. With one: that channel's fetch. */
export const payloadSchema = jobCatalogue.inbox__fetch.payload;
export type Payload = z.infer<typeof payloadSchema>;

/**
 * Cron (every minute): one job per fetchable channel, keyed by the channel (a slow channel's pending job is not
 * doubled) and in the channel's own queue (its fetches never overlap). Each job registers new comments before
 * anything else happens to them (workers/lib/inbox.ts, ADR 024).
 */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { channelId } = payloadSchema.parse(payload ?? {});
    if (!channelId) {
      for (const channel of await fetchableChannels(deps)) {
        await enqueue(deps.db, 'inbox__fetch', { channelId: channel.id }, { queueName: `inbox:${channel.id}` });
      }
      // The same minute's run notices questions past their answer time (ADR 043): each is mailed once.
      const overdue = await recordOverdueInbox(deps.db);
      if (overdue > 0) deps.log.info({ overdue }, 'inbox: overdue questions notified');
      return;
    }
    const [channel] = await deps.db.select().from(channels).where(eq(channels.id, channelId));
    if (!channel || !channel.enabled) return;
    const result = await fetchChannelComments(deps, channel);
    if (result.registered > 0 || result.edited > 0) deps.log.info(result, 'inbox: comments registered');
  };
}
