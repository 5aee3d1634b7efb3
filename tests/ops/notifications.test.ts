/**
 * E-mail notifications (ADR 043) end to end: real database, real Graphile Worker, real nodemailer against a real
 * local SMTP server (smtp-server). Each event mails the configured roles once; a second trigger of the same event
 * adds nothing; with the SMTP server down the job is retried and the mail goes out once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { and, eq, like, sql } from 'drizzle-orm';
import { createPost } from '../../app/models/posts.server';
import { channels, inboxItems, notifications, posts, users } from '../../db/schema';
import { holdChannel } from '../../workers/delivery/publication';
import { registerComments } from '../../workers/lib/inbox';
import { notifyCrisisDeliveryFailed, recordOverdueInbox } from '../../workers/delivery/notifications';
import { messageIdFor, type MailSettings } from '../../workers/lib/mail';
import { enqueue } from '../../workers/delivery/jobs';
import { startHarness, uniqueText, waitFor, type Harness } from '../pipeline/harness';

interface Received {
  to: string[];
  raw: string;
}

let h: Harness;
let received: Received[] = [];
let server: SMTPServer;
let port = 0;

function startSmtp(listenPort: number): Promise<number> {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).sort(), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  return new Promise((resolve) => server.listen(listenPort, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
}

const stopSmtp = () => new Promise<void>((resolve) => server.close(() => resolve()));

/** Quoted-printable soft breaks and =XX escapes undone, so Swedish text can be matched. */
function bodyOf(raw: string): string {
  return Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

async function emailsOf(role: 'admin' | 'emergency' | 'contact_centre'): Promise<string[]> {
  return (await h.t.db.select({ email: users.email }).from(users).where(eq(users.role, role))).map((u) => u.email);
}

async function jobsFor(eventKey: string): Promise<number> {
  const rows = await h.t.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs where key = ${`notification__send:${eventKey}`}`);
  return rows[0]!.n;
}

async function sentRow(eventKey: string) {
  return waitFor(async () => {
    const [n] = await h.t.db.select().from(notifications).where(eq(notifications.eventKey, eventKey));
    return n?.sentAt ? n : null;
  }, 30_000, `notification ${eventKey} sent`);
}

beforeAll(async () => {
  h = await startHarness();
  port = await startSmtp(0);
  const mail: MailSettings = {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    from: 'Utrop <utrop@test.example>',
    recipients: { crisis_delivery_failed: ['emergency', 'admin'], channel_needs_reauth: ['admin'], inbox_overdue: ['contact_centre'] },
  };
  await h.startWorker({ mail, concurrency: 2 });
});
afterAll(async () => {
  await h?.close();
  await stopSmtp().catch(() => {});
});

describe('e-mail notifications', () => {
  it('a failed crisis delivery mails the emergency and admin roles once; a second trigger sends none', async () => {
    received = [];
    const text = uniqueText('VIKTIGT');
    const { deliveries: [d] } = await createPost(h.t.db, {
      text,
      channelKeys: ['x-helsingborg'],
      scheduledAt: new Date(Date.now() + 800),
      isCrisis: true,
      createdBy: null,
      actorLabel: 'test',
    });
    // Changed after it was created: the worker's last check refuses it, and the delivery ends failed.
    await h.t.db.update(posts).set({ text: `${text} ${'å'.repeat(300)}` }).where(eq(posts.id, d!.postId));
    const failed = await h.waitForDelivery(d!.id, (x) => x.state === 'failed');
    const row = await sentRow(`crisis_delivery_failed:${d!.id}`);
    const expected = [...(await emailsOf('emergency')), ...(await emailsOf('admin'))].sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(row.recipients!.slice().sort()).toEqual(expected);
    const mails = received.filter((m) => bodyOf(m.raw).includes(`/kris/${d!.postId}`));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(expected);
    expect(bodyOf(mails[0]!.raw)).toContain('Ett krisutskick kunde inte publiceras');
    expect(mails[0]!.raw).toContain(`Message-ID: ${messageIdFor(`crisis_delivery_failed:${d!.id}`, 'Utrop <utrop@test.example>')}`);

    // The same event again (e.g. a second finish of the same delivery): nothing recorded, no job, no mail.
    await h.t.db.transaction((tx) => notifyCrisisDeliveryFailed(tx, failed, 'igen'));
    expect(await jobsFor(`crisis_delivery_failed:${d!.id}`)).toBe(0);
    expect(await h.t.db.select().from(notifications).where(like(notifications.eventKey, `crisis_delivery_failed:${d!.id}%`))).toHaveLength(1);
    expect(received.filter((m) => bodyOf(m.raw).includes(`/kris/${d!.postId}`))).toHaveLength(1);
  });

  it('a channel that needs re-authorisation mails the admins once per episode', async () => {
    received = [];
    const channel = h.channel('facebook-helsingborg');
    const [current] = await h.t.db.select().from(channels).where(eq(channels.id, channel.id));
    await h.t.db.transaction((tx) => holdChannel(tx, current!, 'token revoked', { userId: null, label: 'test' }));
    const key = `channel_needs_reauth:${channel.id}:${current!.updatedAt.getTime()}`;
    const row = await sentRow(key);
    const admins = (await emailsOf('admin')).sort();
    expect(row.recipients!.slice().sort()).toEqual(admins);
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(admins);
    expect(bodyOf(received[0]!.raw)).toContain('har tappat sin inloggning');

    // A second hold of the same episode (a refresh racing a publish saw the same channel row): no new mail.
    await h.t.db.transaction((tx) => holdChannel(tx, current!, 'token revoked again', { userId: null, label: 'test' }));
    expect(await jobsFor(key)).toBe(0);
    expect(await h.t.db.select().from(notifications).where(eq(notifications.subjectId, channel.id))).toHaveLength(1);
    expect(received).toHaveLength(1);
    await h.t.db.update(channels).set({ credentialStatus: 'ok', credentialError: null }).where(eq(channels.id, channel.id));
  });

  it('an overdue inbox question mails the contact centre once; with the SMTP server down the job retries and nothing is lost', async () => {
    received = [];
    const channel = h.channel('facebook-helsingborg');
    const externalId = `ext-${Date.now()}`;
    await h.t.db.transaction((tx) =>
      registerComments(tx, channel, [{ externalId, postExternalId: null, parentExternalId: null, authorId: null, authorName: 'Medborgare', text: 'När öppnar badet?', createdAt: new Date(Date.now() - 3 * 86_400_000) }], new Map()),
    );
    // Its answer time passed a day ago (the due time itself is the inbox's own business, tested there).
    const [item] = await h.t.db
      .update(inboxItems)
      .set({ dueAt: new Date(Date.now() - 86_400_000) })
      .where(and(eq(inboxItems.channelId, channel.id), eq(inboxItems.externalId, externalId)))
      .returning();
    await stopSmtp();
    expect(await recordOverdueInbox(h.t.db)).toBe(1);
    const key = `inbox_overdue:${item!.id}`;
    // The first attempt fails against the closed port and Graphile Worker schedules a retry.
    await waitFor(async () => {
      const rows = await h.t.db.execute<{ attempts: number; last_error: string | null }>(
        sql`select attempts, last_error from graphile_worker.jobs where key = ${`notification__send:${key}`}`,
      );
      return rows[0] && rows[0].attempts >= 1 && rows[0].last_error ? rows[0] : null;
    }, 30_000, 'a failed attempt');
    const [pending] = await h.t.db.select().from(notifications).where(eq(notifications.eventKey, key));
    expect(pending!.sentAt).toBeNull();
    // A second cron run while it is pending records nothing new.
    expect(await recordOverdueInbox(h.t.db)).toBe(0);

    await startSmtp(port);
    const row = await sentRow(key);
    const centre = (await emailsOf('contact_centre')).sort();
    expect(row.recipients!.slice().sort()).toEqual(centre);
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(centre);
    expect(bodyOf(received[0]!.raw)).toContain(`/inkorg/${item!.id}`);
    expect(await recordOverdueInbox(h.t.db)).toBe(0);
    expect(await h.t.db.select().from(notifications).where(and(eq(notifications.kind, 'inbox_overdue'), eq(notifications.subjectId, item!.id)))).toHaveLength(1);
  });

  it('a mail sent again (a crash after the SMTP server accepted it, before sent_at) carries the same Message-ID', async () => {
    received = [];
    const channel = h.channel('x-helsingborg');
    const [current] = await h.t.db.select().from(channels).where(eq(channels.id, channel.id));
    await h.t.db.transaction((tx) => holdChannel(tx, current!, 'token expired', { userId: null, label: 'test' }));
    const key = `channel_needs_reauth:${channel.id}:${current!.updatedAt.getTime()}`;
    await sentRow(key);
    // What the crash leaves behind: the mail went out, sent_at was never written, and the job runs again.
    await h.t.db.update(notifications).set({ sentAt: null }).where(eq(notifications.eventKey, key));
    await h.t.db.transaction((tx) => enqueue(tx, 'notification__send', { eventKey: key }));
    await sentRow(key);
    await waitFor(async () => received.length >= 2, 30_000, 'the second copy');
    const ids = received.map((m) => /^Message-ID: (.+)$/im.exec(m.raw)?.[1]?.trim());
    expect(ids).toEqual([messageIdFor(key, 'Utrop <utrop@test.example>'), messageIdFor(key, 'Utrop <utrop@test.example>')]);
    expect(ids[0]).toMatch(/^<[0-9a-f]{32}@test\.example>$/);
    await h.t.db.update(channels).set({ credentialStatus: 'ok', credentialError: null }).where(eq(channels.id, channel.id));
  });
});
