-- Register search (ADR 020). The Swedish full-text vector and its GIN index exist since 0003 (a generated column, so
-- no backfill UPDATE of the append-only table is ever needed). What search adds is keyset paging in registration
-- order and the filters that must not scan the whole register.
CREATE INDEX IF NOT EXISTS "public_records_registered_id_idx" ON "public_records" USING btree ("registered_at","id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "public_records_channel_registered_idx" ON "public_records" USING btree ("channel_id","registered_at","id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "public_records_year_seq_idx" ON "public_records" USING btree ("year","seq");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "public_records_related_idx" ON "public_records" USING btree ("related_record_id");
--> statement-breakpoint
-- Confidential records and drills are few: small partial indexes in registration order answer those filters at once.
CREATE INDEX IF NOT EXISTS "public_records_confidential_idx" ON "public_records" USING btree ("registered_at","id") WHERE "confidential";
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "public_records_exercise_idx" ON "public_records" USING btree ("registered_at","id") WHERE "exercise";
--> statement-breakpoint
-- Finer word statistics: the planner then knows a common word (a few per cent of the register) from a rare one and
-- walks the registration-order index for the first, the GIN index for the second, instead of sorting 50,000 hits.
ALTER TABLE "public_records" ALTER COLUMN "search_vector" SET STATISTICS 1000;
