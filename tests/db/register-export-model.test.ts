import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { auditLog, posts, publicRecords } from '../../db/schema';
import { contentHash } from '../../db/register';
import { RecordsRequestNotFoundError, writeRecordsRequest, writeSearchExport } from '../../app/models/register-export.server';

let t: TestDatabase;
let postId: string;

function sink() {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8'), bytes: () => Buffer.concat(chunks) };
}

beforeAll(async () => {
  t = await createTestDatabase();
  const [post] = await t.db.insert(posts).values({ text: 'Vägarbete på Drottninggatan', scheduledAt: new Date() }).returning();
  postId = post!.id;
  for (const [text, confidential] of [
    ['Vägarbete på Drottninggatan', false],
    ['Jag bor på Drottninggatan 5 och har skyddad identitet', true],
  ] as const) {
    const content = { text };
    await t.db.insert(publicRecords).values({
      kind: confidential ? 'inbound_comment' : 'outgoing_post',
      direction: confidential ? 'incoming' : 'outgoing',
      counterparty: confidential ? 'Karin K' : 'Helsingborgs stad',
      summary: text,
      confidential,
      confidentialityRef: confidential ? 'OSL 21 kap. 3 §' : null,
      postId,
      content,
      contentSha256: contentHash(content),
    });
  }
});
afterAll(async () => {
  await t.destroy();
});

const cli = { userId: null, label: 'test' };

describe('register export use-cases', () => {
  it('writes a masked records-request bundle and audits it; unmasked only for a registrar who asks', async () => {
    const a = sink();
    expect(await writeRecordsRequest(t.db, { role: 'communications', actor: cli }, { postId, unmasked: true }, a.out)).toMatchObject({ records: 2, masked: true });
    expect(a.bytes().subarray(0, 2).toString()).toBe('PK');
    expect(a.bytes().includes(Buffer.from('skyddad identitet'))).toBe(false);
    const b = sink();
    expect(await writeRecordsRequest(t.db, { role: 'registrar', actor: cli }, { postId: postId.toUpperCase(), unmasked: true }, b.out)).toMatchObject({ masked: false });
    const audits = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'register.export.bundle'), eq(auditLog.objectId, postId)));
    expect(audits.map((x) => x.details)).toEqual([
      { records: 2, files: 6, masked: true },
      { records: 2, files: 6, masked: false },
    ]);
  });

  it.each(['not-a-uuid', "'; drop table public_records; --", '00000000-0000-4000-8000-000000000000', 'a'.repeat(10_000), '\u0000'])(
    'answers not-found for the post id %j',
    async (id) => {
      await expect(writeRecordsRequest(t.db, { role: 'registrar', actor: cli }, { postId: id }, sink().out)).rejects.toBeInstanceOf(RecordsRequestNotFoundError);
    },
  );

  it('exports a search result as CSV or JSON masked for the role, and audits it', async () => {
    const rows = await t.db.select().from(publicRecords).where(eq(publicRecords.postId, postId));
    const json = sink();
    expect(await writeSearchExport(t.db, { role: 'contact_centre', actor: cli }, { format: 'json', records: rows, query: { q: 'Drottninggatan' } }, json.out)).toEqual({ records: 2 });
    expect(json.text()).not.toContain('skyddad');
    expect((JSON.parse(json.text()) as { masked: boolean }[]).map((r) => r.masked)).toEqual([false, true]);
    const csv = sink();
    await writeSearchExport(t.db, { role: 'admin', actor: cli }, { format: 'csv', records: rows }, csv.out);
    expect(csv.text()).toContain('skyddad identitet');
    const [audit] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'register.export.search'));
    expect(audit?.details).toEqual({ format: 'json', records: 2, query: { q: 'Drottninggatan' } });
  });
});
