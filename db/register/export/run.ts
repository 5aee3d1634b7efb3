import type { Writable } from 'node:stream';
import type { DbOrTx } from '../../client';
import { maskRecord, type ReleasedRecord } from '../mask';
import type { PublicRecord } from '../../schema/register';
import { writeCsv } from './csv';
import { writeJson } from './json';
import { recordsInRange, type RecordRange } from './query';
import { writeEarkPackage } from './eark';
import { writePostBundle } from './bundle';

export const exportFormats = ['csv', 'json', 'eark', 'bundle'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** An export that cannot be made as asked (e.g. a post with no records); said in one line. */
export class ExportError extends Error {
  override name = 'ExportError';
}

async function* masked(records: AsyncIterable<PublicRecord>, mask: boolean): AsyncGenerator<ReleasedRecord> {
  for await (const r of records) yield maskRecord(r, { mayViewConfidential: !mask });
}

/** One export, written to a stream (ADR 021). Returns what it wrote. */
export async function exportRegister(
  db: DbOrTx,
  options: { format: ExportFormat; range?: RecordRange; postId?: string; mask?: boolean },
  out: Writable,
): Promise<{ records: number }> {
  const mask = options.mask ?? false;
  switch (options.format) {
    case 'csv':
      return { records: await writeCsv(masked(recordsInRange(db, options.range), mask), out) };
    case 'json':
      return { records: await writeJson(masked(recordsInRange(db, options.range), mask), out) };
    case 'eark':
      return writeEarkPackage(db, { range: options.range, mask }, out);
    case 'bundle':
      if (!options.postId) throw new ExportError('a bundle needs a post id');
      // A bundle is what is handed out: masked unless asked for unmasked explicitly (not from the CLI).
      return writePostBundle(db, options.postId, out);
  }
}
