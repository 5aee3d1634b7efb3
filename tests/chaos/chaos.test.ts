/**
 * The short chaos run inside `npm test`: 100 deliveries, 3 SIGKILLed workers, faults on every platform, counted
 * from the simulators. The full run (500 deliveries, 10 kills, a PostgreSQL restart) is `npm run chaos`.
 */
import { describe, expect, it, inject } from 'vitest';
import { runChaos } from './run';

describe('chaos (short)', () => {
  it('100 deliveries, 3 worker kills: no duplicates, nothing lost, nothing unconfirmed', async () => {
    const lines: string[] = [];
    const result = await runChaos({
      deliveries: 100,
      kills: 3,
      pgRestarts: 0,
      workers: 2,
      concurrency: 6,
      spreadMs: 6_000,
      workerEnv: {
        DELIVERY_BACKOFF_CAP_MS: '2000',
        DELIVERY_RECONCILE_BASE_MS: '300',
        DELIVERY_HEARTBEAT_INTERVAL_MS: '300',
        DELIVERY_WORKER_DEAD_AFTER_MS: '1500',
        DELIVERY_SWEEP_INTERVAL_MS: '500',
        DELIVERY_SWEEP_GRACE_MS: '2000',
      },
      timeoutMs: 150_000,
      databaseUrl: inject('pgServerUrl'),
      log: (line) => lines.push(line),
    });
    const summary = { ...result, faults: undefined };
    console.info(`chaos (short): ${JSON.stringify({ ...summary, byPlatform: undefined, failures: undefined, slowest: result.slowest.slice(0, 3) })}`);
    expect(result.deliveries, lines.join('\n')).toBe(100);
    expect(result.kills).toBe(3);
    expect(result.duplicates, JSON.stringify(summary)).toBe(0);
    expect(result.lost, JSON.stringify(summary)).toBe(0);
    expect(result.unconfirmed, JSON.stringify(summary)).toBe(0);
    expect(result.unrecorded, JSON.stringify(summary)).toBe(0);
    expect(result.publishedWithoutOneRecord, JSON.stringify(summary)).toBe(0);
    expect(result.registerBroken).toBeNull();
    expect(result.published + result.failed).toBe(100);
  }, 180_000);
});
