-- E-mail notifications (ADR 043): one row per event, keyed by the event, inserted in the transaction that records the
-- event. The unique key is what makes a second trigger of the same event send nothing.
CREATE TABLE "notifications" (
	"event_key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"recipients" text[],
	CONSTRAINT "notifications_kind_check" CHECK ("kind" in ('crisis_delivery_failed', 'channel_needs_reauth', 'inbox_overdue'))
);
--> statement-breakpoint
CREATE INDEX "notifications_unsent_idx" ON "notifications" ("created_at") WHERE "sent_at" is null;
