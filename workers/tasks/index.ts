import type { TaskList } from 'graphile-worker';
import type { WorkerDeps } from '../deps';
import * as sessionPurgeExpired from './session__purge_expired';

/** The only list of task names; each file is named after its task. */
export function makeTaskList(deps: WorkerDeps): TaskList {
  return {
    session__purge_expired: sessionPurgeExpired.makeTask(deps),
  };
}
