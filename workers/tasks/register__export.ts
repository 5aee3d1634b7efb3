import { z } from 'zod';
import type { Task } from 'graphile-worker';
import { runRegisterExport } from '../lib/register-export';
import { registerExportDir } from '../../common/export-dir.server';
import type { WorkerDeps } from '../deps';
import { jobCatalogue } from '../delivery/jobs';

export const TASK = 'register__export';

/** Enqueued by /diarium in the transaction that creates the register_exports row. */
export const payloadSchema = jobCatalogue.register__export.payload;
export type Payload = z.infer<typeof payloadSchema>;

/** Writes a long register export to a file with progress (workers/lib/register-export.ts, ADR 036). */
export function makeTask(deps: WorkerDeps): Task {
  return async (payload) => {
    const { exportId } = payloadSchema.parse(payload);
    await runRegisterExport(deps, exportId, registerExportDir());
  };
}
