/**
 * Register search benchmark (ADR 020): seeds N records of realistic Swedish text and reports the p95 of the search
 * use-case (app/models/register.server.ts, the code /diarium runs) over several realistic queries. Goal ≤ 100 ms.
 *
 * Seeding takes a documented bulk path, as the owner role, because the numbering trigger (migration 0003) registers
 * some 500–2,000 records a second on a shared machine (a million would take up to half an hour): the trigger is
 * disabled, the table's secondary indexes are dropped, one INSERT … SELECT generate_series writes the records with
 * their numbers computed set-based (gap-free per series and year, the trigger's format), the series counters and the
 * chain head are set to match, and the indexes are rebuilt exactly as the migrations define them. Every column the
 * search reads is what a real register holds; what differs is the hash chain: each bench record's hash is over its own
 * content, not linked to the one before, so `register verify` would refuse the bench database (which is thrown away).
 * Texts are drawn in SQL from Swedish phrase lists (city places, services, citizens' questions), names from common
 * Swedish first and last names.
 */
import { benchDatabase } from './database';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../db/client';
import { migrateAll } from '../../db/migrate';
import { seedDemo } from '../../app/demo/seed.server';
import { searchFilters, searchRegister } from '../../app/models/register.server';
import { searchQuery } from '../../db/queries/register';
import type { RegisterSearchInput } from '../../app/forms/register';

export interface RegisterSearchBenchOptions {
  records: number;
  /** Timed runs per query. */
  repeats?: number;
  databaseUrl?: string;
  log?: (line: string) => void;
  /** Log EXPLAIN (ANALYZE, BUFFERS) of one query of each kind (the slowest run's input) after timing. */
  explain?: boolean;
}

export interface RegisterSearchBenchResult {
  records: number;
  seedMs: number;
  seedRecordsPerSecond: number;
  /** p95 over every timed query of every kind. */
  p95Ms: number;
  byQuery: Record<string, { p50: number; p95: number; max: number; runs: number }>;
  goalP95Ms: number;
  ok: boolean;
}

const places = ['Stortorget', 'Drottninggatan', 'Knutpunkten', 'Oceanhamnen', 'Sofiero', 'Ramlösa', 'Råå', 'Påarp', 'Mörarp', 'Fredriksdal', 'Väla', 'Slottshöjden', 'Tågaborg', 'Dalhem', 'Norra hamnen', 'Kärnan', 'Mariastaden', 'Gantofta'];
const subjects = ['Vattenläcka', 'Parkeringen', 'Biblioteket', 'Simhallen', 'Snöröjningen', 'Busstrafiken', 'Förskolan', 'Återvinningscentralen', 'Lekplatsen', 'Badplatsen', 'Cykelbanan', 'Kulturmagasinet', 'Stadsbiblioteket', 'Vägarbetet', 'Sophämtningen', 'Hemtjänsten', 'Skolmaten', 'Gatubelysningen'];
const predicates = ['stängs tillfälligt', 'öppnar igen', 'får nya öppettider', 'är avstängd på grund av underhåll', 'flyttar till nya lokaler', 'behöver din synpunkt', 'har fått förlängda öppettider', 'påverkas av strömavbrott', 'rustas upp under våren', 'är försenad'];
const tails = ['Läs mer på helsingborg.se.', 'Vi ber om överseende.', 'Tack för ditt tålamod!', 'Kontakta Helsingborg kontaktcenter vid frågor.', 'Information kommer löpande.', 'Hör av dig om du har synpunkter.'];
const questions = ['Varför', 'När', 'Hur länge', 'Vem ansvarar för att', 'Stämmer det att'];
const opinions = ['Tack för informationen!', 'Det här är inte okej.', 'Äntligen!', 'Kan ni svara snabbare nästa gång?', 'Bra jobbat av kommunen.', 'Jag har ringt tre gånger utan svar.'];
const firstNames = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Anders', 'Eva', 'Johan', 'Sara', 'Per', 'Lena', 'Mohammed', 'Fatima', 'Oskar', 'Elsa', 'Ali'];
const lastNames = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Lindqvist', 'Hassan', 'Berg', 'Lundgren'];

const arr = (xs: string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;

/** Records g = from..to, registered evenly over two years in id order (the bulk path: the trigger is off). */
function seedBatchSql(from: number, to: number, total: number, channelIds: string[]): string {
  const pick = (name: string) => `${name}[1 + floor(random() * array_length(${name}, 1))::int]`;
  return `
    with lists as (select ${arr(places)} as places, ${arr(subjects)} as subjects, ${arr(predicates)} as predicates,
                          ${arr(tails)} as tails, ${arr(questions)} as questions, ${arr(opinions)} as opinions,
                          ${arr(firstNames)} as firsts, ${arr(lastNames)} as lasts, ${arr(channelIds)}::uuid[] as chans),
    gen as (
      select g, l.*, random() as r, ${pick('l.subjects')} as subj, ${pick('l.places')} as place, ${pick('l.predicates')} as pred
      from generate_series(${from}, ${to}) g, lists l
    ),
    rows as (
      select g,
        case when r < 0.7 then 'inbound_comment' when r < 0.95 then 'outgoing_post' else 'moderation_event' end as kind,
        case when r < 0.7 then 'incoming' when r < 0.95 then 'outgoing' else 'internal' end as direction,
        case when r < 0.7 then ${pick('firsts')} || ' ' || ${pick('lasts')} else 'Helsingborgs stad' end as counterparty,
        case when r < 0.7 then ${pick('questions')} || ' ' || lower(subj) || ' vid ' || place || ' ' || pred || '? ' || ${pick('opinions')}
             when r < 0.95 then subj || ' vid ' || place || ' ' || pred || ' vecka ' || (1 + g % 52) || '. ' || ${pick('tails')}
             else 'Kommentar dold enligt riktlinjerna: ' || ${pick('opinions')} end as text,
        chans[1 + (g % array_length(chans, 1))] as channel_id,
        timestamptz '2025-01-01 08:00:00+01' + (g::float8 / ${total}) * interval '700 days' as registered_at,
        (g % 50 = 0) as confidential,
        (g % 33 = 0) as exercise
      from gen
    )
    , numbered as (
      select r.*, extract(year from registered_at at time zone 'Europe/Stockholm')::int as year,
             encode(sha256(convert_to('{"text":' || to_json(text)::text || '}', 'UTF8')), 'hex') as content_sha256
      from rows r
    ), sequenced as (
      select n.*, (coalesce((select last_seq from register_series s where s.series = 'SOC' and s.year = n.year), 0)
                   + row_number() over (partition by n.year order by g))::int as seq
      from numbered n
    )
    insert into public_records (id, kind, direction, series, year, seq, registration_number, record_date, counterparty, summary,
                                content, content_sha256, channel_id, registered_at, confidential, confidentiality_ref, exercise, record_sha256)
    select nextval(pg_get_serial_sequence('public_records', 'id')), kind, direction, 'SOC', year, seq,
           'SOC ' || year || '/' || lpad(seq::text, 6, '0'), registered_at, counterparty, left(text, 120),
           jsonb_build_object('text', text), content_sha256, channel_id, registered_at, confidential,
           case when confidential then 'OSL 26 kap. 1 §' end, exercise, encode(sha256(convert_to(content_sha256 || g, 'UTF8')), 'hex')
    from sequenced order by g`;
}

function percentile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  return Math.round((v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] ?? NaN) * 10) / 10;
}

export async function runRegisterSearchBench(opts: RegisterSearchBenchOptions): Promise<RegisterSearchBenchResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const repeats = opts.repeats ?? 20;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const url = await benchDatabase({ name: 'utrop_bench_search', databaseUrl: opts.databaseUrl, log }, cleanups);
    await migrateAll(url);
    const database = openDatabase(url, { max: 4, applicationName: 'utrop-bench-search' });
    cleanups.push(() => database.close());
    await seedDemo(database.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
    const channelIds = (await database.sql<{ id: string }[]>`select id from channels order by name`).map((r) => r.id);

    const seedStart = Date.now();
    const indexes = await database.sql<{ name: string; def: string }[]>`
      select i.relname as name, pg_get_indexdef(i.oid) as def
      from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = 'public_records'::regclass and not x.indisprimary
        and not exists (select 1 from pg_constraint c where c.conindid = i.oid)`;
    await database.sql.unsafe('alter table public_records disable trigger public_records_register');
    for (const ix of indexes) await database.sql.unsafe(`drop index ${ix.name}`);
    const batch = 250_000;
    for (let from = 1; from <= opts.records; from += batch) {
      const to = Math.min(opts.records, from + batch - 1);
      await database.sql.unsafe(seedBatchSql(from, to, opts.records, channelIds));
      // The counters and the head as the trigger would have left them, so the next batch (and any later insert) continues.
      await database.sql`
        insert into register_series (series, year, last_seq)
        select series, year, max(seq) from public_records where series is not null group by series, year
        on conflict (series, year) do update set last_seq = excluded.last_seq`;
      log(`register search bench: ${to} of ${opts.records} records written (${Math.round((Date.now() - seedStart) / 1000)} s)`);
    }
    await database.sql`
      update register_chain set last_record_id = h.id, last_record_sha256 = h.record_sha256, record_count = (select count(*) from public_records)
      from (select id, record_sha256 from public_records order by id desc limit 1) h where register_chain.id = 1`;
    await database.sql.unsafe('alter table public_records enable trigger public_records_register');
    for (const ix of indexes) await database.sql.unsafe(ix.def);
    log(`register search bench: indexes rebuilt (${Math.round((Date.now() - seedStart) / 1000)} s)`);
    await database.sql`vacuum analyze public_records`;
    const seedMs = Date.now() - seedStart;

    const [{ number: someNumber } = { number: '' }] = await database.sql<{ number: string }[]>`
      select registration_number as number from public_records where id = (select max(id) / 2 from public_records)`;
    const byQuery: Record<string, number[]> = {};
    const slowest: Record<string, { ms: number; input: RegisterSearchInput }> = {};
    const time = async (name: string, input: RegisterSearchInput) => {
      const t0 = performance.now();
      const r = await searchRegister(database.db, input, 'registrar');
      const ms = performance.now() - t0;
      (byQuery[name] ??= []).push(ms);
      if (!slowest[name] || slowest[name].ms < ms) slowest[name] = { ms, input };
      if (ms > 100) log(`register search bench: ${name} ${JSON.stringify(input)} took ${Math.round(ms)} ms`);
      return r;
    };
    const words = ['vattenläcka', 'parkeringen', 'biblioteket', 'snöröjning', 'sophämtning', 'lekplats'];
    const phrases = ['"stängs tillfälligt"', '"nya öppettider"', '"förlängda öppettider"', '"rustas upp"'];
    // Warm the cache once, as a running console would be.
    await time('warmup', { q: words[0] });
    delete byQuery.warmup;
    for (let i = 0; i < repeats; i++) {
      await time('word', { q: words[i % words.length] });
      const month = String(1 + (i % 12)).padStart(2, '0');
      await time('phrase_date_range', { q: phrases[i % phrases.length], from: `2025-${month}-01`, to: `2025-${month}-28` });
      await time('channel_filter', { channel: channelIds[i % channelIds.length], direction: 'incoming' });
      await time('rare_name', { q: 'Lindqvist Mörarp' });
      await time('number_lookup', { number: i === 0 ? someNumber : `2025/${String(1 + ((i * 7919) % 40_000)).padStart(6, '0')}` });
      await time('exercise_confidential', { exercise: 'exercise', confidentiality: 'confidential' });
    }
    // Deep paging: follow the next-page cursor 40 pages into a common word's hits.
    let after: string | undefined;
    for (let page = 0; page < 40; page++) {
      const r = await time('paging_deep', { q: 'parkeringen', after });
      if (!r.ok || !r.next) break;
      after = r.next;
    }
    if (opts.explain) {
      for (const [name, { input }] of Object.entries(slowest)) {
        const { after: cursor, ...rest } = input;
        const f = searchFilters(rest);
        const q = searchQuery(database.db, { ...f, textMatchesConfidential: true, limit: 50, after: cursor ? { registeredAtMs: Number(cursor.split('.')[0]), id: Number(cursor.split('.')[1]) } : undefined }).toSQL();
        const plan = await database.sql.unsafe(`explain (analyze, buffers) ${q.sql}`, q.params as never[]);
        log(`register search bench: EXPLAIN ${name} ${JSON.stringify(input)}\n${plan.map((r) => String(Object.values(r)[0])).join('\n')}`);
      }
    }
    const all = Object.values(byQuery).flat();
    const p95Ms = percentile(all, 0.95);
    return {
      records: opts.records,
      seedMs,
      seedRecordsPerSecond: Math.round(opts.records / (seedMs / 1000)),
      p95Ms,
      byQuery: Object.fromEntries(
        Object.entries(byQuery).map(([k, v]) => [k, { p50: percentile(v, 0.5), p95: percentile(v, 0.95), max: percentile(v, 1), runs: v.length }]),
      ),
      goalP95Ms: 100,
      ok: p95Ms <= 100,
    };
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  }
}
