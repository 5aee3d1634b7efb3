import type { Task } from 'graphile-worker';
import { settleHandoverWeeks } from '../../db/queries/handover';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

/** Cron payloads carry Graphile's `_cron` block and nothing of ours. */
export const payloadSchema = jobCatalogue.handover__settle.payload;

/**
 * Every minute: a staff host whose week has ended loses their sessions (the request guard already refuses them from
 * the first second; this makes the end visible and logged), and weeks move to active/finished.
 */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    const result = await deps.db.transaction((tx) => settleHandoverWeeks(tx, new Date()));
    if (result.ended || result.activated) deps.log.info(result, 'handover weeks settled');
  };
}
