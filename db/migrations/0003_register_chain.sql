CREATE TABLE "register_anchors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"written_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_record_id" bigint,
	"last_record_sha256" text,
	"record_count" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "register_chain" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"last_record_id" bigint,
	"last_record_sha256" text,
	"record_count" bigint DEFAULT 0 NOT NULL,
	"default_series" text DEFAULT 'SOC' NOT NULL,
	"number_format" text DEFAULT '{series} {year}/{seq}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "register_series" (
	"series" text NOT NULL,
	"year" integer NOT NULL,
	"last_seq" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "register_series_series_year_pk" PRIMARY KEY("series","year")
);
--> statement-breakpoint
ALTER TABLE "public_records" ALTER COLUMN "channel_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "public_records" ALTER COLUMN "platform" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "public_records" ALTER COLUMN "external_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "series" text;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "year" integer;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "seq" integer;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "registration_number" text;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "record_date" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "post_id" uuid;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "related_record_id" bigint;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "confidential" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "confidentiality_ref" text;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "exercise" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "prev_record_sha256" text;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "record_sha256" text;--> statement-breakpoint
ALTER TABLE "public_records" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('swedish'::regconfig, coalesce(summary, '') || ' ' || coalesce(counterparty, '') || ' ' || coalesce(content->>'text', ''))) STORED;--> statement-breakpoint
CREATE INDEX "public_records_record_date_idx" ON "public_records" USING btree ("record_date","id");--> statement-breakpoint
CREATE INDEX "public_records_post_idx" ON "public_records" USING btree ("post_id");--> statement-breakpoint
CREATE INDEX "public_records_search_idx" ON "public_records" USING gin ("search_vector");--> statement-breakpoint
ALTER TABLE "public_records" ADD CONSTRAINT "public_records_registration_number_unique" UNIQUE("registration_number");--> statement-breakpoint
ALTER TABLE "public_records" ADD CONSTRAINT "public_records_series_number_unique" UNIQUE("series","year","seq");--> statement-breakpoint
-- The canonical form a record's hash is taken over (version 1). Each field is written as "<bytes>:<value>" or "-"
-- for null, one per line, so no value can be confused with another; times are epoch milliseconds. `utrop register
-- verify` recomputes exactly this in TypeScript (db/register/canonical.ts): change both or neither.
CREATE FUNCTION utrop_register_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END
$$;
--> statement-breakpoint
CREATE FUNCTION utrop_register_ms(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t IS NULL THEN NULL ELSE floor(extract(epoch FROM t) * 1000)::bigint::text END
$$;
--> statement-breakpoint
CREATE FUNCTION utrop_register_hash(r public_records) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws(E'\n',
    'utrop-register-v1',
    utrop_register_field(r.id::text),
    utrop_register_field(r.registration_number),
    utrop_register_field(r.series),
    utrop_register_field(r.year::text),
    utrop_register_field(r.seq::text),
    utrop_register_field(utrop_register_ms(r.registered_at)),
    utrop_register_field(utrop_register_ms(r.record_date)),
    utrop_register_field(r.kind),
    utrop_register_field(r.direction),
    utrop_register_field(r.counterparty),
    utrop_register_field(r.summary),
    utrop_register_field(r.confidential::text),
    utrop_register_field(r.confidentiality_ref),
    utrop_register_field(r.exercise::text),
    utrop_register_field(r.channel_id::text),
    utrop_register_field(r.post_id::text),
    utrop_register_field(r.delivery_id::text),
    utrop_register_field(r.related_record_id::text),
    utrop_register_field(r.platform),
    utrop_register_field(r.external_id),
    utrop_register_field(r.permalink),
    utrop_register_field(r.content_sha256),
    utrop_register_field(r.prev_record_sha256)
  ), 'UTF8')), 'hex')
$$;
--> statement-breakpoint
INSERT INTO register_chain (id) VALUES (1);
--> statement-breakpoint
-- The next number in a series for the year a record is registered (Europe/Stockholm). The counter row is locked
-- until the transaction ends, so a rollback gives the number back.
CREATE FUNCTION utrop_register_next(p_series text, p_registered_at timestamptz, p_format text, OUT o_year integer, OUT o_seq integer, OUT o_number text)
LANGUAGE plpgsql AS $$
BEGIN
  o_year := extract(year FROM p_registered_at AT TIME ZONE 'Europe/Stockholm')::integer;
  INSERT INTO register_series AS s (series, year, last_seq) VALUES (p_series, o_year, 1)
    ON CONFLICT (series, year) DO UPDATE SET last_seq = s.last_seq + 1
    RETURNING s.last_seq INTO o_seq;
  o_number := replace(replace(replace(p_format, '{series}', p_series), '{year}', o_year::text), '{seq}', lpad(o_seq::text, 6, '0'));
END;
$$;
--> statement-breakpoint
-- Numbering and chaining happen here, under the chain head's row lock, so concurrent publishers cannot fork the chain
-- and a rolled-back transaction gives its number back (no gaps). The id is drawn under the lock too, so id order is
-- chain order.
CREATE FUNCTION utrop_register_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head register_chain%ROWTYPE;
BEGIN
  SELECT * INTO head FROM register_chain WHERE id = 1 FOR UPDATE;
  NEW.id := nextval(pg_get_serial_sequence('public_records', 'id'));
  NEW.registered_at := date_trunc('milliseconds', coalesce(NEW.registered_at, now()));
  NEW.record_date := date_trunc('milliseconds', coalesce(NEW.record_date, NEW.registered_at));
  NEW.series := coalesce(NEW.series, head.default_series);
  SELECT x.o_year, x.o_seq, x.o_number INTO NEW.year, NEW.seq, NEW.registration_number
    FROM utrop_register_next(NEW.series, NEW.registered_at, head.number_format) x;
  NEW.prev_record_sha256 := head.last_record_sha256;
  NEW.record_sha256 := utrop_register_hash(NEW);
  UPDATE register_chain SET last_record_id = NEW.id, last_record_sha256 = NEW.record_sha256, record_count = record_count + 1 WHERE id = 1;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- The records written before the register had numbers and a chain: numbered and chained once, in registration (id)
-- order, by the same rules. This is the only change ever made to existing records, and it is itself registered below.
ALTER TABLE public_records DISABLE TRIGGER public_records_append_only;
--> statement-breakpoint
DO $$
DECLARE
  r public_records%ROWTYPE;
  head register_chain%ROWTYPE;
BEGIN
  FOR r IN SELECT * FROM public_records ORDER BY id LOOP
    SELECT * INTO head FROM register_chain WHERE id = 1;
    r.registered_at := date_trunc('milliseconds', r.registered_at);
    r.record_date := r.registered_at;
    r.series := head.default_series;
    SELECT x.o_year, x.o_seq, x.o_number INTO r.year, r.seq, r.registration_number
      FROM utrop_register_next(r.series, r.registered_at, head.number_format) x;
    r.post_id := (SELECT post_id FROM deliveries WHERE id = r.delivery_id);
    r.prev_record_sha256 := head.last_record_sha256;
    r.record_sha256 := utrop_register_hash(r);
    UPDATE public_records SET registered_at = r.registered_at, record_date = r.record_date, series = r.series, year = r.year,
      seq = r.seq, registration_number = r.registration_number, post_id = r.post_id,
      prev_record_sha256 = r.prev_record_sha256, record_sha256 = r.record_sha256
    WHERE id = r.id;
    UPDATE register_chain SET last_record_id = r.id, last_record_sha256 = r.record_sha256, record_count = record_count + 1 WHERE id = 1;
  END LOOP;
END;
$$;
--> statement-breakpoint
ALTER TABLE public_records ENABLE TRIGGER public_records_append_only;
--> statement-breakpoint
CREATE TRIGGER public_records_register BEFORE INSERT ON public_records FOR EACH ROW EXECUTE FUNCTION utrop_register_insert();
--> statement-breakpoint
CREATE TRIGGER register_anchors_append_only BEFORE UPDATE OR DELETE ON register_anchors FOR EACH ROW EXECUTE FUNCTION utrop_reject_change();
--> statement-breakpoint
INSERT INTO public_records (kind, direction, counterparty, summary, content, content_sha256)
SELECT 'register_note', 'internal', 'Utrop', 'Registret infört: tidigare poster numrerade och kedjade',
  jsonb_build_object('text', format('Registret fick diarienummer och hashkedja. %s tidigare poster numrerades och kedjades i registreringsordning.', count(*)), 'migratedRecords', count(*)),
  encode(sha256(convert_to(format('{"migratedRecords":%s,"text":"Registret fick diarienummer och hashkedja. %s tidigare poster numrerades och kedjades i registreringsordning."}', count(*), count(*)), 'UTF8')), 'hex')
FROM public_records;
