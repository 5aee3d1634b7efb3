import { boolean, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { posts } from './publishing';

/** The post kinds a feed may import as (migration 0016's CHECK). */
export const feedKindValues = ['nyhet', 'pressmeddelande'] as const;
export type FeedKind = (typeof feedKindValues)[number];

/**
 * A configured RSS/Atom feed (ADR 042): the rows come from the city's configuration (app/demo/helsingborg.json
 * "feeds"), the poll columns from feed__poll, so every web process shows the same last poll and error.
 */
export const feeds = pgTable('feeds', {
  key: text('key').primaryKey(),
  title: text('title').notNull(),
  url: text('url').notNull(),
  kind: text('kind', { enum: feedKindValues }).notNull(),
  /** The channels an imported draft starts with. */
  channelKeys: text('channel_keys').array().notNull().default([]),
  enabled: boolean('enabled').notNull().default(true),
  lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
  lastOkAt: timestamp('last_ok_at', { withTimezone: true }),
  lastError: text('last_error'),
  lastItemCount: integer('last_item_count'),
  lastNewCount: integer('last_new_count'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every item a feed has listed, once per stable identity (guid, else link): the import's exactly-once. */
export const feedItems = pgTable(
  'feed_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    feedKey: text('feed_key')
      .notNull()
      .references(() => feeds.key),
    /** "guid:<guid>" or "link:<link>". */
    identity: text('identity').notNull(),
    guid: text('guid'),
    link: text('link'),
    title: text('title').notNull(),
    /** Of the item as last seen (title, link, summary): an edit in the feed changes it but never imports again. */
    contentSha256: text('content_sha256').notNull(),
    postId: uuid('post_id').references(() => posts.id),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    changedInFeedAt: timestamp('changed_in_feed_at', { withTimezone: true }),
  },
  (t) => [unique('feed_items_identity_unique').on(t.feedKey, t.identity), index('feed_items_feed_seen_idx').on(t.feedKey, t.firstSeenAt)],
);

export type Feed = typeof feeds.$inferSelect;
export type FeedItem = typeof feedItems.$inferSelect;
