import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { publicRecords } from '../../db/schema';
import { contentHash, verifyRegister, writeAnchor } from '../../db/register';

let t: TestDatabase;
let su: postgres.Sql;

async function append(text: string, extra: Partial<typeof publicRecords.$inferInsert> = {}) {
  const content = { text };
  const [row] = await t.db
    .insert(publicRecords)
    .values({ kind: 'inbound_comment', direction: 'incoming', counterparty: 'Anna A', summary: text.slice(0, 40), content, contentSha256: contentHash(content), ...extra })
    .returning();
  return row!;
}

/** Tampering as the cluster superuser with the append-only trigger off: what an attacker with full access could do. */
async function tamper(statement: string) {
  await su.begin(async (tx) => {
    await tx.unsafe('alter table public_records disable trigger user');
    await tx.unsafe(statement);
    await tx.unsafe('alter table public_records enable trigger user');
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  su = postgres(t.superuserUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await su.end({ timeout: 5 });
  await t.destroy();
});

describe('the register of public records', () => {
  it('numbers records gap-free per series and year and chains them; 20 concurrent publishers, some rolled back', async () => {
    const base = (await verifyRegister(t.db)).records;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.db
          .transaction(async (tx) => {
            const content = { text: `Kommentar ${i}` };
            await tx.insert(publicRecords).values({ kind: 'inbound_comment', direction: 'incoming', counterparty: `Person ${i}`, summary: `Kommentar ${i}`, content, contentSha256: contentHash(content) });
            if (i % 4 === 0) throw new Error('rolled back on purpose');
          })
          .catch((e: Error) => expect(e.message).toBe('rolled back on purpose')),
      ),
    );
    const rows = await t.db.select().from(publicRecords).orderBy(publicRecords.id);
    expect(rows.length).toBe(base + 15);
    const seqs = rows.filter((r) => r.series === 'SOC').map((r) => r.seq!).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const last = rows[rows.length - 1]!;
    expect(last.registrationNumber).toMatch(/^SOC \d{4}\/\d{6}$/);
    expect(last.registrationNumber).toBe(`SOC ${last.year}/${String(last.seq).padStart(6, '0')}`);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevRecordSha256).toBe(rows[i - 1]!.recordSha256);
    expect(await verifyRegister(t.db)).toMatchObject({ ok: true, records: rows.length });
  });

  it('a verify while records are being registered sees one snapshot: never a false break', async () => {
    // Without one snapshot a record added between reading the records and reading the counters or the head looks
    // like a missing record; the worker registers all the time, so the registrar's verify must not flap.
    const writers = (async () => {
      for (let i = 0; i < 40; i++) await Promise.all([append(`Samtidig ${i}a`), append(`Samtidig ${i}b`)]);
    })();
    const results: Awaited<ReturnType<typeof verifyRegister>>[] = [];
    let done = false;
    void writers.finally(() => (done = true));
    while (!done) results.push(...(await Promise.all([verifyRegister(t.db), verifyRegister(t.db)])));
    await writers;
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok).map((r) => r.firstBroken)).toEqual([]);
    expect((await verifyRegister(t.db)).ok).toBe(true);
  });

  it('the migration registered a note of its own when it numbered the earlier records', async () => {
    const [note] = await t.db.select().from(publicRecords).where(sql`${publicRecords.kind} = 'register_note'`);
    expect(note?.summary).toContain('Registret infört');
    expect(note?.registrationNumber).toMatch(/^SOC /);
  });

  it('refuses UPDATE and DELETE, also from the owner', async () => {
    const r = await append('Hej kommunen');
    await expect(t.db.execute(sql`update public_records set summary = 'x' where id = ${r.id}`)).rejects.toThrow();
    await expect(t.owner.db.execute(sql`update public_records set summary = 'x' where id = ${r.id}`)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
    await expect(t.owner.db.execute(sql`delete from public_records where id = ${r.id}`)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
  });

  describe('catches every change made directly in SQL', () => {
    // Each case starts from a fresh database so one break does not hide the next.
    const cases: [string, (ids: number[]) => string, RegExp][] = [
      ['a changed text', (ids) => `update public_records set content = '{"text":"Ändrad"}' where id = ${ids[1]}`, /content_hash/],
      ['a changed text with its content hash recomputed', (ids) => `update public_records set content = '{"text":"Ändrad"}', content_sha256 = encode(sha256(convert_to('{"text":"Ändrad"}','UTF8')),'hex') where id = ${ids[1]}`, /record_hash/],
      ['a changed sender', (ids) => `update public_records set counterparty = 'Någon annan' where id = ${ids[1]}`, /record_hash/],
      ['a changed confidentiality flag', (ids) => `update public_records set confidential = true where id = ${ids[1]}`, /record_hash/],
      ['a changed hash', (ids) => `update public_records set record_sha256 = repeat('0', 64) where id = ${ids[1]}`, /record_hash/],
      ['a row deleted in the middle', (ids) => `delete from public_records where id = ${ids[1]}`, /chain_link/],
      ['two rows swapped in order', (ids) => `update public_records set id = case id when ${ids[0]} then -1 else id end where id = ${ids[0]}; update public_records set id = ${ids[0]} where id = ${ids[1]}; update public_records set id = ${ids[1]} where id = -1`, /record_hash|chain_link/],
      ['the last rows removed', (ids) => `delete from public_records where id >= ${ids[1]}`, /series_counter|head_mismatch|number_gap/],
    ];
    it.each(cases)('%s', async (_name, statement, problem) => {
      const local = await createTestDatabase();
      const lsu = postgres(local.superuserUrl, { max: 1, onnotice: () => {} });
      try {
        const ids: number[] = [];
        for (const text of ['Första', 'Andra', 'Tredje']) {
          const content = { text };
          const [row] = await local.db.insert(publicRecords).values({ kind: 'outgoing_post', direction: 'outgoing', counterparty: 'Helsingborgs stad på X', summary: text, content, contentSha256: contentHash(content) }).returning();
          ids.push(row!.id);
        }
        expect((await verifyRegister(local.db)).ok).toBe(true);
        await lsu.begin(async (tx) => {
          await tx.unsafe('alter table public_records disable trigger user');
          await tx.unsafe(statement(ids));
          await tx.unsafe('alter table public_records enable trigger user');
        });
        const result = await verifyRegister(local.db);
        expect(result.ok).toBe(false);
        expect(result.firstBroken?.problem).toMatch(problem);
        expect(result.firstBroken?.message.length).toBeGreaterThan(10);
      } finally {
        await lsu.end({ timeout: 5 });
        await local.destroy();
      }
    });

    it('removal from the end is caught by an earlier anchor even when the head and counters are rewritten too', async () => {
      await append('Före ankaret');
      const before = await verifyRegister(t.db);
      expect(before.ok).toBe(true);
      await writeAnchor(t.db, before);
      const last = before.lastRecordId!;
      await tamper(`delete from public_records where id = ${last}`);
      await su.unsafe(`update register_chain set last_record_id = (select max(id) from public_records), last_record_sha256 = (select record_sha256 from public_records order by id desc limit 1), record_count = record_count - 1`);
      await su.unsafe(`update register_series set last_seq = last_seq - 1 where series = 'SOC'`);
      const after = await verifyRegister(t.db);
      expect(after.ok).toBe(false);
      expect(after.firstBroken?.problem).toBe('anchor_missing');
    });
  });
});
