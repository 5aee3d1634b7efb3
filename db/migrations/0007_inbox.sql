CREATE TABLE "inbox_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel_id" uuid NOT NULL REFERENCES "channels"("id") ON DELETE restrict,
	"platform" "platform" NOT NULL,
	"external_id" text NOT NULL,
	"kind" text NOT NULL CHECK ("kind" IN ('comment', 'reply', 'mention')),
	"post_external_id" text,
	"parent_external_id" text,
	"delivery_id" uuid REFERENCES "deliveries"("id") ON DELETE restrict,
	"author_id" text,
	"author_name" text NOT NULL,
	"text" text NOT NULL,
	"appeared_at" timestamp with time zone NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"record_id" bigint NOT NULL REFERENCES "public_records"("id"),
	"state" text DEFAULT 'new' NOT NULL CHECK ("state" IN ('new', 'answered', 'removed', 'escalated', 'handled')),
	"labels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"queue" text,
	"escalated_to" text,
	"escalation_note" text,
	"due_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	"moderation_action" text CHECK ("moderation_action" IN ('hide', 'delete')),
	"moderation_reason" text,
	"moderation_status" text CHECK ("moderation_status" IN ('pending', 'done', 'failed')),
	"moderation_error" text,
	"moderation_record_id" bigint REFERENCES "public_records"("id"),
	"handled_at" timestamp with time zone,
	"handled_by" uuid REFERENCES "users"("id"),
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_items_channel_external_unique" UNIQUE("channel_id", "external_id")
);
--> statement-breakpoint
CREATE INDEX "inbox_items_state_idx" ON "inbox_items" USING btree ("state", "appeared_at");--> statement-breakpoint
CREATE INDEX "inbox_items_due_idx" ON "inbox_items" USING btree ("due_at") WHERE "due_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "inbox_items_post_idx" ON "inbox_items" USING btree ("channel_id", "post_external_id");--> statement-breakpoint
CREATE TABLE "inbox_cursors" (
	"channel_id" uuid PRIMARY KEY NOT NULL REFERENCES "channels"("id") ON DELETE cascade,
	"cursor" text,
	"last_fetched_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reply_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL UNIQUE,
	"body" text NOT NULL,
	"created_by" uuid REFERENCES "users"("id"),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL CHECK ("id" = 1),
	"moderation" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"signature_format" text DEFAULT '/{firstName}' NOT NULL,
	"answer_target_hours" integer DEFAULT 24 NOT NULL,
	"updated_by" uuid REFERENCES "users"("id"),
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "inbox_settings" ("id") VALUES (1);--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "reply_to_external_id" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "screening_override_reason" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "screening_override_by" uuid REFERENCES "users"("id");--> statement-breakpoint
-- Backstop of the inbox's exactly-once registration: one inbound record per comment and channel.
CREATE UNIQUE INDEX "public_records_inbound_unique" ON "public_records" USING btree ("channel_id", "external_id") WHERE "kind" = 'inbound_comment';
