-- Registered records and the audit log are never changed or deleted (TF/OSL; DEVELOPERS.md non-negotiable 3).
CREATE OR REPLACE FUNCTION utrop_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION utrop_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION utrop_reject_change();
--> statement-breakpoint
CREATE TRIGGER public_records_append_only BEFORE UPDATE OR DELETE ON public_records FOR EACH ROW EXECUTE FUNCTION utrop_reject_change();
--> statement-breakpoint
CREATE TRIGGER public_records_no_truncate BEFORE TRUNCATE ON public_records FOR EACH STATEMENT EXECUTE FUNCTION utrop_reject_change();
