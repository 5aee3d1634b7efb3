import type { Logger } from 'pino';
import type { Db } from '../db/client';

/** What tasks are given; built once per worker process. */
export interface WorkerDeps {
  db: Db;
  credentialsKey: Buffer;
  log: Logger;
  platformTimeoutMs: number;
  /** Identifies this worker process in attempt rows and logs. */
  workerId: string;
}
