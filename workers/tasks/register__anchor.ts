import type { Task } from 'graphile-worker';
import { anchorChainHead } from '../../db/register/anchor';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const payloadSchema = jobCatalogue.register__anchor.payload;

/**
 * Writes the register's chain head as an anchor every hour (crontab), after checking the records added since the last
 * anchor. The anchor also goes to the log, which is kept outside the database: a copy there is what makes records
 * removed from the end of the chain visible even to someone who can rewrite the database. A broken chain fails the
 * job (visible in the job table and the log) and writes no anchor.
 */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    payloadSchema.parse(payload ?? {});
    const result = await anchorChainHead(deps.db);
    if (!result.ok) {
      deps.log.error({ register: 'anchor' }, `register anchor refused: ${result.message}`);
      throw new Error(`register anchor refused: ${result.message}`);
    }
    deps.log.info(
      { register: 'anchor', lastRecordId: result.lastRecordId, lastRecordSha256: result.lastRecordSha256, records: result.records, newRecords: result.newRecords },
      'register chain head anchored',
    );
  };
}
