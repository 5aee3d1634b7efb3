-- Every claim asks whether its post is a drill's (isExercisePostSql: an EXISTS on crisis_message_variants.post_id);
-- without an index that is a scan of every crisis variant ever written, once per delivery.
CREATE INDEX IF NOT EXISTS "crisis_message_variants_post_idx" ON "crisis_message_variants" ("post_id");
