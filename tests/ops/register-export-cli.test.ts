import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, gte, lt, sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { posts, publicRecords } from '../../db/schema';
import { contentHash } from '../../db/register';
import { MASKED } from '../../db/register/mask';
import { badFileName, writeFileAtomically } from '../../app/cli/atomic-file';
import { ArgumentError, parseExportArgs } from '../../app/cli/register-export';

const root = path.resolve(import.meta.dirname, '..', '..');
let t: TestDatabase;
let dir: string;

function utrop(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, env: { ...process.env, DATABASE_URL: t.url } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function append(text: string, registeredAt: Date, extra: Partial<typeof publicRecords.$inferInsert> = {}) {
  const content = { text };
  const [row] = await t.db
    .insert(publicRecords)
    .values({ kind: 'inbound_comment', direction: 'incoming', counterparty: 'Eva E', summary: text, content, contentSha256: contentHash(content), registeredAt, ...extra })
    .returning();
  return row!;
}

/** Files in the folder, temporary ones included: a failed export must leave none. */
const listing = () => readdirSync(dir).sort();

beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'utrop-export-'));
  // Around the month's edges in city time: 23:30 on 31 January is 22:30Z, 00:30 on 1 February is 23:30Z the day before.
  await append('Sent i januari', new Date('2026-01-31T22:30:00Z'));
  await append('Tidigt i februari', new Date('2026-01-31T23:30:00Z'));
  await append('=HYPERLINK("http://x.example") mitt i februari', new Date('2026-02-14T12:00:00Z'));
  await append('Hemlig februari', new Date('2026-02-20T12:00:00Z'), { confidential: true, confidentialityRef: 'OSL 26 kap. 1 §' });
  await append('Sist i februari', new Date('2026-02-28T22:59:00Z'));
  await append('Första mars', new Date('2026-02-28T23:00:00Z'));
});
afterAll(async () => {
  await t.destroy();
});

describe('npx utrop register export', () => {
  it('exports CSV for city-time calendar dates, both ends included', async () => {
    const out = path.join(dir, 'februari.csv');
    const r = await utrop(['register', 'export', '--format', 'csv', '--from', '2026-02-01', '--to', '2026-02-28', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [{ n } = { n: -1 }] = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(publicRecords)
      .where(and(gte(publicRecords.registeredAt, new Date('2026-01-31T23:00:00Z')), lt(publicRecords.registeredAt, new Date('2026-02-28T23:00:00Z'))));
    expect(r.stdout).toContain(`Exported ${n} records (csv)`);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('\uFEFFregistration_number,')).toBe(true);
    expect(text).toContain('Tidigt i februari');
    expect(text).toContain('Sist i februari');
    expect(text).not.toContain('Sent i januari');
    expect(text).not.toContain('Första mars');
    expect(text).toContain(`"'=HYPERLINK(""http://x.example"") mitt i februari"`);
    expect(text).toContain('Hemlig februari');
    expect(listing()).toEqual(['februari.csv']);
  });

  it('exports JSON, masked with --mask', async () => {
    const out = path.join(dir, 'februari-maskad.json');
    const r = await utrop(['register', 'export', '--format', 'json', '--from', '2026-02-01', '--to', '2026-02-28', '--mask', '--out', out]);
    expect(r.status).toBe(0);
    const records = JSON.parse(readFileSync(out, 'utf8')) as { summary: string; masked: boolean; confidentialityRef: string | null }[];
    expect(records.map((x) => x.summary)).toEqual(['Tidigt i februari', '=HYPERLINK("http://x.example") mitt i februari', MASKED, 'Sist i februari']);
    expect(records[2]).toMatchObject({ masked: true, confidentialityRef: 'OSL 26 kap. 1 §' });
    expect(readFileSync(out, 'utf8')).not.toContain('Hemlig');
  });

  it('writes an archival package and a post bundle as zip files', async () => {
    const [post] = await t.db.insert(posts).values({ text: 'Inlägg', scheduledAt: new Date() }).returning();
    await append('Kommentar på inlägget', new Date('2026-02-10T12:00:00Z'), { postId: post!.id });
    const eark = path.join(dir, 'arkiv.zip');
    const bundle = path.join(dir, 'utlamnande.zip');
    const missing = path.join(dir, 'saknas.zip');
    const [a, b, c] = await Promise.all([
      utrop(['register', 'export', '--format', 'eark', '--from', '2026-02-01', '--to', '2026-02-28', '--out', eark]),
      utrop(['register', 'export', '--format', 'bundle', '--post', post!.id, '--out', bundle]),
      utrop(['register', 'export', '--format', 'bundle', '--post', '00000000-0000-4000-8000-000000000000', '--out', missing]),
    ]);
    expect([a.stderr, a.status]).toEqual(['', 0]);
    expect(a.stdout).toContain('Exported 5 records (eark)');
    expect(readFileSync(eark).subarray(0, 2).toString()).toBe('PK');
    expect([b.stderr, b.status]).toEqual(['', 0]);
    expect(b.stdout).toContain('Exported 1 records (bundle)');
    expect(c.status).toBe(1);
    expect(c.stderr).toBe('utrop register export: no records for post 00000000-0000-4000-8000-000000000000\n');
    expect(existsSync(missing)).toBe(false);
    expect(listing().filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('refuses an impossible date in one line with exit 2, writing nothing', async () => {
    const out = path.join(dir, 'refused.csv');
    const r = await utrop(['register', 'export', '--format', 'csv', '--from', '2026-02-30', '--to', '2026-03-01', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('utrop register export: --from: no such date: 2026-02-30\n');
    expect(existsSync(out)).toBe(false);
  });

  // The same checks in-process: a spawned CLI costs seconds each on a shared machine.
  it.each([
    [['--format', 'csv', '--from', '2026-13-01'], /no such date/],
    [['--format', 'csv', '--from', '2026-02-29'], /no such date: 2026-02-29/],
    [['--format', 'csv', '--from', '26-02-01'], /not a date/],
    [['--format', 'csv', '--from', '1900-01-01'], /year must be between/],
    [['--format', 'csv', '--from', '2026-03-01', '--to', '2026-02-01'], /--from 2026-03-01 is after --to 2026-02-01/],
    [['--format', 'xml'], /--format must be one of csv, json, eark, bundle/],
    [['--format', 'csv', '--frm', '2026-01-01'], /Unknown option '--frm'/],
    [['--format', 'csv', 'stray'], /positional/],
    [['--format', 'csv', '--from', '9'.repeat(100_000)], /not a date/],
    [['--format', 'csv', '--from', '2026-02-01\u0000'], /not a date/],
    [['--format', 'csv', '--from', '２０２６-０２-０１'], /not a date/],
    [['--format', 'bundle', '--post', 'not-a-uuid'], /needs --post with the post’s id/],
    [['--format', 'bundle', '--post', "1' or '1'='1"], /needs --post/],
    [['--format', 'bundle', '--post', '00000000-0000-4000-8000-000000000000', '--from', '2026-01-01'], /takes no --from/],
    [['--format', 'csv', '--post', '00000000-0000-4000-8000-000000000000'], /--post goes with --format bundle/],
    [['--format', 'csv', '--out', ''], /the output file name is empty/],
    [['--format', 'csv', '--out', 'a\nb.csv'], /control characters/],
    [['--format', 'csv', '--out', 'a\u0000b.csv'], /control characters/],
    [['--format', 'csv', '--out', 'rapport\u001b[31m.csv'], /control characters/],
    [['--format', 'csv', '--out', 'some/folder/'], /names a folder/],
    [['--format', 'csv', '--out', '..'], /names a folder/],
    [['--format', 'csv', '--out', 'x'.repeat(300) + '.csv'], /too long/],
    [['--format', 'csv', '--out', 'tr\uFFFDsig.csv'], /not valid UTF-8/],
  ])('refuses %j with one short line', (args, message) => {
    const withOut = args.includes('--out') ? args : [...args, '--out', path.join(dir, 'refused.csv')];
    let error: unknown;
    try {
      parseExportArgs(withOut);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArgumentError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect(text.length).toBeLessThan(300);
  });

  it('needs --out', () => {
    expect(() => parseExportArgs(['--format', 'csv'])).toThrow(/--out FILE is required/);
  });

  it('reads good arguments: city dates to instants, the post id lower-cased', () => {
    expect(parseExportArgs(['--format', 'csv', '--from', '2026-03-29', '--to', '2026-03-29', '--out', 'a.csv'])).toMatchObject({
      range: { from: new Date('2026-03-28T23:00:00Z'), before: new Date('2026-03-29T22:00:00Z') },
    });
    expect(parseExportArgs(['--format', 'bundle', '--post', 'ABCDEF00-0000-4000-8000-000000000000', '--out', 'b.zip']).postId).toBe('abcdef00-0000-4000-8000-000000000000');
  });

  it('refuses a missing folder and an existing file with exit 1, leaving the existing file alone', async () => {
    const before = listing();
    const missing = await utrop(['register', 'export', '--format', 'csv', '--out', path.join(dir, 'finns-inte', 'x.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^utrop register export: the folder does not exist: .*finns-inte\n$/);
    const existing = path.join(dir, 'finns.csv');
    writeFileSync(existing, 'behåll mig');
    const clash = await utrop(['register', 'export', '--format', 'json', '--out', existing]);
    expect(clash.status).toBe(1);
    expect(clash.stderr).toMatch(/the file already exists/);
    expect(readFileSync(existing, 'utf8')).toBe('behåll mig');
    expect(listing()).toEqual([...before, 'finns.csv'].sort());
  });

  it('accepts an ordinary Swedish file name', () => {
    expect(badFileName('ok-namn_2026 åäö.csv')).toBeNull();
  });

  it('leaves no partial file behind when writing fails halfway', async () => {
    const target = path.join(dir, 'halvfärdig.csv');
    await expect(
      writeFileAtomically(target, async (out) => {
        out.write('registration_number\r\nSOC 2026/000001\r\n');
        throw new Error('the database went away');
      }),
    ).rejects.toThrow('the database went away');
    expect(existsSync(target)).toBe(false);
    expect(listing().filter((f) => f.includes('halvfärdig'))).toEqual([]);
  });
});
