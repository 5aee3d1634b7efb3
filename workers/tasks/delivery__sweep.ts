import { z } from 'zod';
import type { Task } from 'graphile-worker';
import type { WorkerDeps } from '../deps';
import { sweepDeliveries } from '../lib/sweep';

export const payloadSchema = z.object({}).passthrough();

/** The cron backstop of the in-process sweeper (workers/lib/sweep.ts); the advisory lock keeps them apart. */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    await sweepDeliveries(deps);
  };
}
