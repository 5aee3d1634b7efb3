-- Retention (gallring) and privileges of the register (ADR 029). Numbering and chaining run with the owner's rights, so
-- the application role no longer needs, and no longer has, write access to the chain head and the number series.
ALTER FUNCTION utrop_register_insert() SECURITY DEFINER SET search_path = public, pg_temp;
--> statement-breakpoint
-- Retention classes per record kind (configuration). A kind without a row, or with keep_years null, is kept forever.
CREATE TABLE "register_retention_classes" (
	"kind" text PRIMARY KEY NOT NULL,
	"keep_years" integer,
	"basis" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "register_retention_classes_keep_years_check" CHECK ("keep_years" IS NULL OR "keep_years" BETWEEN 0 AND 1000)
);
--> statement-breakpoint
-- One row per destroyed record: which registered decision destroyed it, and the content hash it kept. Written only by
-- utrop_register_destroy (the application role has SELECT only), never changed.
CREATE TABLE "register_destructions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"record_id" bigint NOT NULL,
	"decision_record_id" bigint NOT NULL,
	"destroyed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"content_sha256" text NOT NULL,
	CONSTRAINT "register_destructions_record_id_unique" UNIQUE("record_id"),
	CONSTRAINT "register_destructions_record_fk" FOREIGN KEY ("record_id") REFERENCES "public_records"("id"),
	CONSTRAINT "register_destructions_decision_fk" FOREIGN KEY ("decision_record_id") REFERENCES "public_records"("id")
);
--> statement-breakpoint
CREATE TRIGGER register_destructions_immutable BEFORE UPDATE OR DELETE ON register_destructions FOR EACH ROW EXECUTE FUNCTION utrop_reject_change();
--> statement-breakpoint
CREATE TRIGGER register_destructions_no_truncate BEFORE TRUNCATE ON register_destructions FOR EACH STATEMENT EXECUTE FUNCTION utrop_reject_change();
--> statement-breakpoint
-- What a destroyed record's content becomes (db/register/canonical.ts destroyedContent builds the same).
CREATE FUNCTION utrop_register_destroyed_content(p_decision public_records) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('destroyed', true, 'decisionRecordId', p_decision.id, 'decisionNumber', p_decision.registration_number)
$$;
--> statement-breakpoint
-- Records stay append-only. The single exception: utrop_register_destroy replacing the content of the record it is
-- destroying, after writing its destruction row, and nothing else of the record.
CREATE FUNCTION utrop_public_records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('utrop.destroying', true) = OLD.id::text
     AND EXISTS (SELECT 1 FROM register_destructions d WHERE d.record_id = OLD.id AND d.content_sha256 = OLD.content_sha256)
     AND (to_jsonb(NEW) - 'content' - 'search_vector') = (to_jsonb(OLD) - 'content' - 'search_vector')
     AND NEW.content ->> 'destroyed' = 'true' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
DROP TRIGGER public_records_append_only ON public_records;
--> statement-breakpoint
CREATE TRIGGER public_records_append_only BEFORE UPDATE OR DELETE ON public_records FOR EACH ROW EXECUTE FUNCTION utrop_public_records_guard();
--> statement-breakpoint
-- Destroys one record's content under a registered decision (a record of kind destruction_decision whose content lists
-- the record id in "recordIds"), when the record's retention class allows it. Runs as the owner: the application role
-- cannot UPDATE public_records at all. Everything refused raises with SQLSTATE 'UT' codes the caller maps to messages.
CREATE FUNCTION utrop_register_destroy(p_record_id bigint, p_decision_id bigint) RETURNS register_destructions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  d public_records%ROWTYPE;
  r public_records%ROWTYPE;
  keep integer;
  found_class boolean;
  result register_destructions%ROWTYPE;
BEGIN
  SELECT * INTO d FROM public_records WHERE id = p_decision_id;
  IF NOT FOUND OR d.kind <> 'destruction_decision' THEN
    RAISE EXCEPTION 'record % is not a registered destruction decision', p_decision_id USING ERRCODE = 'UT001';
  END IF;
  IF jsonb_typeof(d.content -> 'recordIds') IS DISTINCT FROM 'array' OR NOT (d.content -> 'recordIds') @> to_jsonb(p_record_id) THEN
    RAISE EXCEPTION 'decision % does not name record %', d.registration_number, p_record_id USING ERRCODE = 'UT002';
  END IF;
  SELECT * INTO r FROM public_records WHERE id = p_record_id;
  IF NOT FOUND OR r.id >= d.id THEN
    RAISE EXCEPTION 'record % was not registered before decision %', p_record_id, d.registration_number USING ERRCODE = 'UT003';
  END IF;
  IF r.kind IN ('destruction_decision', 'register_note') THEN
    RAISE EXCEPTION 'record % (%) belongs to the register itself and is kept', r.registration_number, r.kind USING ERRCODE = 'UT004';
  END IF;
  IF EXISTS (SELECT 1 FROM register_destructions x WHERE x.record_id = r.id) THEN
    RAISE EXCEPTION 'record % is already destroyed', r.registration_number USING ERRCODE = 'UT005';
  END IF;
  SELECT c.keep_years, true INTO keep, found_class FROM register_retention_classes c WHERE c.kind = r.kind;
  IF found_class IS NULL OR keep IS NULL THEN
    RAISE EXCEPTION 'records of kind % are kept forever', r.kind USING ERRCODE = 'UT006';
  END IF;
  IF r.record_date + make_interval(years => keep) > d.registered_at THEN
    RAISE EXCEPTION 'record % is to be kept % years from %', r.registration_number, keep, r.record_date USING ERRCODE = 'UT007';
  END IF;
  INSERT INTO register_destructions (record_id, decision_record_id, content_sha256) VALUES (r.id, d.id, r.content_sha256)
    RETURNING * INTO result;
  PERFORM set_config('utrop.destroying', r.id::text, true);
  UPDATE public_records SET content = utrop_register_destroyed_content(d) WHERE id = r.id;
  PERFORM set_config('utrop.destroying', '', true);
  RETURN result;
END;
$$;
