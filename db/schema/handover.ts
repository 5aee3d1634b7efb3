import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { channels } from './channels';
import { users } from './users';
import { posts } from './publishing';

/** Stored statuses; "active" and "finished" are also read off the clock (app/models/handover.server.ts). */
export const handoverStatusValues = ['invited', 'accepted', 'active', 'finished', 'cancelled'] as const;
export const handoverStatusEnum = pgEnum('handover_status', handoverStatusValues);

/** One ISO week of the staff account, handed to one employee. */
export const handoverWeeks = pgTable(
  'handover_weeks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id),
    isoYear: integer('iso_year').notNull(),
    isoWeek: integer('iso_week').notNull(),
    /** Monday 00:00 Europe/Stockholm, and the next Monday 00:00 (exclusive): the access window. */
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    workplace: text('workplace').notNull().default(''),
    theme: text('theme').notNull().default(''),
    status: handoverStatusEnum('status').notNull().default('invited'),
    cancelReason: text('cancel_reason'),
    accessEndedAt: timestamp('access_ended_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('handover_weeks_channel_week_live').on(t.channelId, t.isoYear, t.isoWeek).where(sql`status <> 'cancelled'`),
    index('handover_weeks_user_window_idx').on(t.userId, t.startsAt, t.endsAt),
  ],
);

/** Single-use invitation links; only the SHA-256 of the token is stored. */
export const handoverInvitations = pgTable('handover_invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  weekId: uuid('week_id')
    .notNull()
    .references(() => handoverWeeks.id),
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Versions of the account guidelines: a new text is a new row, so an acceptance names exactly what was read. */
export const handoverGuidelines = pgTable(
  'handover_guidelines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id),
    version: integer('version').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => users.id),
  },
  (t) => [uniqueIndex('handover_guidelines_channel_version').on(t.channelId, t.version)],
);

export const handoverAcceptances = pgTable(
  'handover_acceptances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    weekId: uuid('week_id')
      .notNull()
      .references(() => handoverWeeks.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    guidelinesId: uuid('guidelines_id')
      .notNull()
      .references(() => handoverGuidelines.id),
    guidelinesVersion: integer('guidelines_version').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('handover_acceptances_week_version').on(t.weekId, t.guidelinesVersion)],
);

/** A host's unapproved draft that went back to employer branding when the week ended (append-only, migration 0018). */
export const handoverHandbacks = pgTable(
  'handover_handbacks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    weekId: uuid('week_id')
      .notNull()
      .references(() => handoverWeeks.id),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id),
    reviewStateBefore: text('review_state_before').notNull(),
    handedBackAt: timestamp('handed_back_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('handover_handbacks_week_post').on(t.weekId, t.postId)],
);

export type HandoverWeek = typeof handoverWeeks.$inferSelect;
export type HandoverGuidelines = typeof handoverGuidelines.$inferSelect;
