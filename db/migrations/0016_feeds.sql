-- Feed import (issue 10, ADR 042): configured RSS/Atom feeds, each item imported once as a draft post.
CREATE TABLE "feeds" (
	"key" text PRIMARY KEY NOT NULL CHECK ("key" ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
	"title" text NOT NULL,
	"url" text NOT NULL,
	"kind" text NOT NULL CHECK ("kind" IN ('nyhet', 'pressmeddelande')),
	"channel_keys" text[] DEFAULT '{}' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_polled_at" timestamp with time zone,
	"last_ok_at" timestamp with time zone,
	"last_error" text,
	"last_item_count" integer,
	"last_new_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
-- One row per item ever seen; (feed, identity) is the item's stable identity: guid, else link.
CREATE TABLE "feed_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"feed_key" text NOT NULL REFERENCES "feeds"("key"),
	"identity" text NOT NULL,
	"guid" text,
	"link" text,
	"title" text NOT NULL,
	"content_sha256" text NOT NULL,
	"post_id" uuid REFERENCES "posts"("id"),
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changed_in_feed_at" timestamp with time zone,
	CONSTRAINT "feed_items_identity_unique" UNIQUE ("feed_key", "identity")
);--> statement-breakpoint
CREATE INDEX "feed_items_feed_seen_idx" ON "feed_items" ("feed_key", "first_seen_at");--> statement-breakpoint
-- Delete from platform (issue 10, post page): at most one removal per delivery; a failed one may be asked again.
CREATE TABLE "delivery_removals" (
	"delivery_id" uuid PRIMARY KEY NOT NULL REFERENCES "deliveries"("id"),
	"state" text NOT NULL CHECK ("state" IN ('requested', 'removed', 'failed')),
	"reason" text NOT NULL,
	"requested_by" uuid REFERENCES "users"("id"),
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"record_id" bigint NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"removed_at" timestamp with time zone,
	"error" text
);
