/**
 * Reads of Graphile Worker's job table (its public `graphile_worker.jobs` view) that our worker needs beside what
 * Graphile Worker does itself.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';

export interface NextDueJobs {
  /** Milliseconds from now (database clock) until the earliest waiting job falls due, rounded up. */
  inMs: number;
  /** Jobs falling due within `spreadMs` of that earliest one. */
  count: number;
}

/**
 * The earliest job that waits for a future time within `horizonMs`, and how many fall due with it; null when none.
 * Measured on the database's clock, so a worker whose own clock is off still wakes at the right moment.
 */
export async function nextDueJobs(db: DbOrTx, opts: { horizonMs: number; spreadMs: number }): Promise<NextDueJobs | null> {
  const [row] = (await db.execute<{ inMs: number; count: number }>(sql`
    with waiting as (
      select run_at from graphile_worker.jobs
      where locked_at is null and attempts < max_attempts
        and run_at > now() and run_at <= now() + make_interval(secs => ${opts.horizonMs / 1000})
    ), next as (select min(run_at) as at from waiting)
    select ceil(extract(epoch from (next.at - now())) * 1000)::int as "inMs",
           (select count(*)::int from waiting w where w.run_at <= next.at + make_interval(secs => ${opts.spreadMs / 1000})) as count
    from next where next.at is not null`)) as unknown as { inMs: number; count: number }[];
  return row ? { inMs: Math.max(0, Number(row.inMs)), count: Number(row.count) } : null;
}
