/**
 * The bench JSON's shape is an interface other tools read (issue 14): exactly the listed keys, each a figure. The
 * figures themselves are measured by `npm run bench`, never here.
 */
import { describe, expect, it } from 'vitest';
import { BENCH_KEYS, splitReport, type Report } from './suite';

const fig = (value: number) => ({ value, unit: 'ms' });

describe('the bench JSON', () => {
  it('holds exactly issue 14’s keys; the register overhead figures go to the file beside it', () => {
    expect([...BENCH_KEYS].sort()).toEqual(
      [
        'crisis_fanout_p50_ms',
        'crisis_fanout_p99_ms',
        'schedule_lag_p50_ms',
        'schedule_lag_p99_ms',
        'burst_lag_p99_ms',
        'delivery_throughput_per_s',
        'register_search_p95_ms',
        'calendar_page_p95_ms',
        'register_page_p95_ms',
        'page_p95_ms',
        'start_to_ready_s',
      ].sort(),
    );
    const report: Report = Object.fromEntries([...BENCH_KEYS.map((k, i) => [k, fig(i)]), ['register_overhead_per_publish_ms', fig(99)]]);
    const { main, extra } = splitReport(report);
    expect(Object.keys(main)).toEqual([...BENCH_KEYS]);
    expect(main.burst_lag_p99_ms).toEqual(fig(BENCH_KEYS.indexOf('burst_lag_p99_ms')));
    expect(extra).toEqual({ register_overhead_per_publish_ms: fig(99) });
  });

  it('refuses to write a report that lacks a listed figure', () => {
    const report: Report = Object.fromEntries(BENCH_KEYS.filter((k) => k !== 'page_p95_ms').map((k) => [k, fig(1)]));
    expect(() => splitReport(report)).toThrow(/page_p95_ms/);
  });
});
