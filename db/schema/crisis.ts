import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';
import { posts } from './publishing';

import { crisisLanguageValues, crisisMsgTypeValues, crisisSeverityValues, type CrisisLanguage } from '../../common/crisis';

export { crisisLanguageValues, crisisMsgTypeValues, crisisSeverityValues };
export type { CrisisLanguage, CrisisMsgType, CrisisSeverity } from '../../common/crisis';

/** An incident: one situation in the city (unsafe water, smoke), from the first alert to the all-clear (ADR 023). */
export const crisisIncidents = pgTable(
  'crisis_incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    area: text('area').notNull(),
    severity: text('severity', { enum: crisisSeverityValues }).notNull(),
    languages: text('languages').array().$type<CrisisLanguage[]>().notNull(),
    /** A drill (övning): published only to the simulators, CAP status Exercise, records marked exercise. */
    exercise: boolean('exercise').notNull().default(false),
    openedBy: uuid('opened_by').references(() => users.id),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedBy: uuid('closed_by').references(() => users.id),
    /** Why it was closed without an all-clear; null when an all-clear was sent. */
    closeReason: text('close_reason'),
  },
  (t) => [index('crisis_incidents_open_idx').on(t.openedAt).where(sql`${t.closedAt} is null`)],
);

/** A message of an incident; each references the one before it (CAP `references`). */
export const crisisMessages = pgTable(
  'crisis_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => crisisIncidents.id, { onDelete: 'restrict' }),
    /** 1, 2, 3 … within the incident. */
    seq: integer('seq').notNull(),
    msgType: text('msg_type', { enum: crisisMsgTypeValues }).notNull(),
    previousMessageId: uuid('previous_message_id'),
    templateKey: text('template_key').notNull(),
    variables: jsonb('variables').$type<Record<string, string>>().notNull(),
    /** CAP `identifier`, unique worldwide for the sender. */
    capIdentifier: text('cap_identifier').notNull().unique(),
    publishedBy: uuid('published_by').references(() => users.id),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    /** The screening found something that blocks and the publisher sent it anyway, for this reason. */
    screeningOverrideReason: text('screening_override_reason'),
    exercise: boolean('exercise').notNull().default(false),
  },
  (t) => [unique('crisis_messages_incident_seq_unique').on(t.incidentId, t.seq)],
);

/** One language of a message: its own post (one delivery per channel) and its own public record. */
export const crisisMessageVariants = pgTable(
  'crisis_message_variants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => crisisMessages.id, { onDelete: 'restrict' }),
    language: text('language', { enum: crisisLanguageValues }).notNull(),
    headline: text('headline').notNull(),
    text: text('text').notNull(),
    instruction: text('instruction').notNull(),
    postId: uuid('post_id').references(() => posts.id),
    recordId: bigint('record_id', { mode: 'number' }),
  },
  (t) => [unique('crisis_message_variants_lang_unique').on(t.messageId, t.language), index('crisis_message_variants_post_idx').on(t.postId)],
);

/**
 * Pause all (ADR 031): while a row has no resumed_at, no ordinary (non-crisis) delivery is sent by any worker.
 * in_force_at is set once deliveries already being sent have finished: from then on nothing ordinary reaches a platform.
 */
export const crisisPauses = pgTable(
  'crisis_pauses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id').references(() => crisisIncidents.id),
    reason: text('reason').notNull(),
    pausedBy: uuid('paused_by').references(() => users.id),
    pausedAt: timestamp('paused_at', { withTimezone: true }).notNull().defaultNow(),
    inForceAt: timestamp('in_force_at', { withTimezone: true }),
    heldDeliveries: jsonb('held_deliveries').$type<string[]>().notNull().default([]),
    resumedAt: timestamp('resumed_at', { withTimezone: true }),
    resumedBy: uuid('resumed_by').references(() => users.id),
  },
  // At most one pause is active at a time.
  (t) => [uniqueIndex('crisis_pauses_one_active').on(sql`(true)`).where(sql`${t.resumedAt} is null`)],
);

export type CrisisIncident = typeof crisisIncidents.$inferSelect;
export type CrisisMessage = typeof crisisMessages.$inferSelect;
export type CrisisMessageVariant = typeof crisisMessageVariants.$inferSelect;
export type CrisisPause = typeof crisisPauses.$inferSelect;

/**
 * An incoming CAP 1.2 alert (ADR 040): uploaded, or found by cap__poll in a configured feed. `identity` is CAP's
 * reference triple "sender,identifier,sent", unique, so an alert is recorded — and its banner shown — once.
 */
export const crisisCapAlerts = pgTable(
  'crisis_cap_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    identity: text('identity').notNull(),
    /** 'upload', or the feed's address. */
    source: text('source').notNull(),
    sender: text('sender').notNull(),
    identifier: text('identifier').notNull(),
    sent: text('sent').notNull(),
    status: text('status').notNull(),
    msgType: text('msg_type', { enum: crisisMsgTypeValues }).notNull(),
    event: text('event').notNull().default(''),
    category: text('category').notNull().default(''),
    severity: text('severity').notNull().default(''),
    headline: text('headline').notNull(),
    description: text('description').notNull().default(''),
    instruction: text('instruction').notNull().default(''),
    area: text('area').notNull(),
    languages: text('languages').array().$type<CrisisLanguage[]>().notNull(),
    web: text('web'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    receivedBy: uuid('received_by').references(() => users.id),
    /** The incident opened from it; the banner is gone from then on. */
    incidentId: uuid('incident_id').references(() => crisisIncidents.id),
    dismissedAt: timestamp('dismissed_at', { withTimezone: true }),
    dismissedBy: uuid('dismissed_by').references(() => users.id),
  },
  (t) => [
    unique('crisis_cap_alerts_identity_unique').on(t.identity),
    index('crisis_cap_alerts_pending_idx').on(t.receivedAt).where(sql`${t.incidentId} is null and ${t.dismissedAt} is null`),
  ],
);

export type CrisisCapAlert = typeof crisisCapAlerts.$inferSelect;
