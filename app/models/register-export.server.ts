/**
 * Register exports the web UI calls (issue 9, ADR 021): the records-request bundle for one post and the CSV/JSON of a
 * search result, masked for the reader's role. Routes stream the result into the response; every export is audited.
 */
import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { PublicRecord, Role } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { maskRecord, mayViewConfidential, type ReleasedRecord } from '../../db/register/mask';
import { NoRecordsError, writeCsv, writeJson, writePostBundle } from '../../db/register/export';
import type { Actor } from '../../common/actor';

export interface Reader {
  role: Role;
  actor: Actor;
}

/** The post id is the only input; anything but a UUID is refused before the database sees it. */
export const recordsRequestSchema = z.object({ postId: z.string().uuid() });

/** No such post, or nothing registered about it: the route answers 404. */
export class RecordsRequestNotFoundError extends Error {}

export const recordsRequestFileName = (postId: string) => `utlamnande-post-${postId}.zip`;

/**
 * Writes the records-request bundle for a post to `out` (a zip). Masked unless the reader may see confidential
 * records AND asks for them unmasked (a registrar preparing a secrecy review): what is handed out is masked by default.
 */
export async function writeRecordsRequest(
  db: Db,
  reader: Reader,
  input: { postId: string; unmasked?: boolean },
  out: Writable,
): Promise<{ records: number; files: number; masked: boolean }> {
  const parsed = recordsRequestSchema.safeParse({ postId: input.postId });
  if (!parsed.success) throw new RecordsRequestNotFoundError('not a post id');
  const postId = parsed.data.postId.toLowerCase();
  const unmasked = input.unmasked === true && mayViewConfidential(reader.role);
  let result;
  try {
    result = await writePostBundle(db, postId, out, { mayViewConfidential: unmasked });
  } catch (e) {
    if (e instanceof NoRecordsError) throw new RecordsRequestNotFoundError(e.message);
    throw e;
  }
  await recordAudit(db, {
    actorUserId: reader.actor.userId,
    actorLabel: reader.actor.label,
    action: 'register.export.bundle',
    objectType: 'post',
    objectId: postId,
    details: { records: result.records, files: result.files, masked: !unmasked },
  });
  return { records: result.records, files: result.files, masked: !unmasked };
}

export const searchExportFormats = ['csv', 'json'] as const;
export type SearchExportFormat = (typeof searchExportFormats)[number];

export const exportContentTypes: Record<SearchExportFormat | 'zip', string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  zip: 'application/zip',
};

async function* masked(records: AsyncIterable<PublicRecord> | Iterable<PublicRecord>, role: Role): AsyncGenerator<ReleasedRecord> {
  const allowed = mayViewConfidential(role);
  for await (const r of records) yield maskRecord(r, { mayViewConfidential: allowed });
}

/** A search result (as the search use-case yields it) as CSV or JSON, masked for the reader's role, and audited. */
export async function writeSearchExport(
  db: Db,
  reader: Reader,
  input: { format: SearchExportFormat; records: AsyncIterable<PublicRecord> | Iterable<PublicRecord>; query?: Record<string, unknown> },
  out: Writable,
): Promise<{ records: number }> {
  const rows = masked(input.records, reader.role);
  const records = input.format === 'csv' ? await writeCsv(rows, out) : await writeJson(rows, out);
  await recordAudit(db, {
    actorUserId: reader.actor.userId,
    actorLabel: reader.actor.label,
    action: 'register.export.search',
    objectType: 'register',
    objectId: null,
    details: { format: input.format, records, query: input.query ?? {} },
  });
  return { records };
}
