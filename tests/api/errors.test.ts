/**
 * /api/v1's refusals: every one is JSON `{ error: { code, message, field? } }`, a clear 4xx naming the field, never a
 * 500, and nothing half-written. Tokens (401), roles (403), the shared throttle (429), a staff host outside their
 * week or channel (issue 13), the screening block (issue 12) and the OpenAPI document (validated by a real validator).
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { Validator } from '@seriousme/openapi-schema-validator';
import { apiTokens, posts } from '../../db/schema';
import { revokeApiToken } from '../../app/models/api-tokens.server';
import { addHandoverWeek, acceptGuidelines, guidelinesStatus } from '../../app/models/handover.server';
import { disableUser } from '../../app/models/users.server';
import { loadBuild, startWebServer, type RunningWeb } from '../../app/server/web';
import { call, channelId, startTestApp, tokenFor, userId, type TestApp } from './support';

let app: TestApp;
let writer: string;
let x: string;
beforeAll(async () => {
  app = await startTestApp();
  writer = await tokenFor(app, 'communications');
  x = await channelId(app, 'x-helsingborg');
});
afterAll(async () => {
  await app?.close();
});

const postCount = async () => (await app.db.db.select({ n: count() }).from(posts))[0]!.n;
const good = () => ({ text: 'Stadsbiblioteket har öppet till 20 i kväll.', channelIds: [x], when: 'now' });

describe('the OpenAPI document', () => {
  it('is served without a token and is a valid OpenAPI 3.1 document describing every operation', async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(operations.sort()).toEqual(['approvePost', 'createPost', 'getPost', 'listPosts', 'returnPost', 'submitPost', 'uploadMedia']);
    // Generated from the composer's own schema: its fields, its limits.
    const create = doc.components.schemas.CreatePost!;
    expect(Object.keys(create.properties ?? {})).toEqual(expect.arrayContaining(['kind', 'text', 'channelIds', 'variants', 'at', 'atOffset', 'screeningOverride', 'draft']));
  });
});

describe('tokens and roles', () => {
  it('answers 401 without a token, with a bad or malformed one, a revoked one, or one of a disabled user', async () => {
    for (const header of [undefined, 'Bearer', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(500)}`, 'Bearer utr_\u00e5\u00e4\u00f6', `Bearer utr_${randomBytes(32).toString('base64url')}`]) {
      const res = await fetch(`${app.url}/api/v1/posts`, { headers: header === undefined ? {} : { authorization: header } }).catch(() => null);
      // A header value outside Latin-1 cannot even be sent by fetch: that is the client refusing, not us.
      if (!res) continue;
      expect(res.status, String(header).slice(0, 30)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toMatch(/unauthorized|invalid_token/);
      expect(body.error.message).toContain('Bearer');
    }
    const token = await tokenFor(app, 'communications');
    expect((await call(app, token, 'GET', '/posts')).status).toBe(200);
    // Only the SHA-256 is kept.
    const rows = await app.db.db.select().from(apiTokens);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenSha256))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
    const registrarEmail = app.seed.demoUsers.find((u) => u.role === 'registrar')!.email;
    const registrar = await tokenFor(app, 'registrar');
    expect((await call(app, registrar, 'GET', '/posts')).status).toBe(403);
    await disableUser(app.db.db, registrarEmail, { userId: null, label: 'test' });
    const disabled = await call(app, registrar, 'GET', '/posts');
    expect(disabled.status).toBe(401);
    expect(disabled.body.error?.code).toBe('user_disabled');
  });

  it('refuses a revoked token from its next request', async () => {
    const token = await tokenFor(app, 'communications');
    expect((await call(app, token, 'GET', '/posts')).status).toBe(200);
    const [row] = (await app.db.db.select().from(apiTokens)).filter((t) => !t.revokedAt).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    await revokeApiToken(app.db.db, row!.id, { userId: null, label: 'test' });
    const res = await call(app, token, 'GET', '/posts');
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('token_revoked');
  });

  it('answers 403 naming the permission for a role without it, and for approving with a token of no user', async () => {
    const inbox = await tokenFor(app, 'contact_centre');
    const list = await call(app, inbox, 'GET', '/posts');
    expect(list.status).toBe(403);
    expect(list.body.error).toMatchObject({ code: 'forbidden' });
    expect(list.body.error?.message).toContain('view:posts');
    const before = await postCount();
    const drafter = await tokenFor(app, 'employer_branding');
    expect((await call(app, inbox, 'POST', '/posts', good())).status).toBe(403);
    const service = await tokenFor(app, 'communications', { service: true });
    const created = await call(app, drafter, 'POST', '/posts', { ...good(), kind: 'pressmeddelande', when: undefined });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.reviewState).toBe('pending_approval');
    const approve = await call(app, service, 'POST', `/posts/${String(created.body.id)}/approve`);
    expect(approve.status).toBe(403);
    expect(approve.body.error?.code).toBe('user_required');
    expect(await postCount()).toBe(before + 1);
  });
});

describe('sending back', () => {
  it('returns a post in review to its author with a comment, refuses a missing or hostile one, and takes it back to review', async () => {
    const reviewer = await tokenFor(app, 'admin');
    const author = await tokenFor(app, 'emergency');
    const created = await call(app, author, 'POST', '/posts', { ...good(), kind: 'pressmeddelande', when: undefined });
    expect(created.body.reviewState).toBe('pending_approval');
    const id = String(created.body.id);
    for (const [body, field] of [
      [{}, 'comment'],
      [{ comment: 'ok' }, 'comment'],
      [{ comment: 'Nej\u0000tack' }, 'comment'],
      [{ comment: 'x'.repeat(5000) }, 'comment'],
      [{ comment: 'Bra men kortare', extra: 1 }, 'extra'],
    ] as const) {
      const res = await call(app, reviewer, 'POST', `/posts/${id}/return`, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body.error?.field).toBe(field);
    }
    expect((await call(app, reviewer, 'POST', `/posts/${id}/return`, 'inte json', { 'content-type': 'application/json' })).body.error?.code).toBe('bad_json');
    const returned = await call(app, reviewer, 'POST', `/posts/${id}/return`, { comment: 'Skriv datumet tydligare.' });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body).toMatchObject({ reviewState: 'returned', reviewComment: 'Skriv datumet tydligare.' });
    expect((await call(app, reviewer, 'POST', `/posts/${id}/submit`, {})).body.error?.code).toBe('not_author');
    const again = await call(app, author, 'POST', `/posts/${id}/submit`, {});
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.reviewState).toBe('pending_approval');
  });
});

describe('the throttle', () => {
  let second: RunningWeb;
  afterAll(async () => {
    await second?.close();
  });

  it('answers 429 with Retry-After once a token has used its minute, counted across web processes', async () => {
    // A second web process on the same database: the count lives in the database, so both refuse alike.
    second = await startWebServer({
      db: app.db.db,
      build: await loadBuild(path.resolve(import.meta.dirname, '..', '..')),
      port: 0,
      host: '127.0.0.1',
      sessionSecret: randomBytes(32).toString('hex'),
      credentialsKey: app.credentialsKey,
      simulatorUrl: app.sims.url,
      root: path.resolve(import.meta.dirname, '..', '..'),
    });
    const other = { ...app, url: second.url.replace('localhost', '127.0.0.1') };
    const token = await tokenFor(app, 'communications', { perMinute: 3 });
    expect((await call(app, token, 'GET', '/posts')).status).toBe(200);
    expect((await call(other, token, 'GET', '/posts')).status).toBe(200);
    expect((await call(app, token, 'GET', '/posts')).status).toBe(200);
    for (const target of [other, app]) {
      const res = await call(target, token, 'GET', '/posts');
      expect(res.status).toBe(429);
      expect(res.body.error?.code).toBe('rate_limited');
      const retry = Number(res.headers.get('retry-after'));
      expect(Number.isInteger(retry) && retry >= 1 && retry <= 60).toBe(true);
    }
    // Another token is not held back by this one.
    expect((await call(other, writer, 'GET', '/posts')).status).toBe(200);
  });
});

describe('bad input', () => {
  it('answers 400 naming the field, writing nothing', async () => {
    const before = await postCount();
    const cases: [unknown, string][] = [
      [{ ...good(), text: '' }, 'text'],
      [{ ...good(), text: undefined }, 'text'],
      [{ ...good(), text: 42 }, 'text'],
      [{ ...good(), channelIds: [] }, 'channelIds'],
      [{ ...good(), channelIds: ['inte-ett-id'] }, 'channelIds.0'],
      [{ ...good(), channelIds: ['00000000-0000-4000-8000-000000000000'] }, 'channelIds'],
      [{ ...good(), kind: 'crisis' }, 'kind'],
      [{ ...good(), link: 'javascript:alert(1)' }, 'link'],
      [{ ...good(), variants: [{ channelId: 'nope' }] }, 'variants.0.channelId'],
      [{ ...good(), variants: Array.from({ length: 5000 }, () => ({ channelId: x })) }, 'variants'],
      [{ ...good(), files: [{ ref: '../../etc/passwd', alt: 'x' }] }, 'files.0.ref'],
      [{ ...good(), files: [{ ref: 'a'.repeat(64), alt: 'bild' }] }, 'files'],
      [{ ...good(), isAdmin: true }, 'isAdmin'],
      [{ ...good(), crisis: true }, 'crisis'],
      [{ ...good(), variants: [{ channelId: x, text: 'x'.repeat(400) }] }, 'variants.0.text'],
      [[good()], 'body'],
      [null, 'body'],
      [{ ...good(), text: 'Hej\u0000då' }, 'text'],
      [{ ...good(), variants: [{ channelId: x, text: 'a\u0007b' }] }, 'variants.0.text'],
    ];
    for (const [body, field] of cases) {
      const res = await call(app, writer, 'POST', '/posts', body);
      expect(res.status, `${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error?.field, JSON.stringify(res.body)).toBe(field);
      expect(res.body.error?.message.length).toBeGreaterThan(3);
    }
    expect(await postCount()).toBe(before);
  });

  it('refuses impossible dates, the spring-forward hour and an ambiguous autumn hour, naming the valid times', async () => {
    const before = await postCount();
    const at = async (value: string, extra: Record<string, unknown> = {}) => call(app, writer, 'POST', '/posts', { ...good(), when: undefined, at: value, ...extra }, { 'accept-language': 'en' });
    for (const value of ['2030-02-30T10:00', '2030-13-01T10:00', '2030-06-01T25:61', '1999-06-01T10:00', 'imorgon', '2030-06-01T10:00+14:00', '2020-06-01T10:00']) {
      const res = await at(value);
      expect(res.status, value).toBe(400);
      expect(res.body.error?.field).toBe('at');
    }
    const spring = await at('2030-03-31T02:30');
    expect(spring.status).toBe(400);
    expect(spring.body.error?.code).toBe('time_nonexistent');
    expect(spring.body.error?.message).toMatch(/01:59|03:00/);
    const autumn = await at('2030-10-27T02:30');
    expect(autumn.status).toBe(400);
    expect(autumn.body.error?.code).toBe('time_ambiguous');
    expect(autumn.body.error?.details).toEqual({ offsets: ['+02:00', '+01:00'] });
    expect(await postCount()).toBe(before);
    // The explicit reading is taken, as in the composer.
    const chosen = await at('2030-10-27T02:30', { atOffset: '+01:00' });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(201);
    expect(chosen.body.scheduledAt).toBe('2030-10-27T01:30:00.000Z');
  });

  it('answers a clear 4xx for what cannot be read at all: type, size, encoding, JSON, ids, cursors, query', async () => {
    const before = await postCount();
    const raw = (body: string | Uint8Array, type?: string) => call(app, writer, 'POST', '/posts', body, type ? { 'content-type': type } : {});
    expect((await raw(JSON.stringify(good()), 'text/plain')).status).toBe(415);
    expect((await raw('text=hej', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await raw(JSON.stringify(good()))).status).toBe(415);
    const huge = await raw(JSON.stringify({ ...good(), text: 'a'.repeat(2 * 1024 * 1024) }), 'application/json');
    expect(huge.status).toBe(413);
    expect(huge.body.error?.code).toBe('too_large');
    const badJson = await raw('{"text": "hej",', 'application/json');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error?.code).toBe('bad_json');
    const latin1 = await raw(new Uint8Array([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xe5, 0x22, 0x7d]), 'application/json');
    expect(latin1.status).toBe(400);
    expect(latin1.body.error?.code).toBe('bad_encoding');
    expect(await postCount()).toBe(before);

    for (const id of ['inte-ett-id', '1', "'; drop table posts; --", '00000000-0000-4000-8000-00000000000g']) {
      const res = await call(app, writer, 'GET', `/posts/${encodeURIComponent(id)}`);
      expect(res.status, id).toBe(400);
      expect(res.body.error?.field).toBe('id');
    }
    const missing = await call(app, writer, 'GET', '/posts/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
    for (const [query, field] of [
      ['cursor=!!!', 'cursor'],
      [`cursor=${Buffer.from('["1","x"]').toString('base64url')}`, 'cursor'],
      ['limit=100000', 'limit'],
      ['limit=-1', 'limit'],
      ['state=exploded', 'state'],
      ['q=%00', 'q'],
      ['q=%FF', 'q'],
      ['nonsense=1', 'nonsense'],
    ] as const) {
      const res = await call(app, writer, 'GET', `/posts?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error?.field, `${query} ${JSON.stringify(res.body)}`).toBe(field);
    }
    expect((await call(app, writer, 'GET', '/nowhere')).status).toBe(404);
    expect((await call(app, writer, 'DELETE', '/posts/00000000-0000-4000-8000-000000000000')).status).toBe(405);
    const upload = await fetch(`${app.url}/api/v1/media?name=x.exe`, { method: 'POST', headers: { authorization: `Bearer ${writer}`, 'content-type': 'image/jpeg' }, body: 'MZ not a picture' });
    expect(upload.status).toBe(415);
    const wrongType = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/x-msdownload' }, body: 'MZ' });
    expect(wrongType.status).toBe(415);
  });
});

describe('screening (issue 12)', () => {
  const withPnr = 'Grattis Anna Andersson 811218-9876 som fyller år i dag!';

  it('blocks scheduling when a finding blocks, until overridden with a recorded reason', async () => {
    const before = await postCount();
    const blocked = await call(app, writer, 'POST', '/posts', { ...good(), text: withPnr });
    expect(blocked.status).toBe(422);
    expect(blocked.body.error).toMatchObject({ code: 'screening_blocked', field: 'text' });
    expect(JSON.stringify(blocked.body.error?.details)).toContain('personnummer');
    // In a variant too: every channel's own text is screened.
    const inVariant = await call(app, writer, 'POST', '/posts', { ...good(), variants: [{ channelId: x, text: withPnr }] });
    expect(inVariant.status).toBe(422);
    expect(await postCount()).toBe(before);

    const overridden = await call(app, writer, 'POST', '/posts', { ...good(), text: withPnr, screeningOverride: 'Anna har själv bett om att få numret publicerat' });
    expect(overridden.status, JSON.stringify(overridden.body)).toBe(201);
    expect(overridden.body.screeningOverrideReason).toBe('Anna har själv bett om att få numret publicerat');
  });

  it('lets a draft hold a finding but not be submitted until overridden', async () => {
    const draft = await call(app, writer, 'POST', '/posts', { ...good(), text: withPnr, draft: true });
    expect(draft.status).toBe(201);
    expect(draft.body.reviewState).toBe('draft');
    const id = String(draft.body.id);
    const refused = await call(app, writer, 'POST', `/posts/${id}/submit`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.error?.code).toBe('screening_blocked');
    expect((await call(app, writer, 'GET', `/posts/${id}`)).body.reviewState).toBe('draft');
    const ok = await call(app, writer, 'POST', `/posts/${id}/submit`, { screeningOverride: 'Samtycke finns skriftligt' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.reviewState).toBe('not_required');
    expect(ok.body.screeningOverrideReason).toBe('Samtycke finns skriftligt');
    expect((await call(app, writer, 'POST', `/posts/${id}/submit`, {})).status).toBe(409);
  });
});

describe('a staff host (issue 13)', () => {
  it('is refused outside their channel, cannot approve, and sees only their own posts', async () => {
    const hostEmail = app.seed.demoUsers.find((u) => u.role === 'staff_host')!.email;
    const hostId = await userId(app, hostEmail);
    const status = await guidelinesStatus(app.db.db, hostId);
    await acceptGuidelines(app.db.db, { userId: hostId, guidelinesId: status!.guidelines.id });
    const host = await tokenFor(app, 'staff_host');
    const jobba = await channelId(app, 'instagram-jobba');
    const before = await postCount();
    for (const body of [
      { ...good(), kind: 'staff' },
      { ...good(), kind: 'staff', channelIds: [jobba, x] },
      { ...good(), kind: 'staff', channelIds: [jobba], variants: [{ channelId: x, text: 'smyg' }] },
    ]) {
      const res = await call(app, host, 'POST', '/posts', body);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body.error?.code).toBe('outside_scope');
    }
    expect(await postCount()).toBe(before);
    // Their own channel passes the scope and meets the platform's rules (Instagram needs an image).
    const own = await call(app, host, 'POST', '/posts', { ...good(), kind: 'staff', channelIds: [jobba] });
    expect(own.status).toBe(400);
    expect(own.body.error?.field).toBe('text');

    const others = await call(app, writer, 'POST', '/posts', { ...good(), kind: 'pressmeddelande', when: undefined });
    expect(others.status).toBe(201);
    expect((await call(app, host, 'GET', `/posts/${String(others.body.id)}`)).status).toBe(404);
    expect((await call(app, host, 'POST', `/posts/${String(others.body.id)}/approve`)).status).toBe(403);
    const list = await call(app, host, 'GET', '/posts?limit=100');
    expect(list.status).toBe(200);
    expect((list.body.items as { createdBy: string }[]).every((p) => p.createdBy === hostId)).toBe(true);
  });

  it('is refused (403) outside their week, even with a live token, and keeps seeing their own posts', async () => {
    const booked = await addHandoverWeek(app.db.db, { week: '2031-W07', email: 'maja.park@helsingborg.example', name: 'Maja Park', theme: 'Parker' }, { userId: null, label: 'test' });
    const token = await tokenFor(app, 'staff_host', { email: booked.email });
    const jobba = await channelId(app, 'instagram-jobba');
    const res = await call(app, token, 'POST', '/posts', { ...good(), kind: 'staff', channelIds: [jobba] });
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('forbidden');
    expect(res.body.error?.message).toContain('create:post');
    const list = await call(app, token, 'GET', '/posts');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
  });
});
