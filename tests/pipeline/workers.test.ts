/**
 * Several worker PROCESSES on one database (spawned `node --import tsx workers/index.ts`), SIGKILL mid-call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPost } from '../../app/models/posts.server';
import { tempDataDir } from '../../db/embedded';
import type { Delivery } from '../../db/schema';
import { spawnWorker, fastPolicyEnv, type WorkerProcess } from '../support/worker-process';
import { startHarness, uniqueText, waitFor, jpeg, type Harness } from './harness';

let h: Harness;
const procs: WorkerProcess[] = [];
let dataDir: string;

function worker(): WorkerProcess {
  const w = spawnWorker({
    databaseUrl: h.t.url,
    credentialsKey: h.credentialsKey,
    publicUrl: h.media.url,
    dataDir,
    platformTimeoutMs: 4_000,
    env: fastPolicyEnv,
  });
  procs.push(w);
  return w;
}

async function waitForHeartbeats(n: number) {
  await waitFor(async () => {
    const rows = await h.t.sql<{ n: number }[]>`
      select count(*)::int as n from worker_heartbeats
      where stopped_at is null and last_seen_at > now() - interval '2 seconds' and graphile_pool_id is not null`;
    return (rows[0]?.n ?? 0) >= n;
  }, 30_000, `${n} live workers`);
}

beforeAll(async () => {
  h = await startHarness();
  dataDir = tempDataDir('utrop-worker-test');
  worker();
  worker();
  await waitForHeartbeats(2);
});

/** The process whose runner owns the delivery's attempt in progress. */
async function ownerOf(deliveryId: string): Promise<WorkerProcess> {
  const rows = await h.t.sql<{ pid: number }[]>`
    select h.pid from delivery_attempts a join worker_heartbeats h on h.worker_id = a.worker_id
    where a.delivery_id = ${deliveryId} and a.outcome = 'in_progress'`;
  const proc = procs.find((p) => p.pid === rows[0]?.pid);
  if (!proc) throw new Error(`no worker process owns ${deliveryId}`);
  return proc;
}
afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await h?.close();
});

async function textsOnSimulator(): Promise<string[]> {
  return (await h.simPosts()).filter((p) => !p.deleted).map((p) => `${p.channel}|${p.text}`);
}

describe('worker processes', () => {
  it('two worker processes on one database: N deliveries, each published exactly once', async () => {
    const keys = ['x-helsingborg', 'facebook-helsingborg', 'instagram-helsingborg'];
    const created: Delivery[] = [];
    const texts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const text = uniqueText(`Parallellt ${i}`);
      texts.push(text);
      const { deliveries } = await createPost(h.t.db, { text, media: [jpeg()], channelKeys: keys, createdBy: null, actorLabel: 'test' });
      created.push(...deliveries);
    }
    await waitFor(async () => {
      const states = await Promise.all(created.map((d) => h.delivery(d.id)));
      return states.every((d) => d.state === 'published') ? states : null;
    }, 60_000, 'all published');
    const onSim = await textsOnSimulator();
    for (const text of texts) expect(onSim.filter((p) => p.endsWith(`|${text}`) || p.includes(`|${text}`)).length).toBe(keys.length);
    expect(new Set(onSim).size).toBe(onSim.length);
    // Both workers took part.
    const workers = await h.t.sql<{ n: number }[]>`select count(distinct worker_id)::int as n from delivery_attempts`;
    expect(workers[0]?.n).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('a worker killed (SIGKILL) in the middle of the platform call: the sweep reconciles it, published exactly once', async () => {
    await h.latency(2_500);
    const text = uniqueText('Mitt i anropet');
    const { deliveries } = await createPost(h.t.db, { text, channelKeys: ['facebook-helsingborg'], createdBy: null, actorLabel: 'test' });
    const id = deliveries[0]!.id;
    await h.waitForDelivery(id, (d) => d.state === 'publishing');
    await new Promise((r) => setTimeout(r, 300));
    const victim = await ownerOf(id);
    victim.kill('SIGKILL');
    await victim.exited;
    worker();
    // The request the dead worker sent still lands on the platform once the latency has passed.
    await waitFor(async () => (await textsOnSimulator()).some((p) => p.includes(text)), 10_000, 'the post on the simulator');
    await h.latency(0);
    const done = await h.waitForDelivery(id, (d) => d.state === 'published', 30_000);
    const attempts = await h.attempts(id);
    expect(attempts[0]?.outcome).toBe('unknown');
    expect(attempts.at(-1)?.outcome).toBe('reconciled_published');
    expect((await textsOnSimulator()).filter((p) => p.includes(text))).toHaveLength(1);
    expect(done.externalId).toBeTruthy();
  }, 60_000);

  it('a worker killed after taking the job but with the post never sent: republished once after the lookup', async () => {
    // The platform never answers and never stores (timeout fault), and the worker dies while waiting.
    await h.fault({ platform: 'x', operation: 'publish', kind: 'timeout', count: 1 });
    const text = uniqueText('Aldrig fram');
    const { deliveries } = await createPost(h.t.db, { text, channelKeys: ['x-helsingborg'], createdBy: null, actorLabel: 'test' });
    const id = deliveries[0]!.id;
    await h.waitForDelivery(id, (d) => d.state === 'publishing');
    await new Promise((r) => setTimeout(r, 300));
    const victim = await ownerOf(id);
    victim.kill('SIGKILL');
    await victim.exited;
    worker();
    await h.waitForDelivery(id, (d) => d.state === 'published', 30_000);
    const attempts = await h.attempts(id);
    expect(attempts[0]?.outcome).toBe('unknown');
    expect(attempts.at(-1)?.outcome).toBe('published');
    expect((await textsOnSimulator()).filter((p) => p.includes(text))).toHaveLength(1);
    await h.clearFaults();
  }, 60_000);
});
