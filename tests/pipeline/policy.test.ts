import { describe, expect, it } from 'vitest';
import {
  DeadlineExceeded,
  defaultDeliveryPolicy,
  deliveryPolicyFromEnv,
  fullJitterBackoff,
  jobPriority,
  lookupNotBefore,
  rateLimitRunAt,
  reconcileDelayMs,
  withDeadline,
} from '../../workers/lib/policy';
import { canonicalJson } from '../../common/canonical-json';

describe('delivery policy', () => {
  it('full-jitter backoff stays within [0, min(cap, base·2^(n-1))]', () => {
    expect(fullJitterBackoff(1, 2_000, 2, 300_000, () => 0.999)).toBeLessThanOrEqual(2_000);
    expect(fullJitterBackoff(4, 2_000, 2, 300_000, () => 1)).toBe(16_000);
    expect(fullJitterBackoff(20, 2_000, 2, 300_000, () => 1)).toBe(300_000);
    expect(fullJitterBackoff(3, 2_000, 2, 300_000, () => 0)).toBe(0);
  });

  it('waits for a rate limit until the reset (plus jitter), or a default when none is given', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const reset = new Date(now.getTime() + 5_000);
    const at = rateLimitRunAt(defaultDeliveryPolicy, reset, now).getTime();
    expect(at).toBeGreaterThanOrEqual(reset.getTime());
    expect(at).toBeLessThanOrEqual(reset.getTime() + defaultDeliveryPolicy.rateLimitJitterMs);
    expect(rateLimitRunAt(defaultDeliveryPolicy, undefined, now).getTime()).toBeGreaterThanOrEqual(now.getTime() + 60_000);
    expect(reconcileDelayMs(defaultDeliveryPolicy, 1)).toBeGreaterThanOrEqual(1_000);
    expect(jobPriority(true)).toBeLessThan(jobPriority(false));
    expect(lookupNotBefore({ platformTimeoutMs: 30_000 }, now).getTime()).toBe(now.getTime() + 31_000);
  });

  it('reads DELIVERY_* overrides and names a malformed one', () => {
    const p = deliveryPolicyFromEnv({ NODE_ENV: 'test', DELIVERY_MAX_TRANSIENT_FAILURES: '3', DELIVERY_WORKER_DEAD_AFTER_MS: '5000' });
    expect(p.maxTransientFailures).toBe(3);
    expect(p.workerDeadAfterMs).toBe(5_000);
    expect(p.backoffBaseMs).toBe(defaultDeliveryPolicy.backoffBaseMs);
    expect(() => deliveryPolicyFromEnv({ NODE_ENV: 'test', DELIVERY_MAX_TOTAL_MS: 'soon' })).toThrow(/DELIVERY_MAX_TOTAL_MS/);
  });

  it('a step past its deadline reports the worker as broken and rejects', async () => {
    const fatal: Error[] = [];
    await expect(withDeadline(new Promise(() => {}), 50, 'test step', (e) => fatal.push(e))).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(fatal[0]?.message).toMatch(/test step did not finish/);
    await expect(withDeadline(Promise.resolve(7), 50, 'quick', (e) => fatal.push(e))).resolves.toBe(7);
    expect(fatal).toHaveLength(1);
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});
