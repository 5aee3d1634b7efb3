/**
 * Queries of the register's search and record page (ADR 020). Each takes the database or a transaction first.
 * Search is the Swedish full-text vector of migration 0003 (GIN) plus filters, in registration order
 * (registered_at, id) descending, paged by keyset so page 1000 costs what page 1 costs.
 */
import { and, asc, desc, eq, getTableColumns, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { channels } from '../schema/channels';
import { postMedia } from '../schema/publishing';
import { publicRecords, type PublicRecord, type RecordKind } from '../schema/register';
import type { RecordDirection } from '../../common/register';

/** A record without its search vector: what leaves the register. */
export type RegisterRow = Omit<PublicRecord, 'searchVector'>;
export type RegisterRowWithChannel = RegisterRow & { channelName: string | null };

export interface RecordCursor {
  registeredAtMs: number;
  id: number;
}

export interface RecordSearch {
  /** websearch_to_tsquery syntax: words, "a phrase", or, -not. */
  text?: string;
  /** registered_at ≥ from. */
  from?: Date;
  /** registered_at < before (the day after the last day asked for). */
  before?: Date;
  channelId?: string;
  direction?: RecordDirection;
  kind?: RecordKind;
  series?: string;
  /** A registration number as shown ("SOC 2026/000123"), or year/number ("2026/123"). */
  number?: string;
  confidential?: boolean;
  exercise?: boolean;
  /**
   * Whether confidential records may match the text. A reader who sees them masked must not find them by words
   * from the withheld sender, description or content (a hit would reveal them), so for such a reader they are
   * left out of text searches.
   */
  textMatchesConfidential: boolean;
  after?: RecordCursor;
  limit: number;
}

const { searchVector: _sv, ...recordColumns } = getTableColumns(publicRecords);

/** year/seq from "SOC 2026/000123", "2026/123" or "2026-123"; null when it is not that shape. */
export function parseRegistrationNumber(value: string): { series: string | null; year: number; seq: number } | null {
  const m = /^(?:(\S+)\s+)?(\d{4})\s*[/-]\s*(\d{1,9})$/u.exec(value.trim());
  if (!m) return null;
  return { series: m[1] ?? null, year: Number(m[2]), seq: Number(m[3]) };
}

/** Whether the text reduces to a query at all: only stop words ("och att") give an empty one, which matches nothing. */
export async function textQueryIsEmpty(db: DbOrTx, text: string): Promise<boolean> {
  const rows = await db.execute<{ n: number }>(sql`select numnode(websearch_to_tsquery('swedish', ${text}))::int as n`);
  return ([...rows][0]?.n ?? 0) === 0;
}

function conditions(s: RecordSearch): SQL[] {
  const where: SQL[] = [];
  if (s.text) {
    where.push(sql`${publicRecords.searchVector} @@ websearch_to_tsquery('swedish', ${s.text})`);
    if (!s.textMatchesConfidential) where.push(eq(publicRecords.confidential, false));
  }
  if (s.from) where.push(gte(publicRecords.registeredAt, s.from));
  if (s.before) where.push(lt(publicRecords.registeredAt, s.before));
  if (s.channelId) where.push(eq(publicRecords.channelId, s.channelId));
  if (s.direction) where.push(eq(publicRecords.direction, s.direction));
  if (s.kind) where.push(eq(publicRecords.kind, s.kind));
  if (s.series) where.push(eq(publicRecords.series, s.series));
  if (s.number) {
    const parsed = parseRegistrationNumber(s.number);
    const exact = eq(publicRecords.registrationNumber, s.number.trim());
    if (parsed) {
      const bySeq = and(
        eq(publicRecords.year, parsed.year),
        eq(publicRecords.seq, parsed.seq),
        parsed.series ? sql`upper(${publicRecords.series}) = upper(${parsed.series})` : undefined,
      );
      where.push(or(exact, bySeq)!);
    } else where.push(exact);
  }
  if (s.confidential !== undefined) where.push(eq(publicRecords.confidential, s.confidential));
  if (s.exercise !== undefined) where.push(eq(publicRecords.exercise, s.exercise));
  if (s.after) {
    // Row comparison: the (registered_at, id) index walks backwards from the cursor.
    where.push(sql`(${publicRecords.registeredAt}, ${publicRecords.id}) < (${new Date(s.after.registeredAtMs).toISOString()}::timestamptz, ${s.after.id})`);
  }
  return where;
}

/** The one query a search page runs (also what the bench EXPLAINs: `.toSQL()`). */
export function searchQuery(db: DbOrTx, s: RecordSearch) {
  return db
    .select({ ...recordColumns, channelName: channels.name })
    .from(publicRecords)
    .leftJoin(channels, eq(channels.id, publicRecords.channelId))
    .where(and(...conditions(s)))
    .orderBy(desc(publicRecords.registeredAt), desc(publicRecords.id))
    .limit(s.limit + 1);
}

/** One page of the search, newest first, and whether there is another. */
export async function searchRecords(db: DbOrTx, s: RecordSearch): Promise<{ rows: RegisterRowWithChannel[]; next: RecordCursor | null }> {
  const rows = await searchQuery(db, s);
  const page = rows.slice(0, s.limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > s.limit && last ? { registeredAtMs: last.registeredAt.getTime(), id: last.id } : null };
}

export async function findRecord(db: DbOrTx, id: number): Promise<RegisterRowWithChannel | null> {
  const [row] = await db
    .select({ ...recordColumns, channelName: channels.name })
    .from(publicRecords)
    .leftJoin(channels, eq(channels.id, publicRecords.channelId))
    .where(eq(publicRecords.id, id));
  return row ?? null;
}

/**
 * The records that belong with one: the post and everything registered about it (comments, replies, moderation
 * events, edits), the records it refers to and those that refer to it. Oldest first, without the record itself.
 */
export async function listRelatedRecords(db: DbOrTx, record: RegisterRow, limit = 500): Promise<RegisterRowWithChannel[]> {
  const links: SQL[] = [eq(publicRecords.relatedRecordId, record.id)];
  if (record.postId) links.push(eq(publicRecords.postId, record.postId));
  if (record.relatedRecordId) links.push(eq(publicRecords.id, record.relatedRecordId));
  return db
    .select({ ...recordColumns, channelName: channels.name })
    .from(publicRecords)
    .leftJoin(channels, eq(channels.id, publicRecords.channelId))
    .where(and(or(...links), sql`${publicRecords.id} <> ${record.id}`))
    .orderBy(asc(publicRecords.registeredAt), asc(publicRecords.id))
    .limit(limit);
}

/** Stored media files by content hash (without the bytes): which of a record's media the console still keeps. */
export async function findMediaByHashes(db: DbOrTx, hashes: string[]): Promise<{ id: string; sha256: string; filename: string; mimeType: string; sizeBytes: number }[]> {
  if (hashes.length === 0) return [];
  return db
    .select({ id: postMedia.id, sha256: postMedia.sha256, filename: postMedia.filename, mimeType: postMedia.mimeType, sizeBytes: postMedia.sizeBytes })
    .from(postMedia)
    .where(sql`${postMedia.sha256} in ${hashes}`);
}

/** The channels a search can be narrowed to. */
export async function listRegisterChannels(db: DbOrTx): Promise<{ id: string; name: string }[]> {
  return db.select({ id: channels.id, name: channels.name }).from(channels).orderBy(asc(channels.name));
}

/** How many records a search finds (a long export's progress: rows written of rows found). */
export async function countRecords(db: DbOrTx, s: Omit<RecordSearch, 'after' | 'limit'>): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(publicRecords)
    .where(and(...conditions({ ...s, limit: 0 })));
  return row?.n ?? 0;
}
