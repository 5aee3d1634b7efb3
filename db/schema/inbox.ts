import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { channels, platformEnum } from './channels';
import { deliveries } from './publishing';
import { publicRecords } from './register';
import { users } from './users';

import { inboxItemKinds, inboxStates, moderationActions } from '../../common/inbox/states';

export { inboxItemKinds, inboxStates, moderationActions, type InboxState, type ModerationAction } from '../../common/inbox/states';

/** A classifier suggestion as stored on the item (common/moderation's LabelSuggestion, trimmed). */
export interface StoredSuggestion {
  label: string;
  rule: string;
  score: number;
  explanation: string;
}

/**
 * One comment, reply or mention received on a channel (migration 0007, ADR 024). The row exists only together with
 * its inbound public record (same transaction); (channel_id, external_id) is the platform's id, so a refetch after a
 * retry or a killed worker adds nothing. The state columns are the contact centre's work and change; the record
 * never does.
 */
export const inboxItems = pgTable(
  'inbox_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'restrict' }),
    platform: platformEnum('platform').notNull(),
    externalId: text('external_id').notNull(),
    kind: text('kind', { enum: inboxItemKinds }).notNull(),
    postExternalId: text('post_external_id'),
    parentExternalId: text('parent_external_id'),
    /** Our delivery the comment is on, when it is on one of our posts. */
    deliveryId: uuid('delivery_id').references(() => deliveries.id, { onDelete: 'restrict' }),
    authorId: text('author_id'),
    /** As the platform shows the author. */
    authorName: text('author_name').notNull(),
    text: text('text').notNull(),
    /** When it appeared on the platform (the record's "inkom" date). */
    appearedAt: timestamp('appeared_at', { withTimezone: true }).notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
    recordId: bigint('record_id', { mode: 'number' })
      .notNull()
      .references(() => publicRecords.id),
    state: text('state', { enum: inboxStates }).notNull().default('new'),
    labels: jsonb('labels').$type<StoredSuggestion[]>().notNull().default([]),
    /** 'contact_centre' for questions on Facebook (the city's policy). */
    queue: text('queue'),
    escalatedTo: text('escalated_to'),
    escalationNote: text('escalation_note'),
    /** Answer-time target for questions (weekday hours, Swedish public holidays excluded). */
    dueAt: timestamp('due_at', { withTimezone: true }),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    moderationAction: text('moderation_action', { enum: moderationActions }),
    moderationReason: text('moderation_reason'),
    moderationStatus: text('moderation_status', { enum: ['pending', 'done', 'failed'] }),
    moderationError: text('moderation_error'),
    moderationRecordId: bigint('moderation_record_id', { mode: 'number' }).references(() => publicRecords.id),
    handledAt: timestamp('handled_at', { withTimezone: true }),
    handledBy: uuid('handled_by').references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('inbox_items_channel_external_unique').on(t.channelId, t.externalId),
    index('inbox_items_state_idx').on(t.state, t.appearedAt),
    index('inbox_items_due_idx')
      .on(t.dueAt)
      .where(sql`${t.dueAt} is not null`),
    index('inbox_items_post_idx').on(t.channelId, t.postExternalId),
  ],
);

/** Where each channel's fetch left off: the adapter's opaque cursor, saved with the items it covers. */
export const inboxCursors = pgTable('inbox_cursors', {
  channelId: uuid('channel_id')
    .primaryKey()
    .references(() => channels.id, { onDelete: 'cascade' }),
  cursor: text('cursor'),
  lastFetchedAt: timestamp('last_fetched_at', { withTimezone: true }),
  lastError: text('last_error'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const replyTemplates = pgTable('reply_templates', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  body: text('body').notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row (id 1): the classifier's word lists and thresholds, the reply signature and the answer-time target. */
export const inboxSettings = pgTable('inbox_settings', {
  id: integer('id').primaryKey().default(1),
  moderation: jsonb('moderation').$type<Record<string, unknown>>().notNull().default({}),
  /** `{firstName}` is replaced by the agent's first name; empty for no signature. */
  signatureFormat: text('signature_format').notNull().default('/{firstName}'),
  answerTargetHours: integer('answer_target_hours').notNull().default(24),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type InboxItem = typeof inboxItems.$inferSelect;
export type NewInboxItem = typeof inboxItems.$inferInsert;
export type InboxCursor = typeof inboxCursors.$inferSelect;
export type ReplyTemplate = typeof replyTemplates.$inferSelect;
export type InboxSettings = typeof inboxSettings.$inferSelect;
