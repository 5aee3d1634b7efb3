import { z } from 'zod';
import type { Task } from 'graphile-worker';
import { findFeed, listFeeds } from '../../db/queries/feeds';
import { enqueue } from '../delivery/jobs';
import { pollFeed } from '../lib/feeds';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

/** Without a feed: the cron run (Graphile's `_cron` details let through), which queues one poll per feed. */
export const payloadSchema = jobCatalogue.feed__poll.payload;
export type Payload = z.infer<typeof payloadSchema>;

/**
 * Cron (every five minutes): one job per enabled feed, keyed by the feed (a slow feed's pending poll is not doubled)
 * in the feed's own queue (its polls never overlap). Each poll imports new items as drafts once (workers/lib/feeds.ts).
 */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { feedKey } = payloadSchema.parse(payload ?? {});
    if (!feedKey) {
      for (const feed of await listFeeds(deps.db)) {
        if (feed.enabled) await enqueue(deps.db, 'feed__poll', { feedKey: feed.key }, { queueName: `feed:${feed.key}` });
      }
      return;
    }
    const feed = await findFeed(deps.db, feedKey);
    if (!feed || !feed.enabled) return;
    await pollFeed(deps, feed);
  };
}
