import type { TaskList } from 'graphile-worker';
import type { WorkerDeps } from '../deps';
import * as sessionPurgeExpired from './session__purge_expired';
import * as deliveryPublish from './delivery__publish';
import * as deliverySweep from './delivery__sweep';
import * as jobsCleanup from './jobs__cleanup';
import * as channelRefreshCredentials from './channel__refresh_credentials';
import * as handoverSettle from './handover__settle';
import * as registerAnchor from './register__anchor';

/** The only list of task names; each file is named after its task. */
export function makeTaskList(deps: WorkerDeps): TaskList {
  return {
    session__purge_expired: sessionPurgeExpired.makeTask(deps),
    delivery__publish: deliveryPublish.makeTask(deps),
    delivery__sweep: deliverySweep.makeTask(deps),
    jobs__cleanup: jobsCleanup.makeTask(deps),
    channel__refresh_credentials: channelRefreshCredentials.makeTask(deps),
    handover__settle: handoverSettle.makeTask(deps),
    register__anchor: registerAnchor.makeTask(deps),
  };
}
