/**
 * Several web processes (ADR 039): two web servers, each with its own copy of the Remix build, on one database. The
 * officer signs in on one and follows the post on the other; the worker publishes; both streams see it, because each
 * reads the database and nothing is passed between the servers.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { HttpSession } from '../support/app';
import { fastPolicy, silentLog } from '../pipeline/harness';
import { loadBuild, startWebServer, type RunningWeb } from '../../app/server/web';
import { seedDemo, type SeedData } from '../../app/demo/seed.server';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { allSimulators } from '../../workers/platforms/sim/all';
import { startDeliveryWorker, type DeliveryWorker } from '../../workers/runner';
import { createPost } from '../../app/models/posts.server';
import { users } from '../../db/schema';
import type { PostLiveState } from '../../app/models/live.server';

const root = path.resolve(import.meta.dirname, '..', '..');
let db: TestDatabase;
let sims: RunningSimulators;
let seed: SeedData;
let webs: RunningWeb[] = [];
let worker: DeliveryWorker | null = null;
const credentialsKey = randomBytes(32);

beforeAll(async () => {
  db = await createTestDatabase();
  sims = await startSimulatorServer(allSimulators, { port: 0 });
  seed = await seedDemo(db.db, { simulatorUrl: sims.url, credentialsKey });
  const sessionSecret = randomBytes(32).toString('hex');
  webs = await Promise.all(
    [1, 2].map(async () =>
      startWebServer({ db: db.db, build: await loadBuild(root), port: 0, host: '127.0.0.1', sessionSecret, credentialsKey, simulatorUrl: sims.url, root }),
    ),
  );
});
afterAll(async () => {
  await worker?.stop();
  for (const w of webs) await w.close();
  await sims?.close();
  await db?.destroy();
});

/** The state events of one stream, collected until `pred` holds. */
async function follow(url: string, cookie: string, pred: (s: PostLiveState) => boolean): Promise<PostLiveState> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
      for (const block of buffer.split('\n\n').slice(0, -1)) {
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: state') && data) {
          const state = JSON.parse(data.slice(6)) as PostLiveState;
          if (pred(state)) return state;
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
    }
  } finally {
    controller.abort();
  }
}

describe('live pages with two web processes', () => {
  it('a post published by the worker shows on the streams of both web servers', async () => {
    const [a, b] = webs.map((w) => w.url.replace('localhost', '127.0.0.1'));
    const s = new HttpSession(a!);
    const officer = seed.demoUsers.find((u) => u.role === 'communications')!;
    expect((await s.login(officer.email, seed.demoPassword)).status).toBe(302);
    const [u] = await db.db.select().from(users).where(eq(users.email, officer.email));
    const { post } = await createPost(db.db, { text: 'Två webbservrar: Kärnan öppnar i påsk.', channelKeys: ['x-helsingborg', 'facebook-helsingborg'], kind: 'general', authorRole: 'communications', createdBy: u!.id, actorLabel: 'user' });
    const published = (st: PostLiveState) => st.deliveries.length === 2 && st.deliveries.every((d) => d.state === 'published' && d.permalink !== null);
    const onA = follow(`${a}/inlagg/${post.id}/events`, s.cookie, published);
    const onB = follow(`${b}/inlagg/${post.id}/events`, s.cookie, published);
    worker = await startDeliveryWorker({
      connectionString: db.url,
      db: db.db,
      credentialsKey,
      log: silentLog,
      platformTimeoutMs: 5_000,
      publicUrl: a!,
      concurrency: 2,
      pollInterval: 100,
      policy: fastPolicy,
      withCron: false,
      name: 'live-multi',
    });
    const [stateA, stateB] = await Promise.all([onA, onB]);
    expect(stateB.deliveries.map((d) => d.permalink)).toEqual(stateA.deliveries.map((d) => d.permalink));
    expect(stateB.deliveries.every((d) => d.seconds !== null)).toBe(true);
  });
});
