/**
 * /healthz, /readyz and /metrics of the real web server (ADR 027), with a real worker process for the heartbeat and
 * every figure checked against the database it is read from.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { spawnWorker, fastPolicyEnv } from '../support/worker-process';
import { tempDataDir } from '../../db/embedded';
import { latencyBounds } from '../../app/server/ops';

const token = randomBytes(24).toString('hex');
let app: TestApp;
let off: TestApp;

beforeAll(async () => {
  [app, off] = await Promise.all([
    startTestApp({ ops: { metricsEnabled: true, metricsToken: token, readyWorkerMaxAgeS: 5 } }),
    startTestApp({ ops: { metricsEnabled: false, readyWorkerMaxAgeS: 5 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([app?.close(), off?.close()]);
});

async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Ready = { ok: boolean; checks: Record<string, { ok: boolean; reason?: string }>; message: string };
const ready = async (base: string) => {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as Ready };
};

/** The value of one sample line of the Prometheus text format. */
function sample(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  if (!found) throw new Error(`no sample ${line} in:\n${text}`);
  return Number(found.slice(line.length + 1));
}

describe('health and readiness', () => {
  it('/healthz answers while the process runs, with a request id on every response', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${app.url}/login`, { headers: { 'x-request-id': 'lb-1234abcd' } });
    expect(given.headers.get('x-request-id')).toBe('lb-1234abcd');
    // An id that is too long or not plain is replaced, never echoed.
    for (const bad of ['x'.repeat(500), '<script>alert(1)</script>', 'kort', 'a b c d e f g h']) {
      const res2 = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': bad } });
      expect(res2.status).toBe(200);
      expect(res2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('/readyz is 503 naming the worker until a real worker beats its heart, and again after it stops', async () => {
    const before = await ready(app.url);
    expect(before.status).toBe(503);
    expect(before.body.checks.database).toEqual({ ok: true });
    expect(before.body.checks.migrations).toEqual({ ok: true });
    expect(before.body.checks.worker?.ok).toBe(false);
    expect(before.body.message).toBe('Inte redo: worker.');

    const dataDir = tempDataDir('utrop-ready');
    const worker = spawnWorker({ databaseUrl: app.db.url, credentialsKey: app.credentialsKey, publicUrl: app.url, dataDir, env: fastPolicyEnv });
    try {
      await until(`/readyz 200 with a worker running\n${worker.tail()}`, 60_000, async () => (await ready(app.url)).status === 200);
      const during = await ready(app.url);
      expect(during.body).toMatchObject({ ok: true, message: 'Redo.' });
    } finally {
      await worker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    // No worker left: not ready again once its heartbeat is marked stopped or older than the limit.
    await until('/readyz 503 after the worker stopped', 60_000, async () => (await ready(app.url)).status === 503);
    const after = await ready(app.url);
    expect(after.body.checks.worker?.ok).toBe(false);
    expect(after.body.checks.database).toEqual({ ok: true });
  }, 120_000);

  it('/readyz says migrations are pending when the database is behind the code', async () => {
    await app.db.owner.sql`update drizzle.__drizzle_migrations set created_at = 0 where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`;
    try {
      const r = await ready(app.url);
      expect(r.status).toBe(503);
      expect(r.body.checks.migrations).toEqual({ ok: false, reason: 'pending' });
    } finally {
      await app.db.owner.sql`update drizzle.__drizzle_migrations set created_at = (select max(created_at) from drizzle.__drizzle_migrations) where created_at = 0`;
    }
  });
});

describe('/metrics', () => {
  it('is off unless switched on', async () => {
    const res = await fetch(`${off.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('METRICS_ENABLED');
  });

  it('answers only with the token; a wrong, empty or huge one gets 401', async () => {
    for (const auth of [undefined, 'Bearer fel', `Bearer ${token}x`, `Basic ${token}`, `Bearer ${'a'.repeat(8000)}`, 'Bearer ']) {
      const res = await fetch(`${app.url}/metrics`, { headers: auth === undefined ? {} : { authorization: auth } });
      expect(res.status, auth?.slice(0, 20)).toBe(401);
      expect(await res.text()).not.toContain('utrop_');
    }
  });

  it('reports deliveries by state, retries by class, queue depth, oldest due delivery, inbox backlog and publish latency, as the database holds them', async () => {
    const sql = app.db.owner.sql;
    const [post] = await sql<{ id: string }[]>`insert into posts (text, created_by, scheduled_at) select 'Mätvärden', id, now() from users limit 1 returning id`;
    const chans = await sql<{ id: string }[]>`select id from channels order by key limit 3`;
    // One published 3 s after it was due, one due 2 minutes ago and still queued, one scheduled for next year.
    const [published] = await sql<{ id: string }[]>`
      insert into deliveries (post_id, channel_id, state, scheduled_at, published_at)
      values (${post!.id}, ${chans[0]!.id}, 'published', now() - interval '1 hour', now() - interval '1 hour' + interval '3 seconds') returning id`;
    await sql`insert into deliveries (post_id, channel_id, state, scheduled_at) values (${post!.id}, ${chans[1]!.id}, 'queued', now() - interval '2 minutes')`;
    await sql`insert into deliveries (post_id, channel_id, state, scheduled_at) values (${post!.id}, ${chans[2]!.id}, 'scheduled', now() + interval '1 year')`;
    await sql`insert into delivery_attempts (delivery_id, number, outcome, error_class) values (${published!.id}, 1, 'retry', 'rate_limited'), (${published!.id}, 2, 'retry', 'transient'), (${published!.id}, 3, 'published', null)`;

    const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();

    const byState = await sql<{ state: string; n: number }[]>`select state::text, count(*)::int as n from deliveries group by state`;
    for (const { state, n } of byState) expect(sample(text, `utrop_deliveries{state="${state}"}`), state).toBe(n);
    expect(sample(text, 'utrop_deliveries{state="failed"}')).toBe(byState.find((r) => r.state === 'failed')?.n ?? 0);

    const retries = await sql<{ cls: string; n: number }[]>`select error_class::text as cls, count(*)::int as n from delivery_attempts where outcome = 'retry' group by error_class`;
    for (const { cls, n } of retries) expect(sample(text, `utrop_delivery_retries_total{error_class="${cls}"}`), cls).toBe(n);
    expect(sample(text, 'utrop_delivery_retries_total{error_class="rate_limited"}')).toBeGreaterThanOrEqual(1);

    const [jobs] = await sql<{ n: number }[]>`select count(*)::int as n from graphile_worker.jobs where locked_at is null and run_at <= now() and attempts < max_attempts`;
    expect(sample(text, 'utrop_queue_depth')).toBe(jobs!.n);
    // At least the two minutes of the queued delivery; the one due next year does not count.
    expect(sample(text, 'utrop_oldest_queued_delivery_age_seconds')).toBeGreaterThanOrEqual(120);
    expect(sample(text, 'utrop_oldest_queued_delivery_age_seconds')).toBeLessThan(366 * 86400);
    // Absent table (the inbox has not landed here) or an empty inbox: 0.
    const [inbox] = await sql<{ t: string | null }[]>`select to_regclass('public.inbox_items')::text as t`;
    const backlog = inbox?.t ? (await sql<{ n: number }[]>`select count(*)::int as n from inbox_items where state = 'new'`)[0]!.n : 0;
    expect(sample(text, 'utrop_inbox_backlog')).toBe(backlog);

    const [pub] = await sql<{ n: number; le2: number; le5: number }[]>`
      select count(*)::int as n,
             count(*) filter (where published_at - scheduled_at <= interval '2 seconds')::int as le2,
             count(*) filter (where published_at - scheduled_at <= interval '5 seconds')::int as le5
      from deliveries where state = 'published' and published_at is not null`;
    expect(sample(text, 'utrop_publish_latency_seconds_count')).toBe(pub!.n);
    expect(sample(text, 'utrop_publish_latency_seconds_bucket{le="+Inf"}')).toBe(pub!.n);
    expect(sample(text, 'utrop_publish_latency_seconds_bucket{le="2"}')).toBe(pub!.le2);
    // Our delivery took 3 s: in the 5 s bucket, not in the 2 s one.
    expect(pub!.le5 - pub!.le2).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'utrop_publish_latency_seconds_bucket{le="5"}')).toBe(pub!.le5);
    // Buckets are cumulative.
    const buckets = latencyBounds.map((le) => sample(text, `utrop_publish_latency_seconds_bucket{le="${le}"}`));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });

  it('without a token answers requests from this machine', async () => {
    const local = await startTestApp({ ops: { metricsEnabled: true, readyWorkerMaxAgeS: 5 } });
    try {
      const res = await fetch(`${local.url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE utrop_publish_latency_seconds histogram');
    } finally {
      await local.close();
    }
  });
});

describe('ops configuration', () => {
  it('is off and lenient by default, and refuses bad values in one line without echoing a token', async () => {
    const { parseConfig } = await import('../../common/config.server');
    const cfg = parseConfig({ NODE_ENV: 'test' });
    expect(cfg).toMatchObject({ METRICS_ENABLED: false, READY_WORKER_MAX_AGE_S: 30, EMBEDDED_PG_WAIT_S: 20 });
    expect(cfg.METRICS_TOKEN).toBeUndefined();
    expect(() => parseConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'kanske' })).toThrow(/^Invalid configuration: METRICS_ENABLED \(got "kanske"\): one of/);
    expect(() => parseConfig({ NODE_ENV: 'test', METRICS_TOKEN: 'kort-hemlis' })).toThrow(/^Invalid configuration: METRICS_TOKEN \(got "\*\*\*"\): expected at least 32/);
    for (const bad of ['0', '-5', '1e9', 'tio', '\u0000']) {
      expect(() => parseConfig({ NODE_ENV: 'test', READY_WORKER_MAX_AGE_S: bad }), bad).toThrow(/^Invalid configuration: READY_WORKER_MAX_AGE_S/);
    }
    for (const bad of ['-1', '601', 'tjugo', '2.5']) {
      expect(() => parseConfig({ NODE_ENV: 'test', EMBEDDED_PG_WAIT_S: bad }), bad).toThrow(/^Invalid configuration: EMBEDDED_PG_WAIT_S/);
    }
    expect(parseConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'true', METRICS_TOKEN: 'x'.repeat(32) })).toMatchObject({ METRICS_ENABLED: true, METRICS_TOKEN: 'x'.repeat(32) });
  });
});
