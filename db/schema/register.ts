import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { channels } from './channels';
import { deliveries } from './publishing';
import { users } from './users';

import { recordDirections, recordKinds } from '../../common/register';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export { recordDirections, recordKinds, type RecordKind } from '../../common/register';

/**
 * The register of public records (allmänna handlingar), OSL 5 kap. 2 §. Append-only: triggers refuse UPDATE and
 * DELETE. A BEFORE INSERT trigger (migration 0003) gives each record its gap-free number in its series and year and
 * links it into the hash chain, in the inserting transaction, so no producer can forget either (ADR 011).
 */
export const publicRecords = pgTable(
  'public_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
    kind: text('kind', { enum: recordKinds }).notNull(),
    direction: text('direction', { enum: recordDirections }).notNull(),
    /** Set by the trigger. */
    series: text('series'),
    year: integer('year'),
    seq: integer('seq'),
    registrationNumber: text('registration_number').unique(),
    /** When the record was received or drawn up (inkom/upprättades); registered_at when not given. */
    recordDate: timestamp('record_date', { withTimezone: true }),
    channelId: uuid('channel_id').references(() => channels.id),
    postId: uuid('post_id'),
    deliveryId: uuid('delivery_id')
      .references(() => deliveries.id)
      .unique(),
    relatedRecordId: bigint('related_record_id', { mode: 'number' }),
    platform: text('platform'),
    externalId: text('external_id'),
    permalink: text('permalink'),
    /** Sender or recipient; kept apart from the description so either can be masked on release. */
    counterparty: text('counterparty').notNull(),
    /** Ärendemening: a short description of the record. */
    summary: text('summary').notNull(),
    confidential: boolean('confidential').notNull().default(false),
    /** The provision of OSL a confidentiality mark rests on, e.g. "OSL 26 kap. 1 §". */
    confidentialityRef: text('confidentiality_ref'),
    exercise: boolean('exercise').notNull().default(false),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    contentSha256: text('content_sha256').notNull(),
    /** Set by the trigger: the previous record's hash and this record's hash over its canonical form. */
    prevRecordSha256: text('prev_record_sha256'),
    recordSha256: text('record_sha256'),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`to_tsvector('swedish'::regconfig, coalesce(summary, '') || ' ' || coalesce(counterparty, '') || ' ' || coalesce(content->>'text', ''))`,
    ),
  },
  (t) => [
    index('public_records_registered_idx').on(t.registeredAt),
    index('public_records_channel_idx').on(t.channelId),
    index('public_records_record_date_idx').on(t.recordDate, t.id),
    index('public_records_post_idx').on(t.postId),
    unique('public_records_series_number_unique').on(t.series, t.year, t.seq),
    index('public_records_search_idx').using('gin', t.searchVector),
    // One inbound record per comment and channel (migration 0007, ADR 024).
    uniqueIndex('public_records_inbound_unique')
      .on(t.channelId, t.externalId)
      .where(sql`${t.kind} = 'inbound_comment'`),
    // Migration 0009 (search, ADR 020): keyset paging in registration order, channel filter, number lookup, related.
    index('public_records_registered_id_idx').on(t.registeredAt, t.id),
    index('public_records_channel_registered_idx').on(t.channelId, t.registeredAt, t.id),
    index('public_records_year_seq_idx').on(t.year, t.seq),
    index('public_records_related_idx').on(t.relatedRecordId),
    index('public_records_confidential_idx').on(t.registeredAt, t.id).where(sql`${t.confidential}`),
    index('public_records_exercise_idx').on(t.registeredAt, t.id).where(sql`${t.exercise}`),
    // Migration 0013 (edits, ADR 036): a record is replaced by at most one edit; a comment's newest edit by its id.
    uniqueIndex('public_records_edit_once').on(t.relatedRecordId).where(sql`${t.kind} = 'edit'`),
    index('public_records_edit_lookup_idx').on(t.channelId, t.externalId, t.id).where(sql`${t.kind} = 'edit'`),
  ],
);

/** The last number used in each series and year: locked by the insert trigger, so numbers have no gaps. */
export const registerSeries = pgTable(
  'register_series',
  {
    series: text('series').notNull(),
    year: integer('year').notNull(),
    lastSeq: integer('last_seq').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.series, t.year] })],
);

/**
 * The chain's head (one row): the newest record and its hash. With the gap-free series it lets verification see
 * records removed from the end of the chain, which links alone cannot show.
 */
export const registerChain = pgTable('register_chain', {
  id: integer('id').primaryKey().default(1),
  lastRecordId: bigint('last_record_id', { mode: 'number' }),
  lastRecordSha256: text('last_record_sha256'),
  recordCount: bigint('record_count', { mode: 'number' }).notNull().default(0),
  defaultSeries: text('default_series').notNull().default('SOC'),
  /** {series}, {year} and {seq} (zero-padded to six digits). */
  numberFormat: text('number_format').notNull().default('{series} {year}/{seq}'),
});

/** Chain heads written at each verification, append-only: a copy kept outside the database makes removal visible. */
export const registerAnchors = pgTable('register_anchors', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  writtenAt: timestamp('written_at', { withTimezone: true }).notNull().defaultNow(),
  lastRecordId: bigint('last_record_id', { mode: 'number' }),
  lastRecordSha256: text('last_record_sha256'),
  recordCount: bigint('record_count', { mode: 'number' }).notNull(),
});

export type PublicRecord = typeof publicRecords.$inferSelect;

/** Retention classes per record kind (gallring, ADR 029). No row, or keepYears null: kept forever. */
export const registerRetentionClasses = pgTable('register_retention_classes', {
  kind: text('kind', { enum: recordKinds }).primaryKey(),
  keepYears: integer('keep_years'),
  /** Where the class comes from, e.g. the section of the document management plan (dokumenthanteringsplan). */
  basis: text('basis').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One row per destroyed record (migration 0004): the registered decision it was destroyed under and the content hash
 * the record keeps, so the chain still verifies. Written only by utrop_register_destroy; never changed.
 */
export const registerDestructions = pgTable('register_destructions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  recordId: bigint('record_id', { mode: 'number' })
    .notNull()
    .unique()
    .references(() => publicRecords.id),
  decisionRecordId: bigint('decision_record_id', { mode: 'number' })
    .notNull()
    .references(() => publicRecords.id),
  destroyedAt: timestamp('destroyed_at', { withTimezone: true }).notNull().defaultNow(),
  contentSha256: text('content_sha256').notNull(),
});
export type RegisterDestruction = typeof registerDestructions.$inferSelect;

export const registerExportFormats = ['csv', 'json'] as const;
export const registerExportStates = ['queued', 'running', 'done', 'failed'] as const;

/**
 * A long export from /diarium (migration 0013, ADR 036): the job register__export writes the file and counts its
 * progress here; the file is offered only in state 'done', after it was renamed into place whole.
 */
export const registerExports = pgTable(
  'register_exports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => users.id),
    format: text('format', { enum: registerExportFormats }).notNull(),
    /** The search as the form's schema parsed it (app/forms/register.ts): the job runs exactly that search. */
    search: jsonb('search').notNull(),
    state: text('state', { enum: registerExportStates }).notNull().default('queued'),
    rowsTotal: integer('rows_total'),
    rowsWritten: integer('rows_written').notNull().default(0),
    bytes: bigint('bytes', { mode: 'number' }),
    sha256: text('sha256'),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('register_exports_requested_idx').on(t.requestedBy, t.createdAt)],
);
export type RegisterExport = typeof registerExports.$inferSelect;
