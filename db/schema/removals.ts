import { bigint, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { deliveries } from './publishing';
import { users } from './users';

/** A removal's states (workers/delivery/states.ts holds their transition table). */
export const removalStateValues = ['requested', 'removed', 'failed'] as const;
export type RemovalState = (typeof removalStateValues)[number];

/**
 * "Delete from platform" for a published delivery (migration 0016, ADR 039): one row per delivery, so a post is
 * never asked off its platform twice at once. The registered deletion event (record_id) is written before the job.
 */
export const deliveryRemovals = pgTable('delivery_removals', {
  deliveryId: uuid('delivery_id')
    .primaryKey()
    .references(() => deliveries.id),
  state: text('state', { enum: removalStateValues }).notNull(),
  reason: text('reason').notNull(),
  requestedBy: uuid('requested_by').references(() => users.id),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  recordId: bigint('record_id', { mode: 'number' }).notNull(),
  attempts: integer('attempts').notNull().default(0),
  removedAt: timestamp('removed_at', { withTimezone: true }),
  error: text('error'),
});

export type DeliveryRemoval = typeof deliveryRemovals.$inferSelect;
