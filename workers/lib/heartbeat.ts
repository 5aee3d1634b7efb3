/**
 * Worker liveness: a runner writes its heartbeat row on start and every `intervalMs`. Others consider it dead once
 * the row is older than the policy's workerDeadAfterMs (database clock), or at once after a clean stop.
 *
 * `healthyFor(ms)` guards against a false verdict after a database outage: every heartbeat is stale when the
 * database comes back, so a runner only declares others dead after its own heartbeat has run without a gap for as
 * long as the dead-after period.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { beatHeart, markWorkerStopped, setGraphilePoolId } from '../../db/queries/worker-heartbeats';
import type { Liveness } from '../deps';
import { withDeadline } from './policy';

export interface Heartbeat extends Liveness {
  /** Records Graphile Worker's pool id for this runner (its jobs' locked_by). */
  setPoolId(poolId: string): Promise<void>;
  stop(opts?: { markStopped?: boolean }): Promise<void>;
}

export async function startHeartbeat(
  db: Db,
  workerId: string,
  opts: { intervalMs: number; log: Logger; deadlineMs: number; onFatal: (e: Error) => void },
): Promise<Heartbeat> {
  const info = { pid: process.pid, hostname: os.hostname() };
  let healthySince: number | null = null;
  let lastOk = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const beat = async () => {
    try {
      // A heartbeat that hangs (rather than fails) means a broken database client: stop rather than look alive.
      await withDeadline(beatHeart(db, workerId, info), opts.deadlineMs, 'heartbeat', opts.onFatal);
      const now = Date.now();
      // A gap longer than two intervals breaks the streak.
      if (healthySince === null || now - lastOk > opts.intervalMs * 2 + 1_000) healthySince = now;
      lastOk = now;
    } catch (e) {
      healthySince = null;
      opts.log.warn({ err: e, workerId }, 'heartbeat failed');
    }
  };

  await beatHeart(db, workerId, info);
  healthySince = Date.now();
  lastOk = healthySince;
  const timer = setInterval(() => {
    running = running.then(beat);
  }, opts.intervalMs);
  timer.unref();

  return {
    healthyFor(ms) {
      if (healthySince === null || stopped) return false;
      const now = Date.now();
      if (now - lastOk > opts.intervalMs * 2 + 1_000) return false;
      return now - healthySince >= ms;
    },
    async setPoolId(poolId) {
      await setGraphilePoolId(db, workerId, poolId);
    },
    async stop(o = {}) {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
      if (o.markStopped !== false) await markWorkerStopped(db, workerId).catch(() => {});
    },
  };
}
