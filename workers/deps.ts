import type { Logger } from 'pino';
import type { Db } from '../db/client';
import type { DeliveryPolicy } from './lib/policy';
import type { MailSettings } from './lib/mail';

/** What the worker knows about its own liveness (see workers/lib/heartbeat.ts). */
export interface Liveness {
  /** True when this runner's heartbeat has been written without a gap for at least `ms`. */
  healthyFor(ms: number): boolean;
}

/** What tasks are given; built once per worker runner. */
export interface WorkerDeps {
  db: Db;
  credentialsKey: Buffer;
  log: Logger;
  platformTimeoutMs: number;
  /** Identifies this worker runner in attempt rows, heartbeats and logs. */
  workerId: string;
  /** Base URL the platforms can fetch media from (Instagram): `${publicUrl}/media/${mediaId}`. */
  publicUrl: string;
  policy: DeliveryPolicy;
  /** Deliveries this runner is working on right now (a second job for one of them exits at once). */
  inFlight: Set<string>;
  liveness: Liveness;
  /** E-mail notifications (ADR 043); absent: a notification is only logged (demo, tests of other things). */
  mail?: MailSettings;
  /** Called when the worker can no longer be trusted to make progress (a database step hung): stop the process. */
  onFatal(reason: Error): void;
}
