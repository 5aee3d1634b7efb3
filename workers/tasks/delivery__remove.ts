import { z } from 'zod';
import type { Task } from 'graphile-worker';
import { performRemoval } from '../delivery/removal';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const payloadSchema = jobCatalogue.delivery__remove.payload;
export type Payload = z.infer<typeof payloadSchema>;

/** Deletes a published post from its platform, after its deletion event was registered (ADR 039). */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { deliveryId } = payloadSchema.parse(payload);
    await performRemoval(deps, deliveryId);
  };
}
