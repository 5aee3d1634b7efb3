/**
 * The staff-account handover (issue 13): a roster of ISO weeks, an invitation per week, versioned guidelines the
 * host accepts, and access that exists only inside the week's half-open window (Europe/Stockholm).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { channels, deliveries, handoverAcceptances, handoverInvitations, handoverWeeks, posts, sessions, users, type User } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { findUserByEmail, insertUser } from '../../db/queries/users';
import {
  acceptancesOf,
  findHostWindow,
  handBackDrafts,
  handbacksOf,
  handoverChannels,
  hasAccepted,
  hasUsedInvitation,
  insertGuidelines,
  invitationsOf,
  latestGuidelines,
  settleHandoverWeeks,
  weekLabelOf,
  weeksBetween,
  weeksOfUser,
  type HostWindow,
} from '../../db/queries/handover';
import type { Actor } from '../../common/actor';
import type { MessageKey } from '../../common/i18n';
import { isoWeekLabel, parseIsoWeek } from '../../common/time';
import { addWeekSchema } from '../forms/handover';
import { hashPassword } from './users.server';
import { csvField, UTF8_BOM } from '../../db/register/export/csv';
import type { z } from 'zod';

export type { HostWindow };
export { weekLabelOf };

/** A refusal the user can act on: a catalogue key and its parameters. Routes show it; the CLI prints it. */
export class HandoverError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
    readonly field?: string,
  ) {
    super(key);
  }
}

const INVITATION_DAYS = 14;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function listHandoverChannels(db: DbOrTx) {
  return handoverChannels(db);
}

/** A channel key, or the default: the first channel that has account guidelines (the staff Instagram account). */
export async function resolveHandoverChannel(db: DbOrTx, key?: string) {
  const list = await listHandoverChannels(db);
  const found = key ? list.find((c) => c.key === key) : list[0];
  if (!found) throw new HandoverError(key ? 'handover.notHandoverChannel' : 'handover.noChannel', { key: key ?? '' }, 'channel');
  return found;
}

/** `npx utrop handover who` and the request guard: the host whose window contains `at`. */
export async function handoverHostAt(db: DbOrTx, q: { at: Date; channelKey?: string }): Promise<{ email: string | null; week?: string }> {
  const channel = q.channelKey ? await resolveHandoverChannel(db, q.channelKey) : null;
  const window = await findHostWindow(db, { at: q.at, channelId: channel?.id });
  return window ? { email: window.email, week: weekLabelOf(window) } : { email: null };
}

/** The staff host's access right now, or null outside every week of theirs. Checked on every request. */
export async function hostAccess(db: DbOrTx, user: Pick<User, 'id' | 'role'>, at: Date): Promise<HostWindow | null> {
  if (user.role !== 'staff_host') return null;
  return findHostWindow(db, { at, userId: user.id });
}

export async function addHandoverWeek(
  db: Db,
  input: z.input<typeof addWeekSchema>,
  actor: Actor,
  now = new Date(),
): Promise<{ weekId: string; week: string; token: string; invitationPath: string; email: string }> {
  const data = addWeekSchema.parse(input);
  const parsed = parseIsoWeek(data.week);
  if (!parsed.ok) throw new HandoverError(parsed.reason === 'format' ? 'handover.weekFormat' : 'handover.weekRange', { value: data.week }, 'week');
  if (parsed.end.getTime() <= now.getTime()) throw new HandoverError('handover.weekPast', { week: data.week }, 'week');
  const channel = await resolveHandoverChannel(db, data.channel);
  const token = randomBytes(32).toString('base64url');
  // Hashed outside the transaction (argon2 takes a moment); the random password is never shown to anyone.
  const placeholderHash = await hashPassword(randomBytes(32).toString('base64url'));
  return db.transaction(async (tx) => {
    let user = await findUserByEmail(tx, data.email);
    if (user && user.role !== 'staff_host') throw new HandoverError('handover.emailTaken', { email: data.email, role: user.role }, 'email');
    if (!user) user = await insertUser(tx, { email: data.email, name: data.name, role: 'staff_host', passwordHash: placeholderHash });
    const clash = await findHostWindow(tx, { at: parsed.start, channelId: channel.id });
    if (clash) throw new HandoverError('handover.weekTaken', { week: data.week, email: clash.email }, 'week');
    const [week] = await tx
      .insert(handoverWeeks)
      .values({
        channelId: channel.id,
        isoYear: parsed.year,
        isoWeek: parsed.week,
        startsAt: parsed.start,
        endsAt: parsed.end,
        userId: user.id,
        email: user.email,
        name: data.name,
        workplace: data.workplace ?? '',
        theme: data.theme ?? '',
        createdBy: actor.userId,
      })
      .returning();
    await tx.insert(handoverInvitations).values({ weekId: week!.id, tokenHash: hashToken(token), expiresAt: invitationExpiry(now, parsed.end) });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'handover.add',
      objectType: 'handover_week',
      objectId: week!.id,
      details: { week: data.week, email: user.email, channel: channel.key },
    });
    return { weekId: week!.id, week: data.week, token, invitationPath: `/overlamning/inbjudan/${token}`, email: user.email };
  });
}

function invitationExpiry(now: Date, weekEnd: Date): Date {
  return new Date(Math.min(now.getTime() + INVITATION_DAYS * 86_400_000, weekEnd.getTime()));
}

/** A new link for a week; earlier unused links of that week stop working. */
export async function reinvite(db: Db, weekId: string, actor: Actor, now = new Date()) {
  const token = randomBytes(32).toString('base64url');
  return db.transaction(async (tx) => {
    const [week] = await tx.select().from(handoverWeeks).where(eq(handoverWeeks.id, weekId)).for('update');
    if (!week || week.status === 'cancelled' || week.endsAt <= now) throw new HandoverError('handover.noWeek');
    await tx.update(handoverInvitations).set({ expiresAt: now }).where(and(eq(handoverInvitations.weekId, weekId), isNull(handoverInvitations.usedAt)));
    await tx.insert(handoverInvitations).values({ weekId, tokenHash: hashToken(token), expiresAt: invitationExpiry(now, week.endsAt) });
    await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'handover.reinvite', objectType: 'handover_week', objectId: weekId });
    return { token, invitationPath: `/overlamning/inbjudan/${token}`, email: week.email };
  });
}

export async function findInvitation(db: DbOrTx, token: string, now = new Date()) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await db
    .select({ invitation: handoverInvitations, week: handoverWeeks })
    .from(handoverInvitations)
    .innerJoin(handoverWeeks, eq(handoverWeeks.id, handoverInvitations.weekId))
    .where(and(eq(handoverInvitations.tokenHash, hashToken(token)), isNull(handoverInvitations.usedAt), gt(handoverInvitations.expiresAt, now)));
  if (!row || row.week.status === 'cancelled') return null;
  return row;
}

/** Single use: the link sets the host's password once, then only the normal login works. */
export async function acceptInvitation(db: Db, token: string, password: string, now = new Date()): Promise<User> {
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const found = await findInvitation(tx, token, now);
    if (!found) throw new HandoverError('handover.invitationInvalid');
    const used = await tx
      .update(handoverInvitations)
      .set({ usedAt: now })
      .where(and(eq(handoverInvitations.id, found.invitation.id), isNull(handoverInvitations.usedAt)))
      .returning({ id: handoverInvitations.id });
    if (used.length === 0) throw new HandoverError('handover.invitationInvalid');
    const [user] = await tx.update(users).set({ passwordHash, disabledAt: null }).where(eq(users.id, found.week.userId)).returning();
    await recordAudit(tx, { actorUserId: user!.id, actorLabel: 'user', action: 'handover.invitation_accepted', objectType: 'handover_week', objectId: found.week.id });
    return user!;
  });
}

/** The week the host prepares for or is in: their current week, else the next one not yet over. */
export async function hostCurrentOrNextWeek(db: DbOrTx, userId: string, now = new Date()) {
  const weeks = await weeksOfUser(db, userId);
  return weeks.filter((w) => w.status !== 'cancelled' && w.endsAt > now).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0] ?? null;
}

export async function guidelinesStatus(db: DbOrTx, userId: string, now = new Date()) {
  const week = await hostCurrentOrNextWeek(db, userId, now);
  if (!week) return null;
  const guidelines = await latestGuidelines(db, week.channelId);
  if (!guidelines) return null;
  return { week, guidelines, accepted: await hasAccepted(db, week.id, guidelines.version) };
}

/** Whether the host may draft now: inside their window and the current guidelines accepted. */
export async function hostMayDraft(db: DbOrTx, user: Pick<User, 'id' | 'role'>, now = new Date()): Promise<HostWindow | null> {
  const window = await hostAccess(db, user, now);
  if (!window) return null;
  const guidelines = await latestGuidelines(db, window.channelId);
  if (!guidelines || !(await hasAccepted(db, window.weekId, guidelines.version))) return null;
  return window;
}

export async function acceptGuidelines(db: Db, input: { userId: string; guidelinesId: string }, now = new Date()) {
  return db.transaction(async (tx) => {
    const status = await guidelinesStatus(tx, input.userId, now);
    if (!status) throw new HandoverError('handover.noWeek');
    // Accepting an older text than the current one is refused: the host must read what is in force.
    if (status.guidelines.id !== input.guidelinesId) throw new HandoverError('handover.guidelinesChanged');
    if (!status.accepted) {
      await tx.insert(handoverAcceptances).values({
        weekId: status.week.id,
        userId: input.userId,
        guidelinesId: status.guidelines.id,
        guidelinesVersion: status.guidelines.version,
        acceptedAt: now,
      });
      if (status.week.status === 'invited') {
        const active = status.week.startsAt <= now && now < status.week.endsAt;
        await tx.update(handoverWeeks).set({ status: active ? 'active' : 'accepted' }).where(eq(handoverWeeks.id, status.week.id));
      }
      await recordAudit(tx, {
        actorUserId: input.userId,
        actorLabel: 'user',
        action: 'handover.guidelines_accepted',
        objectType: 'handover_week',
        objectId: status.week.id,
        details: { version: status.guidelines.version },
      });
    }
    return status.week;
  });
}

export async function updateGuidelines(db: Db, input: { channelKey: string; body: string }, actor: Actor) {
  const channel = await resolveHandoverChannelOrAny(db, input.channelKey);
  return db.transaction(async (tx) => {
    const row = await insertGuidelines(tx, { channelId: channel.id, body: input.body, createdBy: actor.userId });
    await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'handover.guidelines_updated', objectType: 'channel', objectId: channel.id, details: { version: row.version } });
    return row;
  });
}

/** Guidelines can be written for any channel: that is how a channel becomes a handover channel. */
async function resolveHandoverChannelOrAny(db: DbOrTx, key: string) {
  const [row] = await db.select().from(channels).where(eq(channels.key, key));
  if (!row) throw new HandoverError('handover.notHandoverChannel', { key }, 'channel');
  return row;
}

export async function cancelWeek(db: Db, input: { weekId: string; reason: string }, actor: Actor, now = new Date()) {
  return db.transaction(async (tx) => {
    const [week] = await tx.select().from(handoverWeeks).where(eq(handoverWeeks.id, input.weekId)).for('update');
    if (!week || week.status === 'cancelled' || week.endsAt <= now) throw new HandoverError('handover.noWeek');
    await tx.update(handoverWeeks).set({ status: 'cancelled', cancelReason: input.reason, accessEndedAt: now }).where(eq(handoverWeeks.id, week.id));
    // A week cut short ends like any other: what the host drafted and nobody approved goes back to the team.
    if (week.startsAt <= now) await handBackDrafts(tx, week, now);
    await tx.update(handoverInvitations).set({ expiresAt: now }).where(and(eq(handoverInvitations.weekId, week.id), isNull(handoverInvitations.usedAt)));
    // A week cancelled while it runs ends the host's access at once, not at the next cron tick.
    if (!(await findHostWindow(tx, { at: now, userId: week.userId }))) await tx.delete(sessions).where(eq(sessions.userId, week.userId));
    await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'handover.cancel', objectType: 'handover_week', objectId: week.id, details: { reason: input.reason } });
  });
}

/** Swaps the hosts of two weeks of one channel that have not begun (the roster's "byt vecka"). */
export async function swapWeeks(db: Db, input: { weekId: string; otherWeekId: string }, actor: Actor, now = new Date()) {
  return db.transaction(async (tx) => {
    const rows = await tx.select().from(handoverWeeks).where(eq(handoverWeeks.id, input.weekId)).for('update');
    const others = await tx.select().from(handoverWeeks).where(eq(handoverWeeks.id, input.otherWeekId)).for('update');
    const a = rows[0];
    const b = others[0];
    if (!a || !b || a.id === b.id || a.status === 'cancelled' || b.status === 'cancelled') throw new HandoverError('handover.noWeek');
    if (a.channelId !== b.channelId) throw new HandoverError('handover.swapChannel');
    if (a.startsAt <= now || b.startsAt <= now) throw new HandoverError('handover.swapStarted');
    const hostOf = (w: typeof a) => ({ userId: w.userId, email: w.email, name: w.name, workplace: w.workplace, theme: w.theme, status: w.status });
    await tx.update(handoverWeeks).set(hostOf(b)).where(eq(handoverWeeks.id, a.id));
    await tx.update(handoverWeeks).set(hostOf(a)).where(eq(handoverWeeks.id, b.id));
    // Invitations and acceptances belong to a week and a person; after a swap both get fresh links.
    await tx.update(handoverInvitations).set({ expiresAt: now }).where(and(isNull(handoverInvitations.usedAt), eq(handoverInvitations.weekId, a.id)));
    await tx.update(handoverInvitations).set({ expiresAt: now }).where(and(isNull(handoverInvitations.usedAt), eq(handoverInvitations.weekId, b.id)));
    await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'handover.swap', objectType: 'handover_week', objectId: a.id, details: { with: b.id, weeks: [weekLabelOf(a), weekLabelOf(b)] } });
  });
}

export type WeekStatus = 'invited' | 'accepted' | 'active' | 'finished' | 'cancelled';

/** The stored status, corrected by the clock (the cron task may not have run yet). */
export function effectiveStatus(week: { status: WeekStatus; startsAt: Date; endsAt: Date }, accepted: boolean, now: Date): WeekStatus {
  if (week.status === 'cancelled') return 'cancelled';
  if (week.endsAt <= now) return 'finished';
  if (week.startsAt <= now) return accepted ? 'active' : 'invited';
  return accepted ? 'accepted' : 'invited';
}

export interface RosterSlot {
  label: string;
  start: Date;
  end: Date;
  entries: {
    id: string;
    channelKey: string;
    channelName: string;
    email: string;
    name: string;
    workplace: string;
    theme: string;
    status: WeekStatus;
    cancelReason: string | null;
    /** Drafts that went back to employer branding when the week ended. */
    handedBack: number;
    checklist: { invited: boolean; accepted: boolean; firstPostApproved: boolean; accessEnded: boolean };
  }[];
}

/** The coming `count` weeks from the week holding `from`, each with its entries (empty weeks too: gaps show). */
export async function roster(db: DbOrTx, opts: { from: Date; count: number; channelKey?: string }, now = new Date()): Promise<RosterSlot[]> {
  const first = parseIsoWeek(isoWeekLabel(opts.from));
  if (!first.ok) return [];
  const slots: RosterSlot[] = [];
  let start = first.start;
  for (let i = 0; i < opts.count; i++) {
    const w = parseIsoWeek(isoWeekLabel(new Date(start.getTime() + 3 * 86_400_000)));
    if (!w.ok) break;
    slots.push({ label: w.label, start: w.start, end: w.end, entries: [] });
    start = w.end;
  }
  if (slots.length === 0) return slots;
  const channel = opts.channelKey ? await resolveHandoverChannel(db, opts.channelKey) : undefined;
  const rows = await weeksBetween(db, slots[0]!.start, slots[slots.length - 1]!.end, channel?.id);
  const ids = rows.map((r) => r.week.id);
  const [invitations, acceptances, approved, handbacks] = await Promise.all([
    invitationsOf(db, ids),
    acceptancesOf(db, ids),
    firstPostsApproved(db, rows.map((r) => r.week)),
    handbacksOf(db, ids),
  ]);
  for (const { week, channelKey, channelName } of rows) {
    const slot = slots.find((s) => s.start.getTime() === week.startsAt.getTime());
    if (!slot) continue;
    const accepted = acceptances.some((a) => a.weekId === week.id);
    slot.entries.push({
      id: week.id,
      channelKey,
      channelName,
      email: week.email,
      name: week.name,
      workplace: week.workplace,
      theme: week.theme,
      status: effectiveStatus(week, accepted, now),
      cancelReason: week.cancelReason,
      handedBack: handbacks.filter((h) => h.handback.weekId === week.id).length,
      checklist: {
        invited: invitations.some((i) => i.weekId === week.id),
        accepted,
        firstPostApproved: approved.has(week.id),
        accessEnded: week.accessEndedAt !== null || week.endsAt <= now,
      },
    });
  }
  return slots;
}

/** A week "has its first post" once a delivery by the host on that channel within the week has been published. */
async function firstPostsApproved(db: DbOrTx, weeks: (typeof handoverWeeks.$inferSelect)[]): Promise<Set<string>> {
  const done = new Set<string>();
  for (const w of weeks) {
    const rows = await weekPosts(db, w);
    if (rows.some((r) => r.state !== 'draft' && r.state !== 'cancelled')) done.add(w.id);
  }
  return done;
}

async function weekPosts(db: DbOrTx, week: typeof handoverWeeks.$inferSelect) {
  return db
    .select({ postId: posts.id, text: posts.text, createdAt: posts.createdAt, state: deliveries.state, permalink: deliveries.permalink, publishedAt: deliveries.publishedAt })
    .from(posts)
    .innerJoin(deliveries, eq(deliveries.postId, posts.id))
    .where(and(eq(posts.createdBy, week.userId), eq(deliveries.channelId, week.channelId), gt(posts.createdAt, week.startsAt)))
    .orderBy(asc(posts.createdAt));
}

/** What the host posted in their week, with permalinks: the team's weekly summary (also exported as CSV). */
export async function weekSummary(db: DbOrTx, weekId: string) {
  const [week] = await db.select().from(handoverWeeks).where(eq(handoverWeeks.id, weekId));
  if (!week) throw new HandoverError('handover.noWeek');
  const rows = (await weekPosts(db, week)).filter((r) => r.createdAt < week.endsAt);
  const handedBack = (await handbacksOf(db, [week.id])).map((h) => ({ postId: h.handback.postId, text: h.text, from: h.handback.reviewStateBefore, at: h.handback.handedBackAt, reviewState: h.reviewState }));
  return { week, label: weekLabelOf(week), rows, handedBack };
}

export async function settleWeeks(db: Db, now = new Date()) {
  return db.transaction((tx) => settleHandoverWeeks(tx, now));
}

/** A staff host's own posts (all weeks), the only posts their role shows, in the shape of the posts list. */
export async function listOwnPosts(db: DbOrTx, userId: string, limit = 50) {
  const own = await db.select().from(posts).where(eq(posts.createdBy, userId)).orderBy(desc(posts.createdAt)).limit(limit);
  if (own.length === 0) return [];
  const rows = await db
    .select({ postId: deliveries.postId, id: deliveries.id, state: deliveries.state, channel: channels.name })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .where(inArray(deliveries.postId, own.map((p) => p.id)))
    .orderBy(asc(channels.name));
  return own.map((post) => ({ post, deliveries: rows.filter((r) => r.postId === post.id) }));
}

/** Whether `user` may see the post: everyone with view:posts, except a staff host, who sees only their own. */
export function maySeePost(user: Pick<User, 'id' | 'role'>, post: { createdBy: string | null }): boolean {
  return user.role !== 'staff_host' || post.createdBy === user.id;
}

/**
 * Whether a staff host may change the post (the review page's edit, after it was sent back): their own post, every
 * delivery on the account of the week they are in. Anyone else is judged by their role alone.
 */
export async function hostMayEditPost(db: DbOrTx, user: Pick<User, 'id' | 'role'>, hostWindow: HostWindow | null, postId: string): Promise<boolean> {
  if (user.role !== 'staff_host') return true;
  if (!hostWindow) return false;
  const [post] = await db.select({ createdBy: posts.createdBy }).from(posts).where(eq(posts.id, postId));
  if (!post || post.createdBy !== user.id) return false;
  const ds = await db.select({ channelId: deliveries.channelId }).from(deliveries).where(eq(deliveries.postId, postId));
  return ds.length > 0 && ds.every((d) => d.channelId === hostWindow.channelId);
}

export async function currentGuidelines(db: DbOrTx, channelId: string) {
  return latestGuidelines(db, channelId);
}

/** An employee back for another week already has a password: the invitation page lets them sign in instead. */
export async function hostMaySignIn(db: DbOrTx, userId: string): Promise<boolean> {
  return hasUsedInvitation(db, userId);
}

export async function invitationChannelName(db: DbOrTx, channelId: string): Promise<string> {
  const [row] = await db.select({ name: channels.name }).from(channels).where(eq(channels.id, channelId));
  return row?.name ?? '';
}

/** The weekly summary as CSV (RFC 4180, formula-safe, BOM for Excel) with the register export's field rules. */
export function summaryCsv(summary: Awaited<ReturnType<typeof weekSummary>>): string {
  const lines = [['week', 'host', 'email', 'created_at', 'state', 'permalink', 'text'].join(',')];
  for (const r of summary.rows) {
    lines.push([summary.label, summary.week.name, summary.week.email, r.createdAt.toISOString(), r.state, r.permalink, r.text].map((v) => csvField(v ?? null)).join(','));
  }
  return UTF8_BOM + lines.join('\r\n') + '\r\n';
}
