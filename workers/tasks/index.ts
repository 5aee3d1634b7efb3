import type { Task } from 'graphile-worker';
import type { WorkerDeps } from '../deps';
import type { TaskName } from '../delivery/jobs';
import * as sessionPurgeExpired from './session__purge_expired';
import * as deliveryPublish from './delivery__publish';
import * as deliverySweep from './delivery__sweep';
import * as jobsCleanup from './jobs__cleanup';
import * as channelRefreshCredentials from './channel__refresh_credentials';
import * as handoverSettle from './handover__settle';
import * as registerAnchor from './register__anchor';
import * as registerExport from './register__export';
import * as inboxFetch from './inbox__fetch';
import * as inboxModerate from './inbox__moderate';
import * as deliveryRemove from './delivery__remove';
import * as feedPoll from './feed__poll';
import * as capPoll from './cap__poll';
import * as notificationSend from './notification__send';

/**
 * The task list, checked against the job catalogue (workers/delivery/jobs.ts): a task missing here, or one here that
 * the catalogue does not know, fails tsc. Each file is named after its task.
 */
export function makeTaskList(deps: WorkerDeps) {
  return {
    session__purge_expired: sessionPurgeExpired.makeTask(deps),
    delivery__publish: deliveryPublish.makeTask(deps),
    delivery__sweep: deliverySweep.makeTask(deps),
    jobs__cleanup: jobsCleanup.makeTask(deps),
    channel__refresh_credentials: channelRefreshCredentials.makeTask(deps),
    handover__settle: handoverSettle.makeTask(deps),
    register__anchor: registerAnchor.makeTask(deps),
    register__export: registerExport.makeTask(deps),
    inbox__fetch: inboxFetch.makeTask(deps),
    inbox__moderate: inboxModerate.makeTask(deps),
    delivery__remove: deliveryRemove.makeTask(deps),
    feed__poll: feedPoll.makeTask(deps),
    cap__poll: capPoll.makeTask(deps),
    notification__send: notificationSend.makeTask(deps),
  } satisfies Record<TaskName, Task>;
}
