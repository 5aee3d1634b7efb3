import type { Task } from 'graphile-worker';
import { config } from '../../common/config.server';
import { areaFilterOf, parseCapSources, pollCapSources } from '../lib/cap-poll';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const payloadSchema = jobCatalogue.cap__poll.payload;

/**
 * Every minute (crontab): reads the CAP feeds in CAP_FEEDS and records each new alert for the city's area once
 * (workers/lib/cap-poll.ts, ADR 040). A feed that is down is logged, not retried: the next minute polls again.
 */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    const cfg = config();
    const sources = parseCapSources(cfg.CAP_FEEDS);
    if (sources.length === 0) return;
    await pollCapSources(deps.db, sources, areaFilterOf(cfg.CAP_AREA_CODES, cfg.CAP_AREA_NAMES), { timeoutMs: Math.min(deps.platformTimeoutMs, 15_000), log: deps.log });
  };
}
