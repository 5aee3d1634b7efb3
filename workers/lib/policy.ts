/**
 * The delivery pipeline's timing rules in one place: backoff, retry limits, the give-up clock and worker liveness.
 * Defaults follow docs/platforms.md §6 (base ~2 s, ×2, full jitter, cap 5 min); every value can be overridden
 * through DELIVERY_* environment variables (see deliveryPolicyFromEnv) or directly by tests.
 */
import { z } from 'zod';

export interface DeliveryPolicy {
  /** Transient failures: full-jitter exponential backoff base, factor and cap. */
  backoffBaseMs: number;
  backoffFactor: number;
  backoffCapMs: number;
  /** Transient failures (since the last manual retry) before the delivery fails. */
  maxTransientFailures: number;
  /** Backoff base for reconciliation after duplicate/outcome_unknown or an inconclusive lookup. */
  reconcileBaseMs: number;
  reconcileCapMs: number;
  /** Inconclusive lookups before the delivery becomes 'unconfirmed'. */
  maxUnknownLookups: number;
  /** The give-up clock: how long after the first attempt the pipeline keeps trying. */
  maxTotalMs: number;
  /** Added on top of a platform's reset time (random 0..jitter). */
  rateLimitJitterMs: number;
  /** Used when a rate-limited/quota error carries no reset time. */
  defaultRateLimitWaitMs: number;
  /** Worker liveness. */
  heartbeatIntervalMs: number;
  workerDeadAfterMs: number;
  /** The in-process sweeper's period and how overdue a delivery must be before the sweeper re-enqueues it. */
  sweepIntervalMs: number;
  sweepGraceMs: number;
  /** A job locked this long while its delivery still waits is considered stuck (its worker died before starting). */
  stuckJobAfterMs: number;
  /** Graphile Worker's own retries when the task throws (database unreachable). */
  jobMaxAttempts: number;
  /**
   * A database step of the pipeline that has not finished after this long means the database client is broken (a
   * connection that can never flush again, postgres.js#1208): the worker then stops itself (crash-only) so that
   * its work is reconciled by others instead of hanging with a live heartbeat.
   */
  dbDeadlineMs: number;
}

export const defaultDeliveryPolicy: DeliveryPolicy = {
  backoffBaseMs: 2_000,
  backoffFactor: 2,
  backoffCapMs: 5 * 60_000,
  maxTransientFailures: 8,
  reconcileBaseMs: 2_000,
  reconcileCapMs: 60_000,
  maxUnknownLookups: 5,
  maxTotalMs: 24 * 3600_000,
  rateLimitJitterMs: 1_000,
  defaultRateLimitWaitMs: 60_000,
  heartbeatIntervalMs: 2_000,
  workerDeadAfterMs: 10_000,
  sweepIntervalMs: 5_000,
  sweepGraceMs: 30_000,
  stuckJobAfterMs: 60_000,
  jobMaxAttempts: 10,
  dbDeadlineMs: 30_000,
};

const ms = z.coerce.number().int().min(0).max(7 * 24 * 3600_000);
const envSchema = z.object({
  DELIVERY_BACKOFF_BASE_MS: ms.optional(),
  DELIVERY_BACKOFF_CAP_MS: ms.optional(),
  DELIVERY_MAX_TRANSIENT_FAILURES: z.coerce.number().int().min(1).max(100).optional(),
  DELIVERY_RECONCILE_BASE_MS: ms.optional(),
  DELIVERY_MAX_UNKNOWN_LOOKUPS: z.coerce.number().int().min(1).max(100).optional(),
  DELIVERY_MAX_TOTAL_MS: ms.optional(),
  DELIVERY_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).optional(),
  DELIVERY_WORKER_DEAD_AFTER_MS: z.coerce.number().int().min(1_000).max(600_000).optional(),
  DELIVERY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).optional(),
  DELIVERY_SWEEP_GRACE_MS: ms.optional(),
  DELIVERY_DB_DEADLINE_MS: z.coerce.number().int().min(1_000).max(600_000).optional(),
});

/** Overrides from DELIVERY_* variables; throws a one-line error naming the variable when one is malformed. */
export function deliveryPolicyFromEnv(env: NodeJS.ProcessEnv): DeliveryPolicy {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('DELIVERY_') && v));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${issue?.path.join('.') ?? 'DELIVERY_*'}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  const p = { ...defaultDeliveryPolicy };
  if (e.DELIVERY_BACKOFF_BASE_MS !== undefined) p.backoffBaseMs = e.DELIVERY_BACKOFF_BASE_MS;
  if (e.DELIVERY_BACKOFF_CAP_MS !== undefined) p.backoffCapMs = e.DELIVERY_BACKOFF_CAP_MS;
  if (e.DELIVERY_MAX_TRANSIENT_FAILURES !== undefined) p.maxTransientFailures = e.DELIVERY_MAX_TRANSIENT_FAILURES;
  if (e.DELIVERY_RECONCILE_BASE_MS !== undefined) p.reconcileBaseMs = e.DELIVERY_RECONCILE_BASE_MS;
  if (e.DELIVERY_MAX_UNKNOWN_LOOKUPS !== undefined) p.maxUnknownLookups = e.DELIVERY_MAX_UNKNOWN_LOOKUPS;
  if (e.DELIVERY_MAX_TOTAL_MS !== undefined) p.maxTotalMs = e.DELIVERY_MAX_TOTAL_MS;
  if (e.DELIVERY_HEARTBEAT_INTERVAL_MS !== undefined) p.heartbeatIntervalMs = e.DELIVERY_HEARTBEAT_INTERVAL_MS;
  if (e.DELIVERY_WORKER_DEAD_AFTER_MS !== undefined) p.workerDeadAfterMs = e.DELIVERY_WORKER_DEAD_AFTER_MS;
  if (e.DELIVERY_SWEEP_INTERVAL_MS !== undefined) p.sweepIntervalMs = e.DELIVERY_SWEEP_INTERVAL_MS;
  if (e.DELIVERY_SWEEP_GRACE_MS !== undefined) p.sweepGraceMs = e.DELIVERY_SWEEP_GRACE_MS;
  if (e.DELIVERY_DB_DEADLINE_MS !== undefined) p.dbDeadlineMs = e.DELIVERY_DB_DEADLINE_MS;
  return p;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base·factor^(n-1))]; n starts at 1. */
export function fullJitterBackoff(n: number, base: number, factor: number, cap: number, random = Math.random): number {
  const ceiling = Math.min(cap, base * factor ** Math.max(0, n - 1));
  return Math.round(random() * ceiling);
}

export function transientDelayMs(policy: DeliveryPolicy, failures: number): number {
  return fullJitterBackoff(failures, policy.backoffBaseMs, policy.backoffFactor, policy.backoffCapMs);
}

/** Reconciliation waits at least half its step: a platform that is still processing needs a moment to show the post. */
export function reconcileDelayMs(policy: DeliveryPolicy, lookups: number): number {
  const step = Math.min(policy.reconcileCapMs, policy.reconcileBaseMs * 2 ** Math.max(0, lookups - 1));
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/** When to try again after a rate limit: the platform's reset time plus a little jitter, never in the past. */
export function rateLimitRunAt(policy: DeliveryPolicy, retryAt: Date | undefined, now = new Date()): Date {
  const base = retryAt && retryAt.getTime() > now.getTime() ? retryAt.getTime() : now.getTime() + (retryAt ? 0 : policy.defaultRateLimitWaitMs);
  return new Date(base + Math.round(Math.random() * policy.rateLimitJitterMs));
}

/** Crisis deliveries run first (Graphile Worker: lower priority number runs first). */
export function jobPriority(isCrisis: boolean): number {
  return isCrisis ? -10 : 0;
}

/**
 * When a lookup for an attempt cut off mid-call (its worker died) can be trusted: a request the platform received may
 * still be processed until the client would have given up on it.
 */
export function lookupNotBefore(deps: { platformTimeoutMs: number }, attemptStartedAt: Date): Date {
  return new Date(attemptStartedAt.getTime() + deps.platformTimeoutMs + 1_000);
}

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/**
 * Resolves like `work`, unless it takes longer than `ms`: then `onFatal` is told (the worker process exits) and the
 * returned promise rejects with DeadlineExceeded.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string, onFatal: (e: Error) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new DeadlineExceeded(`${what} did not finish within ${ms} ms: the database client is presumed broken`);
      onFatal(e);
      reject(e);
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
