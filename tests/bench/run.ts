/**
 * `npm run bench -- [--quick] [--json FILE]`: the whole suite (tests/bench/suite.ts, issue 14), flat JSON and a
 * Markdown table. `npm run bench -- --spread MS [--deliveries M --workers W --concurrency C]`: one schedule-lag
 * scenario alone, as described below (kept for profiling the per-delivery path).
 *
 * Schedules M deliveries (X and Facebook, which answer at once) for the same moment a few seconds ahead, runs W
 * worker processes, and measures for each the lag from its scheduled time to the moment the SIMULATOR received
 * the post (the simulator post's createdAt), plus the lag to the start of our first attempt. Goal: p99 ≤ 1000 ms.
 * Prints JSON and writes it to bench-results/bench.json (or --json).
 */
import { benchDatabase } from './database';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../db/client';
import { tempDataDir } from '../../db/embedded';
import { migrateAll } from '../../db/migrate';
import { seedDemo } from '../../app/demo/seed.server';
import { createPost } from '../../app/models/posts.server';
import { startSimulatorServer, type SimPost } from '../../workers/platforms/sim/core';
import { createXSimulator } from '../../workers/platforms/x/simulator';
import { createFacebookSimulator } from '../../workers/platforms/facebook/simulator';
import { createInstagramSimulator } from '../../workers/platforms/instagram/simulator';
import { createYoutubeSimulator } from '../../workers/platforms/youtube/simulator';
import { repoRoot, spawnWorker, type WorkerProcess } from '../support/worker-process';
import { machine, markdownTable, registerFigures, runSuite, splitReport } from './suite';
import { runRegisterSearchBench } from './register-search';
import { runRegisterOverheadBench } from './register-overhead';

export interface BenchOptions {
  deliveries: number;
  workers: number;
  concurrency: number;
  pollIntervalMs: number;
  /** How far ahead of "now" (after the posts are written and the workers are up) the deliveries are due. */
  leadMs: number;
  /** 0: all due at the same instant (a burst); otherwise due times spread evenly over this many ms (a stream). */
  spreadMs?: number;
  databaseUrl?: string;
  log?: (line: string) => void;
}

interface Stats {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

export interface BenchResult {
  deliveries: number;
  published: number;
  workers: number;
  concurrency: number;
  pollIntervalMs: number;
  spreadMs: number;
  /** Scheduled time → the simulator has the post. */
  scheduleLagMs: Stats;
  /** Scheduled time → our first attempt started (the queue's share of the lag). */
  startLagMs: Stats;
  /** CPU spent per delivery during the burst, by process group (Linux /proc). */
  cpuMsPerDelivery: { workers: number; postgres: number; benchAndSimulators: number };
  goalP99Ms: number;
  ok: boolean;
  durationMs: number;
  cpus: number;
}

/** CPU time (ms) of processes from /proc (Linux); 0 elsewhere. */
function cpuMsOf(pids: number[]): number {
  const tick = 10; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      /* gone */
    }
  }
  return total;
}

function postgresPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

function stats(values: number[]): Stats {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] ?? NaN;
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: v[v.length - 1] ?? NaN,
    min: v[0] ?? NaN,
    mean: Math.round(v.reduce((s, x) => s + x, 0) / Math.max(1, v.length)),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const url = await benchDatabase({ name: 'utrop_bench', databaseUrl: opts.databaseUrl, log }, cleanups);
    await migrateAll(url);
    const database = openDatabase(url, { max: 8, applicationName: 'utrop-bench' });
    cleanups.push(() => database.close());
    const sims = await startSimulatorServer([
      createXSimulator({ limits: { publish: 100_000, list: 100_000 } }),
      createFacebookSimulator(),
      createInstagramSimulator(),
      createYoutubeSimulator(),
    ]);
    cleanups.push(() => sims.close());
    const credentialsKey = randomBytes(32);
    await seedDemo(database.db, { simulatorUrl: sims.url, credentialsKey });

    const workerDataDir = tempDataDir('utrop-bench-worker');
    cleanups.push(async () => fs.rmSync(workerDataDir, { recursive: true, force: true }));
    const workers: WorkerProcess[] = [];
    for (let i = 0; i < opts.workers; i++) {
      workers.push(
        spawnWorker({
          databaseUrl: url,
          credentialsKey,
          publicUrl: 'http://127.0.0.1:9/',
          dataDir: workerDataDir,
          pollIntervalMs: opts.pollIntervalMs,
          concurrency: opts.concurrency,
        }),
      );
    }
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => w.stop()));
    });
    // Wait until every worker has its Graphile Worker pool running.
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const [row] = await database.sql<{ n: number }[]>`
        select count(*)::int as n from worker_heartbeats where stopped_at is null and graphile_pool_id is not null`;
      if ((row?.n ?? 0) >= opts.workers) break;
      await sleep(200);
    }

    const at = new Date(Date.now() + opts.leadMs + opts.deliveries * 8);
    const spreadMs = opts.spreadMs ?? 0;
    const keys = ['x-helsingborg', 'facebook-helsingborg'];
    for (let i = 0; i < opts.deliveries; i++) {
      await createPost(database.db, {
        text: `Bänk ${i + 1} ${randomBytes(4).toString('hex')}`,
        channelKeys: [keys[i % keys.length]!],
        scheduledAt: new Date(at.getTime() + Math.round((i * spreadMs) / opts.deliveries)),
        createdBy: null,
        actorLabel: 'bench',
      });
    }
    if (Date.now() > at.getTime() - 500) log('bench: warning, writing the posts took longer than the lead time');
    log(`bench: ${opts.deliveries} deliveries due at ${at.toISOString()}, ${opts.workers} workers × ${opts.concurrency}`);

    // CPU is counted from the moment the deliveries fall due.
    await sleep(Math.max(0, at.getTime() - Date.now()));
    const workerPids = workers.map((w) => w.pid);
    const cpu0 = { workers: cpuMsOf(workerPids), postgres: cpuMsOf(postgresPids()), self: process.cpuUsage() };
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      await sleep(250);
      const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from deliveries where state not in ('published', 'failed')`;
      if (row?.n === 0) break;
    }
    const selfCpu = process.cpuUsage(cpu0.self);
    // From the deliveries' time until all were published (includes this process polling the database).
    const cpuMs = {
      workers: cpuMsOf(workerPids) - cpu0.workers,
      postgres: cpuMsOf(postgresPids()) - cpu0.postgres,
      benchAndSimulators: Math.round((selfCpu.user + selfCpu.system) / 1000),
    };
    const rows = (await database.db.execute<{ external_id: string | null; platform: string; scheduled_at: string; first_start: string | null }>(sql`
      select d.external_id, c.platform::text as platform, d.scheduled_at,
             (select min(a.started_at) from delivery_attempts a where a.delivery_id = d.id) as first_start
      from deliveries d join channels c on c.id = d.channel_id where d.state = 'published'`)) as unknown as {
      external_id: string | null;
      platform: string;
      scheduled_at: string;
      first_start: string | null;
    }[];
    const state = (await (await fetch(`${sims.url}/_sim/state`)).json()) as { posts: SimPost[] };
    const byId = new Map(state.posts.map((p) => [`${p.platform}|${p.id}`, p]));
    const lags: number[] = [];
    const starts: number[] = [];
    for (const r of rows) {
      const post = byId.get(`${r.platform}|${r.external_id}`);
      if (!post) continue;
      lags.push(Date.parse(post.createdAt) - Date.parse(r.scheduled_at));
      if (r.first_start) starts.push(Date.parse(r.first_start) - Date.parse(r.scheduled_at));
    }
    const scheduleLagMs = stats(lags);
    return {
      deliveries: opts.deliveries,
      published: rows.length,
      workers: opts.workers,
      concurrency: opts.concurrency,
      pollIntervalMs: opts.pollIntervalMs,
      spreadMs,
      scheduleLagMs,
      startLagMs: stats(starts),
      cpuMsPerDelivery: {
        workers: Math.round((cpuMs.workers / opts.deliveries) * 10) / 10,
        postgres: Math.round((cpuMs.postgres / opts.deliveries) * 10) / 10,
        benchAndSimulators: Math.round((cpuMs.benchAndSimulators / opts.deliveries) * 10) / 10,
      },
      goalP99Ms: 1000,
      ok: rows.length === opts.deliveries && scheduleLagMs.p99 <= 1000,
      durationMs: Date.now() - started,
      cpus: (await import('node:os')).cpus().length,
    };
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  }
}

/**
 * With --spread, one scenario as before (the deliveries due evenly over that many ms; 0 = a burst). Otherwise the
 * suite: every figure of issue 14 beside its baseline; --quick keeps it under five minutes.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'register-only': { type: 'boolean', default: false },
      'register-records': { type: 'string' },
      explain: { type: 'boolean', default: false },
      deliveries: { type: 'string', default: '200' },
      workers: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '8' },
      poll: { type: 'string', default: '200' },
      lead: { type: 'string', default: '3000' },
      spread: { type: 'string' },
      json: { type: 'string', default: path.join(repoRoot, 'bench-results', 'bench.json') },
    },
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const write = (report: unknown) => {
    fs.mkdirSync(path.dirname(path.resolve(values.json)), { recursive: true });
    fs.writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  };
  if (values['register-only']) {
    // Only the register's figures (search over N records, overhead per publish): minutes instead of the whole suite.
    const started = Date.now();
    const records = values['register-records'] ? Number(values['register-records']) : values.quick ? 20_000 : 1_000_000;
    if (!Number.isSafeInteger(records) || records < 1 || records > 20_000_000) throw new Error('--register-records must be a whole number from 1 to 20000000');
    const reps = values.quick ? 10 : 30;
    const search = await runRegisterSearchBench({ records, repeats: reps, databaseUrl: process.env.DATABASE_URL || undefined, log, explain: values.explain });
    const overhead = await runRegisterOverheadBench({
      ...(values.quick ? { publishes: 100, burst: 200 } : { publishes: 500, burst: 1000 }),
      concurrency: Number(values.workers) * Number(values.concurrency),
      databaseUrl: process.env.DATABASE_URL || undefined,
      log,
    });
    const report = registerFigures(search, overhead, reps);
    write(report);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n\n${markdownTable(report)}\n\nregister-only run in ${Math.round((Date.now() - started) / 1000)} s on ${machine()}\n`);
    process.exit(0);
  }
  if (values.spread === undefined) {
    const started = Date.now();
    const report = await runSuite({
      quick: values.quick,
      workers: Number(values.workers),
      concurrency: Number(values.concurrency),
      pollIntervalMs: Number(values.poll),
      log,
    });
    // The JSON holds exactly issue 14's keys; the register's overhead figures go beside it (OUT.register.json).
    const { main: figures, extra } = splitReport(report);
    write(figures);
    const extraFile = values.json.replace(/(\.json)?$/, '.register.json');
    fs.writeFileSync(extraFile, `${JSON.stringify(extra, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n\n${markdownTable(report)}\n\n`);
    process.stdout.write(`(${Object.keys(extra).join(', ')}: in ${extraFile})\n`);
    process.stdout.write(`${values.quick ? 'quick' : 'full'} run in ${Math.round((Date.now() - started) / 1000)} s on ${machine()}\n`);
    process.exit(0);
  }
  const result = await runBench({
    deliveries: Number(values.deliveries),
    workers: Number(values.workers),
    concurrency: Number(values.concurrency),
    pollIntervalMs: Number(values.poll),
    leadMs: Number(values.lead),
    databaseUrl: process.env.DATABASE_URL || undefined,
    spreadMs: Number(values.spread),
    log,
  });
  write(result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(result.ok ? 0 : 1);
}
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  });
}
