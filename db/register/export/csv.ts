import type { Writable } from 'node:stream';
import type { ReleasedRecord } from '../mask';
import { exportColumns } from './columns';
import { write, type Records } from './stream';

/** Excel reads a CSV file as UTF-8 only when it starts with the byte order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, and tab or carriage return, which some spreadsheets strip
 * before looking) gets a leading apostrophe: a citizen's comment "=HYPERLINK(...)" must stay text (OWASP CSV injection).
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One field per RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const cell = neutraliseFormula(String(value));
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

const CRLF = '\r\n';

/** The header line and one line per record (CRLF, RFC 4180), UTF-8 with a BOM. Streams; returns the number of records. */
export async function writeCsv(records: Records<ReleasedRecord>, out: Writable): Promise<number> {
  await write(out, UTF8_BOM + exportColumns.map((c) => csvField(c.name)).join(',') + CRLF);
  let n = 0;
  for await (const r of records) {
    await write(out, exportColumns.map((c) => csvField(c.value(r))).join(',') + CRLF);
    n++;
  }
  return n;
}
