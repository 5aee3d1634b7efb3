import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const notificationKinds = ['crisis_delivery_failed', 'channel_needs_reauth', 'inbox_overdue'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/**
 * E-mail notifications (ADR 043): one row per event ("<kind>:<subject id>"), inserted in the transaction that records
 * the event; the primary key makes a second trigger of the same event a no-op. sent_at is set once the mail went out.
 */
export const notifications = pgTable(
  'notifications',
  {
    eventKey: text('event_key').primaryKey(),
    kind: text('kind', { enum: notificationKinds }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    details: jsonb('details').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    recipients: text('recipients').array(),
  },
  (t) => [index('notifications_unsent_idx').on(t.createdAt).where(sql`${t.sentAt} is null`)],
);

export type Notification = typeof notifications.$inferSelect;
