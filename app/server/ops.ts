/**
 * Operability endpoints of the web process (ADR 027): /healthz (the process answers), /readyz (database reachable,
 * migrations current, a worker's heartbeat recent), /metrics (Prometheus, behind a switch), and request ids with one
 * structured log line per request.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { Db } from '../../db/client';
import { latestMigrationMillis } from '../../db/migrate';
import {
  appliedMigrationMillis,
  countDeliveriesByState,
  countRetriesByClass,
  inboxBacklog,
  newestHeartbeatAgeSeconds,
  oldestQueuedDeliveryAgeSeconds,
  publishLatencyBuckets,
  queueDepth,
} from '../../db/queries/ops';
import { t } from '../../common/i18n';

export interface OpsOptions {
  metricsEnabled: boolean;
  /** With a token only `Authorization: Bearer <token>` is answered; without one only loopback requests. */
  metricsToken?: string | undefined;
  readyWorkerMaxAgeS: number;
}

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id (a load balancer's) is kept when it is short and plain, so it can never forge log structure.
const acceptableId = /^[A-Za-z0-9._:-]{8,128}$/;

/** Gives each request an id (the caller's `X-Request-Id`, or a new one), returns it, and logs one line when done. */
export function requestIds(log: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers[REQUEST_ID_HEADER];
    const id = typeof given === 'string' && acceptableId.test(given) ? given : randomUUID();
    // Downstream (Remix loaders, handleError) reads it from the request's headers.
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The path only: a query string may carry an OAuth code or state.
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Assets and probes at debug, so that a scraper or a load balancer does not drown the log.
      const quiet = req.path.startsWith('/build/') || req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics';
      log[quiet ? 'debug' : 'info']({ reqId: id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

/** A check that takes longer than this counts as failed: a readiness probe must answer, not hang with the pool. */
const CHECK_DEADLINE_MS = 3_000;

function within<T>(p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), CHECK_DEADLINE_MS);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

type CheckResult = { ok: true } | { ok: false; reason: string };

export async function readiness(db: Db, opts: OpsOptions): Promise<{ ok: boolean; checks: Record<'database' | 'migrations' | 'worker', CheckResult> }> {
  const failed = (reason: string): CheckResult => ({ ok: false, reason });
  const database: CheckResult = await within(db.execute('select 1')).then(
    () => ({ ok: true as const }),
    () => failed('unreachable'),
  );
  let migrations: CheckResult = failed('unknown (database unreachable)');
  let worker: CheckResult = failed('unknown (database unreachable)');
  if (database.ok) {
    migrations = await within(appliedMigrationMillis(db)).then(
      (at) => (at !== null && at >= latestMigrationMillis() ? { ok: true as const } : failed('pending')),
      () => failed('unreadable'),
    );
    worker = await within(newestHeartbeatAgeSeconds(db)).then(
      (age) =>
        age === null ? failed('no worker heartbeat') : age <= opts.readyWorkerMaxAgeS ? { ok: true as const } : failed(`last heartbeat ${Math.round(age)} s ago`),
      () => failed('unreadable'),
    );
  }
  return { ok: database.ok && migrations.ok && worker.ok, checks: { database, migrations, worker } };
}

/** Upper bounds of the publish latency histogram, seconds: from "on time" to "the queue is badly behind". */
export const latencyBounds = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600] as const;

/** A registry whose every figure is read from the database at scrape time (so any web process reports them all). */
export function metricsRegistry(db: Db): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'utrop_deliveries',
    help: 'Deliveries by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      for (const [state, n] of Object.entries(await countDeliveriesByState(db))) this.set({ state }, n);
    },
  });
  new Counter({
    name: 'utrop_delivery_retries_total',
    help: 'Delivery attempts that ended in a retry, by error class.',
    labelNames: ['error_class'],
    registers: [registry],
    async collect() {
      // The count comes from the attempts table: set it, rather than counting in this process.
      this.reset();
      for (const [cls, n] of Object.entries(await countRetriesByClass(db))) this.inc({ error_class: cls }, n);
    },
  });
  new Gauge({
    name: 'utrop_queue_depth',
    help: 'Graphile Worker jobs due now that no worker has taken yet.',
    registers: [registry],
    async collect() {
      this.set(await queueDepth(db));
    },
  });
  new Gauge({
    name: 'utrop_oldest_queued_delivery_age_seconds',
    help: 'How long the longest-waiting due, unpublished delivery has waited since its scheduled time (0 when none).',
    registers: [registry],
    async collect() {
      this.set(await oldestQueuedDeliveryAgeSeconds(db));
    },
  });
  new Gauge({
    name: 'utrop_inbox_backlog',
    help: 'Inbox items nobody has handled yet.',
    registers: [registry],
    async collect() {
      this.set(await inboxBacklog(db));
    },
  });
  // prom-client's Histogram only counts observations made in this process; this one is computed from the rows.
  const name = 'utrop_publish_latency_seconds';
  const help = 'From when a delivery was due to when the platform held it, for every published delivery.';
  const histogram = {
    name,
    help,
    type: 'histogram',
    aggregator: 'max',
    async get() {
      const b = await publishLatencyBuckets(db, latencyBounds);
      const values = [
        ...latencyBounds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le }, value: b.le[i] ?? 0 })),
        { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: b.count },
        { metricName: `${name}_sum`, labels: {}, value: b.sum },
        { metricName: `${name}_count`, labels: {}, value: b.count },
      ];
      return { name, help, type: 'histogram', values, aggregator: 'max' };
    },
    reset() {},
  };
  registry.registerMetric(histogram as unknown as Metric);
  return registry;
}

function isLoopback(req: Request): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function opsHandlers(db: Db, opts: OpsOptions, log: Logger) {
  const registry = opts.metricsEnabled ? metricsRegistry(db) : null;
  const healthz: RequestHandler = (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true });
  };
  const readyz: RequestHandler = (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    void readiness(db, opts).then((r) => {
      const failed = Object.entries(r.checks)
        .filter(([, c]) => !c.ok)
        .map(([k]) => k);
      res.status(r.ok ? 200 : 503).json({ ...r, message: r.ok ? t('ops.ready.ok') : t('ops.ready.notReady', { failed: failed.join(', ') }) });
    });
  };
  const metrics: RequestHandler = (req, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!registry) return void res.status(404).type('text/plain').send(t('ops.metrics.off'));
    const allowed = opts.metricsToken ? tokenMatches(req.headers.authorization, opts.metricsToken) : isLoopback(req);
    if (!allowed) return void res.status(opts.metricsToken ? 401 : 403).type('text/plain').send(t('ops.metrics.denied'));
    registry
      .metrics()
      .then((text) => res.type(registry.contentType).send(text))
      .catch((e: unknown) => {
        log.warn({ err: e }, 'metrics could not be read');
        res.status(503).type('text/plain').send('metrics unavailable');
      });
  };
  return { healthz, readyz, metrics };
}
