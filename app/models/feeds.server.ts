/**
 * Feed import (ADR 042), the web side: the configured feeds written to the database (the worker and every web
 * process read them there), and what the import page shows.
 */
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { feedKindValues } from '../../db/schema';
import { countFeedImports, listFeeds, recentFeedItems, upsertFeedConfig } from '../../db/queries/feeds';
import { findChannelsByKeys } from '../../db/queries/channels';
import { postKindRules } from './post-kinds.server';

export const feedConfigSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
    title: z.string().min(1).max(200),
    /** May name `{simulatorUrl}` (the demo's local test feeds). */
    url: z.string().min(1).max(2000),
    kind: z.enum(feedKindValues),
    /** Default: the kind's default channels that take a text post with a link (X, Facebook). */
    channels: z.array(z.string().min(1).max(100)).max(50).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type FeedConfig = z.infer<typeof feedConfigSchema>;

const textChannels = new Set(['x', 'facebook']);

/** Writes the configured feeds (idempotent); a feed dropped from the configuration is disabled, never deleted. */
export async function syncFeeds(db: Db, configured: FeedConfig[], opts: { simulatorUrl?: string } = {}): Promise<void> {
  const rules = postKindRules();
  for (const f of configured) {
    const url = f.url.replaceAll('{simulatorUrl}', opts.simulatorUrl ?? '');
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`feed ${f.key}: not an http(s) URL`);
    const wanted = f.channels ?? rules[f.kind].defaultChannels;
    const found = await findChannelsByKeys(db, wanted);
    const channelKeys = f.channels ? wanted : found.filter((c) => textChannels.has(c.platform)).map((c) => c.key);
    await upsertFeedConfig(db, { key: f.key, title: f.title, url, kind: f.kind, channelKeys, enabled: f.enabled ?? true });
  }
  const keys = new Set(configured.map((f) => f.key));
  for (const existing of await listFeeds(db)) {
    if (!keys.has(existing.key) && existing.enabled) await upsertFeedConfig(db, { ...existing, enabled: false });
  }
}

/** The import page: each feed's last poll and error, and the latest imported items. */
export async function feedOverview(db: DbOrTx) {
  const [all, counts, recent] = await Promise.all([listFeeds(db), countFeedImports(db), recentFeedItems(db, 20)]);
  return {
    feeds: all.map((f) => ({ ...f, imported: counts.find((c) => c.feedKey === f.key)?.n ?? 0 })),
    recent: recent.map((r) => ({ ...r.item, reviewState: r.reviewState })),
  };
}
