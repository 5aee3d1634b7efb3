import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { roleEnum, users } from './users';

/**
 * Bearer tokens of the REST API (ADR 037, migration 0014). Only the token's sha256 is stored: a leaked table gives
 * no working token. The throttle's window lives on the row, so every web process counts against the same numbers.
 */
export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  tokenSha256: text('token_sha256').notNull().unique(),
  role: roleEnum('role').notNull(),
  /** The user the token acts as (their role and, for a staff host, their week); null: a service identity. */
  userId: uuid('user_id').references(() => users.id),
  ratePerMinute: integer('rate_per_minute').notNull().default(120),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }),
  windowCount: integer('window_count').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
});

export type ApiToken = typeof apiTokens.$inferSelect;
