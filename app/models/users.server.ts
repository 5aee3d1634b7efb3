import { hash, verify } from '@node-rs/argon2';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { users, roleValues, type Role, type User } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import {
  recentFailures,
  deleteSessionsOfUser,
  findUserByEmail,
  insertUser,
  normaliseEmail,
  recordLoginAttempt,
} from '../../db/queries/users';
import type { Actor } from '../../common/actor';
import { newUserSchema } from '../forms/admin';

/** OWASP's argon2id baseline (19 MiB, 2 passes). */
const argonOptions = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** The one way a password becomes a stored hash (new users, invitations). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, argonOptions);
}

export { newUserSchema };

export type { Actor };

export class UserExistsError extends Error {}

export async function createUser(db: Db, input: z.input<typeof newUserSchema>, actor: Actor): Promise<User> {
  const data = newUserSchema.parse(input);
  const passwordHash = await hash(data.password, argonOptions);
  return db.transaction(async (tx) => {
    if (await findUserByEmail(tx, data.email)) throw new UserExistsError(`a user with email ${data.email} already exists`);
    const user = await insertUser(tx, { email: data.email, name: data.name, role: data.role, passwordHash });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'user.create',
      objectType: 'user',
      objectId: user.id,
      details: { email: user.email, role: user.role },
    });
    return user;
  });
}

/** Disabling ends every session of the user at once, in the same transaction. */
export async function disableUser(db: Db, email: string, actor: Actor): Promise<{ user: User; sessionsEnded: number } | null> {
  return db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return null;
    const [updated] = await tx
      .update(users)
      .set({ disabledAt: user.disabledAt ?? new Date() })
      .where(eq(users.id, user.id))
      .returning();
    const sessionsEnded = await deleteSessionsOfUser(tx, user.id);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'user.disable',
      objectType: 'user',
      objectId: user.id,
      details: { email: user.email, sessionsEnded },
    });
    return { user: updated ?? user, sessionsEnded };
  });
}

export async function enableUser(db: Db, userId: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ disabledAt: null }).where(eq(users.id, userId));
    await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'user.enable', objectType: 'user', objectId: userId });
  });
}

/**
 * Growing delays instead of a lock-out. Failures are counted in a window three ways; each count past its free
 * allowance doubles the wait after the last failure, up to a cap:
 * - per account and address: the guesser's own attempts (5 free, then 1 s, 2 s, 4 s … up to 15 min);
 * - per address: one client trying many accounts (30 free, same growth);
 * - per account from everywhere: a distributed guess (50 free, capped at 1 min so the owner is never kept out long).
 * Nobody can lock a colleague out by typing their email: from another address the owner only meets the last cap.
 */
export const loginThrottle = {
  windowMinutes: 15,
  perAccountAndIp: { free: 5, capSeconds: 15 * 60 },
  perIp: { free: 30, capSeconds: 15 * 60 },
  perAccount: { free: 50, capSeconds: 60 },
};

/** Seconds still to wait, given failures so far and the last failure's time (0 = may try now). */
export function loginDelaySeconds(failures: number, lastFailure: Date | null, rule: { free: number; capSeconds: number }, now: Date): number {
  if (failures < rule.free || !lastFailure) return 0;
  const delay = Math.min(2 ** Math.min(failures - rule.free, 30), rule.capSeconds);
  const waited = (now.getTime() - lastFailure.getTime()) / 1000;
  return Math.max(0, Math.ceil(delay - waited));
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

// Verifying against a real hash when the user is unknown keeps response times alike, so timing reveals nothing.
let dummyHash: Promise<string> | undefined;

export async function authenticate(db: Db, input: { email: string; password: string; ip: string }, now = new Date()): Promise<LoginResult> {
  const email = normaliseEmail(input.email);
  const since = new Date(now.getTime() - loginThrottle.windowMinutes * 60_000);
  const [mine, byIp, byEmail] = await Promise.all([
    recentFailures(db, { email, ip: input.ip }, since),
    recentFailures(db, { ip: input.ip }, since),
    recentFailures(db, { email }, since),
  ]);
  const wait = Math.max(
    loginDelaySeconds(mine.n, mine.last, loginThrottle.perAccountAndIp, now),
    loginDelaySeconds(byIp.n, byIp.last, loginThrottle.perIp, now),
    loginDelaySeconds(byEmail.n, byEmail.last, loginThrottle.perAccount, now),
  );
  // A refused attempt is not recorded: waiting it out is enough, hammering does not extend the delay further.
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
  const user = await findUserByEmail(db, email);
  dummyHash ??= hash('not-a-password-of-anyone', argonOptions);
  const valid = await verify(user?.passwordHash ?? (await dummyHash), input.password).catch(() => false);
  const ok = Boolean(user && valid && !user.disabledAt);
  await recordLoginAttempt(db, { email, ip: input.ip, succeeded: ok });
  if (!ok || !user) return { ok: false, reason: 'invalid' };
  return { ok: true, user };
}

export function isRole(value: string): value is Role {
  return (roleValues as readonly string[]).includes(value);
}
