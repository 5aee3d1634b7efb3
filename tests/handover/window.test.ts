/**
 * Issue 13: a staff host's access is the half-open window Monday 00:00 – next Monday 00:00, Europe/Stockholm,
 * asked of one function (findHostWindow) by the request guard, `utrop handover who` and the end-of-week task.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { seedDemo } from '../../app/demo/seed.server';
import { auditLog, handoverAcceptances, handoverInvitations, handoverWeeks, sessions, users } from '../../db/schema';
import {
  acceptGuidelines,
  acceptInvitation,
  addHandoverWeek,
  cancelWeek,
  guidelinesStatus,
  handoverHostAt,
  HandoverError,
  hostMayDraft,
  swapWeeks,
  updateGuidelines,
} from '../../app/models/handover.server';
import { settleHandoverWeeks } from '../../db/queries/handover';
import { parseIsoWeek } from '../../common/time';

const root = path.resolve(import.meta.dirname, '..', '..');
const team = { userId: null, label: 'test' };
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
});
afterAll(async () => {
  await t?.destroy();
});

const at = (iso: string) => new Date(iso);
const before = at('2026-12-01T12:00:00Z');

function utrop(args: string[]) {
  return spawnSync(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: t.url } });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HandoverError) return e.key;
    throw e;
  }
  throw new Error('expected a HandoverError');
}

describe('the week window', () => {
  it('computes 167 and 169 hour weeks where daylight saving changes, 168 otherwise', () => {
    const hours = (w: string) => {
      const r = parseIsoWeek(w);
      if (!r.ok) throw new Error(r.message);
      return (r.end.getTime() - r.start.getTime()) / 3_600_000;
    };
    expect(hours('2026-W13')).toBe(167);
    expect(hours('2026-W43')).toBe(169);
    expect(hours('2026-W53')).toBe(168);
    const w53 = parseIsoWeek('2026-W53');
    expect(w53.ok && w53.start.toISOString()).toBe('2026-12-27T23:00:00.000Z');
    const w1 = parseIsoWeek('2027-W01');
    expect(w1.ok && w1.start.toISOString()).toBe(w53.ok && w53.end.toISOString());
    for (const bad of ['2025-W53', '2026-W54', '2026-W00', '0000-W01', '2026-53', '2026-W5', `2026-W53\u0000`]) expect(parseIsoWeek(bad).ok).toBe(false);
  });

  it('hands week 53 of 2026 and week 1 of 2027 to two hosts with the boundary at Monday 00:00 city time', async () => {
    await addHandoverWeek(t.db, { week: '2026-W53', email: 'anna.w53@helsingborg.example', name: 'Anna Femtiotre' }, team, before);
    await addHandoverWeek(t.db, { week: '2027-W01', email: 'bo.w01@helsingborg.example', name: 'Bo Ett' }, team, before);
    expect(await handoverHostAt(t.db, { at: at('2026-12-27T23:59:59+01:00') })).toEqual({ email: null });
    expect(await handoverHostAt(t.db, { at: at('2026-12-28T00:00:00+01:00') })).toEqual({ email: 'anna.w53@helsingborg.example', week: '2026-W53' });
    expect(await handoverHostAt(t.db, { at: at('2027-01-03T23:59:59+01:00') })).toEqual({ email: 'anna.w53@helsingborg.example', week: '2026-W53' });
    expect(await handoverHostAt(t.db, { at: at('2027-01-04T00:00:00+01:00') })).toEqual({ email: 'bo.w01@helsingborg.example', week: '2027-W01' });
    expect(await handoverHostAt(t.db, { at: at('2027-01-11T00:00:00+01:00') })).toEqual({ email: null });
  });

  it('keeps the window on the wall clock in weeks with a daylight-saving change', async () => {
    await addHandoverWeek(t.db, { week: '2030-W13', email: 'sommartid@helsingborg.example', name: 'Sam Sommartid' }, team, before);
    await addHandoverWeek(t.db, { week: '2030-W43', email: 'vintertid@helsingborg.example', name: 'Vin Vintertid' }, team, before);
    // 2030: summer time starts 31 March (Sunday of W13), winter time 27 October (Sunday of W43).
    expect((await handoverHostAt(t.db, { at: at('2030-03-24T23:59:59+01:00') })).email).toBeNull();
    expect((await handoverHostAt(t.db, { at: at('2030-03-25T00:00:00+01:00') })).email).toBe('sommartid@helsingborg.example');
    expect((await handoverHostAt(t.db, { at: at('2030-03-31T23:59:59+02:00') })).email).toBe('sommartid@helsingborg.example');
    expect((await handoverHostAt(t.db, { at: at('2030-04-01T00:00:00+02:00') })).email).toBeNull();
    expect((await handoverHostAt(t.db, { at: at('2030-10-21T00:00:00+02:00') })).email).toBe('vintertid@helsingborg.example');
    expect((await handoverHostAt(t.db, { at: at('2030-10-27T23:59:59+01:00') })).email).toBe('vintertid@helsingborg.example');
    expect((await handoverHostAt(t.db, { at: at('2030-10-28T00:00:00+01:00') })).email).toBeNull();
  });

  it('refuses a second host for a booked week, a past week and an email that belongs to a staff member with another role', async () => {
    expect(await refusal(addHandoverWeek(t.db, { week: '2026-W53', email: 'ny@helsingborg.example', name: 'Ny' }, team, before))).toBe('handover.weekTaken');
    expect(await refusal(addHandoverWeek(t.db, { week: '2026-W48', email: 'sen@helsingborg.example', name: 'Sen' }, team, before))).toBe('handover.weekPast');
    expect(await refusal(addHandoverWeek(t.db, { week: '2031-W10', email: 'registrator@utrop.example', name: 'Rut' }, team, before))).toBe('handover.emailTaken');
    expect(await refusal(addHandoverWeek(t.db, { week: '2031-W10', email: 'x@helsingborg.example', name: 'X', channel: 'x-helsingborg' }, team, before))).toBe('handover.notHandoverChannel');
    // Nothing half-written: no user was created for the refused bookings.
    for (const email of ['ny@helsingborg.example', 'sen@helsingborg.example', 'x@helsingborg.example']) {
      expect(await t.db.select().from(users).where(eq(users.email, email))).toHaveLength(0);
    }
  });
});

describe('invitation, guidelines and the end of the week', () => {
  it('takes a single-use invitation stored only as a hash, then the current guidelines version, and ends access when the week ends', async () => {
    const booked = await addHandoverWeek(t.db, { week: '2031-W20', email: 'Cecilia.Varvet@Helsingborg.example', name: 'Cecilia Varvet', workplace: 'Stadsbyggnad' }, team, before);
    expect(booked.email).toBe('cecilia.varvet@helsingborg.example');
    const stored = await t.db.select().from(handoverInvitations).where(eq(handoverInvitations.weekId, booked.weekId));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(booked.token);
    expect(JSON.stringify(stored)).not.toContain(booked.token);

    const inWeek = at('2031-05-14T10:00:00+02:00');
    const host = await acceptInvitation(t.db, booked.token, 'ett-eget-lösenord-för-veckan', at('2026-12-10T10:00:00+01:00'));
    expect(host.role).toBe('staff_host');
    expect(await refusal(acceptInvitation(t.db, booked.token, 'ett-annat-lösenord-igen', at('2026-12-10T10:00:01+01:00')))).toBe('handover.invitationInvalid');

    expect(await hostMayDraft(t.db, host, inWeek)).toBeNull();
    const status = await guidelinesStatus(t.db, host.id, inWeek);
    expect(status?.accepted).toBe(false);
    await acceptGuidelines(t.db, { userId: host.id, guidelinesId: status!.guidelines.id }, inWeek);
    expect((await hostMayDraft(t.db, host, inWeek))?.weekId).toBe(booked.weekId);
    const [acceptance] = await t.db.select().from(handoverAcceptances).where(eq(handoverAcceptances.weekId, booked.weekId));
    expect(acceptance?.guidelinesVersion).toBe(status!.guidelines.version);

    // A new version of the guidelines must be read and accepted again; the old acceptance stays as evidence.
    const v2 = await updateGuidelines(t.db, { channelKey: 'instagram-jobba', body: `${status!.guidelines.body}\n6. Nytt: tagga aldrig privatpersoner.` }, team);
    expect(await hostMayDraft(t.db, host, inWeek)).toBeNull();
    expect(await refusal(acceptGuidelines(t.db, { userId: host.id, guidelinesId: status!.guidelines.id }, inWeek))).toBe('handover.guidelinesChanged');
    await acceptGuidelines(t.db, { userId: host.id, guidelinesId: v2.id }, inWeek);
    expect(await t.db.select().from(handoverAcceptances).where(eq(handoverAcceptances.weekId, booked.weekId))).toHaveLength(2);

    await t.db.insert(sessions).values({ id: `s-${booked.weekId}`, userId: host.id, expiresAt: at('2031-06-01T00:00:00Z') });
    const lastSecond = at('2031-05-18T23:59:59+02:00');
    await t.db.transaction((tx) => settleHandoverWeeks(tx, lastSecond));
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, host.id))).toHaveLength(1);
    const [still] = await t.db.select().from(handoverWeeks).where(eq(handoverWeeks.id, booked.weekId));
    expect(still?.accessEndedAt).toBeNull();
    const end = at('2031-05-19T00:00:00+02:00');
    const settled = await t.db.transaction((tx) => settleHandoverWeeks(tx, end));
    expect(settled.sessionsEnded).toBe(1);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, host.id))).toHaveLength(0);
    const [week] = await t.db.select().from(handoverWeeks).where(eq(handoverWeeks.id, booked.weekId));
    expect(week?.status).toBe('finished');
    expect(week?.accessEndedAt?.toISOString()).toBe(end.toISOString());
    const actions = (await t.db.select().from(auditLog).where(eq(auditLog.objectId, booked.weekId))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['handover.add', 'handover.invitation_accepted', 'handover.guidelines_accepted', 'handover.access_ended']));
    // Settling again changes nothing.
    expect((await t.db.transaction((tx) => settleHandoverWeeks(tx, end))).ended).toBe(0);
  });

  it('refuses an expired invitation, and one of a cancelled week', async () => {
    const booked = await addHandoverWeek(t.db, { week: '2031-W30', email: 'sent@helsingborg.example', name: 'Sen Svarare' }, team, before);
    // Invitations run 14 days.
    expect(await refusal(acceptInvitation(t.db, booked.token, 'ett-långt-lösenord', at('2026-12-15T12:00:01Z')))).toBe('handover.invitationInvalid');
    const other = await addHandoverWeek(t.db, { week: '2031-W31', email: 'avbokad@helsingborg.example', name: 'Av Bokad' }, team, before);
    await cancelWeek(t.db, { weekId: other.weekId, reason: 'Sjuk den veckan' }, team, before);
    expect(await refusal(acceptInvitation(t.db, other.token, 'ett-långt-lösenord', before))).toBe('handover.invitationInvalid');
    expect((await handoverHostAt(t.db, { at: at('2031-07-29T12:00:00+02:00') })).email).toBeNull();
    // The cancelled week is free to book again.
    await addHandoverWeek(t.db, { week: '2031-W31', email: 'ersattare@helsingborg.example', name: 'Ers Ättare' }, team, before);
    expect((await handoverHostAt(t.db, { at: at('2031-07-29T12:00:00+02:00') })).email).toBe('ersattare@helsingborg.example');
  });

  it('swaps the hosts of two coming weeks and refuses to swap a week that has begun', async () => {
    const a = await addHandoverWeek(t.db, { week: '2032-W10', email: 'forst@helsingborg.example', name: 'Först' }, team, before);
    const b = await addHandoverWeek(t.db, { week: '2032-W12', email: 'sist@helsingborg.example', name: 'Sist' }, team, before);
    await swapWeeks(t.db, { weekId: a.weekId, otherWeekId: b.weekId }, team, before);
    expect((await handoverHostAt(t.db, { at: at('2032-03-03T12:00:00+01:00') })).email).toBe('sist@helsingborg.example');
    expect((await handoverHostAt(t.db, { at: at('2032-03-17T12:00:00+01:00') })).email).toBe('forst@helsingborg.example');
    expect(await refusal(swapWeeks(t.db, { weekId: a.weekId, otherWeekId: b.weekId }, team, at('2032-03-02T12:00:00+01:00')))).toBe('handover.swapStarted');
  });
});

// Each case starts the real CLI (tsx): slow on a loaded machine, so the limit is generous; nothing here is timed.
describe('npx utrop handover', { timeout: 180_000 }, () => {
  it('books a week and answers who holds the account at an instant, as JSON', () => {
    const add = utrop(['handover', 'add', '--week', '2032-W53', '--email', 'cli.host@helsingborg.example', '--name', 'Cli Värd']);
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    expect(add.stdout).toMatch(/Invitation \(shown once\): \/overlamning\/inbjudan\/[A-Za-z0-9_-]{43}/);
    const inside = utrop(['handover', 'who', '--at', '2032-12-27T00:00:00+01:00', '--json']);
    expect(inside.status).toBe(0);
    expect(JSON.parse(inside.stdout)).toEqual({ email: 'cli.host@helsingborg.example', week: '2032-W53' });
    const oneSecondBefore = utrop(['handover', 'who', '--channel', 'instagram-jobba', '--at', '2032-12-26T22:59:59Z', '--json']);
    expect(JSON.parse(oneSecondBefore.stdout)).toEqual({ email: null });
    const cityTime = utrop(['handover', 'who', '--at', '2033-01-02T23:59:59', '--json']);
    expect(JSON.parse(cityTime.stdout)).toEqual({ email: 'cli.host@helsingborg.example', week: '2032-W53' });
  });

  it.each([
    [['handover', 'add', '--week', '2026-W54', '--email', 'a@helsingborg.example', '--name', 'A'], /--week: The week does not exist/],
    [['handover', 'add', '--week', '2025-W53', '--email', 'a@helsingborg.example', '--name', 'A'], /--week: The week does not exist/],
    [['handover', 'add', '--week', '0000-W01', '--email', 'a@helsingborg.example', '--name', 'A'], /--week: The week does not exist/],
    [['handover', 'add', '--week', '2033-W02', '--email', 'inte-en-adress', '--name', 'A'], /--email/],
    [['handover', 'add', '--week', '2033-W02', '--email', `${'a'.repeat(100_000)}@x.se`, '--name', 'A'], /--email/],
    [['handover', 'add', '--week', '2033-W02', '--email', 'a@helsingborg.example', '--name', 'A', '--channel', '../etc/passwd'], /--channel/],
    [['handover', 'add', '--week', '2033-W02', '--email', 'a@helsingborg.example', '--name', 'A', '--bogus', 'x'], /Unknown option/i],
    [['handover', 'who', '--at', '2026-02-30T25:61', '--json'], /--at/],
    [['handover', 'who', '--at', '2026-12-28T00:00:00+99:00', '--json'], /--at/],
    [['handover', 'who', '--json'], /needs --at/],
    [['handover', 'who', '--at', '2026-12-28T00:00:00Z', '--channel', 'ingen-sådan'], /--channel/],
  ])('refuses hostile arguments (case %#) with one clear line and exit 2', (args, message) => {
    const r = utrop(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
  });

  it('refuses an unknown handover channel and a taken week with exit 1, writing nothing', async () => {
    const unknown = utrop(['handover', 'who', '--at', '2026-12-28T00:00:00Z', '--channel', 'finns-inte']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('finns-inte is not a handover account');
    const taken = utrop(['handover', 'add', '--week', '2032-W53', '--email', 'tva@helsingborg.example', '--name', 'Två']);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('already given to cli.host@helsingborg.example');
    expect(await t.db.select().from(users).where(eq(users.email, 'tva@helsingborg.example'))).toHaveLength(0);
  });
});
