/**
 * What /readyz and /metrics read (ADR 027). Everything comes from the database, so every web process reports the
 * same figures and a scrape of any one of them is the whole system's.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { deliveryStateValues, type DeliveryState } from '../schema/publishing';
import { errorClasses, type ErrorClass } from '../../common/platforms';

type Row = Record<string, unknown>;
const rows = async <T extends Row>(db: DbOrTx, query: ReturnType<typeof sql>): Promise<T[]> => (await db.execute<T>(query)) as unknown as T[];

/** The newest applied migration's `when` (drizzle's journal), or null when none is visible. */
export async function appliedMigrationMillis(db: DbOrTx): Promise<number | null> {
  const [row] = await rows<{ at: string | null }>(db, sql`select max(created_at)::text as at from drizzle.__drizzle_migrations`);
  return row?.at == null ? null : Number(row.at);
}

/** Seconds since the freshest heartbeat of a runner that has not stopped (database clock); null when none. */
export async function newestHeartbeatAgeSeconds(db: DbOrTx): Promise<number | null> {
  const [row] = await rows<{ age: number | null }>(
    db,
    sql`select extract(epoch from now() - max(last_seen_at))::float8 as age from worker_heartbeats where stopped_at is null`,
  );
  return row?.age ?? null;
}

export async function countDeliveriesByState(db: DbOrTx): Promise<Record<DeliveryState, number>> {
  const found = await rows<{ state: DeliveryState; n: number }>(db, sql`select state, count(*)::int as n from deliveries group by state`);
  const out = Object.fromEntries(deliveryStateValues.map((s) => [s, 0])) as Record<DeliveryState, number>;
  for (const r of found) out[r.state] = r.n;
  return out;
}

/** Attempts that ended in a retry, by error class: only grows, as attempts are never removed while their delivery lives. */
export async function countRetriesByClass(db: DbOrTx): Promise<Record<ErrorClass | 'unknown', number>> {
  const found = await rows<{ cls: ErrorClass | null; n: number }>(
    db,
    sql`select error_class as cls, count(*)::int as n from delivery_attempts where outcome = 'retry' group by error_class`,
  );
  const out = Object.fromEntries([...errorClasses, 'unknown'].map((c) => [c, 0])) as Record<ErrorClass | 'unknown', number>;
  for (const r of found) out[r.cls ?? 'unknown'] += r.n;
  return out;
}

export interface LatencyBuckets {
  /** Cumulative: published deliveries whose latency was at most each bound (seconds), in the order given. */
  le: number[];
  count: number;
  sum: number;
}

/**
 * Publish latency of every published delivery: from when it was due (its scheduled time, or when it was queued if
 * that was later) to when the platform held it. Counted from the rows, so the histogram is the same on every web
 * process and never goes down.
 */
export async function publishLatencyBuckets(db: DbOrTx, bounds: readonly number[]): Promise<LatencyBuckets> {
  const buckets = sql.join(
    bounds.map((b) => sql`count(*) filter (where latency <= ${b}::float8)::int`),
    sql`, `,
  );
  const [row] = await rows<{ le: number[]; count: number; sum: number | null }>(
    db,
    sql`with l as (
          select greatest(extract(epoch from published_at - scheduled_at), 0)::float8 as latency
          from deliveries where state = 'published' and published_at is not null
        )
        select array[${buckets}] as le, count(*)::int as count, coalesce(sum(latency), 0)::float8 as sum from l`,
  );
  return { le: (row?.le ?? bounds.map(() => 0)).map(Number), count: row?.count ?? 0, sum: row?.sum ?? 0 };
}

/** Graphile Worker jobs that could run now but no worker has taken (public `jobs` view). */
export async function queueDepth(db: DbOrTx): Promise<number> {
  const [row] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from graphile_worker.jobs where locked_at is null and run_at <= now() and attempts < max_attempts`,
  );
  return row?.n ?? 0;
}

/** Age in seconds of the delivery that has waited longest since it became due without being published; 0 when none. */
export async function oldestQueuedDeliveryAgeSeconds(db: DbOrTx): Promise<number> {
  const [row] = await rows<{ age: number | null }>(
    db,
    sql`select extract(epoch from now() - min(scheduled_at))::float8 as age from deliveries
        where state in ('scheduled', 'queued', 'publishing') and scheduled_at <= now()`,
  );
  return Math.max(0, row?.age ?? 0);
}

/** New inbox items nobody has handled yet; 0 while the inbox (its table) has not landed. */
export async function inboxBacklog(db: DbOrTx): Promise<number> {
  const [exists] = await rows<{ t: string | null }>(db, sql`select to_regclass('public.inbox_items')::text as t`);
  if (!exists?.t) return 0;
  const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from inbox_items where state = 'new'`);
  return row?.n ?? 0;
}
