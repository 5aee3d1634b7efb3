import { and, count, eq, gt, isNull, max } from 'drizzle-orm';
import { loginAttempts, sessions, users, type NewUser, type User } from '../schema';
import type { DbOrTx } from '../client';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(db: DbOrTx, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, normaliseEmail(email)));
  return user;
}

export async function insertUser(db: DbOrTx, user: NewUser): Promise<User> {
  const [row] = await db
    .insert(users)
    .values({ ...user, email: normaliseEmail(user.email) })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Failed attempts since a time, and when the last one was: what the growing login delay is computed from. */
export async function recentFailures(db: DbOrTx, by: { email?: string; ip?: string }, since: Date): Promise<{ n: number; last: Date | null }> {
  const where = and(
    eq(loginAttempts.succeeded, false),
    gt(loginAttempts.at, since),
    by.email !== undefined ? eq(loginAttempts.email, normaliseEmail(by.email)) : undefined,
    by.ip !== undefined ? eq(loginAttempts.ip, by.ip) : undefined,
  );
  const [row] = await db.select({ n: count(), last: max(loginAttempts.at) }).from(loginAttempts).where(where);
  return { n: row?.n ?? 0, last: row?.last ? new Date(row.last) : null };
}

export async function recordLoginAttempt(db: DbOrTx, attempt: { email: string; ip: string; succeeded: boolean }) {
  await db.insert(loginAttempts).values({ ...attempt, email: normaliseEmail(attempt.email) });
}

export async function deleteSessionsOfUser(db: DbOrTx, userId: string): Promise<number> {
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return rows.length;
}

/**
 * The live session with this id and its enabled user. `limits` ends a session idle since `idleSince` or signed in
 * before `signedInAfter` even if its stored expiry is later (the limits may have been shortened since).
 */
export async function findActiveUserBySession(db: DbOrTx, sessionId: string, now: Date, limits?: { idleSince: Date; signedInAfter: Date }) {
  const [row] = await db
    .select({ user: users, session: sessions })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sessionId),
        gt(sessions.expiresAt, now),
        isNull(users.disabledAt),
        limits ? gt(sessions.lastSeenAt, limits.idleSince) : undefined,
        limits ? gt(sessions.createdAt, limits.signedInAfter) : undefined,
      ),
    );
  return row;
}

/** Marks a session as used now (the idle timeout counts from here). */
export async function touchSession(db: DbOrTx, sessionId: string, now: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId));
}
