import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import {
  channels,
  deliveries,
  handoverAcceptances,
  handoverGuidelines,
  handoverHandbacks,
  handoverInvitations,
  handoverWeeks,
  posts,
  sessions,
  type HandoverWeek,
} from '../schema';
import { recordAudit } from './audit';

export interface HostWindow {
  weekId: string;
  userId: string;
  email: string;
  channelId: string;
  channelKey: string;
  isoYear: number;
  isoWeek: number;
  startsAt: Date;
  endsAt: Date;
}

export const weekLabelOf = (w: { isoYear: number; isoWeek: number }) => `${w.isoYear}-W${String(w.isoWeek).padStart(2, '0')}`;

/**
 * The one answer to "who holds the account at this instant": the request guard, the CLI's `handover who` and the
 * end-of-week task all ask it. The window is half-open: starts_at <= at < ends_at.
 */
export async function findHostWindow(db: DbOrTx, q: { at: Date; channelId?: string; userId?: string }): Promise<HostWindow | null> {
  const [row] = await db
    .select({
      weekId: handoverWeeks.id,
      userId: handoverWeeks.userId,
      email: handoverWeeks.email,
      channelId: handoverWeeks.channelId,
      channelKey: channels.key,
      isoYear: handoverWeeks.isoYear,
      isoWeek: handoverWeeks.isoWeek,
      startsAt: handoverWeeks.startsAt,
      endsAt: handoverWeeks.endsAt,
    })
    .from(handoverWeeks)
    .innerJoin(channels, eq(channels.id, handoverWeeks.channelId))
    .where(
      and(
        ne(handoverWeeks.status, 'cancelled'),
        lte(handoverWeeks.startsAt, q.at),
        gt(handoverWeeks.endsAt, q.at),
        q.channelId ? eq(handoverWeeks.channelId, q.channelId) : undefined,
        q.userId ? eq(handoverWeeks.userId, q.userId) : undefined,
      ),
    )
    .orderBy(asc(handoverWeeks.startsAt))
    .limit(1);
  return row ?? null;
}

/** Enabled channels that have account guidelines (the handover channels), oldest first: the first is the default. */
export async function handoverChannels(db: DbOrTx) {
  return db
    .select({ id: channels.id, key: channels.key, name: channels.name, platform: channels.platform })
    .from(channels)
    .where(and(eq(channels.enabled, true), sql`exists (select 1 from handover_guidelines g where g.channel_id = ${channels.id})`))
    .orderBy(asc(channels.createdAt), asc(channels.key));
}

export async function latestGuidelines(db: DbOrTx, channelId: string) {
  const [row] = await db
    .select()
    .from(handoverGuidelines)
    .where(eq(handoverGuidelines.channelId, channelId))
    .orderBy(desc(handoverGuidelines.version))
    .limit(1);
  return row ?? null;
}

export async function insertGuidelines(db: DbOrTx, input: { channelId: string; body: string; createdBy: string | null }) {
  // The unique (channel, version) index turns a concurrent edit into a clear conflict instead of two version 3s.
  const [row] = await db
    .insert(handoverGuidelines)
    .values({
      channelId: input.channelId,
      body: input.body,
      createdBy: input.createdBy,
      version: sql`(select coalesce(max(version), 0) + 1 from handover_guidelines where channel_id = ${input.channelId})`,
    })
    .returning();
  return row!;
}

export async function hasAccepted(db: DbOrTx, weekId: string, version: number): Promise<boolean> {
  const [row] = await db
    .select({ id: handoverAcceptances.id })
    .from(handoverAcceptances)
    .where(and(eq(handoverAcceptances.weekId, weekId), eq(handoverAcceptances.guidelinesVersion, version)));
  return Boolean(row);
}

export async function weeksBetween(db: DbOrTx, from: Date, to: Date, channelId?: string) {
  return db
    .select({ week: handoverWeeks, channelKey: channels.key, channelName: channels.name })
    .from(handoverWeeks)
    .innerJoin(channels, eq(channels.id, handoverWeeks.channelId))
    .where(
      and(
        gt(handoverWeeks.endsAt, from),
        lt(handoverWeeks.startsAt, to),
        channelId ? eq(handoverWeeks.channelId, channelId) : undefined,
      ),
    )
    .orderBy(asc(handoverWeeks.startsAt), asc(handoverWeeks.createdAt));
}

export async function weeksOfUser(db: DbOrTx, userId: string) {
  return db.select().from(handoverWeeks).where(eq(handoverWeeks.userId, userId)).orderBy(desc(handoverWeeks.startsAt));
}

export async function invitationsOf(db: DbOrTx, weekIds: string[]) {
  if (weekIds.length === 0) return [];
  return db.select().from(handoverInvitations).where(inArray(handoverInvitations.weekId, weekIds));
}

/** Whether the host has set a password through an earlier invitation (and may simply sign in with it). */
export async function hasUsedInvitation(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: handoverInvitations.id })
    .from(handoverInvitations)
    .innerJoin(handoverWeeks, eq(handoverWeeks.id, handoverInvitations.weekId))
    .where(and(eq(handoverWeeks.userId, userId), sql`${handoverInvitations.usedAt} is not null`))
    .limit(1);
  return Boolean(row);
}

export async function acceptancesOf(db: DbOrTx, weekIds: string[]) {
  if (weekIds.length === 0) return [];
  return db.select().from(handoverAcceptances).where(inArray(handoverAcceptances.weekId, weekIds));
}

/**
 * At the end of a week: the host's sessions end (unless another week of theirs has begun), the week is finished and
 * it says when access ended. Also marks accepted weeks that have begun as active. Idempotent; the cron task and the
 * request guard's own refusal do not depend on each other.
 */
/**
 * The host's drafts of the week that were not approved when it ended (waiting for review, or sent back to them) go
 * back to employer branding: into the review queue, unpublished, each recorded once (handover_handbacks) and audited.
 * The host can no longer change them; employer branding approves, edits or cancels them as any other post.
 */
export async function handBackDrafts(db: DbOrTx, week: HandoverWeek, now: Date): Promise<string[]> {
  const rows = await db
    .select({ id: posts.id, reviewState: posts.reviewState })
    .from(posts)
    .innerJoin(deliveries, eq(deliveries.postId, posts.id))
    .where(
      and(
        eq(posts.createdBy, week.userId),
        eq(deliveries.channelId, week.channelId),
        inArray(posts.reviewState, ['pending_approval', 'returned']),
        gte(posts.createdAt, week.startsAt),
        lt(posts.createdAt, week.endsAt),
      ),
    )
    .orderBy(asc(posts.createdAt))
    // Locked: a host's edit in the week's last second and the handback do not interleave.
    .for('update', { of: posts });
  const handedBack: string[] = [];
  for (const post of rows) {
    if (handedBack.includes(post.id)) continue;
    const recorded = await db
      .insert(handoverHandbacks)
      .values({ weekId: week.id, postId: post.id, reviewStateBefore: post.reviewState, handedBackAt: now })
      .onConflictDoNothing()
      .returning({ id: handoverHandbacks.id });
    if (recorded.length === 0) continue;
    if (post.reviewState === 'returned') await db.update(posts).set({ reviewState: 'pending_approval' }).where(eq(posts.id, post.id));
    await recordAudit(db, {
      actorUserId: null,
      actorLabel: 'worker',
      action: 'handover.draft_handed_back',
      objectType: 'post',
      objectId: post.id,
      details: { week: weekLabelOf(week), weekId: week.id, from: post.reviewState },
    });
    handedBack.push(post.id);
  }
  return handedBack;
}

export async function handbacksOf(db: DbOrTx, weekIds: string[]) {
  if (weekIds.length === 0) return [];
  return db
    .select({ handback: handoverHandbacks, text: posts.text, reviewState: posts.reviewState })
    .from(handoverHandbacks)
    .innerJoin(posts, eq(posts.id, handoverHandbacks.postId))
    .where(inArray(handoverHandbacks.weekId, weekIds))
    .orderBy(asc(handoverHandbacks.handedBackAt));
}

export async function settleHandoverWeeks(db: DbOrTx, now: Date): Promise<{ ended: number; sessionsEnded: number; activated: number; handedBack: number }> {
  const activated = await db
    .update(handoverWeeks)
    .set({ status: 'active' })
    .where(and(eq(handoverWeeks.status, 'accepted'), lte(handoverWeeks.startsAt, now), gt(handoverWeeks.endsAt, now)))
    .returning({ id: handoverWeeks.id });
  const due = await db
    .select()
    .from(handoverWeeks)
    .where(and(ne(handoverWeeks.status, 'cancelled'), lte(handoverWeeks.endsAt, now), isNull(handoverWeeks.accessEndedAt)))
    .for('update', { skipLocked: true });
  let sessionsEnded = 0;
  let handedBack = 0;
  for (const week of due) {
    handedBack += (await handBackDrafts(db, week, now)).length;
    const current = await findHostWindow(db, { at: now, userId: week.userId });
    if (!current) {
      const gone = await db.delete(sessions).where(eq(sessions.userId, week.userId)).returning({ id: sessions.id });
      sessionsEnded += gone.length;
    }
    await db.update(handoverWeeks).set({ status: 'finished', accessEndedAt: now }).where(eq(handoverWeeks.id, week.id));
    await recordAudit(db, {
      actorUserId: null,
      actorLabel: 'worker',
      action: 'handover.access_ended',
      objectType: 'handover_week',
      objectId: week.id,
      details: { week: weekLabelOf(week), email: week.email },
    });
  }
  return { ended: due.length, sessionsEnded, activated: activated.length, handedBack };
}


