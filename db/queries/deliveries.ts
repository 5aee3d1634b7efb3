/**
 * Queries of the deliveries table. Each takes the database or a transaction first, so the use-cases and the delivery
 * module compose them inside their own transactions. The state column is written only through the delivery
 * lifecycle (workers/delivery/states.ts): DeliveryPatch leaves it out, and the state writes here take the allowed
 * from-states as an argument.
 */
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { channels, deliveries, deliveryAttempts, posts, postVariants, type Channel, type Delivery, type DeliveryAttempt, type Post, type PostVariant } from '../schema';
import { executeShaped, fromRow, updateById, updateByIdSql } from './fast';
import { isExercisePostSql } from './crisis';

export type NewDelivery = typeof deliveries.$inferInsert;

/** Columns a plain update may change: every one but the identity and the state (see deliveryStateUpdateSql). */
export type DeliveryPatch = Partial<Omit<typeof deliveries.$inferInsert, 'id' | 'postId' | 'channelId' | 'state'>>;
type DeliveryState = Delivery['state'];

function stateIn(states: readonly DeliveryState[]): SQL {
  return sql`${deliveries.state} in (${sql.join(
    states.map((s) => sql`${s}`),
    sql`, `,
  )})`;
}

/**
 * `UPDATE deliveries SET state = to, … WHERE id = $id AND state IN (from…)`: a state write that cannot apply to a row
 * in any other state. Called only by the delivery lifecycle, which derives `from` from its transition table.
 */
export function deliveryStateUpdateSql(deliveryId: string, from: readonly DeliveryState[], to: DeliveryState, patch: DeliveryPatch = {}): SQL {
  return sql`${updateByIdSql(deliveries, deliveryId, { ...patch, state: to })} and ${stateIn(from)}`;
}

/** The state write of one delivery, returning the row (none when its state was not one of `from`). */
export async function updateDeliveryState(
  db: DbOrTx,
  deliveryId: string,
  from: readonly DeliveryState[],
  to: DeliveryState,
  patch: DeliveryPatch = {},
): Promise<Delivery | undefined> {
  const rows = await db.execute<Record<string, unknown>>(sql`${deliveryStateUpdateSql(deliveryId, from, to, patch)} returning *`);
  return rows[0] ? fromRow(deliveries, rows[0]) : undefined;
}

/** The bulk state write: a channel's deliveries in one of `from` move to `to`; returns their ids. */
export async function updateChannelDeliveriesState(
  db: DbOrTx,
  channelId: string,
  from: readonly DeliveryState[],
  to: DeliveryState,
  patch: DeliveryPatch = {},
): Promise<string[]> {
  const rows = await db
    .update(deliveries)
    .set({ ...patch, state: to, updatedAt: new Date() })
    .where(and(eq(deliveries.channelId, channelId), stateIn(from)))
    .returning({ id: deliveries.id });
  return rows.map((r) => r.id);
}

export async function insertDeliveries(db: DbOrTx, rows: NewDelivery[]): Promise<Delivery[]> {
  if (rows.length === 0) return [];
  return db.insert(deliveries).values(rows).returning();
}

export async function findDelivery(db: DbOrTx, deliveryId: string): Promise<Delivery | undefined> {
  const [row] = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
  return row;
}

/** The delivery row, locked until the end of the transaction (SELECT … FOR UPDATE). */
export async function lockDelivery(tx: DbOrTx, deliveryId: string): Promise<Delivery | undefined> {
  const [row] = await tx.select().from(deliveries).where(eq(deliveries.id, deliveryId)).for('update');
  return row;
}

export async function listDeliveriesOfPost(db: DbOrTx, postId: string): Promise<Delivery[]> {
  return db.select().from(deliveries).where(eq(deliveries.postId, postId)).orderBy(asc(deliveries.createdAt), asc(deliveries.id));
}

/** Locks every delivery of a post, in id order so that two use-cases cannot deadlock. */
export async function lockDeliveriesOfPost(tx: DbOrTx, postId: string): Promise<Delivery[]> {
  return tx.select().from(deliveries).where(eq(deliveries.postId, postId)).orderBy(asc(deliveries.id)).for('update');
}

/** Locks a channel's deliveries in the given states (id order). */
export async function lockDeliveriesOfChannel(
  tx: DbOrTx,
  channelId: string,
  states: Delivery['state'][],
): Promise<Delivery[]> {
  return tx
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.channelId, channelId), inArray(deliveries.state, states)))
    .orderBy(asc(deliveries.id))
    .for('update');
}

export async function updateDelivery(db: DbOrTx, deliveryId: string, patch: DeliveryPatch): Promise<Delivery> {
  const [row] = await db
    .update(deliveries)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(deliveries.id, deliveryId))
    .returning();
  if (!row) throw new Error(`delivery ${deliveryId} not found`);
  return row;
}

/**
 * Deliveries that should have started more than `graceMs` ago but have no healthy job: none with their key, or
 * only one that Graphile Worker gave up on, or one locked by a dead runner (killed between taking the job and
 * starting the attempt), or locked for longer than `stuckAfterMs` by a runner we have no heartbeat for.
 */
export async function findOrphanedDeliveries(
  db: DbOrTx,
  opts: { graceMs: number; deadAfterMs: number; stuckAfterMs: number; limit: number; jobKeyPrefix: string },
): Promise<{ id: string; isCrisis: boolean }[]> {
  return db.execute<{ id: string; isCrisis: boolean }>(sql`
    select d.id, d.is_crisis as "isCrisis"
    from deliveries d
    where d.state in ('scheduled', 'queued')
      and greatest(d.scheduled_at, coalesce(d.next_attempt_at, d.scheduled_at))
          < now() - make_interval(secs => ${opts.graceMs / 1000})
      and not exists (
        select 1 from graphile_worker._private_jobs j
        left join worker_heartbeats h on h.graphile_pool_id = j.locked_by
        where j.key = ${opts.jobKeyPrefix} || d.id::text
          and (
            -- waiting to run
            (j.locked_at is null and j.attempts < j.max_attempts)
            -- running in a live runner
            or (h.worker_id is not null and h.stopped_at is null
                and h.last_seen_at > now() - make_interval(secs => ${opts.deadAfterMs / 1000}))
            -- locked by a runner we do not know (yet): trust it for a while
            or (j.locked_at is not null and h.worker_id is null
                and j.locked_at > now() - make_interval(secs => ${opts.stuckAfterMs / 1000}))
          )
      )
    order by d.is_crisis desc, d.scheduled_at
    limit ${opts.limit}`) as unknown as Promise<{ id: string; isCrisis: boolean }[]>;
}

/** 'publishing' deliveries without an attempt in progress (left inconsistent by an interrupted transition). */
export async function findStrandedPublishing(db: DbOrTx, graceMs: number, limit: number): Promise<{ id: string }[]> {
  return db.execute<{ id: string }>(sql`
    select d.id from deliveries d
    where d.state = 'publishing'
      and d.updated_at < now() - make_interval(secs => ${graceMs / 1000})
      and not exists (select 1 from delivery_attempts a where a.delivery_id = d.id and a.outcome = 'in_progress')
    limit ${limit}`) as unknown as Promise<{ id: string }[]>;
}

export interface ClaimSnapshot {
  delivery: Delivery;
  channel: Channel;
  post: Post;
  mediaCount: number;
  /** The latest attempt, if any. */
  last: DeliveryAttempt | null;
  /** The channel's own variant of the post (ADR 022), read in the same statement to save the worker a round trip. */
  variant: PostVariant | undefined;
  /** A drill's post (övning): its record is marked exercise. */
  exercise: boolean;
}

/** The claim's read: the delivery (locked FOR UPDATE) with its channel, post, media count, latest attempt, variant. */
function claimSelectSql(deliveryId: string): SQL {
  return sql`
    select d.*,
           to_json(c.*) as "__channel",
           to_json(p.*) as "__post",
           (select count(*)::int from post_media m where m.post_id = d.post_id) as "__media_count",
           (select to_json(a.*) from delivery_attempts a where a.delivery_id = d.id order by a.number desc limit 1) as "__last",
           (select to_json(v.*) from post_variants v where v.post_id = d.post_id and v.channel_id = d.channel_id) as "__variant",
           ${isExercisePostSql(sql`d.post_id`)} as "__exercise",
           (c.enabled and c.credential_status = 'ok' and c.credentials_encrypted is not null) as "__usable"
    from deliveries d
    join channels c on c.id = d.channel_id
    join posts p on p.id = d.post_id
    where d.id = ${deliveryId}
    for update of d`;
}

function snapshotOf(row: Record<string, unknown>): ClaimSnapshot {
  return {
    delivery: fromRow(deliveries, row),
    channel: fromRow(channels, row.__channel as Record<string, unknown>),
    post: fromRow(posts, row.__post as Record<string, unknown>),
    mediaCount: Number(row.__media_count),
    last: row.__last ? fromRow(deliveryAttempts, row.__last as Record<string, unknown>) : null,
    variant: row.__variant ? fromRow(postVariants, row.__variant as Record<string, unknown>) : undefined,
    exercise: row.__exercise === true,
  };
}

/** The delivery locked FOR UPDATE, with its channel, its post and its latest attempt, in one statement. */
export async function lockForClaim(tx: DbOrTx, deliveryId: string): Promise<ClaimSnapshot | undefined> {
  const rows = await tx.execute<Record<string, unknown>>(claimSelectSql(deliveryId));
  return rows[0] ? snapshotOf(rows[0]) : undefined;
}

export interface OneStatementClaim {
  /** What the statement read, before its own writes (the attempt count and state are the old ones). */
  snapshot: ClaimSnapshot;
  /** The attempt it started, when the delivery was plainly runnable; null: the caller decides in a transaction. */
  attempt: DeliveryAttempt | null;
}

/**
 * The common claim as ONE autocommitted statement (ADR 033): when the delivery is in one of `from`, due, its channel
 * usable, within its give-up time, and its latest attempt is finished and is the one its attempt count names (so a
 * statement that waited for the row lock and read an older attempt never starts a second one), the attempt row is
 * inserted and the delivery moved to `to` in the same statement. Anything else writes nothing and returns the snapshot,
 * and the caller takes the careful path in a transaction.
 */
export async function claimInOneStatement(
  db: DbOrTx,
  deliveryId: string,
  opts: { from: readonly DeliveryState[]; to: DeliveryState; workerId: string; now: Date; dueBy: Date; giveUpAt: Date },
): Promise<OneStatementClaim | undefined> {
  const values = {
    deliveryId,
    workerId: opts.workerId,
    now: opts.now.toISOString(),
    dueBy: opts.dueBy.toISOString(),
    giveUpAt: opts.giveUpAt.toISOString(),
  };
  // The states are part of the text, so they name the shape (executeShaped builds the text once per shape).
  const rows = await executeShaped<Record<string, unknown>, { v: typeof values }>(db, `claim:${opts.from.join(',')}>${opts.to}`, { v: values }, ({ v }) => sql`
    with d as (${claimSelectSql(v.deliveryId)}),
    go as (
      select d.id, d.attempt_count from d
      where ${sql.raw('d.state')} in (${sql.join(
        opts.from.map((s) => sql`${s}`),
        sql`, `,
      )})
        and d."__usable"
        and coalesce((d."__last"->>'number')::int, 0) = d.attempt_count
        and (d."__last" is null or d."__last"->>'outcome' <> 'in_progress')
        and greatest(d.scheduled_at, coalesce(d.next_attempt_at, d.scheduled_at)) <= ${v.dueBy}::timestamptz
        and (d.give_up_at is null or d.give_up_at > ${v.now}::timestamptz)
    ),
    a as (
      insert into delivery_attempts (delivery_id, number, worker_id, outcome)
      select go.id, go.attempt_count + 1, ${v.workerId}, 'in_progress' from go
      returning *
    ),
    u as (
      update deliveries t
      set state = ${opts.to}, attempt_count = go.attempt_count + 1, first_sent_at = coalesce(t.first_sent_at, ${v.now}::timestamptz),
          give_up_at = coalesce(t.give_up_at, ${v.giveUpAt}::timestamptz), next_attempt_at = null, updated_at = ${v.now}::timestamptz
      from go where t.id = go.id
      returning t.id
    )
    select d.*, (select to_json(a.*) from a) as "__attempt", (select count(*) from u)::int as "__moved" from d`);
  const row = rows[0];
  if (!row) return undefined;
  const attempt = row.__attempt && Number(row.__moved) === 1 ? fromRow(deliveryAttempts, row.__attempt as Record<string, unknown>) : null;
  return { snapshot: snapshotOf(row), attempt };
}

/** The delivery locked FOR UPDATE with one of its attempts (the one a run is finishing). */
export async function lockWithAttempt(
  tx: DbOrTx,
  deliveryId: string,
  attemptId: number,
): Promise<{ delivery: Delivery; attempt: DeliveryAttempt | null } | undefined> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    select d.*, (select to_json(a.*) from delivery_attempts a where a.id = ${attemptId}) as "__attempt"
    from deliveries d where d.id = ${deliveryId}
    for update of d`);
  const row = rows[0];
  if (!row) return undefined;
  return {
    delivery: fromRow(deliveries, row),
    attempt: row.__attempt ? fromRow(deliveryAttempts, row.__attempt as Record<string, unknown>) : null,
  };
}

/**
 * The last look before sending, in one statement outside any transaction: FOR UPDATE waits for a cancel that holds
 * the row and then reads what it committed.
 */
export async function gateState(
  db: DbOrTx,
  deliveryId: string,
  attemptId: number,
): Promise<{ state: Delivery['state']; needsReconcile: boolean; attemptOutcome: DeliveryAttempt['outcome'] | null; paused: boolean } | undefined> {
  // paused: an ordinary delivery while pause-all is active (ADR 031) — read in the same statement as the row lock.
  type Row = { state: Delivery['state']; needs_reconcile: boolean; outcome: DeliveryAttempt['outcome'] | null; paused: boolean };
  const rows = await executeShaped<Row, { v: { deliveryId: string; attemptId: number } }>(db, 'gate', { v: { deliveryId, attemptId } }, ({ v }) => sql`
    select d.state, d.needs_reconcile, (select a.outcome from delivery_attempts a where a.id = ${v.attemptId}) as outcome,
      (not d.is_crisis and exists (select 1 from crisis_pauses p where p.resumed_at is null)) as paused
    from deliveries d where d.id = ${v.deliveryId}
    for update of d`);
  const row = rows[0];
  return row ? { state: row.state, needsReconcile: row.needs_reconcile, attemptOutcome: row.outcome, paused: row.paused } : undefined;
}

/** The platform id of a post's delivery on a channel, once published (the parent of a thread). */
export async function threadParentExternalId(db: DbOrTx, postId: string, channelId: string): Promise<string | null> {
  const rows = await db.execute<{ external_id: string | null }>(sql`
    select external_id from deliveries where post_id = ${postId} and channel_id = ${channelId} and state = 'published'`);
  return rows[0]?.external_id ?? null;
}

/** UPDATE deliveries without RETURNING (the hot path keeps its own copy). */
export async function patchDelivery(db: DbOrTx, deliveryId: string, patch: DeliveryPatch): Promise<void> {
  await updateById(db, deliveries, deliveryId, patch);
}

export function deliveryUpdateSql(deliveryId: string, patch: DeliveryPatch) {
  return updateByIdSql(deliveries, deliveryId, patch);
}

/** Deliveries due (or published) in [from, to), with their post and channel: the planning calendar. */
export async function listDeliveriesBetween(db: DbOrTx, from: Date, to: Date, limit = 2000) {
  return db
    .select({
      id: deliveries.id,
      postId: deliveries.postId,
      state: deliveries.state,
      scheduledAt: deliveries.scheduledAt,
      publishedAt: deliveries.publishedAt,
      permalink: deliveries.permalink,
      channelId: deliveries.channelId,
      channelName: channels.name,
      platform: channels.platform,
      createdBy: posts.createdBy,
      text: posts.text,
      kind: posts.kind,
      reviewState: posts.reviewState,
    })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .innerJoin(posts, eq(posts.id, deliveries.postId))
    .where(sql`coalesce(${deliveries.publishedAt}, ${deliveries.scheduledAt}) >= ${from.toISOString()}::timestamptz and coalesce(${deliveries.publishedAt}, ${deliveries.scheduledAt}) < ${to.toISOString()}::timestamptz`)
    .orderBy(asc(deliveries.scheduledAt), asc(channels.name))
    .limit(limit);
}
