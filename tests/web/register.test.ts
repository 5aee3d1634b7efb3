/**
 * The registrar's workplace (/diarium): Swedish full-text search with filters and keyset paging, the record page,
 * "Verifiera diariet", CSV/JSON export; who may do what (403s); masking of confidential records for readers without
 * view:register:confidential, the same in search, record page and export; hostile input on the search form and the
 * record id (4xx with a message, never 500).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { auditLog, channels, publicRecords } from '../../db/schema';
import { contentHash } from '../../db/register';
import { releasedSearchRecords } from '../../app/models/register.server';

let app: TestApp;
const ids: Record<string, number> = {};
let channelId: string;
let otherChannelId: string;
const postId = randomUUID();

async function insert(key: string, values: Partial<typeof publicRecords.$inferInsert> & { text: string }) {
  const { text, ...rest } = values;
  const content = { text };
  const [row] = await app.db.db
    .insert(publicRecords)
    .values({
      kind: 'outgoing_post',
      direction: 'outgoing',
      counterparty: 'Helsingborgs stad',
      summary: text.slice(0, 80),
      content,
      contentSha256: contentHash(content),
      ...rest,
    })
    .returning({ id: publicRecords.id });
  ids[key] = row!.id;
}

beforeAll(async () => {
  app = await startTestApp();
  const chans = await app.db.db.select().from(channels).orderBy(channels.name);
  channelId = chans[0]!.id;
  otherChannelId = chans[1]!.id;
  await insert('post', {
    text: 'Parkeringen vid Stortorget stängs för vägarbete under vecka 12.',
    summary: 'Stortorget: parkeringen stängs',
    channelId,
    postId,
    registeredAt: new Date('2026-03-10T09:00:00+01:00'),
  });
  await insert('comment', {
    kind: 'inbound_comment',
    direction: 'incoming',
    counterparty: 'Karl Svensson',
    text: 'Var ska vi parkera istället när torget stängs?',
    channelId,
    postId,
    relatedRecordId: null,
    registeredAt: new Date('2026-03-10T10:30:00+01:00'),
  });
  await insert('secret', {
    kind: 'inbound_comment',
    direction: 'incoming',
    counterparty: 'Anna Andersson',
    summary: 'Vårdnadstvist och orosanmälan',
    text: 'Min vårdnadstvist gäller barnet, personnummer i bilagan.',
    confidential: true,
    confidentialityRef: 'OSL 26 kap. 1 §',
    channelId,
    postId,
    registeredAt: new Date('2026-03-10T11:00:00+01:00'),
  });
  await insert('drill', {
    kind: 'crisis_message',
    text: 'Övning: viktigt meddelande till allmänheten om brand i hamnen.',
    exercise: true,
    channelId: otherChannelId,
    registeredAt: new Date('2026-03-31T23:30:00+02:00'),
  });
  // Enough records for more than one page (50 a page), registered in the same second: the id breaks the tie.
  await app.db.sql`
    insert into public_records (kind, direction, counterparty, summary, content, content_sha256, registered_at, channel_id)
    select 'outgoing_post', 'outgoing', 'Helsingborgs stad', 'Sidtest ' || g, jsonb_build_object('text', 'Sidtest nummer ' || g),
           encode(sha256(convert_to('{"text":"Sidtest nummer ' || g || '"}', 'UTF8')), 'hex'), '2026-01-05T12:00:00+01:00', ${otherChannelId}
    from generate_series(1, 60) g`;
});
afterAll(async () => {
  await app?.close();
});

const userOf = (role: string) => app.seed.demoUsers.find((x) => x.role === role)!;
async function sessionAs(role: string) {
  const s = new HttpSession(app.url);
  expect((await s.login(userOf(role).email, app.seed.demoPassword)).status).toBe(302);
  return s;
}
async function html(s: HttpSession, path: string, status = 200) {
  const res = await s.get(path);
  const body = await res.text();
  expect(res.status, `${path}: ${body.slice(0, 300)}`).toBe(status);
  return body;
}
/** The registration numbers in the results table, in order. */
function numbersIn(page: string): string[] {
  return [...page.matchAll(/href="\/diarium\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]!);
}
async function numberOf(key: string) {
  const [r] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.id, ids[key]!));
  return r!.registrationNumber!;
}

describe('register search', () => {
  it('finds records by Swedish word forms, phrases, dates, channel, direction, number and exercise', async () => {
    const s = await sessionAs('registrar');
    const [post, comment, secret, drill] = (await Promise.all(['post', 'comment', 'secret', 'drill'].map(numberOf))) as [string, string, string, string];
    // "parkering" finds "Parkeringen" (the Swedish stemmer).
    expect(numbersIn(await html(s, '/diarium?q=parkering'))).toContain(post);
    expect(numbersIn(await html(s, `/diarium?q=${encodeURIComponent('"torget stängs"')}`))).toEqual([comment]);
    expect(numbersIn(await html(s, '/diarium?q=st%C3%A4ngs&direction=incoming'))).toEqual([comment]);
    expect(numbersIn(await html(s, '/diarium?q=st%C3%A4ngs&from=2026-03-10&to=2026-03-10'))).toEqual([comment, post]);
    expect(numbersIn(await html(s, '/diarium?q=st%C3%A4ngs&from=2026-03-11'))).toEqual([]);
    // The drill was registered 23:30 Stockholm time on 31 March: that day, not 1 April (UTC).
    expect(numbersIn(await html(s, '/diarium?from=2026-03-31&to=2026-03-31'))).toEqual([drill]);
    expect(numbersIn(await html(s, '/diarium?exercise=exercise'))).toEqual([drill]);
    expect(numbersIn(await html(s, `/diarium?channel=${channelId}&kind=inbound_comment`))).toEqual([secret, comment]);
    expect(numbersIn(await html(s, `/diarium?number=${encodeURIComponent(post)}`))).toEqual([post]);
    const [, year, seq] = /(\d{4})\/(\d+)$/.exec(post)! as unknown as [string, string, string];
    expect(numbersIn(await html(s, `/diarium?number=${year}/${Number(seq)}`))).toEqual([post]);
    expect(numbersIn(await html(s, '/diarium?confidentiality=confidential'))).toEqual([secret]);
  });

  it('pages by keyset: page two follows page one without overlap or gap, whatever is registered meanwhile', async () => {
    const s = await sessionAs('registrar');
    const first = await html(s, '/diarium?q=sidtest');
    const page1 = numbersIn(first);
    expect(page1).toHaveLength(50);
    const next = /href="(\/diarium\?[^"]*after=[^"]+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    await insert('later', { text: 'Sidtest nummer 61 kom efter sida ett', registeredAt: new Date('2026-01-05T12:00:00+01:00'), channelId: otherChannelId });
    const page2 = numbersIn(await html(s, next));
    expect(page2).toHaveLength(10);
    expect(new Set([...page1, ...page2]).size).toBe(60);
    // Newest first: higher sequence numbers first within the same moment.
    const seqs = [...page1, ...page2].map((n) => Number(n.split('/')[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it('shows a record with its registration fields, content, hashes and related records', async () => {
    const s = await sessionAs('registrar');
    const page = await html(s, `/diarium/${ids.post}`);
    const [row] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.id, ids.post!));
    expect(page).toContain(row!.registrationNumber!);
    expect(page).toContain(row!.recordSha256!);
    expect(page).toContain(row!.contentSha256);
    expect(page).toContain('Parkeringen vid Stortorget');
    for (const key of ['comment', 'secret']) expect(page).toContain(`href="/diarium/${ids[key]}"`);
    expect(page).toContain('Anna Andersson');
  });
});

describe('who may use the register', () => {
  it('refuses roles without view:register (403) and export/verify to those without them', async () => {
    for (const role of ['staff_host', 'contact_centre', 'employer_branding', 'emergency']) {
      const s = await sessionAs(role);
      expect((await s.get('/diarium')).status, role).toBe(403);
      expect((await s.get(`/diarium/${ids.post}`)).status, role).toBe(403);
      expect((await s.get('/diarium/export?format=csv')).status, role).toBe(403);
    }
    const comms = await sessionAs('communications');
    expect((await comms.get('/diarium')).status).toBe(200);
    expect((await comms.get('/diarium/export?format=csv')).status).toBe(403);
    expect((await comms.post('/diarium?index', { intent: 'verify' })).status).toBe(403);
    const signedOut = new HttpSession(app.url);
    expect((await signedOut.get('/diarium')).status).toBe(302);
  });

  it('masks confidential records for readers without confidential access: search, record page, related, export', async () => {
    const comms = await sessionAs('communications');
    const list = await html(comms, '/diarium?confidentiality=confidential');
    expect(numbersIn(list)).toEqual([await numberOf('secret')]);
    expect(list).toContain('[Sekretess]');
    expect(list).toContain('OSL 26 kap. 1 §');
    expect(list).not.toContain('Anna Andersson');
    expect(list).not.toContain('Vårdnadstvist');
    // Words of the withheld fields do not find the record either (a hit would reveal them).
    expect(numbersIn(await html(comms, '/diarium?q=v%C3%A5rdnadstvist'))).toEqual([]);
    expect(numbersIn(await html(comms, '/diarium?q=Andersson'))).toEqual([]);
    const record = await html(comms, `/diarium/${ids.secret}`);
    expect(record).toContain('OSL 26 kap. 1 §');
    expect(record).not.toContain('Anna Andersson');
    expect(record).not.toContain('personnummer i bilagan');
    const post = await html(comms, `/diarium/${ids.post}`);
    expect(post).toContain(`href="/diarium/${ids.secret}"`);
    expect(post).not.toContain('Anna Andersson');

    // The registrar sees everything, and finds it by its words.
    const registrar = await sessionAs('registrar');
    expect(numbersIn(await html(registrar, '/diarium?q=v%C3%A5rdnadstvist'))).toEqual([await numberOf('secret')]);
    expect(await html(registrar, `/diarium/${ids.secret}`)).toContain('personnummer i bilagan');

    // Export goes through the same masking (the use-case, for a role that reads masked).
    const masked = [];
    for await (const r of releasedSearchRecords(app.db.db, { confidentiality: 'confidential' }, 'communications')) masked.push(r);
    expect(masked.map((r) => [r.id, r.counterparty, r.summary, r.confidentialityRef, r.masked])).toEqual([[ids.secret, '[Sekretess]', '[Sekretess]', 'OSL 26 kap. 1 §', true]]);
  });

  it('exports the current search as CSV and JSON for the registrar', async () => {
    const s = await sessionAs('registrar');
    const csv = await s.get(`/diarium/export?format=csv&channel=${channelId}&kind=inbound_comment`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.trim().split('\r\n')).toHaveLength(3);
    expect(text).toContain('Anna Andersson');
    const json = await s.get('/diarium/export?format=json&q=parkering');
    const rows = (await json.json()) as { id: number; registrationNumber: string }[];
    expect(rows.map((r) => r.id)).toContain(ids.post);
    const audited = await app.db.db.select().from(auditLog).where(eq(auditLog.action, 'register.export.search'));
    expect(audited.map((a) => (a.details as { records: number }).records).sort()).toEqual([2, rows.length].sort());
    expect((await s.get('/diarium/export?format=pdf')).status).toBe(400);
    expect((await s.get('/diarium/export?format=csv&from=2026-02-30')).status).toBe(400);
  });
});

describe('hostile input on the search and the record id', () => {
  it('answers a clear 400 with the typed value kept, never 500', async () => {
    const s = await sessionAs('registrar');
    const cases: [string, string][] = [
      ['from=2026-02-30', 'Det datumet finns inte i kalendern'],
      ['to=2026-13-01', 'Det datumet finns inte i kalendern'],
      ['from=1899-01-01', 'Året måste ligga mellan 2000 och 2100'],
      ['from=igår', 'ÅÅÅÅ-MM-DD'],
      ['from=2026-03-10&to=2026-03-01', 'Slutdatumet ligger före startdatumet'],
      ['q=%00drop', 'NUL'],
      ['q=%FF%FE', 'UTF-8'],
      [`q=${'a'.repeat(5000)}`, 'för lång'],
      ['q=och+att', 'bara vanliga småord'],
      ['channel=not-a-uuid', 'Välj ett av alternativen'],
      ['direction=sideways', 'Välj ett av alternativen'],
      ['series=%27%3B+drop+table', 'En serie består av'],
      ['after=1.2.3', 'Sidlänken är ogiltig'],
    ];
    for (const [query, message] of cases) {
      const res = await s.get(`/diarium?${query}`);
      const body = await res.text();
      expect(res.status, query).toBe(400);
      expect(body, query).toContain(message);
    }
    const kept = await s.get('/diarium?from=2026-02-30&q=Stortorget');
    const body = await kept.text();
    expect(body).toContain('value="2026-02-30"');
    expect(body).toContain('value="Stortorget"');
  });

  it('accepts any search syntax websearch_to_tsquery can meet', async () => {
    const s = await sessionAs('registrar');
    for (const q of ['"', '"""', '-', 'OR OR', '(a & b)', "'; select 1; --", '!!!:*', 'ö'.repeat(199), '\\', '<script>']) {
      const res = await s.get(`/diarium?q=${encodeURIComponent(q)}`);
      expect([200, 400], q).toContain(res.status);
      expect(await res.text(), q).not.toContain('Något gick fel');
    }
  });

  it('answers 404 for a record id that is not a positive integer or names no record', async () => {
    const s = await sessionAs('registrar');
    for (const id of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999', '1%00', randomUUID(), '999999999']) {
      expect((await s.get(`/diarium/${id}`)).status, id).toBe(404);
    }
    // A path that is not even UTF-8 is refused by the web server before any route.
    expect((await s.get('/diarium/%FF')).status).toBe(400);
  });
});

describe('Verifiera diariet', () => {
  it('says the register is whole, and after a change made in SQL names the first broken record', async () => {
    const s = await sessionAs('registrar');
    const ok = await s.post('/diarium?index', { intent: 'verify' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Diariet är helt');
    expect((await s.post('/diarium?index', { intent: 'drop' })).status).toBe(400);

    const su = postgres(app.db.superuserUrl, { max: 1, onnotice: () => {} });
    try {
      await su.unsafe('alter table public_records disable trigger public_records_append_only');
      await su`update public_records set summary = 'Ändrad i efterhand' where id = ${ids.comment!}`;
      await su.unsafe('alter table public_records enable trigger public_records_append_only');
    } finally {
      await su.end({ timeout: 5 });
    }
    const broken = await s.post('/diarium?index', { intent: 'verify' });
    const text = await broken.text();
    expect(text).toContain('Diariet är brutet');
    expect(text).toContain(await numberOf('comment'));
  });
});
