import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { eq, sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { publicRecords, registerDestructions } from '../../db/schema';
import { contentHash, decideDestruction, destroyRecord, DestructionRefusedError, setRetentionClass, verifyRegister, retentionClasses } from '../../db/register';

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

const old = new Date('2020-03-01T10:00:00Z');

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DestructionRefusedError);
  return (e as DestructionRefusedError).reason;
}

beforeAll(async () => {
  t = await createTestDatabase();
  su = postgres(t.superuserUrl, { max: 1, onnotice: () => {} });
  await setRetentionClass(t.db, { kind: 'inbound_comment', keepYears: 2, basis: 'DHP 4.2 Synpunkter i sociala medier', changedBy: 'Registrator' });
});
afterAll(async () => {
  await su.end({ timeout: 5 });
  await t.destroy();
});

describe('retention and destruction (gallring)', () => {
  it('keeps every kind forever unless configured, and registers a change of class', async () => {
    const classes = await retentionClasses(t.db);
    expect(classes.find((c) => c.kind === 'inbound_comment')).toMatchObject({ keepYears: 2, basis: 'DHP 4.2 Synpunkter i sociala medier' });
    expect(classes.filter((c) => c.kind !== 'inbound_comment').every((c) => c.keepYears === null)).toBe(true);
    const [note] = await t.db.select().from(publicRecords).where(eq(publicRecords.summary, 'Gallringsklass ändrad: inbound_comment'));
    expect(note?.kind).toBe('register_note');
  });

  it('destroys content under a registered decision; verify passes and names what was destroyed under which decision', async () => {
    const gone = await append('Ring mig på 070-123 45 67 om snöröjningen', { recordDate: old, summary: 'Synpunkt på vinterväghållning' });
    const kept = await append('Tack för informationen', { recordDate: old });
    const { decision, destroyed } = await decideDestruction(t.db, { recordIds: [gone.id], basis: 'DHP 4.2', decidedBy: 'Stadsarkivet' });
    expect(decision).toMatchObject({ kind: 'destruction_decision', counterparty: 'Stadsarkivet' });
    expect(decision.registrationNumber).toMatch(/^SOC \d{4}\/\d{6}$/);
    expect(destroyed).toEqual([expect.objectContaining({ recordId: gone.id, decisionRecordId: decision.id, contentSha256: gone.contentSha256 })]);

    const [after] = await t.db.select().from(publicRecords).where(eq(publicRecords.id, gone.id));
    expect(after).toMatchObject({
      content: { destroyed: true, decisionRecordId: decision.id, decisionNumber: decision.registrationNumber },
      contentSha256: gone.contentSha256,
      recordSha256: gone.recordSha256,
      registrationNumber: gone.registrationNumber,
      counterparty: gone.counterparty,
      summary: gone.summary,
    });
    const [{ n } = { n: -1 }] = await t.sql<{ n: number }[]>`select count(*)::int as n from public_records where search_vector @@ to_tsquery('swedish', 'snöröjningen')`;
    expect(n).toBe(0);
    const [keptAfter] = await t.db.select().from(publicRecords).where(eq(publicRecords.id, kept.id));
    expect(keptAfter?.content).toEqual({ text: 'Tack för informationen' });

    const result = await verifyRegister(t.db);
    expect(result.ok).toBe(true);
    expect(result.destroyed).toEqual([
      expect.objectContaining({ id: gone.id, registrationNumber: gone.registrationNumber, decisionRecordId: decision.id, decisionNumber: decision.registrationNumber }),
    ]);
  });

  it('refuses without a valid decision and leaves nothing half-written', async () => {
    const target = await append('En gammal kommentar', { recordDate: old });
    const notDecision = await append('Inte ett beslut');
    expect(await refusal(destroyRecord(t.db, target.id, notDecision.id))).toBe('not_a_decision');
    expect(await refusal(destroyRecord(t.db, target.id, 999_999_999))).toBe('not_a_decision');

    const other = await append('Annan gammal kommentar', { recordDate: old });
    const { decision } = await decideDestruction(t.db, { recordIds: [other.id], basis: 'DHP 4.2', decidedBy: 'Stadsarkivet' });
    expect(await refusal(destroyRecord(t.db, target.id, decision.id))).toBe('not_named');
    expect(await refusal(destroyRecord(t.db, other.id, decision.id))).toBe('already_destroyed');

    const countBefore = (await verifyRegister(t.db)).records;
    const post = await append('Ett publicerat inlägg', { kind: 'outgoing_post', direction: 'outgoing', recordDate: old });
    expect(await refusal(decideDestruction(t.db, { recordIds: [post.id], basis: 'DHP 1.1', decidedBy: 'Stadsarkivet' }))).toBe('kept_forever');
    const recent = await append('Ny kommentar');
    expect(await refusal(decideDestruction(t.db, { recordIds: [recent.id], basis: 'DHP 4.2', decidedBy: 'Stadsarkivet' }))).toBe('retention_not_elapsed');
    expect(await refusal(decideDestruction(t.db, { recordIds: [decision.id], basis: 'DHP 4.2', decidedBy: 'Stadsarkivet' }))).toBe('register_own_record');
    // A refused decision is rolled back with its number: the series stays gap-free.
    const result = await verifyRegister(t.db);
    expect(result).toMatchObject({ ok: true, records: countBefore + 2 });
    const [untouched] = await t.db.select().from(publicRecords).where(eq(publicRecords.id, target.id));
    expect(untouched?.content).toEqual({ text: 'En gammal kommentar' });
  });

  it('still refuses a direct UPDATE, by the application role and by the owner; the app role cannot write destruction rows', async () => {
    const r = await append('Kommentar att skydda', { recordDate: old });
    await expect(t.sql`update public_records set content = '{"destroyed":true}' where id = ${r.id}`).rejects.toThrow(/permission denied for table public_records/);
    await expect(t.sql`insert into register_destructions (record_id, decision_record_id, content_sha256) values (${r.id}, ${r.id}, 'x')`).rejects.toThrow(
      /permission denied for table register_destructions/,
    );
    await expect(
      t.owner.sql.begin(async (tx) => {
        await tx`select set_config('utrop.destroying', ${String(r.id)}, true)`;
        await tx`update public_records set content = '{"destroyed":true}' where id = ${r.id}`;
      }),
    ).rejects.toThrow(/public_records is append-only: UPDATE is not allowed/);
    await expect(t.owner.sql`update register_destructions set content_sha256 = 'x'`).rejects.toThrow(/append-only/);
    await expect(t.owner.sql`delete from register_destructions`).rejects.toThrow(/append-only/);
  });

  it('verify catches a destruction tampered with below the application', async () => {
    const r = await append('Kommentar som gallras', { recordDate: old });
    const { decision } = await decideDestruction(t.db, { recordIds: [r.id], basis: 'DHP 4.2', decidedBy: 'Stadsarkivet' });
    expect((await verifyRegister(t.db)).ok).toBe(true);
    const intact = await append('Orörd kommentar', { recordDate: old });
    await su.begin(async (tx) => {
      await tx.unsafe('alter table register_destructions disable trigger user');
      await tx`insert into register_destructions (record_id, decision_record_id, content_sha256) values (${intact.id}, ${decision.id}, ${intact.contentSha256})`;
      await tx.unsafe('alter table register_destructions enable trigger user');
    });
    expect((await verifyRegister(t.db)).firstBroken).toMatchObject({ problem: 'destruction' });
    await su.begin(async (tx) => {
      await tx.unsafe('alter table register_destructions disable trigger user');
      await tx`delete from register_destructions where record_id = ${intact.id}`;
      await tx.unsafe('alter table register_destructions enable trigger user');
    });
    expect((await verifyRegister(t.db)).ok).toBe(true);
    // Someone "destroys" a record by hand, imitating the marker, without a destruction row.
    await su.begin(async (tx) => {
      await tx.unsafe('alter table public_records disable trigger user');
      await tx`update public_records set content = ${JSON.stringify({ destroyed: true, decisionRecordId: decision.id })}::jsonb where id = ${intact.id}`;
      await tx.unsafe('alter table public_records enable trigger user');
    });
    expect((await verifyRegister(t.db)).firstBroken).toMatchObject({ problem: 'content_hash', id: intact.id });
    await su.begin(async (tx) => {
      await tx.unsafe('alter table public_records disable trigger user');
      await tx`update public_records set content = ${JSON.stringify(intact.content)}::jsonb where id = ${intact.id}`;
      await tx.unsafe('alter table public_records enable trigger user');
    });
    expect((await verifyRegister(t.db)).ok).toBe(true);
  });
});

describe('privileges of the numbering (task: no UPDATE on the chain head or series for the app role)', () => {
  it('refuses the app role UPDATE, INSERT and DELETE on register_chain and register_series while inserts still number', async () => {
    for (const table of ['register_chain', 'register_series']) {
      await expect(t.sql.unsafe(`update ${table} set ${table === 'register_chain' ? 'record_count = record_count' : 'last_seq = last_seq'}`)).rejects.toThrow(
        new RegExp(`permission denied for table ${table}`),
      );
      await expect(t.sql.unsafe(`delete from ${table}`)).rejects.toThrow(new RegExp(`permission denied for table ${table}`));
    }
    await expect(t.sql`insert into register_series (series, year, last_seq) values ('HACK', 2026, 0)`).rejects.toThrow(/permission denied for table register_series/);
    await expect(t.sql`select utrop_register_next('SOC', now(), '{series}')`).rejects.toThrow(/permission denied for table register_series/);
    const a = await append('Numreras fortfarande');
    const b = await append('Och nästa');
    expect(b.seq).toBe(a.seq! + 1);
    expect(b.prevRecordSha256).toBe(a.recordSha256);
    const [head] = await t.sql<{ last_record_id: string }[]>`select last_record_id from register_chain`;
    expect(Number(head?.last_record_id)).toBe(b.id);
    expect((await verifyRegister(t.db)).ok).toBe(true);
    const [{ n } = { n: -1 }] = await t.db.select({ n: sql<number>`count(*)::int` }).from(registerDestructions);
    expect(n).toBeGreaterThan(0);
  });
});
