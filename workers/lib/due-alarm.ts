/**
 * Wakes the worker pool at the moment a scheduled job falls due, instead of at its next poll.
 *
 * Why: Graphile Worker learns of a job that waits for a future time only by polling, so a post scheduled for 09:00
 * started anywhere up to one poll interval later, and a burst (200 deliveries due at once) reached full concurrency
 * only as each idle slot's own poll timer ran out. Every `refreshMs`, and shortly after a job is added, this asks the
 * database when the next waiting job falls due and sets a timer for that instant; the timer nudges as many idle slots
 * as jobs fall due then. Polling stays as it is: if this fails or is late, the poll still finds the job (ADR 045).
 */
import type { Logger } from 'pino';
import type { WorkerEvents, WorkerPool } from 'graphile-worker';
import type { Db } from '../../db/client';
import { nextDueJobs } from '../../db/queries/graphile-jobs';

export interface DueAlarmOptions {
  db: Db;
  log: Logger;
  /** Most slots worth waking at once: the pool's concurrency. */
  concurrency: number;
  /** How often the next due time is looked up when nothing else prompts it. */
  refreshMs?: number;
  /** Graphile Worker's events: a 'jobs:insert' notification prompts a look-up (a new job may fall due sooner). */
  events?: WorkerEvents;
}

export interface DueAlarm {
  stop(): void;
}

/** Jobs due within this long of the earliest one share its wake-up. */
const SPREAD_MS = 50;
/** A notification is followed by one look-up, after this pause, however many jobs a transaction added. */
const DEBOUNCE_MS = 20;

export function startDueAlarm(pool: WorkerPool, opts: DueAlarmOptions): DueAlarm {
  const refreshMs = opts.refreshMs ?? 1_000;
  let stopped = false;
  let alarm: { timer: NodeJS.Timeout; at: number } | null = null;
  let debounce: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const wake = (count: number) => {
    alarm = null;
    if (stopped) return;
    try {
      pool.nudge(Math.max(1, Math.min(count, opts.concurrency)));
    } catch (e) {
      // A pool that is shutting down may refuse; its successor has its own alarm.
      opts.log.debug({ err: e }, 'could not wake the worker pool');
    }
    void refresh();
  };

  const lookUp = async () => {
    try {
      const next = await nextDueJobs(opts.db, { horizonMs: refreshMs * 2, spreadMs: SPREAD_MS });
      if (stopped || !next) return;
      // One millisecond late rather than early: a slot woken before the job is due finds nothing and sleeps a poll.
      const at = Date.now() + next.inMs + 1;
      if (alarm && alarm.at <= at) return;
      if (alarm) clearTimeout(alarm.timer);
      const timer = setTimeout(() => wake(next.count), at - Date.now());
      timer.unref();
      alarm = { timer, at };
    } catch (e) {
      // Only speed is lost: the pool's own polling still finds the job.
      opts.log.debug({ err: e }, 'could not look up the next due job');
    }
  };

  // One look-up at a time; a request during one runs once more after it.
  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await lookUp();
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const onNotification = ({ message }: { message: { channel: string } }) => {
    if (message.channel !== 'jobs:insert' || debounce || stopped) return;
    debounce = setTimeout(() => {
      debounce = null;
      void refresh();
    }, DEBOUNCE_MS);
    debounce.unref();
  };
  opts.events?.on('pool:listen:notification', onNotification);
  const interval = setInterval(() => void refresh(), refreshMs);
  interval.unref();
  void refresh();

  return {
    stop() {
      stopped = true;
      clearInterval(interval);
      if (debounce) clearTimeout(debounce);
      if (alarm) clearTimeout(alarm.timer);
      alarm = null;
      opts.events?.off('pool:listen:notification', onNotification);
    },
  };
}
