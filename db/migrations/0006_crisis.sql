CREATE TABLE "crisis_incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"area" text NOT NULL,
	"severity" text NOT NULL,
	"languages" text[] NOT NULL,
	"exercise" boolean DEFAULT false NOT NULL,
	"opened_by" uuid REFERENCES "users"("id"),
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" uuid REFERENCES "users"("id"),
	"close_reason" text,
	CONSTRAINT "crisis_incidents_severity_check" CHECK ("severity" in ('extreme', 'severe', 'moderate', 'minor')),
	CONSTRAINT "crisis_incidents_languages_check" CHECK (cardinality("languages") > 0 AND "languages" <@ ARRAY['sv', 'en', 'sv-easy']::text[])
);
--> statement-breakpoint
CREATE INDEX "crisis_incidents_open_idx" ON "crisis_incidents" USING btree ("opened_at") WHERE "crisis_incidents"."closed_at" is null;
--> statement-breakpoint
CREATE TABLE "crisis_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL REFERENCES "crisis_incidents"("id") ON DELETE restrict,
	"seq" integer NOT NULL,
	"msg_type" text NOT NULL,
	"previous_message_id" uuid REFERENCES "crisis_messages"("id"),
	"template_key" text NOT NULL,
	"variables" jsonb NOT NULL,
	"cap_identifier" text NOT NULL,
	"published_by" uuid REFERENCES "users"("id"),
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"screening_override_reason" text,
	"exercise" boolean DEFAULT false NOT NULL,
	CONSTRAINT "crisis_messages_cap_identifier_unique" UNIQUE("cap_identifier"),
	CONSTRAINT "crisis_messages_incident_seq_unique" UNIQUE("incident_id", "seq"),
	CONSTRAINT "crisis_messages_msg_type_check" CHECK ("msg_type" in ('alert', 'update', 'all_clear')),
	CONSTRAINT "crisis_messages_references_check" CHECK (("seq" = 1) = ("previous_message_id" is null))
);
--> statement-breakpoint
CREATE TABLE "crisis_message_variants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL REFERENCES "crisis_messages"("id") ON DELETE restrict,
	"language" text NOT NULL,
	"headline" text NOT NULL,
	"text" text NOT NULL,
	"instruction" text NOT NULL,
	"post_id" uuid REFERENCES "posts"("id"),
	"record_id" bigint REFERENCES "public_records"("id"),
	CONSTRAINT "crisis_message_variants_lang_unique" UNIQUE("message_id", "language"),
	CONSTRAINT "crisis_message_variants_language_check" CHECK ("language" in ('sv', 'en', 'sv-easy'))
);
--> statement-breakpoint
CREATE TABLE "crisis_pauses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid REFERENCES "crisis_incidents"("id"),
	"reason" text NOT NULL,
	"paused_by" uuid REFERENCES "users"("id"),
	"paused_at" timestamp with time zone DEFAULT now() NOT NULL,
	"in_force_at" timestamp with time zone,
	"held_deliveries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"resumed_at" timestamp with time zone,
	"resumed_by" uuid REFERENCES "users"("id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "crisis_pauses_one_active" ON "crisis_pauses" USING btree ((true)) WHERE "crisis_pauses"."resumed_at" is null;
--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "reply_to_post_id" uuid REFERENCES "posts"("id");
