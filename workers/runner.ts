import { EventEmitter } from 'node:events';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Logger, parseCrontab, run, type Runner, type WorkerEvents } from 'graphile-worker';
import { warmConnections } from './delivery/warm';
import type { Logger as Pino } from 'pino';
import type { Db } from '../db/client';
import { makeTaskList } from './tasks';
import type { WorkerDeps } from './deps';
import type { MailSettings } from './lib/mail';
import { defaultDeliveryPolicy, type DeliveryPolicy } from './lib/policy';
import { startHeartbeat, type Heartbeat } from './lib/heartbeat';
import { startSweeper, type SweepResult } from './delivery/sweep';
import { startDueAlarm, type DueAlarm } from './lib/due-alarm';

const crontab = readFileSync(new URL('./crontab', import.meta.url), 'utf8');

/** Graphile Worker passes whole pg clients and jobs as log meta; keep what helps and nothing that may hold secrets. */
function safeMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (value instanceof Error || (value && typeof value === 'object' && 'message' in value)) {
      const e = value as { message?: unknown; code?: unknown };
      out[key] = { message: String(e.message), ...(e.code !== undefined ? { code: String(e.code) } : {}) };
    } else if (key === 'job' && value && typeof value === 'object') {
      const j = value as { id?: unknown; task_identifier?: unknown; attempts?: unknown };
      out.job = { id: j.id, task: j.task_identifier, attempts: j.attempts };
    } else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      out[key] = value;
    }
  }
  return out;
}

function graphileLogger(log: Pino): Logger {
  return new Logger((scope) => (level, message, meta) => {
    const fields = { scope: { label: scope.label, taskIdentifier: scope.taskIdentifier, jobId: scope.jobId }, ...safeMeta(meta) };
    // Graphile Worker logs every job at info; ours are debug-level noise unless something goes wrong.
    if (level === 'error') log.error(fields, message);
    else if (level === 'warning') log.warn(fields, message);
    else log.debug(fields, message);
  });
}

export interface WorkerOptions {
  connectionString: string;
  concurrency: number;
  pollInterval: number;
  deps: WorkerDeps;
  /** Tests and the chaos run use their own schedule. */
  withCron?: boolean;
  /** Receives Graphile Worker's events (the pool id is recorded from 'pool:create'). */
  events?: WorkerEvents;
}

/**
 * Starts Graphile Worker in this process. A job due later is found by polling, or earlier by the due-time alarm
 * that startDeliveryWorker adds (workers/lib/due-alarm.ts, ADR 045).
 */
export async function startWorker(opts: WorkerOptions): Promise<Runner> {
  return run({
    connectionString: opts.connectionString,
    concurrency: opts.concurrency,
    pollInterval: opts.pollInterval,
    noHandleSignals: true,
    taskList: makeTaskList(opts.deps),
    parsedCronItems: opts.withCron === false ? [] : parseCrontab(crontab),
    logger: graphileLogger(opts.deps.log),
    // Platform calls are bounded by their own timeout; let an in-flight publish finish on a clean stop.
    gracefulShutdownAbortTimeout: Math.max(5_000, opts.deps.platformTimeoutMs + 5_000),
    ...(opts.events ? { events: opts.events } : {}),
    // Batched completion retries with backoff when PostgreSQL is briefly away (a restart) instead of leaving an
    // unhandled rejection that ends the process; if it still fails, the pool shuts down and startDeliveryWorker
    // starts a new runner.
    preset: {
      worker: {
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
    // Our own schema migration runs first (db/migrate.ts); the worker's is idempotent beside it.
  });
}

export interface DeliveryWorkerOptions {
  connectionString: string;
  db: Db;
  credentialsKey: Buffer;
  log: Pino;
  platformTimeoutMs: number;
  publicUrl: string;
  /** E-mail notifications (ADR 043); absent: only logged. */
  mail?: MailSettings;
  concurrency: number;
  pollInterval: number;
  policy?: DeliveryPolicy;
  withCron?: boolean;
  /** Wake the pool when a scheduled job falls due rather than at its next poll (workers/lib/due-alarm.ts); default on. */
  dueAlarm?: boolean;
  /** Connections to open and prepare before the first job (workers/delivery/warm.ts); 0 or absent: none. */
  warmConnections?: number;
  /** Prefix of the runner's worker id (default: host name). */
  name?: string;
  /**
   * The worker can no longer be trusted to make progress (a database step or a shutdown hung). The worker process
   * exits here (workers/index.ts); the default, for in-process use, logs and starts a new runner.
   */
  onFatal?: (reason: Error) => void;
}

export interface DeliveryWorker {
  /** The current runner's worker id (a new one after an automatic restart). */
  readonly workerId: string;
  /** Runs the sweeper once now (tests). */
  sweepNow(): Promise<SweepResult | null>;
  /** Stops taking jobs, waits for running ones, marks the heartbeat stopped. */
  stop(): Promise<void>;
  /** The current Graphile Worker runner (tests stop it to check the automatic restart). */
  readonly runner: Runner | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A complete worker: Graphile Worker runner + heartbeat + in-process sweeper (workers/index.ts and the tests).
 *
 * Graphile Worker shuts its pool down when it cannot record a job's completion (the database went away at the wrong
 * moment). We then start a new runner with a NEW worker id: the old id's heartbeat stops, so anything it left in
 * progress is seen as a dead worker's and reconciled, never resent blindly.
 */
export async function startDeliveryWorker(opts: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const policy = opts.policy ?? defaultDeliveryPolicy;
  let stopping = false;
  let current: { workerId: string; heartbeat: Heartbeat; runner: Runner; sweeper: ReturnType<typeof startSweeper> } | null = null;
  let generation: Promise<void> = Promise.resolve();

  const startGeneration = async (): Promise<void> => {
    let delay = 500;
    while (!stopping) {
      const workerId = `${opts.name ?? os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
      let heartbeat: Heartbeat | null = null;
      try {
        heartbeat = await startHeartbeat(opts.db, workerId, {
          intervalMs: policy.heartbeatIntervalMs,
          log: opts.log,
          deadlineMs: policy.dbDeadlineMs,
          onFatal: (e) => fatal(workerId, e),
        });
        const hb = heartbeat;
        const deps: WorkerDeps = {
          db: opts.db,
          credentialsKey: opts.credentialsKey,
          log: opts.log.child({ workerId }),
          platformTimeoutMs: opts.platformTimeoutMs,
          workerId,
          publicUrl: opts.publicUrl,
          ...(opts.mail ? { mail: opts.mail } : {}),
          policy,
          inFlight: new Set(),
          liveness: hb,
          onFatal: (e) => fatal(workerId, e),
        };
        if (opts.warmConnections) {
          // A warm-up that fails or hangs (the database briefly away) costs only speed: the jobs open what they need,
          // and a hung one is not waited for beyond the database deadline (it releases its connections when it ends).
          const warm = warmConnections(deps, opts.warmConnections).catch((e: unknown) => opts.log.warn({ err: e }, 'could not warm the database connections'));
          await Promise.race([warm, new Promise<void>((resolve) => setTimeout(resolve, policy.dbDeadlineMs).unref())]);
        }
        let runnerRef: Runner | null = null;
        const events: WorkerEvents = new EventEmitter();
        let alarm: DueAlarm | null = null;
        events.on('pool:create', ({ workerPool }) => {
          void hb.setPoolId(workerPool.id).catch((e: unknown) => opts.log.warn({ err: e }, 'could not record pool id'));
          if (opts.dueAlarm !== false) alarm = startDueAlarm(workerPool, { db: opts.db, log: opts.log, concurrency: opts.concurrency, events });
        });
        events.on('pool:release', () => alarm?.stop());
        // Graphile Worker shuts its pool down by itself when it cannot record jobs; it then waits for running tasks.
        // If that wait does not end (a task stuck on a broken database client), the runner is not trustworthy.
        events.on('pool:gracefulShutdown', () => {
          alarm?.stop();
          if (stopping) return;
          const timer = setTimeout(
            () => fatal(workerId, new Error('Graphile Worker did not finish shutting down its pool')),
            policy.dbDeadlineMs + opts.platformTimeoutMs,
          );
          timer.unref();
          void runnerRef?.promise.finally(() => clearTimeout(timer)).catch(() => {});
        });
        const runner = await startWorker({
          connectionString: opts.connectionString,
          concurrency: opts.concurrency,
          pollInterval: opts.pollInterval,
          deps,
          withCron: opts.withCron,
          events,
        });
        runnerRef = runner;
        const sweeper = startSweeper(deps, policy.sweepIntervalMs);
        current = { workerId, heartbeat: hb, runner, sweeper };
        opts.log.info({ workerId, concurrency: opts.concurrency, pollInterval: opts.pollInterval }, 'worker started');
        runner.promise.then(
          () => onRunnerExit(workerId, null),
          (e: unknown) => onRunnerExit(workerId, e),
        );
        return;
      } catch (e) {
        await heartbeat?.stop({ markStopped: false }).catch(() => {});
        opts.log.warn({ err: e, retryInMs: delay }, 'worker could not start; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  };

  const fatal = (workerId: string, reason: Error) => {
    if (stopping) return;
    if (opts.onFatal) {
      opts.onFatal(reason);
      return;
    }
    const old = current?.workerId === workerId ? current.runner : null;
    onRunnerExit(workerId, reason);
    void old?.kill().catch(() => {});
  };

  const onRunnerExit = (workerId: string, error: unknown) => {
    if (stopping || current?.workerId !== workerId) return;
    opts.log.error({ err: error, workerId }, 'Graphile Worker runner exited unexpectedly; starting a new runner');
    const old = current;
    current = null;
    generation = (async () => {
      await old.sweeper.stop();
      await old.heartbeat.stop();
      await sleep(500);
      await startGeneration();
    })();
  };

  await startGeneration();

  return {
    get workerId() {
      return current?.workerId ?? '';
    },
    get runner() {
      return current?.runner ?? null;
    },
    async sweepNow() {
      return current ? current.sweeper.runNow() : null;
    },
    async stop() {
      stopping = true;
      await generation.catch(() => {});
      const c = current;
      current = null;
      if (!c) return;
      await c.sweeper.stop();
      await c.runner.stop().catch((e: unknown) => opts.log.warn({ err: e }, 'runner stop failed'));
      await c.heartbeat.stop();
      opts.log.info({ workerId: c.workerId }, 'worker stopped');
    },
  };
}
