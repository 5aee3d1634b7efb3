/**
 * The simulators keep their state across restarts in a file (ADR 018): posts, comments and issued tokens come
 * back, permalinks keep working, a torn or foreign file gives a clear log line and an empty state, and the file
 * is replaced whole (temp file + rename). Real servers over HTTP with the real clients.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Checkpoint, Connection, PublishHooks } from '../../workers/platforms/contract';
import { allSimulators } from '../../workers/platforms/sim/all';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor, simulatorOAuthClient } from '../../workers/platforms/sim/demo-accounts';
import { demoCredentials } from '../../workers/platforms/demo-credentials';
import { xAdapter } from '../../workers/platforms/x/adapter';
import { youtubeAdapter } from '../../workers/platforms/youtube/adapter';
import type { XCredentials } from '../../workers/platforms/x/credentials';
import type { YoutubeCredentials } from '../../workers/platforms/youtube/credentials';
import { createFacebookAdapter } from '../../workers/platforms/facebook/adapter';
import type { FacebookCredentials } from '../../workers/platforms/facebook/credentials';

const running: RunningSimulators[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
  for (const s of allSimulators) s.reset();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'utrop-sim-state-'));
  dirs.push(dir);
  return dir;
}

/** A restart as `npm start` does it: the module-level simulators start from nothing, then read the file. */
async function start(file: string, port = 0) {
  for (const s of allSimulators) s.reset();
  const lines: string[] = [];
  const sims = await startSimulatorServer(allSimulators, { port, stateFile: file, log: (l) => lines.push(l) });
  running.push(sims);
  return { sims, lines };
}

async function stop(sims: RunningSimulators) {
  running.splice(running.indexOf(sims), 1);
  await sims.close();
}

const hooks = (): PublishHooks => ({ previous: null, async checkpoint(_c: Checkpoint) {} });
const account = (platform: 'x' | 'youtube' | 'facebook') => demoAccountsFor(platform)[0]!;

function conn<C>(sims: RunningSimulators, platform: 'x' | 'youtube' | 'facebook', credentials: C): Connection<C> {
  const a = account(platform);
  return { channelId: `ch-${platform}`, accountId: a.accountId, apiBaseUrl: sims.baseUrl(platform), credentials, oauthClient: simulatorOAuthClient };
}

/**
 * A GET on a fresh connection: the restarted server listens on the same port (permalinks name it), and a pooled
 * keep-alive socket from before the restart would only report "other side closed".
 */
function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}
const simState = async (sims: RunningSimulators) => JSON.parse((await get(`${sims.url}/_sim/state`)).text) as { posts: { id: string; text: string }[] };

/** Waits until the state file holds what `ok` looks for: writes are asynchronous by design. */
async function savedState(file: string, ok: (state: { posts: { text: string }[] }) => boolean) {
  await expect
    .poll(() => {
      try {
        return ok(JSON.parse(fs.readFileSync(file, 'utf8')) as { posts: { text: string }[] });
      } catch {
        return false;
      }
    })
    .toBe(true);
}

describe('simulator state across restarts', () => {
  it('keeps posts and their permalink pages, and tokens issued by a refresh', async () => {
    const file = path.join(stateDir(), 'simulators.json');
    const first = await start(file);
    expect(first.sims.restored).toBe(false);
    const text = 'Sommarens badplatser är öppna – välkomna!';
    const post = await xAdapter.publish(conn(first.sims, 'x', demoCredentials(account('x')) as XCredentials), { deliveryId: 'd1', text, media: [] }, hooks());
    const fresh = await youtubeAdapter.refreshCredentials(conn(first.sims, 'youtube', demoCredentials(account('youtube')) as YoutubeCredentials));
    const fbText = 'Stadsbiblioteket har nya öppettider.';
    const fb = await createFacebookAdapter().publish(
      conn(first.sims, 'facebook', demoCredentials(account('facebook')) as FacebookCredentials),
      { deliveryId: 'd2', text: fbText, media: [] },
      hooks(),
    );
    await savedState(file, (s) => s.posts.some((p) => p.text === fbText));
    const port = first.sims.port;
    await stop(first.sims);

    const second = await start(file, port);
    expect(second.sims.restored).toBe(true);
    expect(second.lines).toEqual([]);
    expect((await simState(second.sims)).posts.map((p) => p.id)).toEqual([post.externalId, fb.externalId]);
    for (const [link, shown] of [
      [post.permalink, text],
      [fb.permalink, fbText],
    ] as const) {
      const res = await get(link ?? '');
      expect(res.status).toBe(200);
      expect(res.text).toContain(shown);
    }
    // The access token the refresh issued before the restart is still good after it.
    const listed = await youtubeAdapter.fetchComments(conn(second.sims, 'youtube', fresh), { cursor: null, postExternalIds: [] });
    expect(listed.comments).toEqual([]);
    // And a refresh token spent before the restart stays spent (X's are single-use).
    const xConn = conn(second.sims, 'x', demoCredentials(account('x')) as XCredentials);
    const rotated = await xAdapter.refreshCredentials(xConn);
    await stop(second.sims);
    const third = await start(file, port);
    await expect(xAdapter.refreshCredentials(conn(third.sims, 'x', demoCredentials(account('x')) as XCredentials))).rejects.toMatchObject({ errorClass: 'auth_expired' });
    await expect(xAdapter.refreshCredentials(conn(third.sims, 'x', rotated))).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('a torn file: one clear log line, an empty state, the file set aside, and a fresh state written', async () => {
    const dir = stateDir();
    const file = path.join(dir, 'simulators.json');
    fs.writeFileSync(file, '{"v":1,"savedAt":"2026-12-01T10:00:00Z","posts":[{"platform":"x","id":"1","chan');
    const { sims, lines } = await start(file);
    expect(sims.restored).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/simulators\.json is unreadable \(it is not complete JSON\); the simulators start empty\. It was kept as simulators\.json\.unreadable-/);
    expect((await simState(sims)).posts).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('simulators.json.unreadable-'))).toHaveLength(1);

    await xAdapter.publish(conn(sims, 'x', demoCredentials(account('x')) as XCredentials), { deliveryId: 'd3', text: 'Efter haveriet', media: [] }, hooks());
    await savedState(file, (s) => s.posts.some((p) => p.text === 'Efter haveriet'));
    // Written through a temporary file that is renamed away: none is left behind.
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a file of another shape or version is refused the same way, not half-read', async () => {
    const file = path.join(stateDir(), 'simulators.json');
    fs.writeFileSync(file, JSON.stringify({ v: 2, posts: 'all of them' }));
    const { sims, lines } = await start(file);
    expect(sims.restored).toBe(false);
    expect(lines[0]).toMatch(/is unreadable \(its contents do not have the expected shape\)/);
    expect((await simState(sims)).posts).toEqual([]);
  });

  it('a platform part it cannot read starts that platform empty and keeps the rest', async () => {
    const file = path.join(stateDir(), 'simulators.json');
    const post = { platform: 'x', channel: '1', id: '42', text: 'Kvar', link: null, media: [], replyTo: null, createdAt: new Date().toISOString(), deleted: false };
    fs.writeFileSync(file, JSON.stringify({ v: 1, savedAt: new Date().toISOString(), posts: [post], comments: [], platforms: { youtube: 'garbage' } }));
    const { sims, lines } = await start(file);
    expect(sims.restored).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/state for youtube .* is unreadable \(expected an object\); youtube starts without it/)]);
    expect((await simState(sims)).posts).toMatchObject([{ id: '42', text: 'Kvar' }]);
  });
});
