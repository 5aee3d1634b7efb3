/**
 * The typed job catalogue: every task the worker runs, with its payload schema, its job key and its queue settings,
 * in one place. `enqueue(tx, name, payload)` accepts only a name in the catalogue and that task's payload (checked by
 * tsc, and again with zod at run time), and adds the job through graphile_worker.add_job on the caller's own
 * transaction: the job exists exactly when the change that needs it was committed. workers/tasks/index.ts is checked
 * against the catalogue with `satisfies`, so a task cannot be added in one place only.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client';
import { defaultDeliveryPolicy } from '../lib/policy';

interface JobDefinition<S extends z.ZodType> {
  payload: S;
  /** The job key without its task prefix (the prefix is always added: "delivery__publish:<id>"). */
  jobKey?: (payload: z.output<S>) => string | null;
  queueName?: string;
  /** Lower runs first (Graphile Worker's convention); an enqueue may ask for another (crisis deliveries). */
  priority?: number;
  maxAttempts?: number;
}

function job<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

/** What Graphile Worker's cron adds to the payload of every job it queues (its time, and whether it is a backfill). */
const cronField = { _cron: z.object({ ts: z.string(), backfilled: z.boolean().optional() }).passthrough().optional() };
/** Cron tasks take no payload of ours. */
const cronPayload = z.object(cronField).strict();

export const jobCatalogue = {
  delivery__publish: job({
    payload: z.object({ deliveryId: z.uuid() }),
    // One job per delivery: a re-enqueue with the same key moves the pending job, and one still locked by a dead
    // worker is neutered and replaced (graphile_worker.add_job, job_key_mode replace).
    jobKey: (p) => p.deliveryId,
    priority: 0,
    // Graphile Worker's own retries only matter when the task throws (database trouble); the sweeper covers the rest.
    maxAttempts: defaultDeliveryPolicy.jobMaxAttempts,
  }),
  delivery__sweep: job({ payload: cronPayload }),
  jobs__cleanup: job({ payload: cronPayload }),
  session__purge_expired: job({ payload: cronPayload }),
  channel__refresh_credentials: job({ payload: cronPayload }),
  register__anchor: job({ payload: cronPayload }),
  // Without a channel: the cron fan-out, which enqueues one keyed job per channel (its own queue, so one at a time).
  inbox__fetch: job({ payload: z.object({ channelId: z.uuid().optional(), ...cronField }).strict(), jobKey: (p) => p.channelId ?? null, maxAttempts: 3 }),
  handover__settle: job({ payload: cronPayload }),
  // Incoming warnings: the configured CAP feeds, every minute (ADR 040).
  cap__poll: job({ payload: cronPayload, maxAttempts: 1 }),
  inbox__moderate: job({ payload: z.object({ itemId: z.uuid() }).strict(), jobKey: (p) => p.itemId, maxAttempts: 8 }),
  // A long /diarium export (ADR 036); a retry after a killed worker writes the file again from the start.
  register__export: job({ payload: z.object({ exportId: z.uuid() }).strict(), jobKey: (p) => p.exportId, maxAttempts: 3 }),
  // Delete from platform (ADR 039): one job per delivery; retried with backoff while the platform is unavailable.
  delivery__remove: job({ payload: z.object({ deliveryId: z.uuid() }).strict(), jobKey: (p) => p.deliveryId, maxAttempts: 8 }),
  // E-mail notification (ADR 043): one job per recorded event; retried with backoff while the SMTP server is down.
  notification__send: job({ payload: z.object({ eventKey: z.string().min(3).max(200) }).strict(), jobKey: (p) => p.eventKey, maxAttempts: 25 }),
  // Feed import (ADR 042): the cron fan-out, one keyed job per feed.
  feed__poll: job({ payload: z.object({ feedKey: z.string().min(1).max(63).optional(), ...cronField }).strict(), jobKey: (p) => p.feedKey ?? null, maxAttempts: 3 }),
};

export type TaskName = keyof typeof jobCatalogue;
export type PayloadOf<N extends TaskName> = z.input<(typeof jobCatalogue)[N]['payload']>;
export const taskNames = Object.keys(jobCatalogue) as TaskName[];

export interface EnqueueOptions {
  runAt?: Date;
  /** A queue of this job's own (jobs in one queue run one at a time), e.g. one per channel. */
  queueName?: string;
  priority?: number;
  maxAttempts?: number;
}

/** A name that is not in the catalogue, or a payload its schema refuses (only reachable past the type checker). */
export class JobCatalogueError extends Error {
  override readonly name = 'JobCatalogueError';
  constructor(
    readonly task: string,
    message: string,
  ) {
    super(`job ${task}: ${message}`);
  }
}

function definitionOf(name: string): JobDefinition<z.ZodType> {
  if (!Object.hasOwn(jobCatalogue, name)) throw new JobCatalogueError(name, 'not a task in the job catalogue');
  return jobCatalogue[name as TaskName] as JobDefinition<z.ZodType>;
}

function parsePayload(name: string, def: JobDefinition<z.ZodType>, payload: unknown): unknown {
  const parsed = def.payload.safeParse(payload);
  if (!parsed.success) throw new JobCatalogueError(name, `payload refused: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The full job key of a task's payload ("task:key"), or null for a task without keys. */
export function jobKeyOf<N extends TaskName>(name: N, payload: PayloadOf<N>): string | null {
  const def = definitionOf(name);
  const parsed = parsePayload(name, def, payload);
  const key = def.jobKey?.(parsed);
  return key ? `${name}:${key}` : null;
}

/** Adds the job in the caller's transaction (or on its connection). */
export async function enqueue<N extends TaskName>(db: DbOrTx, name: N, payload: PayloadOf<N>, options: EnqueueOptions = {}): Promise<void> {
  const def = definitionOf(name);
  const parsed = parsePayload(name, def, payload);
  const key = def.jobKey?.(parsed);
  const jobKey = key ? `${name}:${key}` : null;
  await db.execute(sql`select graphile_worker.add_job(
    identifier => ${name}::text,
    payload => ${JSON.stringify(parsed)}::json,
    queue_name => ${options.queueName ?? def.queueName ?? null}::text,
    run_at => ${options.runAt ? options.runAt.toISOString() : null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? def.maxAttempts ?? null}::int,
    job_key => ${jobKey}::text,
    priority => ${options.priority ?? def.priority ?? null}::int,
    job_key_mode => ${jobKey ? 'replace' : null}::text
  )`);
}

/** Removes a pending job by its key (cancel); a job already running is not touched, which the task itself handles. */
export async function removeJob<N extends TaskName>(db: DbOrTx, name: N, payload: PayloadOf<N>): Promise<void> {
  const key = jobKeyOf(name, payload);
  if (!key) throw new JobCatalogueError(name, 'has no job key to remove by');
  await db.execute(sql`select graphile_worker.remove_job(${key}::text)`);
}

/** The key prefix of the delivery jobs, for the sweeper's and the clean-up's SQL. */
export const PUBLISH_JOB_KEY_PREFIX = 'delivery__publish:';

/** Whether a healthy (not given up) job exists for the delivery (tests, diagnostics); reads Graphile Worker's public view. */
export async function hasPendingJob(db: DbOrTx, deliveryId: string): Promise<boolean> {
  const rows = await db.execute<{ ok: boolean }>(sql`
    select exists(
      select 1 from graphile_worker.jobs j
      where j.key = ${jobKeyOf('delivery__publish', { deliveryId })} and j.attempts < j.max_attempts
    ) as ok`);
  return rows[0]?.ok === true;
}
