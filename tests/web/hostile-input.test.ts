/**
 * Bad input of every kind gets a clear 4xx, never a 500, and writes nothing: one request-parsing layer
 * (app/utils/request.server.ts) stands between every form route and the use-cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { auditLog, channels, deliveries, loginAttempts, posts, sessions, users } from '../../db/schema';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
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

/** Row counts of every table a form can write to: a refused request must leave all of them alone. */
async function rowCounts() {
  const db = app.db.db;
  const n = async (table: typeof users | typeof posts | typeof deliveries | typeof auditLog | typeof loginAttempts) => (await db.select({ n: count() }).from(table))[0]!.n;
  return {
    users: await n(users),
    posts: await n(posts),
    deliveries: await n(deliveries),
    audit: await n(auditLog),
    attempts: await n(loginAttempts),
  };
}

const hostileRedirects = [
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/%5Cevil.example',
  '/%2F/evil.example',
  '%2F%2Fevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  ' //evil.example',
  '\u0000//evil.example',
  '/%09/evil.example',
  'https:evil.example',
  'https://evil.example/',
  'HTTPS://evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://user:pass@evil.example',
  '//127.0.0.1@evil.example',
  'evil.example',
  '',
];

/** Either sent to the start page, or (a NUL byte in the field) refused as bad input; never off-site, never a 500. */
function expectStaysHome(res: Response, value: string) {
  if (value.includes('\u0000')) {
    expect(res.status, JSON.stringify(value)).toBe(400);
    return;
  }
  expect(res.status, JSON.stringify(value)).toBe(302);
  expect(res.headers.get('location'), JSON.stringify(value)).toBe('/');
}

describe('redirects after login and language change stay on this site', () => {
  it('sends every hostile redirectTo back to the start page, never off-site and never a 500', async () => {
    for (const value of hostileRedirects) {
      const s = new HttpSession(app.url);
      const res = await s.post('/login', { email: userOf('communications').email, password: app.seed.demoPassword, redirectTo: value });
      expectStaysHome(res, value);
    }
  });

  it('refuses credentials in a same-origin absolute address', async () => {
    const s = new HttpSession(app.url);
    const withUser = app.url.replace('http://', 'http://someone@') + '/inlagg';
    const res = await s.post('/login', { email: userOf('communications').email, password: app.seed.demoPassword, redirectTo: withUser });
    expect(res.headers.get('location')).toBe('/');
  });

  it('keeps a genuine path with its query', async () => {
    const s = new HttpSession(app.url);
    const res = await s.post('/login', { email: userOf('communications').email, password: app.seed.demoPassword, redirectTo: '/inlagg?sida=2' });
    expect(res.headers.get('location')).toBe('/inlagg?sida=2');
  });

  it('does the same on /sprak', async () => {
    for (const value of hostileRedirects) {
      const s = new HttpSession(app.url);
      const res = await s.post('/sprak', { locale: 'en', redirectTo: value });
      expectStaysHome(res, value);
    }
  });

  it('renders the login page when the query itself holds a newline', async () => {
    const res = await fetch(`${app.url}/login?redirectTo=${encodeURIComponent('/\n/evil.example')}`);
    expect(res.status).toBe(200);
  });
});

const NUL = 'hej\u0000då';
const MB = 'a'.repeat(1024 * 1024);
const invalidUtf8 = (prefix: string) => new Uint8Array([...Buffer.from(prefix), 0xff, 0xfe, 0x41]);

describe('hostile form values: 4xx, a named field error, nothing written', () => {
  it('login: NUL bytes, a 1 MB email, invalid UTF-8, JSON and multipart bodies', async () => {
    const before = await rowCounts();
    const s = new HttpSession(app.url);
    const nul = await s.post('/login', { email: `a${NUL}@utrop.example`, password: 'x' });
    expect(nul.status).toBe(400);
    expect(await nul.text()).toContain('otillåtna tecken');
    expect((await s.post('/login', { email: userOf('admin').email, password: NUL })).status).toBe(400);
    const huge = await s.post('/login', { email: `${MB}@utrop.example`, password: 'x' });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    const csrf = await s.csrf();
    const bad = await s.postRaw('/login', new Uint8Array([...Buffer.from(`csrf=${csrf}&password=x&email=`), ...Buffer.from('%FF%FEa')]), 'application/x-www-form-urlencoded');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('teckenkodning');
    const json = await s.postRaw('/login', JSON.stringify({ csrf, email: 'a@b.se', password: 'x' }), 'application/json');
    expect(json.status).toBe(415);
    const mp = new FormData();
    mp.set('email', userOf('admin').email);
    mp.set('password', 'fel');
    const multipart = await s.postMultipart('/login', mp);
    expect(multipart.status).toBe(415);
    expect(await rowCounts()).toEqual(before);
  });

  it('admin: NUL in the name, a 1 MB password, a non-UUID user id, invalid UTF-8', async () => {
    const s = await sessionAs('admin');
    const before = await rowCounts();
    const nul = await s.post('/admin', { intent: 'create', email: 'nul@utrop.example', name: NUL, role: 'registrar', password: 'långt-lösenord-1' });
    expect(nul.status).toBe(400);
    const html = await nul.text();
    expect(html).toContain('otillåtna tecken');
    expect(html).toContain('value="nul@utrop.example"');
    const long = await s.post('/admin', { intent: 'create', email: 'long@utrop.example', name: 'Lång', role: 'registrar', password: MB });
    expect(long.status).toBeGreaterThanOrEqual(400);
    expect(long.status).toBeLessThan(500);
    expect((await s.post('/admin', { intent: 'disable', userId: 'inte-ett-id' })).status).toBe(400);
    expect((await s.post('/admin', { intent: 'disable', userId: '-'.repeat(36) })).status).toBe(400);
    const csrf = await s.csrf();
    const bad = await s.postRaw('/admin', new Uint8Array([...Buffer.from(`csrf=${csrf}&intent=create&role=registrar&password=langtlosenord12&email=x%40utrop.example&name=`), 0xff]), 'application/x-www-form-urlencoded');
    expect(bad.status).toBe(400);
    expect(await rowCounts()).toEqual(before);
  });

  it('kanaler: NUL in credentials, a non-UUID channel id', async () => {
    const s = await sessionAs('admin');
    const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
    const before = await rowCounts();
    expect((await s.post('/kanaler', { intent: 'manual', channelId: x!.id, credentials: `{"a":"${NUL}"}` })).status).toBe(400);
    expect((await s.post('/kanaler', { intent: 'manual', channelId: 'x'.repeat(36), credentials: '{}' })).status).toBe(400);
    const get = await s.get(`/kanaler/${'-'.repeat(36)}/anslut`);
    expect(get.status).toBe(404);
    expect(await rowCounts()).toEqual(before);
  });

  it('skriv: NUL in the text, odd file names, an oversized upload, urlencoded and JSON bodies', async () => {
    const s = await sessionAs('communications');
    const [x] = await app.db.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
    const before = await rowCounts();
    const form = (text: string) => {
      const f = new FormData();
      f.set('text', text);
      f.append('channelIds', x!.id);
      f.set('at', '2031-12-20T09:30');
      return f;
    };
    const nul = await s.postMultipart('/skriv', form(NUL));
    expect(nul.status).toBe(400);
    expect(await nul.text()).toContain('otillåtna tecken');
    for (const name of ['a=b.jpg', 'a;b=c.jpg', 'a"b.jpg', 'rad\nbrytning.jpg', 'x;filename=evil.jpg']) {
      const f = form('Bild med konstigt namn');
      f.set('media', new File([new Uint8Array([1, 2, 3])], name, { type: 'image/jpeg' }));
      const res = await s.postMultipart('/skriv', f);
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
    }
    // Non-UTF-8 bytes in the file name and in a text field, as a raw multipart body.
    const csrf = await s.csrf();
    const raw = (disposition: Uint8Array, value: Uint8Array) =>
      new Uint8Array([
        ...Buffer.from(`--XX\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n--XX\r\nContent-Disposition: form-data; name="channelIds"\r\n\r\n${x!.id}\r\n--XX\r\n`),
        ...disposition,
        ...Buffer.from('\r\n\r\n'),
        ...value,
        ...Buffer.from('\r\n--XX--\r\n'),
      ]);
    const badName = await s.postRaw('/skriv', raw(new Uint8Array([...Buffer.from('Content-Disposition: form-data; name="media"; filename="'), 0xff, 0xfe, ...Buffer.from('.jpg"\r\nContent-Type: image/jpeg')]), new Uint8Array([1, 2, 3])), 'multipart/form-data; boundary=XX');
    expect(badName.status).toBeGreaterThanOrEqual(400);
    expect(badName.status).toBeLessThan(500);
    const badText = await s.postRaw('/skriv', raw(Buffer.from('Content-Disposition: form-data; name="text"'), invalidUtf8('hej')), 'multipart/form-data; boundary=XX');
    expect(badText.status).toBe(400);
    expect(await badText.text()).toContain('teckenkodning');
    const broken = await s.postRaw('/skriv', 'this is not multipart', 'multipart/form-data; boundary=XX');
    expect(broken.status).toBe(400);

    const big = form('Stor fil');
    big.set('media', new File([new Uint8Array(65 * 1024 * 1024)], 'stor.mp4', { type: 'video/mp4' }));
    const tooBig = await s.postMultipart('/skriv', big);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toContain('för stor');

    const urlencoded = await s.post('/skriv', { text: 'Fel sorts formulär', channelIds: x!.id });
    expect(urlencoded.status).toBe(415);
    const json = await s.postRaw('/skriv', JSON.stringify({ csrf, text: 'json', channelIds: [x!.id] }), 'application/json');
    expect(json.status).toBe(415);
    expect(await rowCounts()).toEqual(before);
  });

  it('inlagg.$id, media.$id: a non-UUID id is a 404, never a 500; a hostile delivery id is a 400', async () => {
    const s = await sessionAs('communications');
    const before = await rowCounts();
    for (const id of ['-'.repeat(36), 'inte-ett-id', 'g'.repeat(36), '%00', "1' or '1'='1"]) {
      const path = encodeURIComponent(id);
      expect((await s.get(`/inlagg/${path}`)).status, id).toBe(404);
      expect((await s.get(`/media/${path}`)).status, id).toBe(404);
      expect((await s.post(`/inlagg/${path}`, { intent: 'cancel', deliveryId: '-'.repeat(36) })).status, id).toBe(404);
    }
    const [post] = await app.db.db.select().from(posts).limit(1);
    if (post) {
      expect((await s.post(`/inlagg/${post.id}`, { intent: 'cancel', deliveryId: '-'.repeat(36) })).status).toBe(400);
      expect((await s.post(`/inlagg/${post.id}`, { intent: 'resolve', deliveryId: '-'.repeat(36), published: 'yes', reason: NUL })).status).toBe(400);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('sprak and logout: NUL bytes and a JSON body are refused', async () => {
    const s = await sessionAs('registrar');
    const sessionRows = (await app.db.db.select({ n: count() }).from(sessions))[0]!.n;
    expect((await s.post('/sprak', { locale: `en${NUL}`, redirectTo: '/' })).status).toBe(400);
    expect((await s.post('/logout', { everywhere: NUL })).status).toBe(400);
    expect((await s.postRaw('/logout', JSON.stringify({ everywhere: 'true' }), 'application/json')).status).toBe(415);
    expect((await app.db.db.select({ n: count() }).from(sessions))[0]!.n).toBe(sessionRows);
    expect((await s.get('/')).status).toBe(200);
  });
});
