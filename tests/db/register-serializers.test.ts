import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { publicRecords } from '../../db/schema';
import { contentHash } from '../../db/register';
import { MASKED, maskRecord, maskRecordFor, mayViewConfidential } from '../../db/register/mask';
import { csvField, exportColumns, UTF8_BOM, writeCsv, writeJson } from '../../db/register/export';

let t: TestDatabase;

async function append(text: string, extra: Partial<typeof publicRecords.$inferInsert> = {}) {
  const content = { text };
  const [row] = await t.db
    .insert(publicRecords)
    .values({ kind: 'inbound_comment', direction: 'incoming', counterparty: 'Anna Andersson', summary: 'Kommentar om badplatsen', content, contentSha256: contentHash(content), ...extra })
    .returning();
  return row!;
}

async function collect(fn: (out: PassThrough) => Promise<number>): Promise<{ text: string; bytes: Buffer; n: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const n = await fn(out);
  out.end();
  const bytes = Buffer.concat(chunks);
  return { text: bytes.toString('utf8'), bytes, n };
}

/** A strict RFC 4180 reader for the assertions: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else while (i < text.length && text[i] !== ',' && text[i] !== '\r') cell += text[i++];
    row.push(cell);
    if (text[i] === ',') i++;
    else if (text[i] === '\r' && text[i + 1] === '\n') {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`bad CSV at ${i}: ${JSON.stringify(text.slice(i, i + 10))}`);
  }
  return rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

describe('masking', () => {
  it('withholds sender, description, content and address of a confidential record and keeps the legal reference', async () => {
    const r = await append('Mitt personnummer är 19121212-1212', { confidential: true, confidentialityRef: 'OSL 26 kap. 1 §', permalink: 'https://x.example/1', externalId: '1' });
    const masked = maskRecord(r, { mayViewConfidential: false });
    expect(masked).toMatchObject({ masked: true, counterparty: MASKED, summary: MASKED, permalink: null, externalId: null, confidentialityRef: 'OSL 26 kap. 1 §' });
    expect(JSON.stringify(masked)).not.toContain('19121212');
    expect(masked.registrationNumber).toBe(r.registrationNumber);
    expect(masked.recordSha256).toBe(r.recordSha256);
    expect(masked).not.toHaveProperty('searchVector');
    expect(maskRecordFor(r, 'registrar')).toMatchObject({ masked: false, counterparty: 'Anna Andersson', content: r.content });
    expect(maskRecordFor(r, 'communications').masked).toBe(true);
    expect(['admin', 'registrar', 'communications', 'contact_centre'].map((x) => mayViewConfidential(x as 'admin'))).toEqual([true, true, false, false]);
  });

  it('leaves a record that is not confidential as it is, whoever reads', async () => {
    const r = await append('Vad fin badplatsen är');
    expect(maskRecordFor(r, 'staff_host')).toMatchObject({ masked: false, counterparty: 'Anna Andersson', summary: 'Kommentar om badplatsen', content: { text: 'Vad fin badplatsen är' } });
  });
});

describe('CSV', () => {
  it('writes RFC 4180 with a header and a BOM, quoting what must be quoted, formulas neutralised', async () => {
    const hostile = [
      '=HYPERLINK("http://evil.example","klicka")',
      '+46 70 123',
      '-1+1',
      '@SUM(A1)',
      '\tTAB',
      'Rad ett\r\nrad två, med "citat"',
      'Åäö 🌊 – ',
    ];
    const rows = await Promise.all(hostile.map((text, i) => append(text, { counterparty: i === 0 ? '=cmd|/c calc' : 'Bo', summary: text })));
    const { text, bytes, n } = await collect((out) => writeCsv(rows.map((r) => maskRecord(r, { mayViewConfidential: true })), out));
    expect(n).toBe(hostile.length);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    const parsed = parseCsv(text.slice(1));
    expect(parsed[0]).toEqual(exportColumns.map((c) => c.name));
    expect(parsed).toHaveLength(hostile.length + 1);
    const col = (name: string) => exportColumns.findIndex((c) => c.name === name);
    const texts = parsed.slice(1).map((r) => r[col('text')]);
    expect(texts).toEqual([
      `'=HYPERLINK("http://evil.example","klicka")`,
      `'+46 70 123`,
      `'-1+1`,
      `'@SUM(A1)`,
      `'\tTAB`,
      'Rad ett\r\nrad två, med "citat"',
      'Åäö 🌊 – ',
    ]);
    expect(parsed[1]![col('counterparty')]).toBe(`'=cmd|/c calc`);
    expect(parsed[1]![col('registration_number')]).toBe(rows[0]!.registrationNumber);
    expect(parsed[1]![col('registered_at')]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/);
    expect(parsed.every((r) => r.length === exportColumns.length)).toBe(true);
  });

  it('quotes fields per RFC 4180', () => {
    expect([csvField('a,b'), csvField('say "hi"'), csvField(null), csvField(12), csvField(false), csvField('line\nbreak')]).toEqual([
      '"a,b"',
      '"say ""hi"""',
      '',
      '12',
      'false',
      '"line\nbreak"',
    ]);
  });

  it('writes only the header for no records, and reads from an async iterable', async () => {
    async function* none() {}
    const { text, n } = await collect((out) => writeCsv(none(), out));
    expect(n).toBe(0);
    expect(parseCsv(text.slice(1))).toEqual([exportColumns.map((c) => c.name)]);
  });
});

describe('JSON', () => {
  it('writes a valid JSON array of masked records from an async iterable', async () => {
    const a = await append('Öppen kommentar');
    const b = await append('Hemlig uppgift om en elev', { confidential: true, confidentialityRef: 'OSL 23 kap. 2 §' });
    async function* gen() {
      for (const r of [a, b]) yield maskRecordFor(r, 'communications');
    }
    const { text, n } = await collect((out) => writeJson(gen(), out));
    expect(n).toBe(2);
    const parsed = JSON.parse(text) as Record<string, unknown>[];
    expect(parsed.map((r) => [r.registrationNumber, r.masked, r.counterparty])).toEqual([
      [a.registrationNumber, false, 'Anna Andersson'],
      [b.registrationNumber, true, MASKED],
    ]);
    expect(text).not.toContain('elev');
    expect(parsed[1]).toMatchObject({ confidentialityRef: 'OSL 23 kap. 2 §', recordSha256: b.recordSha256 });
    expect(JSON.parse((await collect((out) => writeJson([], out))).text)).toEqual([]);
  });
});
