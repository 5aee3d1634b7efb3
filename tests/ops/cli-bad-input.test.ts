/**
 * The bad-input suite for the CLI (issue 14), property-based: every command named in `utrop`'s usage text, with
 * hostile values for each of its options and arguments (NUL bytes, impossible dates, non-UUID ids, huge values),
 * odd file names and file contents (invalid UTF-8, NUL bytes, empty, a folder, missing), and hostile stdin. Runs the
 * real command in this process (runCli, what bin.js runs) against a seeded database: the exit status is 0, 1 or 2,
 * no output shows a stack trace, and a refused command (status ≠ 0) changes no row in any table.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { seedDemo } from '../../app/demo/seed.server';
import { hostileId, hostileValue, leakPattern } from '../support/hostile';

let t: TestDatabase;
let runCli: (argv: string[]) => Promise<number>;
let commands: { words: string[]; flags: string[]; positional: number }[];
let tables: string[];
let dir: string;
let files: string[];

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
  // The CLI reads its database from the configuration, read once: set before the CLI is loaded, checked after.
  process.env.DATABASE_URL = t.url;
  const cli = await import('../../app/cli/index');
  const { config } = await import('../../common/config.server');
  expect(config().DATABASE_URL).toBe(t.url);
  runCli = cli.runCli;
  // Each usage line names a command (its leading words), its --options and its FILE/ID arguments.
  commands = cli.usage
    .split('\n')
    .filter((line) => /^ {2}[a-z]/.test(line))
    .map((line) => {
      const head = line.trim().split(/ {3,}/)[0] ?? '';
      const tokens = head.split(/\s+/);
      const words: string[] = [];
      for (const tok of tokens) {
        if (!/^[a-z]+$/.test(tok)) break;
        words.push(tok);
      }
      const flags = [...new Set([...head.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!))];
      const positional = tokens.filter((tok) => /^(FILE|ID|MESSAGE_ID)$/.test(tok)).length;
      return { words, flags, positional };
    });
  const rows = await t.owner.sql<{ table_name: string }[]>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
  tables = rows.map((r) => r.table_name);

  dir = mkdtempSync(path.join(os.tmpdir(), 'utrop-cli-bad-'));
  const write = (name: string, data: string | Buffer) => {
    writeFileSync(path.join(dir, name), data);
    return path.join(dir, name);
  };
  mkdirSync(path.join(dir, 'en mapp'));
  files = [
    write('text.txt', 'Vägarbete på Drottninggatan i morgon.'),
    write('ogiltig-utf8.txt', Buffer.from([0xff, 0xfe, 0xc3, 0x28])),
    write('nul.txt', 'a\u0000b'),
    write('tom.txt', ''),
    write('stor.txt', 'å'.repeat(3_000_000)),
    write('bild.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0])),
    write('ä ö\nrad.xml', '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>'),
    write('trasig.xml', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'),
    path.join(dir, 'en mapp'),
    path.join(dir, 'finns-inte.txt'),
    path.join(dir, 'saknad', 'mapp', 'ut.csv'),
    path.join(dir, 'ut-\u0000.csv'),
    path.join(dir, `${'x'.repeat(300)}.json`),
    path.join(dir, 'ut.json'),
  ];
});
afterAll(async () => {
  delete process.env.DATABASE_URL;
  await t?.destroy();
});

async function rowCounts(): Promise<Record<string, number>> {
  const parts = tables.map((name) => `'${name}', (select count(*) from public."${name}")`);
  const [row] = await t.owner.sql.unsafe<{ counts: Record<string, number> }[]>(`select json_build_object(${parts.join(', ')}) as counts`);
  return row!.counts;
}

/** Runs one command line with `stdin`, capturing what it writes. */
async function run(argv: string[], stdin: Buffer): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const realStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  Object.defineProperty(process, 'stdin', { value: Readable.from([stdin]), configurable: true });
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const status = await runCli(argv);
    return { status, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    Object.defineProperty(process, 'stdin', realStdin);
  }
}

const fileFlags = new Set(['text-file', 'media', 'out']);

describe('bad input to every CLI command (property-based)', () => {
  it('finds every command of the usage text', () => {
    const names = commands.map((c) => c.words.join(' '));
    expect(names).toEqual(expect.arrayContaining(['user add', 'user disable', 'migrate', 'check', 'post create', 'register verify', 'register export', 'cap validate', 'handover add', 'screen']));
    expect(commands.find((c) => c.words.join(' ') === 'register export')?.flags).toEqual(expect.arrayContaining(['format', 'out', 'from']));
  });

  it('runs the real commands against the seeded database (the suite below is not testing a stub)', async () => {
    const verify = await run(['register', 'verify', '--json', '--no-anchor'], Buffer.alloc(0));
    expect(verify.err).toBe('');
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true });
  });

  it('exits 0, 1 or 2 with a message, never a stack trace, and a refused command writes nothing', async () => {
    const statuses = new Map<number, number>();
    for (const command of commands) {
      const option = (flag: string) =>
        fc.tuple(
          fc.constant(`--${flag}`),
          fileFlags.has(flag) ? fc.constantFrom(...files) : fc.oneof(hostileValue, hostileId, fc.constantFrom('x,facebook', 'forever', '1,2', 'csv', 'eark', 'bundle')),
        );
      const argv = fc.record({
        options: fc.subarray(command.flags).chain((flags) => fc.tuple(...flags.map(option))),
        positional: fc.array(fc.oneof(fc.constantFrom(...files), hostileId, hostileValue), { minLength: 0, maxLength: Math.max(command.positional, 1) }),
        extra: fc.option(fc.constantFrom('--', '-x', '--help', '--out', '--json=ja'), { nil: undefined }),
        stdin: fc.oneof(
          hostileValue.map((v) => Buffer.from(v, 'utf8')),
          fc.constantFrom(Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(0), Buffer.from('{"text": 1, "__proto__": {"x": 1}}'), Buffer.from('ett-långt-lösenord\n')),
        ),
      });
      await fc.assert(
        fc.asyncProperty(argv, async (input) => {
          const args = [...command.words, ...input.options.flat(), ...input.positional, ...(input.extra ? [input.extra] : [])];
          const before = await rowCounts();
          const { status, out, err } = await run(args, input.stdin);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const label = `utrop ${JSON.stringify(args).slice(0, 400)} → ${status}`;
          expect([0, 1, 2], label).toContain(status);
          expect(err, label).not.toMatch(leakPattern);
          expect(out, label).not.toMatch(leakPattern);
          if (status !== 0) {
            expect(err.trim().length, `${label}: a refusal says why`).toBeGreaterThan(0);
            expect(await rowCounts(), `${label}: rows changed by a refused command`).toEqual(before);
          }
        }),
        { numRuns: 20 },
      );
    }
    // Hostile input is mostly refused, with a usage error (2) or a specific refusal (1).
    expect(statuses.get(1) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(2) ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
