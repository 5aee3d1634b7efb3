-- Incoming CAP 1.2 alerts (issue 11, ADR 040): from a file upload or a polled feed, one row per alert. The identity is
-- CAP's own reference triple (sender, identifier, sent), so the same alert seen again — another poll, a restart, the
-- same file twice — is the same row and shows its banner once.
CREATE TABLE "crisis_cap_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identity" text NOT NULL,
	"source" text NOT NULL,
	"sender" text NOT NULL,
	"identifier" text NOT NULL,
	"sent" text NOT NULL,
	"status" text NOT NULL,
	"msg_type" text NOT NULL,
	"event" text DEFAULT '' NOT NULL,
	"category" text DEFAULT '' NOT NULL,
	"severity" text DEFAULT '' NOT NULL,
	"headline" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"instruction" text DEFAULT '' NOT NULL,
	"area" text NOT NULL,
	"languages" text[] NOT NULL,
	"web" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"received_by" uuid REFERENCES "users"("id"),
	"incident_id" uuid REFERENCES "crisis_incidents"("id"),
	"dismissed_at" timestamp with time zone,
	"dismissed_by" uuid REFERENCES "users"("id"),
	CONSTRAINT "crisis_cap_alerts_identity_unique" UNIQUE ("identity"),
	CONSTRAINT "crisis_cap_alerts_msg_type_check" CHECK ("msg_type" in ('alert', 'update', 'all_clear'))
);
--> statement-breakpoint
CREATE INDEX "crisis_cap_alerts_pending_idx" ON "crisis_cap_alerts" USING btree ("received_at") WHERE "incident_id" is null AND "dismissed_at" is null;
