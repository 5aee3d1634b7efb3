CREATE TYPE "public"."handover_status" AS ENUM('invited', 'accepted', 'active', 'finished', 'cancelled');--> statement-breakpoint
CREATE TABLE "handover_weeks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel_id" uuid NOT NULL REFERENCES "channels"("id"),
	"iso_year" integer NOT NULL,
	"iso_week" integer NOT NULL CHECK ("iso_week" BETWEEN 1 AND 53),
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id"),
	"email" text NOT NULL,
	"name" text NOT NULL,
	"workplace" text DEFAULT '' NOT NULL,
	"theme" text DEFAULT '' NOT NULL,
	"status" "handover_status" DEFAULT 'invited' NOT NULL,
	"cancel_reason" text,
	"access_ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid REFERENCES "users"("id"),
	CHECK ("ends_at" > "starts_at")
);--> statement-breakpoint
CREATE UNIQUE INDEX "handover_weeks_channel_week_live" ON "handover_weeks" ("channel_id", "iso_year", "iso_week") WHERE status <> 'cancelled';--> statement-breakpoint
CREATE INDEX "handover_weeks_user_window_idx" ON "handover_weeks" ("user_id", "starts_at", "ends_at");--> statement-breakpoint
CREATE TABLE "handover_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"week_id" uuid NOT NULL REFERENCES "handover_weeks"("id"),
	"token_hash" text NOT NULL UNIQUE,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE TABLE "handover_guidelines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel_id" uuid NOT NULL REFERENCES "channels"("id"),
	"version" integer NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid REFERENCES "users"("id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "handover_guidelines_channel_version" ON "handover_guidelines" ("channel_id", "version");--> statement-breakpoint
CREATE TABLE "handover_acceptances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"week_id" uuid NOT NULL REFERENCES "handover_weeks"("id"),
	"user_id" uuid NOT NULL REFERENCES "users"("id"),
	"guidelines_id" uuid NOT NULL REFERENCES "handover_guidelines"("id"),
	"guidelines_version" integer NOT NULL,
	"accepted_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "handover_acceptances_week_version" ON "handover_acceptances" ("week_id", "guidelines_version");
--> statement-breakpoint
-- What an employee accepted, and the text they accepted, stay as they were (the acceptance is evidence).
CREATE TRIGGER handover_guidelines_append_only BEFORE UPDATE OR DELETE ON handover_guidelines FOR EACH ROW EXECUTE FUNCTION utrop_reject_change();
--> statement-breakpoint
CREATE TRIGGER handover_acceptances_append_only BEFORE UPDATE OR DELETE ON handover_acceptances FOR EACH ROW EXECUTE FUNCTION utrop_reject_change();
