import type { Writable } from 'node:stream';
import type { ReleasedRecord } from '../mask';
import { cityIso } from './columns';
import { write, type Records } from './stream';

/** A record as JSON: every field, dates in city time with their offset, the content as it is stored (or masked). */
export function recordJson(r: ReleasedRecord): Record<string, unknown> {
  return { ...r, registeredAt: cityIso(r.registeredAt), recordDate: cityIso(r.recordDate) };
}

/**
 * A JSON array of records, one per line, written as they come: valid JSON for a reader that takes the whole file, and
 * no more than one record in memory. Returns the number of records.
 */
export async function writeJson(records: Records<ReleasedRecord>, out: Writable): Promise<number> {
  let n = 0;
  await write(out, '[');
  for await (const r of records) {
    await write(out, `${n === 0 ? '\n' : ',\n'}${JSON.stringify(recordJson(r))}`);
    n++;
  }
  await write(out, n === 0 ? ']\n' : '\n]\n');
  return n;
}
