/**
 * The registrar's destruction (gallring) page, /diarium/gallring (ADR 029, 036): retention classes set through the
 * form are registered as notes; a destruction decision is itself registered and carries out exactly what it names,
 * all or nothing; `register verify` still passes and lists what was destroyed under which decision. Hostile input and
 * the wrong roles get a 4xx and register nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { signedIn, startTestApp, type TestApp } from '../support/app';
import { publicRecords, registerDestructions } from '../../db/schema';
import { contentHash, verifyRegister } from '../../db/register';

let app: TestApp;
const ids: Record<string, number> = {};

async function insert(key: string, text: string, recordDate: Date, kind: 'inbound_comment' | 'outgoing_post' = 'inbound_comment') {
  const content = { text };
  const [row] = await app.db.db
    .insert(publicRecords)
    .values({ kind, direction: kind === 'inbound_comment' ? 'incoming' : 'outgoing', counterparty: 'Karin K', summary: text, content, contentSha256: contentHash(content), recordDate })
    .returning({ id: publicRecords.id });
  ids[key] = row!.id;
}
const count = async () => (await app.db.db.select({ id: publicRecords.id }).from(publicRecords)).length;

beforeAll(async () => {
  app = await startTestApp();
  await insert('old', 'Gammal fråga om sophämtningen', new Date('2019-03-01T10:00:00+01:00'));
  await insert('older', 'Ännu äldre fråga om parkeringen', new Date('2018-03-01T10:00:00+01:00'));
  await insert('recent', 'Ny fråga om badplatsen', new Date());
  await insert('post', 'Vårt inlägg om sophämtningen', new Date('2018-01-01T10:00:00+01:00'), 'outgoing_post');
});
afterAll(async () => {
  await app?.close();
});

describe('/diarium/gallring', () => {
  it('only the registrar and the administrator reach it', async () => {
    for (const role of ['communications', 'contact_centre', 'emergency']) {
      const s = await signedIn(app, role);
      expect((await s.get('/diarium/gallring')).status, role).toBe(403);
      expect((await s.post('/diarium/gallring', { intent: 'class', kind: 'inbound_comment', keep: 'years', years: '1', basis: 'DHP 4.2' })).status, role).toBe(403);
    }
    expect((await (await signedIn(app, 'admin')).get('/diarium/gallring')).status).toBe(200);
  });

  it('sets a retention class through the form (registered as a note); the records past it are listed', async () => {
    const s = await signedIn(app, 'registrar');
    const before = await count();
    const page = await (await s.get('/diarium/gallring')).text();
    expect(page).toContain('Inga handlingar har nått sin gallringstid.');
    const res = await s.post('/diarium/gallring', { intent: 'class', kind: 'inbound_comment', keep: 'years', years: '5', basis: 'DHP 4.2 Synpunkter i sociala medier' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/diarium/gallring?sparad=1');
    expect(await count()).toBe(before + 1);
    const [note] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.kind, 'register_note')).orderBy(publicRecords.id).limit(10).then((r) => r.slice(-1));
    expect(note!.summary).toBe('Gallringsklass ändrad: inbound_comment');
    const listed = await (await s.get('/diarium/gallring?sparad=1')).text();
    expect(listed).toContain('Gallringsklassen sparades');
    expect(listed).toContain('Gallras efter 5 år');
    expect(listed).toContain(`value="${ids.old}"`);
    expect(listed).toContain(`value="${ids.older}"`);
    expect(listed).not.toContain(`value="${ids.recent}"`);
    // Published posts are kept forever (no class): not listed.
    expect(listed).not.toContain(`value="${ids.post}"`);
  });

  it('a decision registers itself and destroys exactly what it names; verify still passes and names it', async () => {
    const s = await signedIn(app, 'registrar');
    const before = await count();
    const res = await s.post('/diarium/gallring', { intent: 'destroy', records: String(ids.old), basis: 'DHP 4.2, beslut av nämnden', decidedBy: 'Stadsarkivet', confirm: 'yes' });
    expect(res.status).toBe(302);
    const decisionId = Number(/^\/diarium\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
    expect(await count()).toBe(before + 1);
    const [decision] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.id, decisionId));
    expect(decision).toMatchObject({ kind: 'destruction_decision', counterparty: 'Stadsarkivet', content: expect.objectContaining({ recordIds: [ids.old], basis: 'DHP 4.2, beslut av nämnden' }) });
    const destroyed = await app.db.db.select().from(registerDestructions);
    expect(destroyed.map((d) => d.recordId)).toEqual([ids.old]);
    const [old] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.id, ids.old!));
    expect(old!.content).toMatchObject({ destroyed: true, decisionRecordId: decisionId });
    const [older] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.id, ids.older!));
    expect(older!.content).toEqual({ text: 'Ännu äldre fråga om parkeringen' });
    const verify = await verifyRegister(app.db.db);
    expect(verify.ok).toBe(true);
    expect(verify.destroyed.map((d) => d.id)).toEqual([ids.old]);
    // The decision's record page opens; the destroyed record is no longer offered.
    expect((await s.get(`/diarium/${decisionId}`)).status).toBe(200);
    expect(await (await s.get('/diarium/gallring')).text()).not.toContain(`value="${ids.old}"`);
  });

  it('a refused decision (a record kept forever, one already destroyed, one not yet due) registers nothing and says why', async () => {
    const s = await signedIn(app, 'registrar');
    const before = await count();
    for (const [records, message] of [
      [[String(ids.older), String(ids.post)], 'bevaras för alltid'],
      [[String(ids.old)], 'redan gallrad'],
      [[String(ids.recent)], 'har inte gått ut'],
      [['999999999999'], 'finns inte'],
    ] as const) {
      const body = new URLSearchParams({ intent: 'destroy', basis: 'DHP 4.2', decidedBy: 'Stadsarkivet', confirm: 'yes', csrf: await s.csrf() });
      for (const r of records) body.append('records', r);
      const res = await s.postRaw('/diarium/gallring', body.toString(), 'application/x-www-form-urlencoded');
      const html = await res.text();
      expect(res.status, message).toBe(409);
      expect(html).toContain(message);
      expect(html).toContain('Ingenting registrerades eller gallrades.');
    }
    expect(await count()).toBe(before);
    const [older] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.id, ids.older!));
    expect(older!.content).toEqual({ text: 'Ännu äldre fråga om parkeringen' });
    expect((await verifyRegister(app.db.db)).ok).toBe(true);
  });

  it('hostile or incomplete forms get a 4xx with the field named, keep what was typed, and register nothing', async () => {
    const s = await signedIn(app, 'registrar');
    const before = await count();
    const cases: [Record<string, string>, string][] = [
      [{ intent: 'destroy', records: String(ids.older), basis: 'DHP 4.2', decidedBy: 'Stadsarkivet' }, 'Bekräfta att innehållet tas bort.'],
      [{ intent: 'destroy', basis: 'DHP 4.2', decidedBy: 'Stadsarkivet', confirm: 'yes' }, 'Välj minst en handling.'],
      [{ intent: 'destroy', records: 'DROP TABLE', basis: 'DHP 4.2', decidedBy: 'Stadsarkivet', confirm: 'yes' }, 'Välj minst en handling.'],
      [{ intent: 'destroy', records: '-1', basis: 'DHP 4.2', decidedBy: 'Stadsarkivet', confirm: 'yes' }, 'Välj minst en handling.'],
      [{ intent: 'destroy', records: String(ids.older), basis: 'x', decidedBy: 'Stadsarkivet', confirm: 'yes' }, 'Ange grunden'],
      [{ intent: 'destroy', records: String(ids.older), basis: 'DHP\u0007 4.2', decidedBy: 'Stadsarkivet', confirm: 'yes' }, ''],
      [{ intent: 'destroy', records: String(ids.older), basis: 'DHP 4.2', decidedBy: 'S'.repeat(300), confirm: 'yes' }, ''],
      [{ intent: 'class', kind: 'register_note', keep: 'forever', basis: 'DHP 4.2' }, ''],
      [{ intent: 'class', kind: 'inbound_comment', keep: 'years', years: '1001', basis: 'DHP 4.2' }, 'Ange antal år'],
      [{ intent: 'class', kind: 'inbound_comment', keep: 'years', years: '2.5', basis: 'DHP 4.2' }, 'Ange antal år'],
      [{ intent: 'class', kind: 'inbound_comment', keep: 'years', basis: 'DHP 4.2' }, 'Ange antal år'],
      [{ intent: 'class', kind: 'inbound_comment', keep: 'never', basis: 'Gallringsgrund med ö' }, 'Gallringsgrund med ö'],
      [{ intent: 'wipe' }, ''],
    ];
    for (const [fields, text] of cases) {
      const res = await s.post('/diarium/gallring', fields);
      const html = await res.text();
      expect(res.status, JSON.stringify(fields).slice(0, 100)).toBe(400);
      if (text) expect(html, JSON.stringify(fields).slice(0, 100)).toContain(text);
    }
    // NUL bytes, broken UTF-8, a huge body, the wrong content type, no CSRF token.
    const csrf = await s.csrf();
    // Each answer read to its end, so the connection is free for the next request.
    const status = async (res: Promise<Response>) => {
      const r = await res;
      await r.text();
      return r.status;
    };
    expect(await status(s.postRaw('/diarium/gallring', `csrf=${csrf}&intent=destroy&records=${ids.older}&basis=a%00b&decidedBy=X&confirm=yes`, 'application/x-www-form-urlencoded'))).toBe(400);
    expect(await status(s.postRaw('/diarium/gallring', `csrf=${csrf}&intent=destroy&records=${ids.older}&basis=%FF%FE&decidedBy=X&confirm=yes`, 'application/x-www-form-urlencoded'))).toBe(400);
    expect(await status(s.postRaw('/diarium/gallring', '{"intent":"destroy"}', 'application/json'))).toBe(415);
    expect(await status(s.post('/diarium/gallring', { intent: 'destroy', records: String(ids.older), basis: 'DHP 4.2', decidedBy: 'X', confirm: 'yes' }, { csrf: false }))).toBe(403);
    expect(await status(s.postRaw('/diarium/gallring', `csrf=${csrf}&intent=class&basis=${'a'.repeat(3_000_000)}`, 'application/x-www-form-urlencoded'))).toBe(413);
    const many = new URLSearchParams({ csrf, intent: 'destroy', basis: 'DHP 4.2', decidedBy: 'X', confirm: 'yes' });
    for (let i = 1; i <= 201; i++) many.append('records', String(i));
    const res = await s.postRaw('/diarium/gallring', many.toString(), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Högst 200 handlingar');
    expect(await count()).toBe(before);
  });
});
