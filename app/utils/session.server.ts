import { createHash, randomBytes } from 'node:crypto';
import { createCookie, redirect, type AppLoadContext } from '@remix-run/node';
import { and, eq, lt } from 'drizzle-orm';
import { sessions, type User } from '../../db/schema';
import { deleteSessionsOfUser, findActiveUserBySession, touchSession } from '../../db/queries/users';
import { config } from '../../common/config.server';
import { recordAudit } from '../../db/queries/audit';
import { findHostWindow, type HostWindow } from '../../db/queries/handover';
import { hostOffWeekPermissions, rolePermissions, type Permission } from './permissions';

/** Idle and absolute session limits (SESSION_IDLE_MINUTES, SESSION_MAX_HOURS; ADR 025). */
function sessionLimits() {
  const cfg = config();
  return { idleMs: cfg.SESSION_IDLE_MINUTES * 60_000, maxMs: cfg.SESSION_MAX_HOURS * 3600_000 };
}

/** A session's last use is written at most this often: an idle limit of minutes needs no write per request. */
const TOUCH_EVERY_MS = 60_000;

function sessionCookie(context: AppLoadContext) {
  return createCookie('utrop_session', {
    httpOnly: true,
    sameSite: 'lax',
    secure: context.secureCookies,
    path: '/',
    secrets: [context.sessionSecret],
    maxAge: Math.floor(sessionLimits().maxMs / 1000),
  });
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(context: AppLoadContext, user: User, userAgent: string | null): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = context.now();
  await context.db.transaction(async (tx) => {
    // Expired sessions of this user are swept as a side effect of logging in.
    await tx.delete(sessions).where(and(eq(sessions.userId, user.id), lt(sessions.expiresAt, now)));
    await tx.insert(sessions).values({
      id: hashToken(token),
      userId: user.id,
      // The request's clock, not the database's: the idle and absolute limits are judged against context.now() too.
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + sessionLimits().maxMs),
      userAgent,
    });
    await recordAudit(tx, { actorUserId: user.id, actorLabel: 'user', action: 'session.login', objectType: 'user', objectId: user.id });
  });
  return sessionCookie(context).serialize(token);
}

async function sessionToken(request: Request, context: AppLoadContext): Promise<string | null> {
  const value: unknown = await sessionCookie(context).parse(request.headers.get('Cookie'));
  return typeof value === 'string' ? value : null;
}

export interface CurrentUser {
  user: User;
  sessionId: string;
  /** What the user may do at this request's instant: a staff host's week decides theirs (issue 13). */
  permissions: readonly Permission[];
  /** For a staff host: the week whose window holds this request, else null. */
  hostWindow: HostWindow | null;
  /** The instant the guard judged this request at (context.now()); a route asks the same instant of its use-cases. */
  at: Date;
}

/**
 * A staff host's rights exist only inside their week's half-open window, checked on every request rather than at
 * login: a live session one second after the week ends can do no more than see the host's own posts. The API's
 * bearer-token guard (app/utils/api.server.ts) asks the same question.
 */
export async function permissionsAt(context: AppLoadContext, user: User, at: Date): Promise<{ permissions: readonly Permission[]; hostWindow: HostWindow | null }> {
  if (user.role !== 'staff_host') return { permissions: rolePermissions[user.role], hostWindow: null };
  const hostWindow = await findHostWindow(context.db, { at, userId: user.id });
  return { permissions: hostWindow ? rolePermissions.staff_host : hostOffWeekPermissions, hostWindow };
}

export async function getCurrentUser(request: Request, context: AppLoadContext): Promise<CurrentUser | null> {
  const token = await sessionToken(request, context);
  if (!token) return null;
  const now = context.now();
  const { idleMs, maxMs } = sessionLimits();
  const row = await findActiveUserBySession(context.db, hashToken(token), now, {
    idleSince: new Date(now.getTime() - idleMs),
    signedInAfter: new Date(now.getTime() - maxMs),
  });
  if (!row) return null;
  if (now.getTime() - row.session.lastSeenAt.getTime() > Math.min(TOUCH_EVERY_MS, idleMs / 2)) await touchSession(context.db, row.session.id, now);
  return { user: row.user, sessionId: row.session.id, at: now, ...(await permissionsAt(context, row.user, now)) };
}

function loginRedirect(request: Request): never {
  const url = new URL(request.url);
  const back = `${url.pathname}${url.search}`;
  throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<CurrentUser> {
  const current = await getCurrentUser(request, context);
  if (!current) loginRedirect(request);
  return current;
}

/** The guard every loader and action starts with: 302 to login when signed out, 403 when the role lacks it. */
export async function requirePermission(
  request: Request,
  context: AppLoadContext,
  permission: Permission,
): Promise<CurrentUser> {
  const current = await requireUser(request, context);
  if (!current.permissions.includes(permission)) {
    throw new Response('Forbidden', { status: 403, statusText: 'Forbidden' });
  }
  return current;
}

export async function destroySession(request: Request, context: AppLoadContext, everywhere: boolean): Promise<string> {
  const current = await getCurrentUser(request, context);
  if (current) {
    await context.db.transaction(async (tx) => {
      if (everywhere) await deleteSessionsOfUser(tx, current.user.id);
      else await tx.delete(sessions).where(eq(sessions.id, current.sessionId));
      await recordAudit(tx, {
        actorUserId: current.user.id,
        actorLabel: 'user',
        action: everywhere ? 'session.logout_everywhere' : 'session.logout',
        objectType: 'user',
        objectId: current.user.id,
      });
    });
  }
  return sessionCookie(context).serialize('', { maxAge: 0 });
}
