-- Issue 13: at the end of a staff host's week, their unapproved drafts go back to employer branding. Each handback is
-- recorded once per week and post, and the record is evidence: it is never changed or deleted.
CREATE TABLE "handover_handbacks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"week_id" uuid NOT NULL REFERENCES "handover_weeks"("id"),
	"post_id" uuid NOT NULL REFERENCES "posts"("id"),
	"review_state_before" text NOT NULL,
	"handed_back_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "handover_handbacks_week_post" ON "handover_handbacks" ("week_id", "post_id");
--> statement-breakpoint
CREATE TRIGGER handover_handbacks_append_only BEFORE UPDATE OR DELETE ON handover_handbacks FOR EACH ROW EXECUTE FUNCTION utrop_reject_change();
