/**
 * The inbox over HTTP as the contact centre uses it (no JavaScript): list, filters, thread view, and the actions —
 * hide with a policy reason (saved copy registered before the platform call), reply (screened, signed, published
 * through the pipeline, registered), escalate, mark handled — against the real app, worker and simulators. Hostile
 * input gets a specific 4xx and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import pino from 'pino';
import { HttpSession, startTestApp, type TestApp } from '../support/app';
import { auditLog, channels, deliveries, inboxItems, posts, publicRecords, type Channel } from '../../db/schema';
import { createPost } from '../../app/models/posts.server';
import { fetchChannelComments } from '../../workers/lib/inbox';
import type { DeliveryWorker } from '../../workers/runner';
import { startWorkerForApp, waitFor } from '../pipeline/harness';

let app: TestApp;
let worker: DeliveryWorker;
let fb: Channel;
let fbPostId: string;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  app = await startTestApp();
  worker = await startWorkerForApp(app, 'inbox-web');
  [fb] = (await app.db.db.select().from(channels).where(eq(channels.key, 'facebook-helsingborg'))) as [Channel];
  const { deliveries: ds } = await createPost(app.db.db, { text: 'Vattnet stängs av på Storgatan i morgon.', channelKeys: ['facebook-helsingborg'], createdBy: null, actorLabel: 'test' });
  fbPostId = (await waitFor(async () => {
    const [d] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, ds[0]!.id));
    return d?.state === 'published' ? d.externalId : null;
  }, 20_000, 'the post to publish'))!;
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

const userOf = (role: string) => app.seed.demoUsers.find((x) => x.role === role)!;
async function sessionAs(role: string) {
  const s = new HttpSession(app.url);
  expect((await s.login(userOf(role).email, app.seed.demoPassword)).status).toBe(302);
  return s;
}
async function inject(text: string, author = 'Anna Andersson') {
  const res = await fetch(`${app.sims.url}/_sim/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'facebook', postId: fbPostId, author, text }),
  });
  expect(res.status).toBe(201);
  const c = (await res.json()) as { id: string };
  await fetchChannelComments({ db: app.db.db, credentialsKey: app.credentialsKey, log, platformTimeoutMs: 5_000 }, fb);
  const [item] = await app.db.db.select().from(inboxItems).where(and(eq(inboxItems.channelId, fb.id), eq(inboxItems.externalId, c.id)));
  return item!;
}
async function simComment(id: string) {
  const state = (await (await fetch(`${app.sims.url}/_sim/state`)).json()) as { comments: { id: string; hidden: boolean; deleted: boolean; text: string; fromOwner: boolean; parentId: string | null }[] };
  return { self: state.comments.find((c) => c.id === id), all: state.comments };
}
async function writes() {
  const db = app.db.db;
  return {
    records: (await db.select({ n: count() }).from(publicRecords))[0]!.n,
    posts: (await db.select({ n: count() }).from(posts))[0]!.n,
    audit: (await db.select({ n: count() }).from(auditLog))[0]!.n,
  };
}

describe('inbox pages', () => {
  it('lists comments with suggestions, filters by channel, state and label, and refuses a filter no form makes', async () => {
    await inject('Hej! Jag heter Anna och mitt personnummer är 811218-9876, kan ni ringa mig?');
    await inject('Köp billiga solglasögon nu!!! Rabattkod SOMMAR50 på www.billigt-solglasogon.example', 'Reklambolaget AB');
    const s = await sessionAs('contact_centre');
    const all = await s.get('/inkorg');
    expect(all.status).toBe(200);
    const html = await all.text();
    expect(html).toContain('Anna Andersson');
    expect(html).toContain('Reklambolaget AB');
    const pd = await (await s.get('/inkorg?label=personal_data')).text();
    expect(pd).toContain('811218-9876');
    expect(pd).not.toContain('Reklambolaget AB');
    expect((await s.get(`/inkorg?channel=${fb.id}&state=new`)).status).toBe(200);
    for (const bad of ['?state=deleted', '?label=%00', '?channel=not-a-uuid', '?overdue=yes', `?label=${'x'.repeat(10_000)}`]) {
      expect((await s.get(`/inkorg${bad}`)).status, bad).toBe(400);
    }
    // The registrar has no inbox.
    expect((await (await sessionAs('registrar')).get('/inkorg')).status).toBe(403);
  });

  it('shows the thread with our post and the rule behind each suggestion; unknown ids are 404', async () => {
    const item = await inject('Skicka mitt personnummer 19811218-9876 till handläggaren');
    const s = await sessionAs('contact_centre');
    const res = await s.get(`/inkorg/${item.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Vattnet stängs av på Storgatan');
    expect(html).toMatch(/personal_data|personnummer/);
    expect(item.labels.some((l) => l.label === 'personal_data' && l.rule.length > 0)).toBe(true);
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000', '%00', "1' or '1'='1"]) {
      expect((await s.get(`/inkorg/${id}`)).status, id).toBe(404);
    }
  });
});

describe('inbox actions', () => {
  it('hides a comment with reason personal_data: the saved copy and reason are registered before the platform hides it', async () => {
    const item = await inject('Min granne Per Persson 811218-9876 bor på Storgatan 5');
    const s = await sessionAs('contact_centre');
    const res = await s.post(`/inkorg/${item.id}`, { intent: 'moderate', action: 'hide', reason: 'personal_data' });
    expect(res.status).toBe(200);
    const done = await waitFor(async () => {
      const [row] = await app.db.db.select().from(inboxItems).where(eq(inboxItems.id, item.id));
      return row?.moderationStatus === 'done' ? row : null;
    }, 20_000, 'the hide to be carried out');
    expect(done.state).toBe('removed');
    expect((await simComment(item.externalId)).self?.hidden).toBe(true);
    const [record] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.id, done.moderationRecordId!));
    expect(record).toMatchObject({ kind: 'moderation_event', relatedRecordId: item.recordId });
    expect(record!.content).toMatchObject({ action: 'hide', reason: 'personal_data', savedCopy: { text: item.text, author: 'Anna Andersson' } });
    const [hidden] = await app.db.db.select().from(auditLog).where(and(eq(auditLog.action, 'inbox.hidden'), eq(auditLog.objectId, item.id)));
    // The copy was registered (committed) before the platform was asked.
    expect(record!.registeredAt.getTime()).toBeLessThanOrEqual(hidden!.at.getTime());
    expect(record!.id).toBeGreaterThan(item.recordId);
    // A second hide is a conflict, and writes nothing.
    const before = await writes();
    expect((await s.post(`/inkorg/${item.id}`, { intent: 'moderate', action: 'delete', reason: 'personal_data' })).status).toBe(409);
    expect(await writes()).toEqual(before);
  });

  it('replies: a personnummer blocks (nothing written); a clean reply is signed, published as a reply and registered', async () => {
    const item = await inject('När kommer vattnet tillbaka?');
    expect(item.labels.some((l) => l.label === 'question')).toBe(true);
    expect(item.queue).toBe('contact_centre');
    expect(item.dueAt).not.toBeNull();
    const s = await sessionAs('contact_centre');
    const before = await writes();
    const blocked = await s.post(`/inkorg/${item.id}`, { intent: 'reply', text: 'Skicka ditt personnummer 811218-9876 hit' });
    expect(blocked.status).toBe(400);
    const body = await blocked.text();
    expect(body).toContain('811218-9876');
    expect(await writes()).toEqual(before);

    const ok = await s.post(`/inkorg/${item.id}`, { intent: 'reply', text: 'Vattnet är tillbaka vid 15-tiden.' });
    expect(ok.status).toBe(200);
    const [d] = await app.db.db.select().from(deliveries).where(eq(deliveries.replyToExternalId, item.externalId));
    const published = await waitFor(async () => {
      const [row] = await app.db.db.select().from(deliveries).where(eq(deliveries.id, d!.id));
      return row?.state === 'published' ? row : null;
    }, 20_000, 'the reply to publish');
    expect(published.sentText).toBe('Vattnet är tillbaka vid 15-tiden.\n/Konrad');
    const { all } = await simComment(item.externalId);
    expect(all.find((c) => c.id === published.externalId)).toMatchObject({ fromOwner: true, parentId: item.externalId });
    const [rec] = await app.db.db.select().from(publicRecords).where(eq(publicRecords.deliveryId, d!.id));
    expect(rec).toMatchObject({ kind: 'outgoing_reply', direction: 'outgoing' });
    const [row] = await app.db.db.select().from(inboxItems).where(eq(inboxItems.id, item.id));
    expect(row!.state).toBe('answered');
  });

  it('escalates to a named role and marks handled, audited', async () => {
    const item = await inject('Varför har ni inte svarat på mitt mejl om bygglovet?');
    const s = await sessionAs('contact_centre');
    expect((await s.post(`/inkorg/${item.id}`, { intent: 'escalate', role: 'communications', note: 'Bygglov' })).status).toBe(200);
    let [row] = await app.db.db.select().from(inboxItems).where(eq(inboxItems.id, item.id));
    expect(row).toMatchObject({ state: 'escalated', escalatedTo: 'communications' });
    expect((await s.get('/inkorg?state=escalated')).status).toBe(200);
    expect((await s.post(`/inkorg/${item.id}`, { intent: 'handled' })).status).toBe(200);
    [row] = await app.db.db.select().from(inboxItems).where(eq(inboxItems.id, item.id));
    expect(row!.state).toBe('handled');
    const audits = await app.db.db.select().from(auditLog).where(eq(auditLog.objectId, item.id));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['inbox.escalated', 'inbox.handled']));
  });

  it('hostile input: a clear 4xx for each, nothing written, typed text kept', async () => {
    const item = await inject('Bara en vanlig kommentar om parken.');
    const s = await sessionAs('contact_centre');
    const staff = await sessionAs('staff_host');
    const path = `/inkorg/${item.id}`;
    const before = await writes();
    const cases: [Record<string, string>, number][] = [
      [{ intent: 'reply', text: 'Hej\u0000där' }, 400],
      [{ intent: 'reply', text: 'x'.repeat(6000) }, 400],
      [{ intent: 'reply', text: '   ' }, 400],
      [{ intent: 'moderate', action: 'hide', reason: 'because' }, 400],
      [{ intent: 'moderate', action: 'burn', reason: 'spam' }, 400],
      [{ intent: 'escalate', role: 'superuser' }, 400],
      [{ intent: 'drop table' }, 400],
      [{}, 400],
    ];
    for (const [fields, status] of cases) {
      const res = await s.post(path, fields);
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(status);
    }
    const kept = await s.post(path, { intent: 'reply', text: 'Hej\u0000där' });
    expect(await kept.text()).toContain('Hejdär');
    expect((await s.postRaw(path, 'intent=reply&text=%FF%FE', 'application/x-www-form-urlencoded')).status).toBe(403); // no CSRF token
    expect((await s.postRaw(path, '{"intent":"handled"}', 'application/json')).status).toBe(415);
    expect((await s.post(path, { intent: 'handled' }, { csrf: false })).status).toBe(403);
    expect((await s.post('/inkorg/not-a-uuid', { intent: 'handled' })).status).toBe(404);
    expect((await s.post('/inkorg/00000000-0000-4000-8000-000000000000', { intent: 'handled' })).status).toBe(404);
    // Roles without moderate:comment cannot act.
    expect((await staff.post(path, { intent: 'handled' })).status).toBe(403);
    expect(await writes()).toEqual(before);
  });
});

describe('inbox settings, templates and the overdue view', () => {
  it('saves classifier word lists that label new comments, with the rule named; refuses bad values with nothing written', async () => {
    const s = await sessionAs('contact_centre');
    expect((await s.get('/inkorg/installningar')).status).toBe(200);
    expect((await (await sessionAs('registrar')).get('/inkorg/installningar')).status).toBe(403);
    const base = {
      intent: 'settings',
      minScore: '0.5',
      repeatWindowMinutes: '1440',
      repeatSimilarity: '0.8',
      repeatManyAuthors: '3',
      advertisingTerms: '',
      spamTerms: '',
      offensiveTerms: '',
      irrelevantTerms: 'fotboll*\nallsvenskan',
      signatureFormat: 'Hälsningar {firstName}, Helsingborgs stad',
      answerTargetHours: '8',
    };
    const before = await writes();
    for (const [field, bad] of [
      ['minScore', 'abc'],
      ['minScore', '5'],
      ['repeatWindowMinutes', '1.5'],
      ['answerTargetHours', '-1'],
      ['answerTargetHours', '1e400'],
      ['irrelevantTerms', 'ok\nklocka\u0007'],
      ['irrelevantTerms', 'x'.repeat(100)],
      ['spamTerms', 'y\n'.repeat(15_000)],
      ['signatureFormat', 'z'.repeat(200)],
      ['intent', 'settings\u0000'],
    ] as const) {
      const res = await s.post('/inkorg/installningar', { ...base, [field]: bad });
      expect(res.status, `${field}=${JSON.stringify(bad).slice(0, 40)}`).toBe(400);
    }
    expect(await writes()).toEqual(before);
    const kept = await s.post('/inkorg/installningar', { ...base, minScore: 'abc' });
    expect(await kept.text()).toContain('Hälsningar {firstName}, Helsingborgs stad');

    expect((await s.post('/inkorg/installningar', base)).status).toBe(200);
    const item = await inject('Vem vann fotbollsmatchen i allsvenskan igår?', 'Sven Sport');
    const irrelevant = item.labels.find((l) => l.label === 'irrelevant');
    expect(irrelevant?.rule).toMatch(/configured/);
    // The answer-time target follows the setting (8 working hours) and the signature is used for replies.
    const reply = await s.post(`/inkorg/${item.id}`, { intent: 'reply', text: 'Det vet vi inte.' });
    expect(reply.status).toBe(200);
    const [d] = await app.db.db.select().from(deliveries).where(eq(deliveries.replyToExternalId, item.externalId));
    const [p] = await app.db.db.select().from(posts).where(eq(posts.id, d!.postId));
    expect(p!.text).toBe('Det vet vi inte.\nHälsningar Konrad, Helsingborgs stad');
  });

  it('saves, uses and deletes reply templates', async () => {
    const s = await sessionAs('contact_centre');
    expect((await s.post('/inkorg/installningar', { intent: 'template_save', name: 'Vattenavstängning', body: 'Vattnet är tillbaka i kväll. Tack för ditt tålamod!' })).status).toBe(200);
    const item = await inject('Hur länge är vattnet avstängt?');
    const { listReplyTemplates } = await import('../../app/models/inbox.server');
    const [tpl] = (await listReplyTemplates(app.db.db)).filter((x) => x.name === 'Vattenavstängning');
    const page = await (await s.get(`/inkorg/${item.id}?template=${tpl!.id}`)).text();
    expect(page).toContain('Vattnet är tillbaka i kväll. Tack för ditt tålamod!');
    expect((await s.get(`/inkorg/${item.id}?template=not-a-uuid`)).status).toBe(200);
    expect((await s.post('/inkorg/installningar', { intent: 'template_save', name: '', body: 'x' })).status).toBe(400);
    expect((await s.post('/inkorg/installningar', { intent: 'template_delete', id: 'nope' })).status).toBe(400);
    expect((await s.post('/inkorg/installningar', { intent: 'template_delete', id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await s.post('/inkorg/installningar', { intent: 'template_delete', id: tpl!.id })).status).toBe(200);
    expect((await listReplyTemplates(app.db.db)).some((x) => x.id === tpl!.id)).toBe(false);
  });

  it('the overdue view lists unanswered questions whose answer time has passed, oldest first', async () => {
    const item = await inject('Varför är parkeringen stängd?');
    expect(item.dueAt).not.toBeNull();
    const s = await sessionAs('contact_centre');
    expect(await (await s.get('/inkorg?overdue=1')).text()).not.toContain('Varför är parkeringen stängd?');
    // Time passes: the target is now behind us.
    await app.db.db.update(inboxItems).set({ dueAt: new Date(Date.now() - 60_000) }).where(eq(inboxItems.id, item.id));
    const overdue = await (await s.get('/inkorg?overdue=1')).text();
    expect(overdue).toContain('Varför är parkeringen stängd?');
    expect(overdue).toContain('Försenad');
    const queue = await (await s.get('/inkorg?queue=contact_centre&label=question')).text();
    expect(queue).toContain('Varför är parkeringen stängd?');
  });
});

describe('the composer screens before publishing (no JavaScript)', () => {
  it('shows the finding and the override field, refuses without a reason, records the reason with it', async () => {
    const s = await sessionAs('communications');
    const form = (extra: Record<string, string> = {}) => {
      const f = new FormData();
      f.set('text', 'Grattis Anna 811218-9876!');
      f.append('channelIds', fb.id);
      f.set('at', '2031-12-20T09:30');
      for (const [k, v] of Object.entries(extra)) f.set(k, v);
      return f;
    };
    const before = await writes();
    const refused = await s.postMultipart('/skriv', form());
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('Personnummer får inte publiceras');
    expect(html).toContain('name="screeningOverride"');
    expect(html).toContain('Grattis Anna 811218-9876!');
    expect((await s.postMultipart('/skriv', form({ screeningOverride: 'x'.repeat(600) }))).status).toBe(400);
    expect((await s.postMultipart('/skriv', form({ screeningOverride: 'Hej\u0000' }))).status).toBe(400);
    expect((await s.postMultipart('/skriv', form({ screeningOverride: '   ' }))).status).toBe(400);
    expect((await writes()).posts).toBe(before.posts);
    const ok = await s.postMultipart('/skriv', form({ screeningOverride: 'Anna har gett samtycke' }));
    expect(ok.status).toBe(302);
    const id = (ok.headers.get('location') ?? '').split('/').pop()!;
    const [p] = await app.db.db.select().from(posts).where(eq(posts.id, id));
    expect(p!.screeningOverrideReason).toBe('Anna har gett samtycke');
    // The live warning is there for JavaScript users too: the page renders the screening region beside the field.
    expect(await (await s.get('/skriv')).text()).toContain('id="screening"');
  });
});
