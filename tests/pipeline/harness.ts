/**
 * What every pipeline test needs: its own migrated database, the real simulators, the demo channels pointed at
 * them, a media host, and real Graphile Worker runners (in-process here; tests that kill workers spawn processes).
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startMediaServer, type MediaServer } from '../support/media-server';
import { startSimulatorServer, type FaultSpec, type RunningSimulators, type SimPost } from '../../workers/platforms/sim/core';
import { allSimulators } from '../../workers/platforms/sim/all';
import { seedDemo } from '../../app/demo/seed.server';
import { channels, deliveries, deliveryAttempts, type Channel, type Delivery } from '../../db/schema';
import { startDeliveryWorker, type DeliveryWorker } from '../../workers/runner';
import { defaultDeliveryPolicy, type DeliveryPolicy } from '../../workers/lib/policy';
import type { MailSettings } from '../../workers/lib/mail';
import { makeJpeg, MP4_BYTES } from '../platforms/instagram-fixtures';
import type { MediaInput } from '../../app/models/posts.server';

/** Fast timings so retries, reconciliation and dead-worker detection happen within a test's seconds. */
export const fastPolicy: DeliveryPolicy = {
  ...defaultDeliveryPolicy,
  backoffBaseMs: 100,
  backoffCapMs: 1_000,
  reconcileBaseMs: 200,
  reconcileCapMs: 1_000,
  rateLimitJitterMs: 200,
  heartbeatIntervalMs: 250,
  workerDeadAfterMs: 1_500,
  sweepIntervalMs: 500,
  sweepGraceMs: 1_000,
  stuckJobAfterMs: 3_000,
};

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Harness {
  t: TestDatabase;
  sims: RunningSimulators;
  media: MediaServer;
  credentialsKey: Buffer;
  channel(key: string): Channel;
  startWorker(opts?: {
    policy?: Partial<DeliveryPolicy>;
    platformTimeoutMs?: number;
    concurrency?: number;
    name?: string;
    mail?: MailSettings;
    /** Default 100 ms; a long one leaves a scheduled job to the due-time alarm. */
    pollInterval?: number;
  }): Promise<DeliveryWorker>;
  fault(spec: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
  latency(ms: number): Promise<void>;
  simPosts(): Promise<SimPost[]>;
  delivery(id: string): Promise<Delivery>;
  attempts(id: string): Promise<(typeof deliveryAttempts.$inferSelect)[]>;
  waitForDelivery(id: string, pred: (d: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  close(): Promise<void>;
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function startHarness(): Promise<Harness> {
  const t = await createTestDatabase();
  const sims = await startSimulatorServer(allSimulators);
  const credentialsKey = randomBytes(32);
  await seedDemo(t.db, { simulatorUrl: sims.url, credentialsKey });
  const media = await startMediaServer(t.db);
  const all = await t.db.select().from(channels);
  const workers: DeliveryWorker[] = [];
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sims.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  const h: Harness = {
    t,
    sims,
    media,
    credentialsKey,
    channel(key) {
      const c = all.find((ch) => ch.key === key);
      if (!c) throw new Error(`no channel ${key}`);
      return c;
    },
    async startWorker(opts = {}) {
      const w = await startDeliveryWorker({
        connectionString: t.url,
        db: t.db,
        credentialsKey,
        log: silentLog,
        platformTimeoutMs: opts.platformTimeoutMs ?? 5_000,
        publicUrl: media.url,
        concurrency: opts.concurrency ?? 4,
        pollInterval: opts.pollInterval ?? 100,
        policy: { ...fastPolicy, ...opts.policy },
        withCron: false,
        name: opts.name ?? 'test',
        ...(opts.mail ? { mail: opts.mail } : {}),
      });
      workers.push(w);
      return w;
    },
    async fault(spec) {
      await control('POST', '/_sim/faults', spec);
    },
    async clearFaults() {
      await control('DELETE', '/_sim/faults');
    },
    async latency(ms) {
      await control('POST', '/_sim/latency', { ms });
    },
    async simPosts() {
      const state = (await control('GET', '/_sim/state')) as { posts: SimPost[] };
      return state.posts;
    },
    async delivery(id) {
      const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, id));
      if (!d) throw new Error(`no delivery ${id}`);
      return d;
    },
    async attempts(id) {
      return t.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, id)).orderBy(deliveryAttempts.number);
    },
    async waitForDelivery(id, pred, timeoutMs = 15_000) {
      let last: Delivery | undefined;
      return waitFor(
        async () => {
          last = await h.delivery(id);
          return pred(last) ? last : null;
        },
        timeoutMs,
        `delivery ${id} (last state ${String(last?.state)})`,
      ).catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; last: ${JSON.stringify({ state: last?.state, reason: last?.failureReason })}`);
      });
    },
    async close() {
      for (const w of workers) await w.stop().catch(() => {});
      await media.close();
      await sims.close();
      await t.destroy();
    },
  };
  return h;
}

/**
 * A real delivery worker, in process, for a web test app: it publishes what the app schedules, and the platforms
 * (Instagram) fetch media from the app's own /media/:id.
 */
export function startWorkerForApp(
  app: { db: TestDatabase; credentialsKey: Buffer; url: string },
  name: string,
  opts: { concurrency?: number; platformTimeoutMs?: number; policy?: DeliveryPolicy } = {},
): Promise<DeliveryWorker> {
  return startDeliveryWorker({
    connectionString: app.db.url,
    db: app.db.db,
    credentialsKey: app.credentialsKey,
    log: silentLog,
    platformTimeoutMs: opts.platformTimeoutMs ?? 5_000,
    publicUrl: app.url,
    concurrency: opts.concurrency ?? 4,
    pollInterval: 100,
    policy: opts.policy ?? fastPolicy,
    withCron: false,
    name,
  });
}

export function jpeg(width = 1080, height = 1080): MediaInput {
  return { filename: 'bild.jpg', mimeType: 'image/jpeg', data: makeJpeg(width, height), width, height, altText: 'Testbild' };
}

export function mp4(): MediaInput {
  return { filename: 'film.mp4', mimeType: 'video/mp4', data: MP4_BYTES };
}

let seq = 0;
export function uniqueText(prefix = 'Test'): string {
  seq += 1;
  return `${prefix} ${seq} ${randomBytes(4).toString('hex')}`;
}

export const terminal = (d: Delivery) => ['published', 'failed', 'unconfirmed', 'cancelled', 'held'].includes(d.state);
