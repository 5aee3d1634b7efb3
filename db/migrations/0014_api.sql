CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL UNIQUE,
	"token_sha256" text NOT NULL UNIQUE CHECK ("token_sha256" ~ '^[0-9a-f]{64}$'),
	"role" "role" NOT NULL,
	"user_id" uuid REFERENCES "users"("id"),
	"rate_per_minute" integer DEFAULT 120 NOT NULL CHECK ("rate_per_minute" BETWEEN 1 AND 100000),
	"window_started_at" timestamp with time zone,
	"window_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone
);--> statement-breakpoint
ALTER TABLE "posts" DROP CONSTRAINT "posts_review_state_check";--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_review_state_check" CHECK ("review_state" IN ('draft', 'not_required', 'pending_approval', 'returned', 'approved'));
