import { lt } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import { loginAttempts, sessions } from '../../db/schema';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const payloadSchema = jobCatalogue.session__purge_expired.payload;

/** Housekeeping: expired sessions and login attempts older than a day (the throttle only looks back 15 minutes). */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    const now = new Date();
    const expired = await deps.db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.id });
    const attempts = await deps.db
      .delete(loginAttempts)
      .where(lt(loginAttempts.at, new Date(now.getTime() - 24 * 3600_000)))
      .returning({ id: loginAttempts.id });
    deps.log.debug({ sessions: expired.length, attempts: attempts.length }, 'purged expired sessions');
  };
}
