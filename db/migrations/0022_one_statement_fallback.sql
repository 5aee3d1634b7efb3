-- The worker writes a delivery's common outcome as ONE statement (ADR 033). Its guards (the delivery still in the
-- state the worker left it, the attempt still the worker's) are checked inside that statement; when one does not
-- hold, this aborts the statement (so nothing of it is written) with its own SQLSTATE, and the worker takes the
-- careful path in a transaction. VOLATILE so that it is evaluated only where a CASE reaches it.
CREATE OR REPLACE FUNCTION utrop_fallback(reason text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'UTFB1', MESSAGE = 'utrop: one-statement write did not apply: ' || reason;
END
$$;
