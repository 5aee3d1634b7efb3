import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { channels } from './channels';
import { deliveries } from './publishing';

/**
 * The register of public records (allmänna handlingar). Minimal now: the register issue adds diary numbers and
 * the hash chain on top. Append-only: a trigger in the migrations rejects UPDATE and DELETE.
 */
export const publicRecords = pgTable(
  'public_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
    /** outgoing_post (upprättad) or inbound_comment (inkommen). */
    kind: text('kind', { enum: ['outgoing_post', 'inbound_comment'] }).notNull(),
    direction: text('direction', { enum: ['outgoing', 'incoming'] }).notNull(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id),
    deliveryId: uuid('delivery_id')
      .references(() => deliveries.id)
      .unique(),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    permalink: text('permalink'),
    counterparty: text('counterparty').notNull(),
    summary: text('summary').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    contentSha256: text('content_sha256').notNull(),
  },
  (t) => [index('public_records_registered_idx').on(t.registeredAt), index('public_records_channel_idx').on(t.channelId)],
);

export type PublicRecord = typeof publicRecords.$inferSelect;
