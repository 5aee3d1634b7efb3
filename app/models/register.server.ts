/**
 * Use-cases of the register's workplace (/diarium): search, the record page, verification (ADR 020). Masking of
 * confidential records happens here, once, for every way a record leaves (search, record page, export): a reader
 * without view:register:confidential gets the sender, the description and the content withheld, the legal reference
 * shown (db/register/mask.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { Db, DbOrTx } from '../../db/client';
import type { Role } from '../../common/roles';
import { parseCityLocalInput, toCityLocalInput } from '../../common/time';
import { recordAudit } from '../../db/queries/audit';
import {
  findMediaByHashes,
  findRecord,
  listRegisterChannels,
  listRelatedRecords,
  searchRecords,
  textQueryIsEmpty,
  type RecordCursor,
  type RecordSearch,
  type RegisterRowWithChannel,
} from '../../db/queries/register';
import { maskRecord, type ReleasedRecord } from '../../db/register/mask';
import { verifyRegister, writeAnchor, type VerifyResult } from '../../db/register';
import type { PublicRecord } from '../../db/schema';
import { writeSearchExport } from './register-export.server';
import { findOwnRegisterExport, insertRegisterExport } from '../../db/queries/register-exports';
import type { RegisterExport } from '../../db/schema';
import { enqueue } from '../../workers/delivery/index';
import { exportFileName, storedExportSearchSchema, type StoredExportSearch } from '../../common/register-export';
import { registerExportDir } from '../../common/export-dir.server';
import { roleHasPermission } from '../utils/permissions';
import type { RegisterSearchInput } from '../forms/register';
import type { Actor } from '../../common/actor';

export const REGISTER_PAGE_SIZE = 50;

export type ReleasedRow = ReleasedRecord & { channelName: string | null };

export function mayViewConfidential(role: Role): boolean {
  return roleHasPermission(role, 'view:register:confidential');
}

function release(row: RegisterRowWithChannel, role: Role): ReleasedRow {
  const { channelName, ...record } = row;
  return { ...maskRecord(record, { mayViewConfidential: mayViewConfidential(role) }), channelName };
}

export function encodeCursor(c: RecordCursor): string {
  return `${c.registeredAtMs}.${c.id}`;
}

function decodeCursor(value: string | undefined): RecordCursor | undefined {
  if (!value) return undefined;
  const [ms, id] = value.split('.').map(Number);
  return Number.isSafeInteger(ms) && Number.isSafeInteger(id) ? { registeredAtMs: ms!, id: id! } : undefined;
}

/** Midnight in Stockholm at the start of a YYYY-MM-DD the form has already checked; `plusDays` for the day after. */
function cityMidnight(day: string, plusDays = 0): Date | undefined {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + plusDays)).toISOString().slice(0, 10);
  // Midnight exists on every day in Europe/Stockholm (the clocks change at 02:00/03:00).
  const r = parseCityLocalInput(`${next}T00:00`);
  return r.ok ? r.date : undefined;
}

export type SearchFilters = Omit<RecordSearch, 'after' | 'limit' | 'textMatchesConfidential'>;

/** The form's values as query filters (dates as Stockholm days: from the first midnight to the one after `to`). */
export function searchFilters(input: RegisterSearchInput): SearchFilters {
  return {
    text: input.q || undefined,
    from: input.from ? cityMidnight(input.from) : undefined,
    before: input.to ? cityMidnight(input.to, 1) : undefined,
    channelId: input.channel,
    direction: input.direction,
    kind: input.kind,
    series: input.series,
    number: input.number,
    confidential: input.confidentiality === undefined ? undefined : input.confidentiality === 'confidential',
    exercise: input.exercise === undefined ? undefined : input.exercise === 'exercise',
  };
}

export type SearchOutcome =
  | { ok: true; rows: ReleasedRow[]; next: string | null }
  | { ok: false; fieldErrors: Record<string, string[]> };

/** One page of the register, newest first, masked for the reader's role. */
export async function searchRegister(db: DbOrTx, input: RegisterSearchInput, role: Role, limit = REGISTER_PAGE_SIZE): Promise<SearchOutcome> {
  const filters = searchFilters(input);
  if (filters.text && (await textQueryIsEmpty(db, filters.text))) return { ok: false, fieldErrors: { q: ['register.search.stopWords'] } };
  const { rows, next } = await searchRecords(db, {
    ...filters,
    textMatchesConfidential: mayViewConfidential(role),
    after: decodeCursor(input.after),
    limit,
  });
  return { ok: true, rows: rows.map((r) => release(r, role)), next: next ? encodeCursor(next) : null };
}

/** A search that can be run to its end (export): the filters were checked, the text is not only stop words. */
export async function checkSearch(db: DbOrTx, input: RegisterSearchInput): Promise<Record<string, string[]> | null> {
  const filters = searchFilters(input);
  if (filters.text && (await textQueryIsEmpty(db, filters.text))) return { q: ['register.search.stopWords'] };
  return null;
}

/**
 * Every record of a search from its start (the cursor ignored), masked for the role, read a page at a time so a long
 * export never holds the register in memory. Oldest-first is not needed: the export keeps the search's order.
 */
export async function* releasedSearchRecords(db: DbOrTx, input: RegisterSearchInput, role: Role, pageSize = 1000): AsyncGenerator<ReleasedRecord> {
  const filters = searchFilters(input);
  let after: RecordCursor | undefined;
  for (;;) {
    const { rows, next } = await searchRecords(db, { ...filters, textMatchesConfidential: mayViewConfidential(role), after, limit: pageSize });
    for (const { channelName: _channel, ...record } of rows) yield maskRecord(record, { mayViewConfidential: mayViewConfidential(role) });
    if (!next) return;
    after = next;
  }
}

export interface RecordMedia {
  filename: string;
  mimeType: string | null;
  sha256: string;
  sizeBytes: number | null;
  /** The stored file's id when the console still keeps it (GET /media/$id). */
  storedId: string | null;
}

export interface RecordPage {
  record: ReleasedRow;
  media: RecordMedia[];
  related: ReleasedRow[];
}

function mediaOf(content: unknown): { filename: string; mimeType: string | null; sha256: string; sizeBytes: number | null }[] {
  const media = (content as { media?: unknown } | null)?.media;
  if (!Array.isArray(media)) return [];
  return media.flatMap((m: unknown) => {
    const o = m as Record<string, unknown> | null;
    if (!o || typeof o.sha256 !== 'string') return [];
    return [{
      filename: typeof o.filename === 'string' ? o.filename : '–',
      mimeType: typeof o.mimeType === 'string' ? o.mimeType : null,
      sha256: o.sha256,
      sizeBytes: typeof o.sizeBytes === 'number' ? o.sizeBytes : null,
    }];
  });
}

/** A record with its media (the hashes as registered, and where the file is still kept) and related records. */
export async function getRegisterRecord(db: DbOrTx, id: number, role: Role): Promise<RecordPage | null> {
  const row = await findRecord(db, id);
  if (!row) return null;
  const record = release(row, role);
  // Media of a masked record are withheld with its content.
  const registered = mediaOf(record.content);
  const stored = await findMediaByHashes(db, registered.map((m) => m.sha256));
  const media = registered.map((m) => ({ ...m, storedId: stored.find((s) => s.sha256 === m.sha256)?.id ?? null }));
  const related = (await listRelatedRecords(db, row)).map((r) => release(r, role));
  return { record, media, related };
}

export async function registerChannels(db: DbOrTx): Promise<{ id: string; name: string }[]> {
  return listRegisterChannels(db);
}

/** "Verifiera diariet": the same walk as `utrop register verify`; a whole register gets an anchor; audited. */
export async function verifyRegisterFromConsole(db: Db, actor: Actor): Promise<VerifyResult> {
  const result = await verifyRegister(db);
  await db.transaction(async (tx) => {
    if (result.ok) await writeAnchor(tx, result);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: result.ok ? 'register.verified' : 'register.verify_failed',
      objectType: 'register',
      objectId: null,
      details: { records: result.records, lastRecordId: result.lastRecordId, firstBroken: result.firstBroken },
    });
  });
  return result;
}

/**
 * The whole result of a search as CSV or JSON, streamed page by page: masking, serializing and the audit entry are
 * the export use-case's (app/models/register-export.server.ts, writeSearchExport), the records this search's.
 */
export function exportRegisterSearch(db: Db, input: RegisterSearchInput, role: Role, format: 'csv' | 'json', actor: Actor): Readable {
  const out = new PassThrough();
  const { after: _cursor, ...query } = input;
  void writeSearchExport(db, { role, actor }, { format, records: unmaskedSearchRecords(db, query, role), query }, out).then(
    () => out.end(),
    (e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))),
  );
  return out;
}

/** The search's records, not yet masked (for writeSearchExport, which masks): confidential ones still kept out of text hits. */
async function* unmaskedSearchRecords(db: DbOrTx, input: RegisterSearchInput, role: Role, pageSize = 1000): AsyncGenerator<PublicRecord> {
  const filters = searchFilters(input);
  let after: RecordCursor | undefined;
  for (;;) {
    const { rows, next } = await searchRecords(db, { ...filters, textMatchesConfidential: mayViewConfidential(role), after, limit: pageSize });
    for (const { channelName: _channel, ...record } of rows) yield { ...record, searchVector: null };
    if (!next) return;
    after = next;
  }
}

/**
 * A long export as a background job (ADR 036): the search is checked as for the page, stored with what the reader may
 * see, and register__export is enqueued in the same transaction, so there is a job exactly when there is a row.
 */
export async function startSearchExport(
  db: Db,
  reader: { userId: string; role: Role },
  input: RegisterSearchInput,
  format: 'csv' | 'json',
): Promise<RegisterExport> {
  const { after: _cursor, ...query } = input;
  const f = searchFilters(input);
  const search: StoredExportSearch = storedExportSearchSchema.parse({
    filters: Object.fromEntries(
      Object.entries({ ...f, from: f.from?.toISOString(), before: f.before?.toISOString() }).filter(([, v]) => v !== undefined),
    ),
    mayViewConfidential: mayViewConfidential(reader.role),
    query: Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string')),
  });
  return db.transaction(async (tx) => {
    const row = await insertRegisterExport(tx, { requestedBy: reader.userId, format, search });
    await enqueue(tx, 'register__export', { exportId: row.id });
    return row;
  });
}

export interface ExportStatus {
  id: string;
  format: 'csv' | 'json';
  state: RegisterExport['state'];
  rowsWritten: number;
  rowsTotal: number | null;
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  createdAt: Date;
  query: Record<string, string>;
}

/** The reader's own export, or null (someone else's is not found either). */
export async function getSearchExport(db: DbOrTx, id: string, userId: string): Promise<ExportStatus | null> {
  const row = await findOwnRegisterExport(db, id, userId);
  if (!row) return null;
  const stored = storedExportSearchSchema.safeParse(row.search);
  return {
    id: row.id,
    format: row.format,
    state: row.state,
    rowsWritten: row.rowsWritten,
    rowsTotal: row.rowsTotal,
    bytes: row.bytes,
    sha256: row.sha256,
    error: row.error,
    createdAt: row.createdAt,
    query: stored.success ? stored.data.query : {},
  };
}

export type ExportFile =
  | { ok: true; path: string; bytes: number; format: 'csv' | 'json'; fileName: string }
  | { ok: false; reason: 'not_found' | 'not_ready' | 'confidential' };

/**
 * The finished file of the reader's own export. Offered only in state 'done' (set after the whole file was renamed
 * into place) and when its size is what the job wrote; an unmasked file only while the reader may still see
 * confidential records.
 */
export async function searchExportFile(db: DbOrTx, id: string, reader: { userId: string; role: Role }): Promise<ExportFile> {
  const row = await findOwnRegisterExport(db, id, reader.userId);
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.state !== 'done' || row.bytes === null) return { ok: false, reason: 'not_ready' };
  const stored = storedExportSearchSchema.safeParse(row.search);
  if (!stored.success || (stored.data.mayViewConfidential && !mayViewConfidential(reader.role))) return { ok: false, reason: 'confidential' };
  const file = path.join(registerExportDir(), exportFileName(row.id, row.format));
  const size = await stat(file).then((s) => s.size, () => null);
  if (size !== row.bytes) return { ok: false, reason: 'not_found' };
  return { ok: true, path: file, bytes: row.bytes, format: row.format, fileName: `diarium-${toCityLocalInput(row.createdAt).slice(0, 10)}-${row.id.slice(0, 8)}.${row.format}` };
}
