import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { errorClasses } from '../../common/platforms';
import { postKindValues, reviewStateValues } from '../../common/post-kinds';
import type { LinkCard } from '../../common/link-card';
import { users } from './users';
import { channels } from './channels';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const posts = pgTable('posts', {
  id: uuid('id').primaryKey().defaultRandom(),
  text: text('text').notNull(),
  link: text('link'),
  /** YouTube needs a title; other platforms ignore it. */
  title: text('title'),
  isCrisis: boolean('is_crisis').notNull().default(false),
  /** A thread: this post follows up that one (X: a reply to its post on the same channel; elsewhere a new post). */
  replyToPostId: uuid('reply_to_post_id'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  scheduledAt: timestamp('scheduled_at', { withTimezone: true }).notNull(),
  /** A screening finding that blocks was overridden: why, and by whom (migration 0007). */
  screeningOverrideReason: text('screening_override_reason'),
  screeningOverrideBy: uuid('screening_override_by').references(() => users.id),
  /** Post kind (common/post-kinds.ts): decides default channels and whether approval is required. */
  kind: text('kind', { enum: postKindValues }).notNull().default('general'),
  /** Four-eyes approval (ADR 030); deliveries stay 'draft' (no job) until approved. */
  reviewState: text('review_state', { enum: reviewStateValues }).notNull().default('not_required'),
  reviewComment: text('review_comment'),
  lastEditedBy: uuid('last_edited_by').references(() => users.id),
  approvedBy: uuid('approved_by').references(() => users.id),
  approvedAt: timestamp('approved_at', { withTimezone: true }),
  /** Hash of the approved content (every channel's resolved variant); the worker refuses anything else. */
  approvedHash: text('approved_hash'),
  /** The link's card as fetched and edited in the composer (migration 0015, ADR 038); null without a link or card. */
  linkCard: jsonb('link_card').$type<LinkCard>(),
});

/** A channel's own version of the post (ADR 022): a null column inherits the post's base value. */
export const postVariants = pgTable(
  'post_variants',
  {
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'restrict' }),
    text: text('text'),
    title: text('title'),
    privacy: text('privacy', { enum: ['public', 'unlisted', 'private'] }),
    /** The channel's own link: the post's link with the channel's UTM parameters (migration 0015); null inherits. */
    link: text('link'),
    /** True: the channel uses its own media (post_media rows with this channel_id) instead of the base media. */
    ownMedia: boolean('own_media').notNull().default(false),
  },
  (t) => [primaryKey({ name: 'post_variants_pk', columns: [t.postId, t.channelId] })],
);

export const postMedia = pgTable(
  'post_media',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    kind: text('kind', { enum: ['image', 'video'] }).notNull(),
    filename: text('filename').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    width: integer('width'),
    height: integer('height'),
    sha256: text('sha256').notNull(),
    /** Only media written before the media store (ADR 022) keep their bytes here; new ones have stored = true. */
    data: bytea('data'),
    /** The bytes live in the media store under sha256 (common/media-store.server.ts). */
    stored: boolean('stored').notNull().default(false),
    /** Null: base media of the post; otherwise the media of that channel's variant. */
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'restrict' }),
    altText: text('alt_text'),
  },
  (t) => [index('post_media_post_idx').on(t.postId)],
);

export const deliveryStateValues = [
  'draft',
  'scheduled',
  'queued',
  'publishing',
  'published',
  'held',
  'cancelled',
  'failed',
  'unconfirmed',
] as const;
export const deliveryStateEnum = pgEnum('delivery_state', deliveryStateValues);

export const errorClassEnum = pgEnum('error_class', errorClasses);

export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'restrict' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'restrict' }),
    state: deliveryStateEnum('state').notNull().default('draft'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }).notNull(),
    isCrisis: boolean('is_crisis').notNull().default(false),
    /** When the job will next run (a retry or a rate-limit reset); null when none is pending. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    attemptCount: integer('attempt_count').notNull().default(0),
    /** Start of the first attempt that may have reached the platform: the reconciliation window and the give-up clock start here. */
    firstSentAt: timestamp('first_sent_at', { withTimezone: true }),
    /** Set when an attempt's outcome is unknown: the next attempt must reconcile before it publishes. */
    needsReconcile: boolean('needs_reconcile').notNull().default(false),
    /** Transient failures since the last manual retry; rate limits and quota waits are not counted. */
    transientFailures: integer('transient_failures').notNull().default(0),
    /** Reconciliation lookups that could not tell; after a limit the delivery becomes 'unconfirmed'. */
    unknownLookups: integer('unknown_lookups').notNull().default(0),
    /** When the pipeline stops retrying (set at the first attempt; reset by a manual retry or a release). */
    giveUpAt: timestamp('give_up_at', { withTimezone: true }),
    /** Platform checkpoint saved before an irreversible step (IG container id, YouTube session URI). */
    checkpoint: jsonb('checkpoint').$type<Record<string, string>>(),
    externalId: text('external_id'),
    permalink: text('permalink'),
    sentText: text('sent_text'),
    sentLink: text('sent_link'),
    sentTitle: text('sent_title'),
    sentMedia: jsonb('sent_media').$type<{ filename: string; mimeType: string; sha256: string; sizeBytes: number }[]>(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    failureClass: errorClassEnum('failure_class'),
    /** Swedish, for the person who must act on it. */
    failureReason: text('failure_reason'),
    /** The approved content of this channel (ADR 030): the worker refuses to send content with another hash. */
    approvedSha256: text('approved_sha256'),
    checkedBy: uuid('checked_by').references(() => users.id),
    checkedReason: text('checked_reason'),
    /** Set for a reply from the inbox: the platform id of the comment it answers (migration 0007). */
    replyToExternalId: text('reply_to_external_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('deliveries_post_channel_unique').on(t.postId, t.channelId),
    // The database itself refuses to record one platform post as two deliveries.
    uniqueIndex('deliveries_channel_external_unique')
      .on(t.channelId, t.externalId)
      .where(sql`${t.externalId} is not null`),
    index('deliveries_state_idx').on(t.state, t.scheduledAt),
    index('deliveries_channel_idx').on(t.channelId, t.state),
  ],
);

export const attemptOutcomeEnum = pgEnum('attempt_outcome', [
  'in_progress',
  'published',
  'retry',
  'failed',
  'held',
  'unknown',
  'reconciled_published',
  'reconciled_absent',
  'abandoned',
]);

/** Written before the platform is called, so a worker killed mid-call leaves an in_progress row behind. */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    outcome: attemptOutcomeEnum('outcome').notNull().default('in_progress'),
    errorClass: errorClassEnum('error_class'),
    httpStatus: integer('http_status'),
    platformCode: text('platform_code'),
    message: text('message'),
    workerId: text('worker_id'),
  },
  (t) => [
    unique('delivery_attempts_number_unique').on(t.deliveryId, t.number),
    // The sweeper looks for attempts left in progress by a dead worker.
    index('delivery_attempts_in_progress_idx')
      .on(t.workerId)
      .where(sql`${t.outcome} = 'in_progress'`),
  ],
);

export type Post = typeof posts.$inferSelect;
export type PostMedia = typeof postMedia.$inferSelect;
export type PostVariant = typeof postVariants.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;
export type DeliveryState = (typeof deliveryStateValues)[number];
export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;
