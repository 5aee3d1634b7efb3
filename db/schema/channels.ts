import { boolean, pgEnum, pgTable, text, timestamp, uuid, unique } from 'drizzle-orm/pg-core';
import { platforms } from '../../common/platforms';

export const platformEnum = pgEnum('platform', platforms);
export const credentialStatusEnum = pgEnum('credential_status', ['missing', 'ok', 'needs_reauth']);

export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stable configuration key, e.g. "instagram-jobba". */
    key: text('key').notNull().unique(),
    platform: platformEnum('platform').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** The platform's id for the account (X user id, Page id, IG user id, YouTube channel id). */
    accountId: text('account_id'),
    handle: text('handle'),
    /** Simulator base URL in demo mode and tests; null for the real platform. */
    apiBaseUrl: text('api_base_url'),
    /** AES-256-GCM, see app/models/credentials.server.ts; never logged. */
    credentialsEncrypted: text('credentials_encrypted'),
    credentialStatus: credentialStatusEnum('credential_status').notNull().default('missing'),
    credentialsRefreshDueAt: timestamp('credentials_refresh_due_at', { withTimezone: true }),
    credentialError: text('credential_error'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('channels_platform_account_unique').on(t.platform, t.accountId)],
);

export type Channel = typeof channels.$inferSelect;
export type NewChannel = typeof channels.$inferInsert;
