import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { publicRecords } from '../../db/schema';
import { contentHash, verifyRegister } from '../../db/register';
import { parseDestroyArgs, parseRetentionArgs, RetentionArgumentError } from '../../app/cli/register-retention';

const root = path.resolve(import.meta.dirname, '..', '..');
let t: TestDatabase;

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

async function append(text: string, extra: Partial<typeof publicRecords.$inferInsert> = {}) {
  const content = { text };
  const [row] = await t.db
    .insert(publicRecords)
    .values({ kind: 'inbound_comment', direction: 'incoming', counterparty: 'Eva E', summary: text, content, contentSha256: contentHash(content), recordDate: new Date('2019-05-01T10:00:00Z'), ...extra })
    .returning();
  return row!;
}

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

describe('npx utrop register retention / destroy', () => {
  it('sets a class, then destroys under a registered decision; a refused decision registers nothing', async () => {
    const comment = await append('Gammal fråga om parkering');
    const post = await append('Gammalt inlägg', { kind: 'outgoing_post', direction: 'outgoing' });
    const set = await utrop(['register', 'retention', '--kind', 'inbound_comment', '--years', '2', '--basis', 'DHP 4.2']);
    expect([set.stderr, set.status]).toEqual(['', 0]);
    expect(set.stdout).toBe('Retention of inbound_comment: 2 years (DHP 4.2).\n');
    const before = (await verifyRegister(t.db)).records;
    const [ok, refused] = await Promise.all([
      utrop(['register', 'destroy', '--records', String(comment.id), '--basis', 'DHP 4.2', '--decided-by', 'Stadsarkivet']),
      utrop(['register', 'destroy', '--records', String(post.id), '--basis', 'DHP 1.1', '--decided-by', 'Stadsarkivet']),
    ]);
    expect([ok.stderr, ok.status]).toEqual(['', 0]);
    expect(ok.stdout).toMatch(/^Decision SOC \d{4}\/\d{6}: 1 records destroyed\.\n$/);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^utrop register destroy: refused \(kept_forever\): .*nothing was registered or destroyed\n$/);
    const result = await verifyRegister(t.db);
    expect(result).toMatchObject({ ok: true, records: before + 1 });
    expect(result.destroyed.map((d) => d.id)).toEqual([comment.id]);
    const [stillThere] = await t.db.select().from(publicRecords).where(eq(publicRecords.id, post.id));
    expect(stillThere?.content).toEqual({ text: 'Gammalt inlägg' });
  });

  it.each([
    [['--kind', 'tweet', '--years', '2', '--basis', 'x'], /--kind must be one of/],
    [['--kind', 'register_note', '--years', '2', '--basis', 'x'], /belong to the register itself/],
    [['--kind', 'inbound_comment', '--years', '-1', '--basis', 'x'], /Option '--years' argument is ambiguous/],
    [['--kind', 'inbound_comment', '--years=-1', '--basis', 'x'], /--years must be/],
    [['--kind', 'inbound_comment', '--years', '1e3', '--basis', 'x'], /--years must be/],
    [['--kind', 'inbound_comment', '--years', '99999', '--basis', 'x'], /--years must be/],
    [['--kind', 'inbound_comment', '--years', '2'], /--basis is required/],
    [['--kind', 'inbound_comment', '--years', '2', '--basis', 'a\u0000b'], /control characters/],
    [['--kind', 'inbound_comment', '--years', '2', '--basis', 'x'.repeat(100_000)], /longer than 500/],
    [['--kind', 'inbound_comment', '--years', '2', '--basis', 'x', '--force'], /Unknown option '--force'/],
  ])('retention refuses %j', (args, message) => {
    expect(() => parseRetentionArgs(args)).toThrow(RetentionArgumentError);
    expect(() => parseRetentionArgs(args)).toThrow(message);
  });

  it.each([
    [['--records', '', '--basis', 'x', '--decided-by', 'y'], /--records must be/],
    [['--records', '1,abc', '--basis', 'x', '--decided-by', 'y'], /--records must be/],
    [['--records', '0', '--basis', 'x', '--decided-by', 'y'], /--records must be/],
    [['--records', '1;drop table public_records', '--basis', 'x', '--decided-by', 'y'], /--records must be/],
    [['--records', '9'.repeat(40), '--basis', 'x', '--decided-by', 'y'], /--records must be/],
    [['--records', '1', '--basis', 'x'], /--decided-by is required/],
    [['--records', '1', '--basis', '   ', '--decided-by', 'y'], /--basis is required/],
  ])('destroy refuses %j', (args, message) => {
    expect(() => parseDestroyArgs(args)).toThrow(message);
  });

  it('reads good arguments', () => {
    expect(parseRetentionArgs(['--kind', 'inbound_comment', '--years', 'forever', '--basis', ' DHP 4.2 '])).toEqual({ kind: 'inbound_comment', keepYears: null, basis: 'DHP 4.2' });
    expect(parseDestroyArgs(['--records', '3, 5,7', '--basis', 'DHP', '--decided-by', 'Arkivet'])).toEqual({ recordIds: [3, 5, 7], basis: 'DHP', decidedBy: 'Arkivet' });
  });
});
