/**
 * The bad-input suite for forms (issue 14), property-based: fast-check sends hostile values in the fields every
 * zod form schema in app/forms knows, to every route of the build that has an action, urlencoded, multipart (with
 * odd file names) and as invalid UTF-8, with hostile ids in the path. Whatever it sends: never a 5xx, never a stack
 * trace in the answer, and a refused request (4xx) changes no row in any table. Every loader (pages, downloads,
 * the CAP export) gets hostile query strings and ids the same way. tests/web/hostile-input.test.ts
 * holds the hand-picked cases with their exact messages.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HttpSession, signedIn, startTestApp, type TestApp } from '../support/app';
import { loadBuild } from '../../app/server/web';
import { formFields, hostileFileName, hostileId, hostileValue, leakPattern } from '../support/hostile';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Tables a refused request may still write: failed logins are counted, so guessing is throttled (ADR 009). */
const writtenOnRefusal: Record<string, string[]> = { login: ['login_attempts'] };
/** Routes that end or need a session of their own: posted to signed out (the guard suite covers them signed in). */
const signedOutRoutes = new Set(['login', 'logout', 'sprak', 'overlamning.inbjudan.$token']);

let app: TestApp;
let admin: HttpSession;
let anonymous: HttpSession;
let fields: Map<string, string[]>;
/** Route file → its path pattern, for every route that has an action, and for every route with a loader. */
let actionRoutes: [string, string][];
let loaderRoutes: [string, string][];
let tables: string[];

async function rowCounts(): Promise<Record<string, number>> {
  const sql = app.db.owner.sql;
  const parts = tables.map((t) => `'${t}', (select count(*) from public."${t}")`);
  const [row] = await sql.unsafe<{ counts: Record<string, number> }[]>(`select json_build_object(${parts.join(', ')}) as counts`);
  return row!.counts;
}

beforeAll(async () => {
  app = await startTestApp();
  admin = await signedIn(app, 'admin');
  anonymous = new HttpSession(app.url);
  fields = await formFields(root);
  const build = await loadBuild(root);
  const fullPath = (id: string): string => {
    const r = build.routes[id];
    if (!r) return '';
    return [r.parentId ? fullPath(r.parentId) : '', r.path ?? ''].filter(Boolean).join('/');
  };
  actionRoutes = Object.values(build.routes)
    .filter((r) => r.id.startsWith('routes/') && typeof r.module.action === 'function')
    .map((r) => [r.id.slice('routes/'.length), `/${fullPath(r.id)}`]);
  loaderRoutes = Object.values(build.routes)
    .filter((r) => r.id.startsWith('routes/') && typeof r.module.loader === 'function')
    .map((r) => [r.id.slice('routes/'.length), `/${fullPath(r.id)}`]);
  const rows = await app.db.owner.sql<{ table_name: string }[]>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
  tables = rows.map((r) => r.table_name);
});
afterAll(async () => {
  await app?.close();
});

const form = () =>
  fc.record({
    intent: fc.option(fc.constantFrom(...(fields.get('intent') ?? ['x'])), { nil: undefined }),
    entries: fc.array(
      fc.tuple(
        fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...fields.keys()) }, { weight: 1, arbitrary: hostileValue }),
        fc.oneof({ weight: 3, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constantFrom(...[...fields.values()].flat(), 'x') }),
      ),
      { maxLength: 12 },
    ),
    encoding: fc.constantFrom('urlencoded', 'multipart', 'invalid-utf8'),
    fileName: hostileFileName,
    id: hostileId,
    id2: hostileId,
  });

/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on a lone surrogate). */
const percent = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

type Input = ReturnType<typeof form> extends fc.Arbitrary<infer T> ? T : never;

async function send(s: HttpSession, url: string, input: Input): Promise<Response> {
  const entries: [string, string][] = [...(input.intent ? [['intent', input.intent] as [string, string]] : []), ...input.entries];
  if (input.encoding === 'urlencoded') {
    const body = new URLSearchParams();
    for (const [k, v] of entries) body.append(k, v);
    body.set('csrf', await s.csrf());
    return s.postRaw(url, body.toString(), 'application/x-www-form-urlencoded');
  }
  if (input.encoding === 'multipart') {
    const fd = new FormData();
    for (const [k, v] of entries) fd.append(k, v);
    fd.append('media', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])], { type: 'image/png' }), input.fileName);
    return s.postMultipart(url, fd);
  }
  // Bytes that are not UTF-8 in every field, a charset that lies, and the CSRF token so the body itself is read.
  const raw = [`csrf=${encodeURIComponent(await s.csrf())}`, ...entries.map(([k]) => `${percent(k)}=%C3%28%FF%FE`)].join('&');
  return s.postRaw(url, raw, 'application/x-www-form-urlencoded; charset=iso-8859-1');
}

function concrete(pattern: string, id: string, id2: string): string {
  let n = 0;
  return pattern.replace(/:[A-Za-z]+/g, () => encodeURIComponent((n++ === 0 ? id : id2)).replace(/%25/g, '%'));
}

describe('bad input to every form action (property-based)', () => {
  it('finds the action routes of the build and the fields of the form schemas', () => {
    expect(actionRoutes.length).toBeGreaterThan(10);
    expect(fields.size).toBeGreaterThan(20);
    expect(fields.get('intent')?.length).toBeGreaterThan(5);
  });

  it('never answers 5xx or shows a stack trace, and a refused request writes nothing', async () => {
    let previous = '';
    for (const [file, pattern] of actionRoutes) {
      const s = signedOutRoutes.has(file) ? anonymous : admin;
      await fc.assert(
        fc.asyncProperty(form(), async (input) => {
          const url = concrete(pattern, input.id, input.id2);
          const before = await rowCounts();
          let res: Response;
          try {
            res = await send(s, url, input);
          } catch (e) {
            throw new Error(`${file}: POST ${url} failed after ${previous}: ${String(e)}`, { cause: e });
          }
          previous = `${res.status} ${res.headers.get('connection')}`;
          const body = await res.text();
          const label = `${file}: POST ${url} → ${res.status}`;
          expect(res.status, label).toBeLessThan(500);
          expect(body, label).not.toMatch(leakPattern);
          if (res.status >= 400) {
            const after = await rowCounts();
            for (const t of writtenOnRefusal[file] ?? []) {
              delete after[t];
              delete before[t];
            }
            expect(after, `${label}: rows changed by a refused request`).toEqual(before);
          }
        }),
        { numRuns: 20 },
      );
      // The admin's session survived every hostile post (nothing logged it out or broke it).
      if (s === admin) expect((await admin.get('/admin')).status, file).toBe(200);
    }
  }, 600_000);

  it('answers hostile query strings on every page and download (GET) with a 4xx or the page, never a 5xx or a stack trace', async () => {
    const query = fc.array(
      fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fields.keys()) }, { weight: 1, arbitrary: hostileValue }), hostileValue),
      { maxLength: 8 },
    );
    for (const [file, pattern] of loaderRoutes) {
      await fc.assert(
        fc.asyncProperty(query, hostileId, hostileId, fc.boolean(), async (entries, id, id2, rawBytes) => {
          // Either a proper encoding of the values, or bytes that are not UTF-8 at all.
          const qs = entries.map(([k, v]) => `${percent(k)}=${rawBytes ? '%FF%C3%28' : percent(v)}`).join('&');
          const url = `${concrete(pattern, id, id2)}?${qs}`;
          const res = await admin.get(url);
          const body = await res.text();
          const label = `${file}: GET ${url.slice(0, 300)} → ${res.status}`;
          expect(res.status, label).toBeLessThan(500);
          expect(body, label).not.toMatch(leakPattern);
        }),
        { numRuns: 10 },
      );
    }
    expect((await admin.get('/admin')).status).toBe(200);
  }, 600_000);
});
