/**
 * Publishes one delivery to its platform, exactly once. The lifecycle (claim, platform call, finish, the register
 * write) lives in workers/delivery/pipeline.ts; this task only checks its payload and runs it.
 */
import type { Task } from 'graphile-worker';
import type { z } from 'zod';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';
import { publishDelivery } from '../delivery/pipeline';

export const payloadSchema = jobCatalogue.delivery__publish.payload;
export type Payload = z.infer<typeof payloadSchema>;

export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { deliveryId } = payloadSchema.parse(payload);
    await publishDelivery(deps, deliveryId);
  };
}
