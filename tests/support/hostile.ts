/**
 * Hostile input for the property-based bad-input suite (issue 14): the values, file names and ids a careless or
 * malicious client sends, as fast-check arbitraries, and the field names of every form taken from its zod schema.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';

/** Values chosen to break parsers: NUL bytes, impossible or out-of-range dates, odd Unicode, injection, numbers. */
export const hostileConstants = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(40),
  '\uFEFFtext',
  '\u202Eevil',
  '\uD800',
  'e\u0301',
  '\r\n\r\n',
  '2026-02-30',
  '2026-02-30T10:00',
  '2026-13-01T00:00',
  '2026-03-29T02:30',
  '2026-10-25T02:30',
  '1899-12-31T23:59',
  '2101-01-01T00:00',
  '25:61',
  '0000-00-00T00:00',
  '2026-W54',
  '2026-W00',
  '9999-W99',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '../../../etc/passwd',
  'CON',
  'a/b\\c.png',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '%00',
  '%',
  '-1',
  'NaN',
  '1e309',
  '99999999999999999999999',
  'true',
  'x'.repeat(5_000),
  'å'.repeat(30_000),
] as const;

export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...hostileConstants) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.integer().map(String) },
  {
    weight: 1,
    arbitrary: fc
      .record({ y: fc.integer({ min: -1, max: 10_000 }), m: fc.integer({ min: 0, max: 14 }), d: fc.integer({ min: 0, max: 32 }), h: fc.integer({ min: 0, max: 25 }), mi: fc.integer({ min: 0, max: 61 }) })
      .map(({ y, m, d, h, mi }) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`),
  },
);

/** Path segments standing where an id belongs. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.constantFrom('not-a-uuid', '1', '%00', '%C3%28', '..', 'ä', 'x'.repeat(300), '00000000-0000-0000-0000-00000000000g', '{}'),
);

/** File names a browser may send in a multipart form. */
export const hostileFileName: fc.Arbitrary<string> = fc.constantFrom(
  'bild.png',
  '../../etc/passwd',
  'a\u0000b.jpg',
  'ä ö å.jpg',
  '.htaccess',
  'x'.repeat(400) + '.png',
  'con.mp4',
  'a\r\nContent-Type: text/html.png',
  '',
  '—.gif',
);

interface ZodLike {
  _zod?: { def: Record<string, unknown> };
}

/** Every field name a zod form schema knows, with the literal or enum values it accepts (intents, roles, …). */
function collect(schema: unknown, into: Map<string, Set<string>>, depth = 0): void {
  const def = (schema as ZodLike)?._zod?.def;
  if (!def || depth > 12) return;
  const inner = ['innerType', 'in', 'out', 'schema', 'element'];
  for (const key of inner) if (def[key]) collect(def[key], into, depth + 1);
  if (Array.isArray(def.options)) for (const o of def.options) collect(o, into, depth + 1);
  if (def.type === 'object' && def.shape && typeof def.shape === 'object') {
    for (const [name, field] of Object.entries(def.shape as Record<string, unknown>)) {
      const values = into.get(name) ?? new Set<string>();
      into.set(name, values);
      for (const v of literalValues(field)) values.add(v);
      collect(field, into, depth + 1);
    }
  }
}

function literalValues(schema: unknown, depth = 0): string[] {
  const def = (schema as ZodLike)?._zod?.def;
  if (!def || depth > 6) return [];
  if (def.type === 'literal' && Array.isArray(def.values)) return def.values.map(String);
  if (def.type === 'enum' && def.entries && typeof def.entries === 'object') return Object.values(def.entries as Record<string, unknown>).map(String);
  for (const key of ['innerType', 'in']) if (def[key]) return literalValues(def[key], depth + 1);
  return [];
}

/** The field names (and the values their enums and literals accept) of every schema in app/forms. */
export async function formFields(root: string): Promise<Map<string, string[]>> {
  const dir = path.join(root, 'app', 'forms');
  const into = new Map<string, Set<string>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const mod = (await import(path.join(dir, file))) as Record<string, unknown>;
    for (const value of Object.values(mod)) collect(value, into);
  }
  return new Map([...into].map(([k, v]) => [k, [...v]]));
}

/** A stack trace, a source path or an internal error name leaking into a response or a CLI's output. */
export const leakPattern = /\n\s+at [^\n]*:\d+:\d+|\bat async [\w.]+ \(|node:internal|\/app\/[\w./-]+\.tsx?\b|\b(TypeError|ReferenceError|SyntaxError|RangeError|PostgresError):/;
