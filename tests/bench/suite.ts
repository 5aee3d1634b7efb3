/**
 * The benchmark suite behind `npm run bench -- [--quick] --json OUT` (issue 14): one embedded PostgreSQL, the
 * simulators, real worker processes and the real web server, and every figure beside a baseline measured in the same
 * run on the same machine. Output: flat JSON, one key per figure, `{ value, unit, baseline?, ratio?, note? }`.
 */
import { benchDatabase } from './database';
import { runRegisterSearchBench, type RegisterSearchBenchResult } from './register-search';
import { runRegisterOverheadBench, type RegisterOverheadResult } from './register-overhead';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Logger, run as runGraphile, makeWorkerUtils, type Runner } from 'graphile-worker';
import { openDatabase, type Database } from '../../db/client';
import { tempDataDir } from '../../db/embedded';
import { migrateAll } from '../../db/migrate';
import { seedDemo } from '../../app/demo/seed.server';
import { createPost } from '../../app/models/posts.server';
import { buildIfNeeded } from '../../app/server/build';
import { loadBuild, startWebServer } from '../../app/server/web';
import { startSimulatorServer, type RunningSimulators, type SimPost } from '../../workers/platforms/sim/core';
import { createXSimulator } from '../../workers/platforms/x/simulator';
import { createFacebookSimulator } from '../../workers/platforms/facebook/simulator';
import { createInstagramSimulator } from '../../workers/platforms/instagram/simulator';
import { createYoutubeSimulator } from '../../workers/platforms/youtube/simulator';
import { demoAccounts } from '../../workers/platforms/sim/demo-accounts';
import { createLogger } from '../../common/logger.server';
import { HttpSession } from '../support/app';
import { repoRoot, spawnWorker, type WorkerProcess } from '../support/worker-process';

export interface Figure {
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  note?: string;
}
export type Report = Record<string, Figure>;

export interface SuiteOptions {
  quick: boolean;
  workers: number;
  concurrency: number;
  pollIntervalMs: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function quantile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] ?? NaN;
}

function figure(value: number, unit: string, baseline?: number, note?: string): Figure {
  const f: Figure = { value: round(value), unit };
  if (baseline !== undefined && Number.isFinite(baseline)) {
    f.baseline = round(baseline);
    if (baseline > 0) f.ratio = round(value / baseline, 2);
  }
  if (note) f.note = note;
  return f;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

async function simPosts(sims: RunningSimulators): Promise<SimPost[]> {
  return ((await (await fetch(`${sims.url}/_sim/state`)).json()) as { posts: SimPost[] }).posts;
}

export interface Env {
  url: string;
  database: Database;
  sims: RunningSimulators;
  workers: WorkerProcess[];
  webUrl: string;
  startToReadyS: number;
  close(): Promise<void>;
}

/** Everything `npm start` brings up, timed from nothing to /readyz answering 200 (web, database, worker heartbeat). */
export async function startEnv(opts: SuiteOptions): Promise<Env> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  try {
    buildIfNeeded(repoRoot, opts.log);
    const t0 = performance.now();
    const url = await benchDatabase({ name: 'utrop_bench', log: opts.log }, cleanups);
    await migrateAll(url);
    const database = openDatabase(url, { max: 8, applicationName: 'utrop-bench' });
    cleanups.push(() => database.close());
    // X's per-user publish limit (docs/platforms.md) would turn a 200-post burst into rate-limit retries: the bench
    // measures our pipeline, so the simulator's limits are raised out of the way.
    const sims = await startSimulatorServer(
      [createXSimulator({ limits: { publish: 100_000, list: 100_000 } }), createFacebookSimulator(), createInstagramSimulator(), createYoutubeSimulator()],
      { port: 0 },
    );
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
    const web = await startWebServer({
      db: database.db,
      build: await loadBuild(repoRoot),
      port: 0,
      host: '127.0.0.1',
      sessionSecret: randomBytes(32).toString('hex'),
      credentialsKey,
      simulatorUrl: sims.url,
      root: repoRoot,
      ops: { metricsEnabled: false, readyWorkerMaxAgeS: 30 },
      // Warnings only: a JSON line per request would be measured along with the page.
      log: createLogger(undefined, { level: 'warn' }),
    });
    cleanups.push(() => web.close());
    const webUrl = web.url.replace('localhost', '127.0.0.1');
    await until('/readyz', async () => (await fetch(`${webUrl}/readyz`)).status === 200, 120_000, 100);
    const startToReadyS = (performance.now() - t0) / 1000;
    // Every worker's Graphile pool must be running before anything is timed.
    await until(
      'worker pools',
      async () => {
        const [row] = await database.sql<{ n: number }[]>`
          select count(*)::int as n from worker_heartbeats where stopped_at is null and graphile_pool_id is not null`;
        return (row?.n ?? 0) >= opts.workers;
      },
      120_000,
      200,
    );
    return { url, database, sims, workers, webUrl, startToReadyS, close };
  } catch (e) {
    await close();
    throw e;
  }
}

const textChannels = ['x-helsingborg', 'facebook-helsingborg'];

/** Crisis fan-out: createPost (what the crisis form's action calls) → every channel's simulator holds the post. */
async function crisisFanout(env: Env, reps: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const marker = `Kris ${i + 1} ${randomBytes(4).toString('hex')}`;
    const t0 = Date.now();
    const created = await createPost(env.database.db, { text: marker, channelKeys: textChannels, isCrisis: true, createdBy: null, actorLabel: 'bench' });
    const ids = created.deliveries.map((d) => d.id);
    await until(
      'crisis deliveries',
      async () => {
        const [row] = await env.database.sql<{ n: number }[]>`
          select count(*)::int as n from deliveries where id = any(${ids}::uuid[]) and state = 'published'`;
        return row?.n === ids.length;
      },
      60_000,
      10,
    );
    const posts = (await simPosts(env.sims)).filter((p) => JSON.stringify(p).includes(marker));
    if (posts.length !== textChannels.length) throw new Error(`bench: crisis post on ${posts.length} of ${textChannels.length} simulators`);
    out.push(Math.max(...posts.map((p) => Date.parse(p.createdAt))) - t0);
    await sleep(200);
  }
  return out;
}

/** The baseline: the same posts as plain parallel HTTP POSTs straight to the simulators (no database, no queue). */
async function rawFanout(env: Env, reps: number): Promise<number[]> {
  const x = demoAccounts.find((a) => a.key === 'x-helsingborg')!;
  const fb = demoAccounts.find((a) => a.key === 'facebook-helsingborg')!;
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const text = `Rå ${i + 1} ${randomBytes(4).toString('hex')}`;
    const t0 = performance.now();
    const [rx, rf] = await Promise.all([
      fetch(`${env.sims.url}/x/2/tweets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${x.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      }),
      fetch(`${env.sims.url}/facebook/v21.0/${fb.accountId}/feed`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ message: text, access_token: fb.accessToken }),
      }),
    ]);
    await Promise.all([rx.arrayBuffer(), rf.arrayBuffer()]);
    out.push(performance.now() - t0);
    if (!rx.ok || !rf.ok) throw new Error(`bench: raw POST answered ${rx.status} / ${rf.status}`);
  }
  return out;
}

interface LagRun {
  lags: number[];
  /** Attempts beyond the first, by outcome and error class: a retry is a finding, not noise. */
  retries: string;
  /** Deliveries per second from the due time until the last simulator post. */
  perSecond: number;
}

/** M deliveries due at `spreadMs`-spaced times (0: the same instant); lag = due time → the simulator has the post. */
export async function scheduledRun(env: Env, deliveries: number, spreadMs: number): Promise<LagRun> {
  const at = new Date(Date.now() + 3000 + deliveries * 10);
  const postIds: string[] = [];
  for (let i = 0; i < deliveries; i++) {
    const created = await createPost(env.database.db, {
      text: `Bänk ${i + 1} ${randomBytes(4).toString('hex')}`,
      channelKeys: [textChannels[i % textChannels.length]!],
      scheduledAt: new Date(at.getTime() + Math.round((i * spreadMs) / deliveries)),
      createdBy: null,
      actorLabel: 'bench',
    });
    postIds.push(created.post.id);
  }
  await sleep(Math.max(0, at.getTime() - Date.now()));
  await until(
    'scheduled deliveries',
    async () => {
      const [row] = await env.database.sql<{ n: number }[]>`
        select count(*)::int as n from deliveries where post_id = any(${postIds}::uuid[]) and state not in ('published', 'failed')`;
      return row?.n === 0;
    },
    180_000,
    100,
  );
  const rows = await env.database.sql<{ external_id: string | null; platform: string; scheduled_at: Date }[]>`
    select d.external_id, c.platform::text as platform, d.scheduled_at
    from deliveries d join channels c on c.id = d.channel_id where d.post_id = any(${postIds}::uuid[]) and d.state = 'published'`;
  if (rows.length !== deliveries) throw new Error(`bench: ${rows.length} of ${deliveries} deliveries published`);
  const byId = new Map((await simPosts(env.sims)).map((p) => [`${p.platform}|${p.id}`, p]));
  const lags: number[] = [];
  let last = 0;
  for (const r of rows) {
    const post = byId.get(`${r.platform}|${r.external_id}`);
    if (!post) throw new Error(`bench: ${r.platform} post ${r.external_id} missing on the simulator`);
    const t = Date.parse(post.createdAt);
    last = Math.max(last, t);
    lags.push(t - new Date(r.scheduled_at).getTime());
  }
  const extra = await env.database.sql<{ what: string; n: number }[]>`
    select a.outcome::text || coalesce('/' || a.error_class::text, '') as what, count(*)::int as n
    from delivery_attempts a join deliveries d on d.id = a.delivery_id
    where d.post_id = any(${postIds}::uuid[]) and a.outcome <> 'published' group by 1 order by 2 desc`;
  const retries = extra.length ? extra.map((r) => `${r.n} ${r.what}`).join(', ') : 'no retries';
  return { lags, retries, perSecond: deliveries / Math.max(0.001, (last - at.getTime()) / 1000) };
}

/**
 * Graphile Worker's own cost, in this process, on the same database (its own schema): a trivial task, the same
 * concurrency as all our workers together and the same poll interval.
 */
async function graphileBaseline(env: Env, opts: SuiteOptions, stream: { jobs: number; spreadMs: number }, burstJobs: number) {
  const schema = 'bench_graphile';
  const utils = await makeWorkerUtils({ connectionString: env.url, schema, logger: new Logger(() => () => {}) });
  await utils.migrate();
  const starts = new Map<string, number>();
  let done = 0;
  const runner: Runner = await runGraphile({
    connectionString: env.url,
    schema,
    concurrency: opts.workers * opts.concurrency,
    maxPoolSize: opts.workers * opts.concurrency + 2,
    pollInterval: opts.pollIntervalMs,
    noHandleSignals: true,
    // Silent: a log line per job would cost more than the trivial task being measured.
    logger: new Logger(() => () => {}),
    taskList: {
      trivial: async (payload) => {
        starts.set((payload as { id: string }).id, Date.now());
        done++;
      },
    },
  });
  try {
    // Stream: addJob with runAt, lag = runAt → task start.
    const at = Date.now() + 2000;
    const due = new Map<string, number>();
    for (let i = 0; i < stream.jobs; i++) {
      const id = `s${i}`;
      const runAt = at + Math.round((i * stream.spreadMs) / stream.jobs);
      due.set(id, runAt);
      await utils.addJob('trivial', { id }, { runAt: new Date(runAt) });
    }
    await until('graphile stream', async () => done >= stream.jobs, 120_000, 50);
    const lags = [...due].map(([id, runAt]) => (starts.get(id) ?? NaN) - runAt);
    // Throughput: burstJobs due at the same instant.
    done = 0;
    const burstAt = Date.now() + 2000;
    for (let i = 0; i < burstJobs; i += 500) {
      const batch = Array.from({ length: Math.min(500, burstJobs - i) }, (_, k) => ({ identifier: 'trivial', payload: { id: `b${i + k}` }, runAt: new Date(burstAt) }));
      await utils.addJobs(batch);
    }
    await sleep(Math.max(0, burstAt - Date.now()));
    await until('graphile burst', async () => done >= burstJobs, 120_000, 20);
    const last = Math.max(...[...starts].filter(([id]) => id.startsWith('b')).map(([, t]) => t));
    return { lags, perSecond: burstJobs / Math.max(0.001, (last - burstAt) / 1000) };
  } finally {
    await runner.stop();
    await utils.release();
  }
}

/** p95 of one page under `connections` concurrent signed-in users, each connection with its own session. */
export async function pageP95(env: Env, pathname: string, cookies: string[], seconds: number): Promise<{ p95: number; requests: number; non2xx: number; timeouts: number; errors: number }> {
  const latencies: number[] = [];
  let next = 0;
  let finished!: (r: autocannon.Result) => void;
  let failed!: (e: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const options: autocannon.Options = {
    url: env.webUrl,
    connections: cookies.length,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: pathname,
        // autocannon keeps one context per connection: each connection stays one signed-in user.
        setupRequest: (req, context: object) => {
          const c = context as { cookie?: string };
          c.cookie ??= cookies[next++ % cookies.length];
          return { ...req, headers: { ...req.headers, cookie: c.cookie ?? '' } };
        },
      },
    ],
  };
  const instance = autocannon(options, (err, result) => (err ? failed(err) : finished(result)));
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
  });
  const result = await done;
  // A request autocannon gave up on (its 10 s timeout) has no response time: counted apart, so a p95 near 10 s
  // with timeouts means the page is slower than the figure says.
  return { p95: quantile(latencies, 0.95), requests: latencies.length, non2xx: result.non2xx, timeouts: result.timeouts, errors: result.errors };
}

export async function loginSessions(env: Env, n: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < n; i += 5) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(5, n - i) }, async () => {
        const session = new HttpSession(env.webUrl);
        const res = await session.login('admin@utrop.example', 'utrop-demo-2026');
        if (res.status !== 302) throw new Error(`bench: login answered ${res.status}`);
        return session.cookie;
      }),
    );
    cookies.push(...batch);
  }
  return cookies;
}

export async function runSuite(opts: SuiteOptions): Promise<Report> {
  const q = opts.quick;
  const sizes = {
    crisisReps: q ? 10 : 30,
    stream: q ? { deliveries: 100, spreadMs: 10_000 } : { deliveries: 200, spreadMs: 20_000 },
    burst: 200,
    graphileBurst: q ? 1000 : 3000,
    records: q ? 20_000 : 1_000_000,
    searchReps: q ? 10 : 30,
    overhead: q ? { publishes: 100, burst: 200 } : { publishes: 500, burst: 1000 },
    users: 50,
    pageSeconds: q ? 10 : 30,
  };
  const log = opts.log;
  const env = await startEnv(opts);
  try {
    log(`bench: ready in ${round(env.startToReadyS, 2)} s`);
    const crisis = await crisisFanout(env, sizes.crisisReps);
    const raw = await rawFanout(env, sizes.crisisReps);
    log(`bench: crisis fan-out p50 ${quantile(crisis, 0.5)} ms (raw ${round(quantile(raw, 0.5))} ms)`);
    const stream = await scheduledRun(env, sizes.stream.deliveries, sizes.stream.spreadMs);
    log(`bench: stream p99 ${quantile(stream.lags, 0.99)} ms`);
    const burst = await scheduledRun(env, sizes.burst, 0);
    log(`bench: burst p99 ${quantile(burst.lags, 0.99)} ms, ${round(burst.perSecond)} deliveries/s`);
    const gw = await graphileBaseline(env, opts, { jobs: sizes.stream.deliveries, spreadMs: sizes.stream.spreadMs }, sizes.graphileBurst);
    log(`bench: graphile stream p99 ${quantile(gw.lags, 0.99)} ms, ${round(gw.perSecond)} jobs/s`);
    // Its own database: the search use-case of /diarium over N bulk-seeded records (tests/bench/register-search.ts).
    const search = await runRegisterSearchBench({ records: sizes.records, repeats: sizes.searchReps, log });
    const overhead = await runRegisterOverheadBench({ ...sizes.overhead, concurrency: opts.workers * opts.concurrency, log });
    const cookies = await loginSessions(env, sizes.users);
    const calendar = await pageP95(env, '/planering', cookies, sizes.pageSeconds);
    const register = await pageP95(env, '/diarium', cookies, sizes.pageSeconds);
    const pageNote = (r: typeof calendar) => `${sizes.users} signed-in users, ${sizes.pageSeconds} s, ${r.requests} requests${r.non2xx ? `, ${r.non2xx} not 2xx` : ''}${r.timeouts ? `, ${r.timeouts} timed out (10 s)` : ''}${r.errors - r.timeouts > 0 ? `, ${r.errors - r.timeouts} errors` : ''}`;
    const slower = calendar.p95 >= register.p95 ? 'calendar' : 'register';
    const modeNote = `${q ? 'quick' : 'full'} run; ${opts.workers} workers × ${opts.concurrency}, poll ${opts.pollIntervalMs} ms`;
    return {
      crisis_fanout_p50_ms: figure(quantile(crisis, 0.5), 'ms', quantile(raw, 0.5), `${sizes.crisisReps} crisis posts to X and Facebook (text-only channels); baseline raw parallel POSTs`),
      crisis_fanout_p99_ms: figure(quantile(crisis, 0.99), 'ms', quantile(raw, 0.99)),
      schedule_lag_p50_ms: figure(quantile(stream.lags, 0.5), 'ms', quantile(gw.lags, 0.5), `${sizes.stream.deliveries} deliveries over ${sizes.stream.spreadMs / 1000} s; baseline Graphile Worker addJob(runAt) → task start; ${modeNote}; ${stream.retries}`),
      schedule_lag_p99_ms: figure(quantile(stream.lags, 0.99), 'ms', quantile(gw.lags, 0.99)),
      burst_lag_p99_ms: figure(quantile(burst.lags, 0.99), 'ms', undefined, `${sizes.burst} deliveries due at the same instant; goal ≤ 1000; ${burst.retries}`),
      delivery_throughput_per_s: figure(burst.perSecond, 'deliveries/s', gw.perSecond, `burst; baseline Graphile Worker trivial jobs/s (${sizes.graphileBurst} jobs, one process, concurrency ${opts.workers * opts.concurrency}); goal ratio ≥ 0.3`),
      ...registerFigures(search, overhead, sizes.searchReps),
      calendar_page_p95_ms: figure(calendar.p95, 'ms', undefined, `/planering, ${pageNote(calendar)}`),
      register_page_p95_ms: figure(register.p95, 'ms', undefined, `/diarium, ${pageNote(register)}`),
      page_p95_ms: figure(Math.max(calendar.p95, register.p95), 'ms', undefined, `the slower of the two (${slower})`),
      start_to_ready_s: figure(env.startToReadyS, 's', undefined, 'embedded PostgreSQL start, migrate, simulators, seed, workers, web → /readyz 200 (build excluded)'),
    };
  } finally {
    await env.close();
  }
}

/** The register's figures (issue 9): search p95 over N records, and what registering costs a publish. */
export function registerFigures(search: RegisterSearchBenchResult, overhead: RegisterOverheadResult, searchReps: number): Report {
  const queries = Object.entries(search.byQuery).map(([k, v]) => `${k} ${v.p95}`).join(', ');
  return {
    register_search_p95_ms: figure(search.p95Ms, 'ms', undefined, `${search.records} records (bulk path); ${Object.keys(search.byQuery).length} queries through searchRegister × ${searchReps} (p95 per query: ${queries}); goal ≤ 100`),
    register_overhead_per_publish_ms: figure(overhead.overheadP50Ms, 'ms', overhead.withoutP50Ms, `p50 of the publish's recording transaction with the public record (${overhead.withP50Ms} ms, p95 ${overhead.withP95Ms}) minus without it (${overhead.withoutP50Ms} ms, p95 ${overhead.withoutP95Ms}); ${overhead.publishes} each, alternating, one publisher; baseline = without`),
    register_burst_publishes_per_s: figure(overhead.burstWithPerS, 'publishes/s', overhead.burstWithoutPerS, `${overhead.burst} recording transactions by ${overhead.concurrency} publishers at once (the chain head's lock serialises them); baseline = the same without the public record`),
  };
}

/** The keys of the bench JSON, exactly as issue 14 lists them (other tools read them): nothing more, nothing less. */
export const BENCH_KEYS = [
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
] as const;

/**
 * The suite's figures split into the bench JSON (exactly BENCH_KEYS) and the rest (the register's overhead figures
 * that issue 9 asks to report), which go to a file of their own beside it. A listed figure missing is a bug.
 */
export function splitReport(report: Report): { main: Report; extra: Report } {
  const main: Report = {};
  const extra: Report = {};
  for (const key of BENCH_KEYS) {
    const f = report[key];
    if (!f) throw new Error(`bench: the figure ${key} was not measured`);
    main[key] = f;
  }
  for (const [key, f] of Object.entries(report)) if (!(BENCH_KEYS as readonly string[]).includes(key)) extra[key] = f;
  return { main, extra };
}

export function markdownTable(report: Report): string {
  const lines = ['| figure | value | baseline | ratio |', '|---|---:|---:|---:|'];
  for (const [key, f] of Object.entries(report)) {
    lines.push(`| ${key} | ${f.value} ${f.unit} | ${f.baseline ?? '–'} | ${f.ratio ?? '–'} |`);
  }
  return lines.join('\n');
}

export function machine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, ${os.platform()}`;
}

export const benchResultsDir = path.join(repoRoot, 'bench-results');
