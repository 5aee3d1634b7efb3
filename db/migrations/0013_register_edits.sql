-- Edits (issue 9 "each edit", ADR 036). A changed comment is a new record of kind 'edit' that references the record
-- of the version it replaces (a correction is a new record; nothing is changed). A record is replaced at most once,
-- so an edit cannot be registered twice, whatever overlapping fetches see: the fetch checks first, under its cursor
-- lock (a conflict after the numbering trigger would leave a gap), and this index is the backstop.
CREATE UNIQUE INDEX IF NOT EXISTS "public_records_edit_once" ON "public_records" USING btree ("related_record_id") WHERE "kind" = 'edit';
--> statement-breakpoint
-- The newest edit of a comment, found by its platform id without walking the channel's records.
CREATE INDEX IF NOT EXISTS "public_records_edit_lookup_idx" ON "public_records" USING btree ("channel_id","external_id","id") WHERE "kind" = 'edit';
--> statement-breakpoint
-- Long exports from /diarium (ADR 036): a background job (register__export) writes the file; the progress page
-- reads this row. The file is offered only when state is 'done' (it is renamed into place before that is set).
CREATE TABLE "register_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requested_by" uuid NOT NULL REFERENCES "users"("id"),
	"format" text NOT NULL CHECK ("format" IN ('csv', 'json')),
	"search" jsonb NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL CHECK ("state" IN ('queued', 'running', 'done', 'failed')),
	"rows_total" integer,
	"rows_written" integer DEFAULT 0 NOT NULL,
	"bytes" bigint,
	"sha256" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "register_exports_requested_idx" ON "register_exports" USING btree ("requested_by","created_at");
