/**
 * /kris without JavaScript, over HTTP against the real Remix build: open an incident (with pause-all), preview every
 * channel variant, publish, close; and hostile input on every crisis form (clear 4xx, nothing written).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp, signedIn } from '../support/app';
import { auditLog, channels, crisisIncidents, crisisMessages, crisisPauses, deliveries, posts, publicRecords, users } from '../../db/schema';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const sessionAs = (role: string) => signedIn(app, role);

async function postForm(s: HttpSession, path: string, entries: [string, string][]): Promise<Response> {
  const body = new URLSearchParams(entries);
  body.set('csrf', await s.csrf());
  return s.postRaw(path, body.toString(), 'application/x-www-form-urlencoded');
}

async function counts() {
  const db = app.db.db;
  const n = async (table: typeof crisisIncidents | typeof crisisMessages | typeof crisisPauses | typeof posts | typeof deliveries | typeof publicRecords | typeof auditLog) =>
    (await db.select({ n: count() }).from(table))[0]!.n;
  return { incidents: await n(crisisIncidents), messages: await n(crisisMessages), pauses: await n(crisisPauses), posts: await n(posts), deliveries: await n(deliveries), records: await n(publicRecords), audit: await n(auditLog) };
}

async function channelId(key: string) {
  const [c] = await app.db.db.select().from(channels).where(eq(channels.key, key));
  return c!.id;
}

const openFields = (over: [string, string][] = []): [string, string][] => [
  ['intent', 'open'],
  ['title', 'Otjänligt dricksvatten'],
  ['area', 'Ödåkra'],
  ['severity', 'severe'],
  ['languages', 'sv'],
  ['languages', 'en'],
  ...over,
];

describe('/kris', () => {
  it('an emergency manager opens an incident with pause-all, sees every channel variant checked, publishes, and the banner shows on every page until resume', async () => {
    const s = await sessionAs('emergency');
    const page = await (await s.get('/kris')).text();
    expect(page).toContain('Öppna en händelse');
    const res = await postForm(s, '/kris', openFields([['pauseAll', 'on'], ['pauseReason', 'Vattenläcka i Ödåkra']]));
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/kris\/[0-9a-f-]{36}$/);
    // The banner, on every page.
    for (const path of ['/', '/inlagg', location]) expect(await (await s.get(path)).text()).toContain('Alla vanliga inlägg är pausade');

    const x = await channelId('x-helsingborg');
    const yt = await channelId('youtube-helsingborg');
    const msg: [string, string][] = [
      ['templateKey', 'boil_water'],
      ['area', 'Ödåkra'],
      ['time', 'kl. 07.00'],
      ['readMore', 'https://helsingborg.se/vatten'],
      ['channelIds', x],
      ['channelIds', yt],
    ];
    const preview = await postForm(s, location, [['intent', 'preview'], ...msg]);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('Koka dricksvattnet i Ödåkra');
    expect(html).toContain('Boil drinking water in Ödåkra');
    expect(html).toContain('YouTube tar bara emot meddelandet med en bifogad video');

    const publish = await postForm(s, location, [['intent', 'publish'], ...msg]);
    expect(publish.status).toBe(302);
    const [m] = await app.db.db.select().from(crisisMessages);
    expect(m).toMatchObject({ msgType: 'alert', seq: 1 });
    const [publisher] = await app.db.db.select().from(users).where(eq(users.email, app.seed.demoUsers.find((u) => u.role === 'emergency')!.email));
    expect(m!.publishedBy).toBe(publisher!.id);
    const board = await (await s.get(location)).text();
    expect(board).toContain('Larm');
    // Its CAP 1.2 alert, linked from the board.
    const capPath = `${location}/cap/${m!.id}`;
    expect(board).toContain(capPath);
    const cap = await s.get(capPath);
    expect(cap.status).toBe(200);
    expect(cap.headers.get('content-type')).toContain('application/cap+xml');
    expect(await cap.text()).toContain(`<identifier>${m!.capIdentifier}</identifier>`);
    expect((await s.get(`${location}/cap/not-a-uuid`)).status).toBe(404);
    expect((await s.get(`/kris/00000000-0000-0000-0000-000000000000/cap/${m!.id}`)).status).toBe(404);

    // Resume from /kris ends the banner.
    expect((await postForm(s, '/kris', [['intent', 'resume']])).status).toBe(302);
    expect(await (await s.get('/')).text()).not.toContain('Alla vanliga inlägg är pausade');

    // Closing without an all-clear needs a reason; with one it closes.
    const noReason = await postForm(s, location, [['intent', 'close']]);
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('Skicka ”Faran över” först');
    expect((await postForm(s, location, [['intent', 'close'], ['reason', 'Övergår till ordinarie drift']])).status).toBe(302);
  });

  it('the screening stops a personnummer until a reason is given, and the form keeps what was typed', async () => {
    const s = await sessionAs('emergency');
    const res = await postForm(s, '/kris', openFields([['languages', 'sv']]));
    const location = res.headers.get('location')!;
    const x = await channelId('x-helsingborg');
    const msg: [string, string][] = [
      ['templateKey', 'water_outage'],
      ['area', 'Mörarp'],
      ['time', 'kl. 12'],
      ['whatToDo', 'Ring Anna 19121212-1212'],
      ['readMore', 'https://helsingborg.se/'],
      ['channelIds', x],
    ];
    const refused = await postForm(s, location, [['intent', 'publish'], ...msg]);
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('Granskningen hittade personuppgifter');
    expect(html).toContain('Ring Anna 19121212-1212');
    // The one channel ticked stays ticked (conform hands a single ticked box back as a string, not a list).
    const box = new RegExp(`<input[^>]*value="${x}"[^>]*>`).exec(html)?.[0];
    expect(box).toContain('checked');
    const ok = await postForm(s, location, [['intent', 'publish'], ...msg, ['screeningOverrideReason', 'Testnummer från Skatteverket, ingen verklig person.']]);
    expect(ok.status).toBe(302);
  });

  it('roles without create:crisis get 403', async () => {
    const s = await sessionAs('communications');
    expect((await s.get('/kris')).status).toBe(403);
    expect((await postForm(s, '/kris', openFields())).status).toBe(403);
  });
});

describe('hostile input on the crisis forms: a clear 4xx, nothing written', () => {
  const hostile: [string, [string, string][]][] = [
    ['NUL in the title', openFields([['title', 'Vatten\u0000läcka']])],
    ['a huge area', openFields([['area', 'å'.repeat(100_000)]])],
    ['an unknown severity', openFields([['severity', 'apocalyptic']])],
    ['an unknown language', openFields([['languages', 'klingon']])],
    ['no language', [['intent', 'open'], ['title', 'x'], ['area', 'y'], ['severity', 'minor']]],
    ['pause-all without a reason', openFields([['pauseAll', 'on'], ['pauseReason', ' ']])],
    ['resume with a non-UUID id', [['intent', 'resume'], ['deliveryIds', '../../etc/passwd']]],
    ['an unknown intent', [['intent', 'drop table']]],
  ];
  for (const [name, fields] of hostile) {
    it(`/kris: ${name}`, async () => {
      const s = await sessionAs('emergency');
      const before = await counts();
      const res = await postForm(s, '/kris', fields);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await counts()).toEqual(before);
    });
  }

  it('/kris/:id: a non-UUID id is a 404; bad variables, impossible channels and wrong encodings are 4xx', async () => {
    const s = await sessionAs('emergency');
    expect((await s.get('/kris/not-a-uuid')).status).toBe(404);
    expect((await s.get('/kris/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const opened = await postForm(s, '/kris', openFields());
    const location = opened.headers.get('location')!;
    const x = await channelId('x-helsingborg');
    const base: [string, string][] = [['intent', 'publish'], ['templateKey', 'storm'], ['area', 'Råå'], ['time', 'kl. 18'], ['readMore', 'https://helsingborg.se/'], ['channelIds', x]];
    const cases: [string, [string, string][]][] = [
      ['a line break in a variable', base.map(([k, v]) => (k === 'area' ? [k, 'Råå\r\nBcc: x'] : [k, v]))],
      ['a javascript: link', base.map(([k, v]) => (k === 'readMore' ? [k, 'javascript:alert(1)'] : [k, v]))],
      ['an unknown template', base.map(([k, v]) => (k === 'templateKey' ? [k, '../../etc/passwd'] : [k, v]))],
      ['a non-UUID channel', base.map(([k, v]) => (k === 'channelIds' ? [k, "1' or '1'='1"] : [k, v]))],
      ['an unknown channel', base.map(([k, v]) => (k === 'channelIds' ? [k, '00000000-0000-0000-0000-000000000000'] : [k, v]))],
      ['NUL in the override reason', [...base, ['screeningOverrideReason', 'ok\u0000']]],
      ['an all-clear first', base.map(([k, v]) => (k === 'templateKey' ? [k, 'all_clear'] : [k, v]))],
    ];
    for (const [name, fields] of cases) {
      const before = await counts();
      const res = await postForm(s, location, fields);
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      expect(await counts(), name).toEqual(before);
    }
    const before = await counts();
    const latin1 = await s.postRaw(location, Buffer.concat([Buffer.from(`csrf=${await s.csrf()}&intent=publish&templateKey=storm&area=`), Buffer.from([0xe5, 0xe4]), Buffer.from(`&channelIds=${x}`)]), 'application/x-www-form-urlencoded');
    expect(latin1.status).toBe(400);
    const wrongType = await s.postRaw(location, '{"intent":"publish"}', 'application/json');
    expect(wrongType.status).toBe(415);
    expect(await counts()).toEqual(before);
  });

  it('the board offers a retry for a failed cell, which queues that delivery again; a delivery not of this incident, or no id, is refused', async () => {
    const s = await sessionAs('emergency');
    const location = (await postForm(s, '/kris', openFields([['languages', 'sv']]))).headers.get('location')!;
    const x = await channelId('x-helsingborg');
    const msg: [string, string][] = [['intent', 'publish'], ['templateKey', 'storm'], ['area', 'Råå'], ['time', 'kl. 18'], ['readMore', 'https://helsingborg.se/'], ['channelIds', x]];
    expect((await postForm(s, location, msg)).status).toBe(302);
    const incidentId = location.split('/').at(-1)!;
    const [message] = await app.db.db.select().from(crisisMessages).where(eq(crisisMessages.incidentId, incidentId));
    const [d] = await app.db.owner.db.execute<{ id: string }>(
      `select d.id from deliveries d join crisis_message_variants v on v.post_id = d.post_id where v.message_id = '${message!.id}'`,
    );
    // As the pipeline leaves a delivery the platform refused for good.
    await app.db.owner.db.execute(`update deliveries set state = 'failed', failure_class = 'invalid_content', failure_reason = 'Avvisad av plattformen.' where id = '${d!.id}'`);
    const board = await (await s.get(location)).text();
    expect(board).toContain('Avvisad av plattformen.');
    expect(board).toMatch(new RegExp(`name="deliveryId" value="${d!.id}"`));

    // A delivery that is not this incident's is not found here.
    expect((await postForm(s, location, [['intent', 'retry'], ['deliveryId', '00000000-0000-4000-8000-000000000000']])).status).toBe(404);
    expect((await postForm(s, location, [['intent', 'retry'], ['deliveryId', 'inte-ett-id\u0000']])).status).toBe(400);
    const [still] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, d!.id));
    expect(still!.state).toBe('failed');

    const retried = await postForm(s, location, [['intent', 'retry'], ['deliveryId', d!.id]]);
    expect(retried.status).toBe(302);
    const [after] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, d!.id));
    expect(['queued', 'scheduled']).toContain(after!.state);
    expect(await (await s.get(location)).text()).not.toMatch(new RegExp(`name="deliveryId" value="${d!.id}"`));
  });
});
