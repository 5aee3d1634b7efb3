/**
 * The chaos run: `npm run chaos -- --deliveries N --kills K [--pg-restarts R] [--workers W] [--timing fast|production]
 * [--json OUT]`.
 *
 * Starts its own PostgreSQL (embedded, temp folder, free port; or a fresh database on the server in DATABASE_URL),
 * the four simulators in this process with faults injected, the demo channels, and W worker PROCESSES. Creates N
 * posts (one delivery each, spread over the channels and over time), SIGKILLs a random worker K times (restarting
 * it each time), restarts PostgreSQL R times, waits until every delivery is final, and then counts from the
 * SIMULATORS' state, not from our tables:
 *   duplicates – platform posts with the same (platform, account, text) beyond the first;
 *   lost       – deliveries recorded as published whose post the simulator does not have, plus deliveries that
 *                never reached a final state;
 *   unrecorded – posts on a simulator that no published delivery records (the record would be dishonest).
 * Exit code 1 when duplicates, lost, unrecorded or unconfirmed is above zero.
 */
import { verifyRegister } from '../../db/register';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../db/client';
import { ensureDatabaseExists } from '../../db/connect';
import { databaseUrl, startEmbeddedPostgres, tempDataDir, type EmbeddedServer } from '../../db/embedded';
import { migrateAll } from '../../db/migrate';
import { seedDemo } from '../../app/demo/seed.server';
import { createPost } from '../../app/models/posts.server';
import { startSimulatorServer, type FaultSpec, type SimPost } from '../../workers/platforms/sim/core';
import { createXSimulator } from '../../workers/platforms/x/simulator';
import { createFacebookSimulator } from '../../workers/platforms/facebook/simulator';
import { createInstagramSimulator } from '../../workers/platforms/instagram/simulator';
import { createYoutubeSimulator } from '../../workers/platforms/youtube/simulator';
import { startMediaServer } from '../support/media-server';
import { freePort } from '../support/ports';
import { repoRoot, spawnWorker, type WorkerProcess } from '../support/worker-process';
import { makeJpeg, MP4_BYTES } from '../platforms/instagram-fixtures';

export interface ChaosOptions {
  deliveries: number;
  kills: number;
  pgRestarts?: number;
  workers?: number;
  concurrency?: number;
  /** Overall limit for the deliveries to become final. Default 10 minutes. */
  timeoutMs?: number;
  /** A PostgreSQL server to create the run's database on (pg restarts need the embedded server). */
  databaseUrl?: string;
  /** Posts are scheduled over this window from the start, so kills and restarts hit work in progress. */
  spreadMs?: number;
  /** Extra environment for the worker processes (DELIVERY_* timings). */
  workerEnv?: Record<string, string>;
  /** 'fast' (default): chaosWorkerEnv's quick failure detection; 'production': the pipeline's own defaults. */
  timing?: 'fast' | 'production';
  /** Where the worker processes' output goes (appended). */
  workerLogFile?: string;
  json?: string;
  log?: (line: string) => void;
}

export interface ChaosResult {
  deliveries: number;
  published: number;
  failed: number;
  unconfirmed: number;
  cancelled: number;
  notFinal: number;
  duplicates: number;
  lost: number;
  unrecorded: number;
  /** Published deliveries with no public record, or more than one. */
  publishedWithoutOneRecord: number;
  /** The first problem `register verify` finds after the run, or null. */
  registerBroken: string | null;
  simulatorPosts: number;
  durationMs: number;
  /** From the first post's time until the last delivery became final. */
  settleMs: number;
  kills: number;
  pgRestarts: number;
  workers: number;
  workerExits: number;
  attempts: { total: number; reconciledPublished: number; unknown: number; retries: number };
  byPlatform: Record<string, { deliveries: number; published: number; failed: number; simulatorPosts: number }>;
  failures: { deliveryId: string; platform: string; reason: string | null }[];
  /** The deliveries that took longest from their time to published, with their attempts (diagnostics). */
  slowest: { id: string; platform: string; lag_ms: number; attempts: string }[];
  faults: FaultSpec[];
  ok: boolean;
}

/** The chaos mix (docs: ≥ 20 % transient on publish per platform, short rate limits, lost answers, slow IG containers). */
export function chaosFaults(): FaultSpec[] {
  const platforms = ['x', 'facebook', 'instagram', 'youtube'] as const;
  const faults: FaultSpec[] = [];
  for (const platform of platforms) {
    faults.push({ platform, operation: 'publish', kind: 'timeout', probability: 0.01 });
    faults.push({ platform, operation: 'publish', kind: 'server_error', probability: 0.2 });
    faults.push({ platform, operation: 'publish', kind: 'rate_limit', probability: 0.03 });
    faults.push({ platform, operation: 'publish', kind: 'drop_after_accept', probability: 0.05 });
  }
  faults.push({ platform: 'instagram', operation: 'container_status', kind: 'container_slow', probability: 0.3 });
  return faults;
}

/** Timings for worker processes in the chaos run: faster detection than production so a run takes minutes. */
export const chaosWorkerEnv: Record<string, string> = {
  DELIVERY_BACKOFF_BASE_MS: '500',
  DELIVERY_BACKOFF_CAP_MS: '10000',
  DELIVERY_RECONCILE_BASE_MS: '500',
  DELIVERY_HEARTBEAT_INTERVAL_MS: '500',
  DELIVERY_WORKER_DEAD_AFTER_MS: '3000',
  DELIVERY_SWEEP_INTERVAL_MS: '1000',
  DELIVERY_SWEEP_GRACE_MS: '5000',
  DELIVERY_DB_DEADLINE_MS: '10000',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const finalStates = new Set(['published', 'failed', 'unconfirmed', 'cancelled']);

const channelPlan = [
  { key: 'x-helsingborg', platform: 'x' },
  { key: 'facebook-helsingborg', platform: 'facebook' },
  { key: 'instagram-helsingborg', platform: 'instagram' },
  { key: 'instagram-jobba', platform: 'instagram' },
  { key: 'youtube-helsingborg', platform: 'youtube' },
] as const;

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const out = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const pgRestarts = opts.pgRestarts ?? 0;
  const workerCount = opts.workers ?? 2;
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const spreadMs = opts.spreadMs ?? Math.max(10_000, opts.deliveries * 80);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };

  try {
    // --- PostgreSQL
    let url: string;
    let restartPg: (() => Promise<void>) | null = null;
    if (opts.databaseUrl) {
      if (pgRestarts > 0) throw new Error('--pg-restarts needs the embedded PostgreSQL: unset DATABASE_URL');
      const serverUrl = databaseUrl(opts.databaseUrl, 'postgres');
      const name = `utrop_chaos_${randomBytes(5).toString('hex')}`;
      await ensureDatabaseExists(serverUrl, name);
      url = databaseUrl(serverUrl, name);
      cleanups.push(async () => {
        const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
        await admin.end({ timeout: 5 });
      });
    } else {
      const dataDir = tempDataDir('utrop-chaos');
      const port = await freePort();
      let server: EmbeddedServer = await startEmbeddedPostgres({ dataDir, port, log });
      await ensureDatabaseExists(server.url, 'utrop_chaos');
      url = databaseUrl(server.url, 'utrop_chaos');
      cleanups.push(async () => {
        await server.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      });
      restartPg = async () => {
        await server.stop();
        await sleep(1_000 + Math.random() * 1_000);
        server = await startEmbeddedPostgres({ dataDir, port, log });
      };
    }
    await migrateAll(url);
    const database = openDatabase(url, { max: 8, applicationName: 'utrop-chaos' });
    cleanups.push(() => database.close());
    const db = database.db;

    // --- Simulators (high daily quotas: the run is about faults, not about a day's worth of quota)
    const sims = await startSimulatorServer([
      createXSimulator({ limits: { publish: 100_000, list: 100_000, media_upload: 100_000, token: 100_000 } }),
      createFacebookSimulator(),
      createInstagramSimulator({ quotaTotal: 100_000 }),
      createYoutubeSimulator({ dailyUploadLimit: 100_000 }),
    ]);
    cleanups.push(() => sims.close());
    const credentialsKey = randomBytes(32);
    await seedDemo(db, { simulatorUrl: sims.url, credentialsKey });
    const media = await startMediaServer(db);
    cleanups.push(() => media.close());
    const faults = chaosFaults();
    for (const f of faults) {
      const res = await fetch(`${sims.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
      if (!res.ok) throw new Error(`fault ${JSON.stringify(f)}: ${res.status} ${await res.text()}`);
    }

    // --- Workers
    const workerDataDir = tempDataDir('utrop-chaos-worker');
    cleanups.push(async () => fs.rmSync(workerDataDir, { recursive: true, force: true }));
    const logFile = opts.workerLogFile ?? path.join(repoRoot, 'tests', '.artifacts', 'chaos-workers.log');
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const logStream = fs.createWriteStream(logFile, { flags: 'a' });
    cleanups.push(() => new Promise<void>((r) => logStream.end(() => r())));
    let workerExits = 0;
    let stopping = false;
    const slots: WorkerProcess[] = [];
    const killedByUs = new Set<WorkerProcess>();
    const spawnSlot = (i: number) => {
      const w = spawnWorker({
        databaseUrl: url,
        credentialsKey,
        publicUrl: media.url,
        dataDir: workerDataDir,
        platformTimeoutMs: 3_000,
        pollIntervalMs: 200,
        concurrency: opts.concurrency ?? 8,
        env: { ...(opts.timing === 'production' ? {} : chaosWorkerEnv), ...opts.workerEnv },
        onLine: (line) => logStream.write(`[w${i} ${w.pid}] ${line}\n`),
      });
      slots[i] = w;
      void w.exited.then((code) => {
        if (stopping || killedByUs.has(w) || slots[i] !== w) return;
        // A worker that exits by itself (not killed by us) is restarted too, and counted.
        workerExits += 1;
        log(`worker ${i} (pid ${w.pid}) exited with ${String(code)}; restarting`);
        spawnSlot(i);
      });
    };
    for (let i = 0; i < workerCount; i++) spawnSlot(i);
    cleanups.push(async () => {
      stopping = true;
      await Promise.all(slots.map((w) => w.stop(20_000)));
    });

    // --- Posts: one delivery each, round-robin over the channels, spread over the window
    // The first posts fall due once the worker processes are up and the posts are written.
    const firstAt = Date.now() + 5_000 + opts.deliveries * 10;
    const texts = new Set<string>();
    const jpeg = makeJpeg(1080, 1080);
    const createOne = async (i: number) => {
      const plan = channelPlan[i % channelPlan.length]!;
      const text = `Kaos ${i + 1}/${opts.deliveries} ${randomBytes(4).toString('hex')}: Helsingborg informerar.`;
      texts.add(text);
      await createPost(db, {
        text,
        title: plan.platform === 'youtube' ? `Kaosfilm ${i + 1}` : null,
        link: plan.platform === 'facebook' && i % 2 === 0 ? 'https://helsingborg.se/' : null,
        media:
          plan.platform === 'instagram'
            ? [{ filename: `bild-${i}.jpg`, mimeType: 'image/jpeg', data: jpeg, width: 1080, height: 1080, altText: 'Kaosbild' }]
            : plan.platform === 'youtube'
              ? [{ filename: `film-${i}.mp4`, mimeType: 'video/mp4', data: MP4_BYTES }]
              : [],
        channelKeys: [plan.key],
        scheduledAt: new Date(firstAt + Math.random() * spreadMs),
        isCrisis: i % 25 === 0,
        createdBy: null,
        actorLabel: 'chaos',
      });
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < opts.deliveries) await createOne(next++);
      }),
    );
    log(`chaos: ${opts.deliveries} deliveries over ${Math.round(spreadMs / 1000)} s, ${workerCount} workers, ${opts.kills} kills, ${pgRestarts} PostgreSQL restarts`);

    // --- Chaos events at random moments while work is in progress
    type Event = { at: number; kind: 'kill' | 'pg' };
    const windowStart = Math.max(firstAt + 1_000, Date.now());
    const windowEnd = firstAt + spreadMs + 5_000;
    const events: Event[] = [
      ...Array.from({ length: opts.kills }, (): Event => ({ at: windowStart + Math.random() * (windowEnd - windowStart), kind: 'kill' })),
      ...Array.from({ length: pgRestarts }, (_, i): Event => ({ at: windowStart + ((i + 0.5) / pgRestarts) * (windowEnd - windowStart), kind: 'pg' })),
    ].sort((a, b) => a.at - b.at);
    let kills = 0;
    let restarts = 0;
    const chaosDone = (async () => {
      for (const ev of events) {
        await sleep(Math.max(0, ev.at - Date.now()));
        if (ev.kind === 'kill') {
          const i = Math.floor(Math.random() * slots.length);
          const victim = slots[i]!;
          log(`chaos: SIGKILL worker ${i} (pid ${victim.pid})`);
          killedByUs.add(victim);
          victim.kill('SIGKILL');
          await victim.exited;
          spawnSlot(i);
          kills += 1;
        } else if (restartPg) {
          log('chaos: restarting PostgreSQL');
          await restartPg();
          restarts += 1;
          log('chaos: PostgreSQL is back');
        }
      }
    })();

    // --- Wait until every delivery is final
    const deadline = started + timeoutMs;
    let lastLine = '';
    let settledAt = 0;
    while (Date.now() < deadline) {
      await sleep(1_000);
      let counts: { state: string; n: number }[];
      try {
        counts = (await db.execute<{ state: string; n: number }>(
          sql`select state::text as state, count(*)::int as n from deliveries group by state order by state`,
        )) as unknown as { state: string; n: number }[];
      } catch {
        continue; // PostgreSQL restarting
      }
      const line = counts.map((c) => `${c.state}=${c.n}`).join(' ');
      if (line !== lastLine) log(`chaos: ${line}`);
      lastLine = line;
      const open = counts.filter((c) => !finalStates.has(c.state)).reduce((s, c) => s + c.n, 0);
      if (open === 0 && events.length === kills + restarts) {
        settledAt = Date.now();
        break;
      }
    }
    await Promise.race([chaosDone, sleep(1_000)]);

    // --- Count from the simulators
    stopping = true;
    await Promise.all(slots.map((w) => w.stop(20_000)));
    const state = (await (await fetch(`${sims.url}/_sim/state`)).json()) as { posts: SimPost[] };
    const simPosts = state.posts.filter((p) => !p.deleted && [...texts].some((t) => p.text.includes(t)));
    const rows = (await db.execute<{
      id: string;
      state: string;
      external_id: string | null;
      platform: string;
      account_id: string;
      failure_reason: string | null;
    }>(sql`
      select d.id, d.state::text as state, d.external_id, c.platform::text as platform, c.account_id, d.failure_reason
      from deliveries d join channels c on c.id = d.channel_id`)) as unknown as {
      id: string;
      state: string;
      external_id: string | null;
      platform: string;
      account_id: string;
      failure_reason: string | null;
    }[];
    const groups = new Map<string, number>();
    for (const p of simPosts) {
      const key = `${p.platform}|${p.channel}|${p.text}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    const duplicates = [...groups.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
    const onSim = new Set(simPosts.map((p) => `${p.platform}|${p.id}`));
    const published = rows.filter((r) => r.state === 'published');
    const lostPublished = published.filter((r) => !r.external_id || !onSim.has(`${r.platform}|${r.external_id}`)).length;
    const notFinal = rows.filter((r) => !finalStates.has(r.state)).length;
    const recorded = new Set(published.map((r) => `${r.platform}|${r.external_id}`));
    const unrecorded = simPosts.filter((p) => !recorded.has(`${p.platform}|${p.id}`)).length;
    // The register: every published delivery exactly one record, and the chain whole after all the kills.
    const recordCounts = (await db.execute<{ n: number }>(sql`
      select count(*)::int as n from deliveries d
      where d.state = 'published' and (select count(*) from public_records r where r.delivery_id = d.id) <> 1`)) as unknown as { n: number }[];
    const publishedWithoutOneRecord = recordCounts[0]?.n ?? 0;
    const registerCheck = await verifyRegister(db);
    const attemptRows = (await db.execute<{ outcome: string; n: number }>(
      sql`select outcome::text as outcome, count(*)::int as n from delivery_attempts group by outcome`,
    )) as unknown as { outcome: string; n: number }[];
    const attemptCount = (o: string) => attemptRows.find((a) => a.outcome === o)?.n ?? 0;
    const byPlatform: ChaosResult['byPlatform'] = {};
    for (const r of rows) {
      const b = (byPlatform[r.platform] ??= { deliveries: 0, published: 0, failed: 0, simulatorPosts: 0 });
      b.deliveries += 1;
      if (r.state === 'published') b.published += 1;
      if (r.state === 'failed') b.failed += 1;
    }
    for (const p of simPosts) {
      const b = (byPlatform[p.platform] ??= { deliveries: 0, published: 0, failed: 0, simulatorPosts: 0 });
      b.simulatorPosts += 1;
    }
    const slowest = (await db.execute<{ id: string; platform: string; lag_ms: number; attempts: string }>(sql`
      select d.id, c.platform::text as platform,
             (extract(epoch from (d.published_at - d.scheduled_at)) * 1000)::int as lag_ms,
             (select string_agg(a.number || ':' || a.outcome || coalesce('/' || a.error_class, '') || ' +' ||
                       (extract(epoch from (a.started_at - d.scheduled_at)) * 1000)::int || 'ms', ' ' order by a.number)
                from delivery_attempts a where a.delivery_id = d.id) as attempts
      from deliveries d join channels c on c.id = d.channel_id
      where d.published_at is not null
      order by d.published_at - d.scheduled_at desc limit 5`)) as unknown as ChaosResult['slowest'];
    const count = (s: string) => rows.filter((r) => r.state === s).length;
    const result: ChaosResult = {
      deliveries: rows.length,
      published: published.length,
      failed: count('failed'),
      unconfirmed: count('unconfirmed'),
      cancelled: count('cancelled'),
      notFinal,
      duplicates,
      lost: lostPublished + notFinal,
      unrecorded,
      publishedWithoutOneRecord,
      registerBroken: registerCheck.ok ? null : registerCheck.firstBroken!.message,
      simulatorPosts: simPosts.length,
      durationMs: Date.now() - started,
      settleMs: settledAt ? settledAt - firstAt : -1,
      kills,
      pgRestarts: restarts,
      workers: workerCount,
      workerExits,
      attempts: {
        total: attemptRows.reduce((s, a) => s + a.n, 0),
        reconciledPublished: attemptCount('reconciled_published'),
        unknown: attemptCount('unknown'),
        retries: attemptCount('retry'),
      },
      byPlatform,
      failures: rows
        .filter((r) => r.state !== 'published')
        .slice(0, 20)
        .map((r) => ({ deliveryId: r.id, platform: r.platform, reason: r.failure_reason })),
      slowest,
      faults,
      ok: false,
    };
    // Every fault the run injects is one a delivery recovers from, so a failed delivery is a defect too (a run where
    // every media post failed, because the workers read another media folder, once passed as "ok").
    result.ok =
      result.duplicates === 0 &&
      result.lost === 0 &&
      result.unconfirmed === 0 &&
      result.unrecorded === 0 &&
      result.publishedWithoutOneRecord === 0 &&
      result.registerBroken === null &&
      result.failed === 0;
    if (opts.json) {
      fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
      fs.writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
    }
    return result;
  } finally {
    await cleanup();
  }
}

async function main(): Promise<void> {
  // The run's media (Instagram and YouTube posts carry files) in a folder of its own, not the demo's data folder.
  process.env.UTROP_MEDIA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'utrop-chaos-media-'));
  const { values } = parseArgs({
    options: {
      deliveries: { type: 'string', default: '500' },
      kills: { type: 'string', default: '10' },
      'pg-restarts': { type: 'string', default: '0' },
      workers: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '8' },
      timeout: { type: 'string', default: '900' },
      spread: { type: 'string' },
      timing: { type: 'string', default: 'fast' },
      json: { type: 'string' },
    },
  });
  const int = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number, got "${String(v)}"`);
    return n;
  };
  const result = await runChaos({
    deliveries: int('deliveries', values.deliveries),
    kills: int('kills', values.kills),
    pgRestarts: int('pg-restarts', values['pg-restarts']),
    workers: int('workers', values.workers),
    concurrency: int('concurrency', values.concurrency),
    timeoutMs: int('timeout', values.timeout) * 1000,
    ...(values.spread ? { spreadMs: int('spread', values.spread) * 1000 } : {}),
    timing: values.timing === 'production' ? 'production' : 'fast',
    databaseUrl: process.env.DATABASE_URL || undefined,
    json: values.json,
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(result.ok ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  });
}
