/**
 * What one run of the delivery pipeline found out, shared by its steps (claim.ts, pipeline.ts, finish.ts).
 */
import type { Channel, Delivery, DeliveryAttempt, Post, PostVariant } from '../../db/schema';
import type { ErrorClass } from '../platforms/contract';
import type { WorkerDeps } from '../deps';
import { reconcileDelayMs, transientDelayMs, withDeadline } from '../lib/policy';
import type { SentContent } from './publication';

export const WORKER_ACTOR = { userId: null, label: 'worker' } as const;

/** A database step of the pipeline, under the policy's deadline (a hang means a broken client: see dbDeadlineMs). */
export function dbStep<T>(deps: WorkerDeps, what: string, work: Promise<T>): Promise<T> {
  return withDeadline(work, deps.policy.dbDeadlineMs, `database step '${what}'`, (e) => deps.onFatal(e));
}


export interface ErrorInfo {
  errorClass?: ErrorClass | null;
  httpStatus?: number | null;
  platformCode?: string | null;
  message: string;
}

export type Outcome =
  | { kind: 'published'; externalId: string; permalink: string | null; via: 'publish' | 'lookup' }
  /** Try again at runAt. reconcile: the next run must look the post up first. */
  | { kind: 'retry'; runAt: Date; reconcile: boolean; countTransient: boolean; countLookup: boolean; error: ErrorInfo }
  | { kind: 'failed'; error: ErrorInfo & { errorClass: ErrorClass } }
  | { kind: 'held'; credentialError: string; error: ErrorInfo }
  /** Screening found what must not be published (a personnummer) and nobody overrode it with a reason. */
  | { kind: 'screening_held'; error: ErrorInfo }
  /** A lookup found nothing for a cancelled delivery: it stays cancelled, now known to be absent. */
  | { kind: 'absent' }
  /** Cancelled before anything was sent. */
  | { kind: 'abandoned' }
  /** An ordinary delivery met an active pause-all before anything was sent: held until the pause is resumed. */
  | { kind: 'paused' }
  /** Our attempt was taken over (we were presumed dead) before we sent anything: do nothing more. */
  | { kind: 'lost' };

export interface Attempt {
  delivery: Delivery;
  channel: Channel;
  post: Post;
  mediaCount: number;
  /** The channel's variant over the base, read with the claim. */
  variant: PostVariant | undefined;
  /** A drill's post: registered as exercise. */
  exercise: boolean;
  attempt: DeliveryAttempt;
  reconcileOnly: boolean;
  content?: SentContent;
  /** What the lookup said in this attempt, for the attempt's message. */
  note: string | null;
  /** A lookup in this attempt found the post absent. */
  lookupAbsent: boolean;
}

export function retryTransient(deps: WorkerDeps, delivery: Delivery, error: ErrorInfo): Outcome {
  return {
    kind: 'retry',
    runAt: new Date(Date.now() + transientDelayMs(deps.policy, delivery.transientFailures + 1)),
    reconcile: false,
    countTransient: true,
    countLookup: false,
    error,
  };
}

export function retryReconcile(deps: WorkerDeps, delivery: Delivery, error: ErrorInfo, countLookup: boolean): Extract<Outcome, { kind: 'retry' }> {
  return {
    kind: 'retry',
    runAt: new Date(Date.now() + reconcileDelayMs(deps.policy, countLookup ? delivery.unknownLookups + 1 : 1)),
    reconcile: true,
    countTransient: false,
    countLookup,
    error,
  };
}

export function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isUniqueViolation(e: unknown): boolean {
  return errorCode(e) === '23505';
}

/** Errors that mean the database (not the platform) failed: let Graphile Worker retry the job. */
export function isDatabaseError(e: unknown): boolean {
  const code = errorCode(e);
  if (!code) return false;
  // PostgreSQL SQLSTATEs are five characters; connection-level failures come as Node error codes.
  return /^[0-9A-Z]{5}$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'EPIPE'].includes(code);
}

