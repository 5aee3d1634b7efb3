/**
 * Queries of the delivery pipeline. Each takes the database or a transaction first, so the use-cases
 * (app/models/posts.server.ts) and the worker tasks compose them inside their own transactions.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import {
  channels,
  deliveries,
  deliveryAttempts,
  postMedia,
  postVariants,
  posts,
  publicRecords,
  workerHeartbeats,
  type Channel,
  type Delivery,
  type DeliveryAttempt,
  type Post,
  type PostMedia,
  type PostVariant,
} from '../schema';
import { fromRow, insertRow, insertRowSql, updateById, updateByIdSql } from './fast';

export type NewPost = typeof posts.$inferInsert;
export type NewPostMedia = typeof postMedia.$inferInsert;
export type NewDelivery = typeof deliveries.$inferInsert;
export type DeliveryPatch = Partial<Omit<typeof deliveries.$inferInsert, 'id' | 'postId' | 'channelId'>>;
export type AttemptPatch = Partial<Omit<typeof deliveryAttempts.$inferInsert, 'id' | 'deliveryId' | 'number'>>;
export type NewPublicRecord = typeof publicRecords.$inferInsert;

/** Post media without the bytes (lists, the console). */
export type PostMediaInfo = Omit<PostMedia, 'data'>;

export const PUBLISH_TASK = 'delivery__publish';

export function publishJobKey(deliveryId: string): string {
  return `${PUBLISH_TASK}:${deliveryId}`;
}

export async function insertPost(db: DbOrTx, values: NewPost): Promise<Post> {
  const [row] = await db.insert(posts).values(values).returning();
  if (!row) throw new Error('insert into posts returned no row');
  return row;
}

export async function insertPostMedia(db: DbOrTx, rows: NewPostMedia[]): Promise<PostMediaInfo[]> {
  if (rows.length === 0) return [];
  const { data: _data, ...columns } = mediaColumns();
  return db.insert(postMedia).values(rows).returning(columns);
}

function mediaColumns() {
  return {
    id: postMedia.id,
    postId: postMedia.postId,
    position: postMedia.position,
    kind: postMedia.kind,
    filename: postMedia.filename,
    mimeType: postMedia.mimeType,
    sizeBytes: postMedia.sizeBytes,
    width: postMedia.width,
    height: postMedia.height,
    sha256: postMedia.sha256,
    stored: postMedia.stored,
    channelId: postMedia.channelId,
    altText: postMedia.altText,
    data: postMedia.data,
  };
}

export type NewPostVariant = typeof postVariants.$inferInsert;

export async function insertVariants(db: DbOrTx, rows: NewPostVariant[]): Promise<PostVariant[]> {
  if (rows.length === 0) return [];
  return db.insert(postVariants).values(rows).returning();
}

export async function listVariants(db: DbOrTx, postId: string): Promise<PostVariant[]> {
  return db.select().from(postVariants).where(eq(postVariants.postId, postId));
}

/** The variant of one channel (the worker), or undefined when the channel takes the base as it is. */
export async function loadVariant(db: DbOrTx, postId: string, channelId: string): Promise<PostVariant | undefined> {
  const rows = await db.execute<Record<string, unknown>>(sql`select * from post_variants where post_id = ${postId} and channel_id = ${channelId}`);
  return rows[0] ? fromRow(postVariants, rows[0]) : undefined;
}

/** Removes the post's variants (an edit replaces them as a whole). */
export async function deleteVariants(db: DbOrTx, postId: string): Promise<void> {
  await db.delete(postVariants).where(eq(postVariants.postId, postId));
}

export async function insertDeliveries(db: DbOrTx, rows: NewDelivery[]): Promise<Delivery[]> {
  if (rows.length === 0) return [];
  return db.insert(deliveries).values(rows).returning();
}

export async function findPost(db: DbOrTx, postId: string): Promise<Post | undefined> {
  const [row] = await db.select().from(posts).where(eq(posts.id, postId));
  return row;
}

export async function updatePost(db: DbOrTx, postId: string, patch: Partial<Omit<NewPost, 'id'>>): Promise<void> {
  await db.update(posts).set(patch).where(eq(posts.id, postId));
}

/** The media of a post in order, with their bytes (the worker). */
export async function listPostMedia(db: DbOrTx, postId: string): Promise<PostMedia[]> {
  return db.select().from(postMedia).where(eq(postMedia.postId, postId)).orderBy(asc(postMedia.position));
}

/** The media of a post in order, without their bytes. */
export async function listPostMediaInfo(db: DbOrTx, postId: string): Promise<PostMediaInfo[]> {
  const { data: _data, ...columns } = mediaColumns();
  return db.select(columns).from(postMedia).where(eq(postMedia.postId, postId)).orderBy(asc(postMedia.position));
}

/** One media file with its bytes, for the public media route the platforms fetch from. */
export async function findMedia(db: DbOrTx, mediaId: string): Promise<PostMedia | undefined> {
  const [row] = await db.select().from(postMedia).where(eq(postMedia.id, mediaId));
  return row;
}

export async function findChannel(db: DbOrTx, channelId: string): Promise<Channel | undefined> {
  const [row] = await db.select().from(channels).where(eq(channels.id, channelId));
  return row;
}

export async function findChannelsByKeys(db: DbOrTx, keys: string[]): Promise<Channel[]> {
  if (keys.length === 0) return [];
  return db.select().from(channels).where(inArray(channels.key, keys));
}

export async function findChannelsByIds(db: DbOrTx, ids: string[]): Promise<Channel[]> {
  if (ids.length === 0) return [];
  return db.select().from(channels).where(inArray(channels.id, ids));
}

export async function updateChannel(db: DbOrTx, channelId: string, patch: Partial<typeof channels.$inferInsert>): Promise<void> {
  await db
    .update(channels)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(channels.id, channelId));
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

export async function latestAttempt(db: DbOrTx, deliveryId: string): Promise<DeliveryAttempt | undefined> {
  const [row] = await db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, deliveryId))
    .orderBy(desc(deliveryAttempts.number))
    .limit(1);
  return row;
}

export async function findAttempt(db: DbOrTx, attemptId: number): Promise<DeliveryAttempt | undefined> {
  const [row] = await db.select().from(deliveryAttempts).where(eq(deliveryAttempts.id, attemptId));
  return row;
}

export async function insertAttempt(
  db: DbOrTx,
  values: { deliveryId: string; number: number; workerId: string; message?: string | null },
): Promise<DeliveryAttempt> {
  const [row] = await db
    .insert(deliveryAttempts)
    .values({ ...values, outcome: 'in_progress' })
    .returning();
  if (!row) throw new Error('insert into delivery_attempts returned no row');
  return row;
}

export async function updateAttempt(db: DbOrTx, attemptId: number, patch: AttemptPatch): Promise<void> {
  await db.update(deliveryAttempts).set(patch).where(eq(deliveryAttempts.id, attemptId));
}

export async function listAttempts(db: DbOrTx, deliveryIds: string[]): Promise<DeliveryAttempt[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .select()
    .from(deliveryAttempts)
    .where(inArray(deliveryAttempts.deliveryId, deliveryIds))
    .orderBy(asc(deliveryAttempts.deliveryId), asc(deliveryAttempts.number));
}

export async function insertPublicRecord(db: DbOrTx, values: NewPublicRecord): Promise<void> {
  await insertRow(db, publicRecords, values);
}

// ---------------------------------------------------------------------------------------------------------------
// Worker liveness

/** Writes (or refreshes) a worker's heartbeat with the database's clock. */
export async function beatHeart(db: DbOrTx, workerId: string, info: { pid: number; hostname: string }): Promise<void> {
  await db
    .insert(workerHeartbeats)
    .values({ workerId, pid: info.pid, hostname: info.hostname })
    .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: sql`now()` } });
}

export async function setGraphilePoolId(db: DbOrTx, workerId: string, poolId: string): Promise<void> {
  await db.update(workerHeartbeats).set({ graphilePoolId: poolId }).where(eq(workerHeartbeats.workerId, workerId));
}

export async function markWorkerStopped(db: DbOrTx, workerId: string): Promise<void> {
  await db.update(workerHeartbeats).set({ stoppedAt: sql`now()` }).where(eq(workerHeartbeats.workerId, workerId));
}

/** A worker is alive while its heartbeat is fresher than `deadAfterMs` (database clock) and it has not stopped. */
export async function isWorkerAlive(db: DbOrTx, workerId: string, deadAfterMs: number): Promise<boolean> {
  const rows = await db.execute<{ alive: boolean }>(sql`
    select exists(
      select 1 from worker_heartbeats
      where worker_id = ${workerId}
        and stopped_at is null
        and last_seen_at > now() - make_interval(secs => ${deadAfterMs / 1000})
    ) as alive`);
  return rows[0]?.alive === true;
}

export async function deleteOldHeartbeats(db: DbOrTx, olderThanMs: number): Promise<number> {
  const rows = await db.execute<{ worker_id: string }>(sql`
    delete from worker_heartbeats
    where last_seen_at < now() - make_interval(secs => ${olderThanMs / 1000})
      and not exists (
        select 1 from delivery_attempts a
        where a.worker_id = worker_heartbeats.worker_id and a.outcome = 'in_progress'
      )
    returning worker_id`);
  return rows.length;
}

// ---------------------------------------------------------------------------------------------------------------
// The sweeper's queries

/** Attempts still in progress whose worker is dead (stale heartbeat, stopped, or never seen). */
export async function findAttemptsOfDeadWorkers(
  db: DbOrTx,
  deadAfterMs: number,
  limit: number,
): Promise<{ attemptId: number; deliveryId: string; workerId: string | null }[]> {
  const rows = await db.execute<{ id: string | number; delivery_id: string; worker_id: string | null }>(sql`
    select a.id, a.delivery_id, a.worker_id
    from delivery_attempts a
    left join worker_heartbeats h on h.worker_id = a.worker_id
    where a.outcome = 'in_progress'
      and a.started_at < now() - make_interval(secs => ${deadAfterMs / 1000})
      and (h.worker_id is null or h.stopped_at is not null
           or h.last_seen_at < now() - make_interval(secs => ${deadAfterMs / 1000}))
    order by a.started_at
    limit ${limit}`);
  return rows.map((r) => ({ attemptId: Number(r.id), deliveryId: r.delivery_id, workerId: r.worker_id }));
}

/**
 * Deliveries that should have started more than `graceMs` ago but have no healthy job: none with their key, or
 * only one that Graphile Worker gave up on, or one locked by a dead runner (killed between taking the job and
 * starting the attempt), or locked for longer than `stuckAfterMs` by a runner we have no heartbeat for.
 */
export async function findOrphanedDeliveries(
  db: DbOrTx,
  opts: { graceMs: number; deadAfterMs: number; stuckAfterMs: number; limit: number },
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
        where j.key = ${`${PUBLISH_TASK}:`} || d.id::text
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

/** Whether a healthy job exists for the delivery (tests, the console's diagnostics). */
export async function hasPendingJob(db: DbOrTx, deliveryId: string): Promise<boolean> {
  const rows = await db.execute<{ ok: boolean }>(sql`
    select exists(
      select 1 from graphile_worker._private_jobs j
      where j.key = ${publishJobKey(deliveryId)} and j.attempts < j.max_attempts
    ) as ok`);
  return rows[0]?.ok === true;
}

// ---------------------------------------------------------------------------------------------------------------
// The worker's hot path: plain SQL, fewer round trips (see db/queries/fast.ts)

export interface ClaimSnapshot {
  delivery: Delivery;
  channel: Channel;
  post: Post;
  mediaCount: number;
  /** The latest attempt, if any. */
  last: DeliveryAttempt | null;
}

/** The delivery locked FOR UPDATE, with its channel, its post and its latest attempt, in one statement. */
export async function lockForClaim(tx: DbOrTx, deliveryId: string): Promise<ClaimSnapshot | undefined> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    select d.*,
           to_json(c.*) as "__channel",
           to_json(p.*) as "__post",
           (select count(*)::int from post_media m where m.post_id = d.post_id) as "__media_count",
           (select to_json(a.*) from delivery_attempts a where a.delivery_id = d.id order by a.number desc limit 1) as "__last"
    from deliveries d
    join channels c on c.id = d.channel_id
    join posts p on p.id = d.post_id
    where d.id = ${deliveryId}
    for update of d`);
  const row = rows[0];
  if (!row) return undefined;
  return {
    delivery: fromRow(deliveries, row),
    channel: fromRow(channels, row.__channel as Record<string, unknown>),
    post: fromRow(posts, row.__post as Record<string, unknown>),
    mediaCount: Number(row.__media_count),
    last: row.__last ? fromRow(deliveryAttempts, row.__last as Record<string, unknown>) : null,
  };
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
): Promise<{ state: Delivery['state']; needsReconcile: boolean; attemptOutcome: DeliveryAttempt['outcome'] | null } | undefined> {
  const rows = await db.execute<{ state: Delivery['state']; needs_reconcile: boolean; outcome: DeliveryAttempt['outcome'] | null }>(sql`
    select d.state, d.needs_reconcile, (select a.outcome from delivery_attempts a where a.id = ${attemptId}) as outcome
    from deliveries d where d.id = ${deliveryId}
    for update of d`);
  const row = rows[0];
  return row ? { state: row.state, needsReconcile: row.needs_reconcile, attemptOutcome: row.outcome } : undefined;
}

/** A post's media with their bytes, in order (plain SQL). */
export async function loadMedia(db: DbOrTx, postId: string): Promise<PostMedia[]> {
  const rows = await db.execute<Record<string, unknown>>(sql`select * from post_media where post_id = ${postId} order by position`);
  return rows.map((m) => fromRow(postMedia, m));
}

/** UPDATE deliveries without RETURNING (the hot path keeps its own copy). */
export async function patchDelivery(db: DbOrTx, deliveryId: string, patch: DeliveryPatch): Promise<void> {
  await updateById(db, deliveries, deliveryId, patch);
}

export async function patchAttempt(db: DbOrTx, attemptId: number, patch: AttemptPatch): Promise<void> {
  await updateById(db, deliveryAttempts, attemptId, patch);
}

/** Inserts the new attempt (in progress) and updates the delivery, in one statement; returns the attempt. */
export async function startAttempt(
  db: DbOrTx,
  values: { deliveryId: string; number: number; workerId: string },
  patch: DeliveryPatch,
): Promise<DeliveryAttempt> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    with a as (${insertRowSql(deliveryAttempts, { ...values, outcome: 'in_progress' })} returning *),
         u as (${updateByIdSql(deliveries, values.deliveryId, patch)})
    select * from a`);
  const row = rows[0];
  if (!row) throw new Error('insert into delivery_attempts returned no row');
  return fromRow(deliveryAttempts, row);
}

export function deliveryUpdateSql(deliveryId: string, patch: DeliveryPatch) {
  return updateByIdSql(deliveries, deliveryId, patch);
}

export function attemptUpdateSql(attemptId: number, patch: AttemptPatch) {
  return updateByIdSql(deliveryAttempts, attemptId, patch);
}

export function publicRecordInsertSql(values: NewPublicRecord) {
  return insertRowSql(publicRecords, values);
}

/** The newest posts with each delivery's channel and state, in two queries whatever the number of posts (the posts list). */
export async function listRecentPostsWithDeliveryStates(db: DbOrTx, limit: number) {
  const recent = await db.select().from(posts).orderBy(desc(posts.createdAt)).limit(limit);
  if (recent.length === 0) return [];
  const rows = await db
    .select({ postId: deliveries.postId, id: deliveries.id, state: deliveries.state, channel: channels.name })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .where(inArray(deliveries.postId, recent.map((p) => p.id)))
    .orderBy(asc(channels.name));
  return recent.map((post) => ({ post, deliveries: rows.filter((r) => r.postId === post.id) }));
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
      channelName: channels.name,
      platform: channels.platform,
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
