import { readFileSync } from 'node:fs';
import { Logger, parseCrontab, run, type Runner } from 'graphile-worker';
import type { Logger as Pino } from 'pino';
import { makeTaskList } from './tasks';
import type { WorkerDeps } from './deps';

const crontab = readFileSync(new URL('./crontab', import.meta.url), 'utf8');

function graphileLogger(log: Pino): Logger {
  return new Logger((scope) => (level, message, meta) => {
    const fields = { scope: { label: scope.label, taskIdentifier: scope.taskIdentifier, jobId: scope.jobId }, ...meta };
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
}

/**
 * Starts Graphile Worker in this process. Scheduled jobs are found by polling, so pollInterval bounds the lag
 * between a post's time and its start (docs/decisions/006).
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
    // Our own schema migration runs first (db/migrate.ts); the worker's is idempotent beside it.
  });
}
