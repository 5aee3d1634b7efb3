import type { Task } from 'graphile-worker';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';
import { sweepDeliveries } from '../delivery/sweep';

export const payloadSchema = jobCatalogue.delivery__sweep.payload;

/** The cron backstop of the in-process sweeper (workers/delivery/sweep.ts); the advisory lock keeps them apart. */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    await sweepDeliveries(deps);
  };
}
