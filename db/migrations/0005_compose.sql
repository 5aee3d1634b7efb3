-- Composer (issue 10, ADR 022/030): post kinds, per-channel variants, media on disk by content hash, four-eyes approval.
ALTER TABLE "posts" ADD COLUMN "kind" text DEFAULT 'general' NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_kind_check" CHECK ("kind" IN ('nyhet', 'pressmeddelande', 'general', 'staff', 'crisis'));--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "review_state" text DEFAULT 'not_required' NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_review_state_check" CHECK ("review_state" IN ('not_required', 'pending_approval', 'returned', 'approved'));--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "review_comment" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "last_edited_by" uuid REFERENCES "users"("id");--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "approved_by" uuid REFERENCES "users"("id");--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "approved_hash" text;--> statement-breakpoint
CREATE INDEX "posts_review_state_idx" ON "posts" ("review_state") WHERE "review_state" = 'pending_approval';--> statement-breakpoint
CREATE INDEX "posts_scheduled_at_idx" ON "posts" ("scheduled_at");--> statement-breakpoint
CREATE TABLE "post_variants" (
	"post_id" uuid NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
	"channel_id" uuid NOT NULL REFERENCES "channels"("id") ON DELETE RESTRICT,
	"text" text,
	"title" text,
	"privacy" text,
	"own_media" boolean DEFAULT false NOT NULL,
	CONSTRAINT "post_variants_pk" PRIMARY KEY ("post_id", "channel_id"),
	CONSTRAINT "post_variants_privacy_check" CHECK ("privacy" IS NULL OR "privacy" IN ('public', 'unlisted', 'private'))
);--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "approved_sha256" text;--> statement-breakpoint
ALTER TABLE "post_media" ALTER COLUMN "data" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "post_media" ADD COLUMN "channel_id" uuid REFERENCES "channels"("id") ON DELETE RESTRICT;--> statement-breakpoint
ALTER TABLE "post_media" ADD COLUMN "alt_text" text;--> statement-breakpoint
ALTER TABLE "post_media" ADD COLUMN "stored" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "post_media" ADD CONSTRAINT "post_media_bytes_check" CHECK ("stored" OR "data" IS NOT NULL);
