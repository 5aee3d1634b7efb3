CREATE TABLE "worker_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"pid" integer,
	"hostname" text,
	"graphile_pool_id" text,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "transient_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "unknown_lookups" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "give_up_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "delivery_attempts_in_progress_idx" ON "delivery_attempts" USING btree ("worker_id") WHERE "delivery_attempts"."outcome" = 'in_progress';