/**
 * The YouTube simulator's wire format, checked with raw HTTP and with googleapis' own multipart videos.insert:
 * the details an adapter bug would otherwise slip past.
 */
import { Readable } from 'node:stream';
import { auth, youtube } from '@googleapis/youtube';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor } from '../../workers/platforms/sim/demo-accounts';
import { youtubeSimulator } from '../../workers/platforms/youtube/simulator';
import { defaultYoutubeSimSettings, YoutubeSimState } from '../../workers/platforms/youtube/simulator-state';

const account = demoAccountsFor('youtube')[0]!;
const KIB256 = 256 * 1024;
let sim: RunningSimulators;
let base: string;

beforeAll(async () => {
  sim = await startSimulatorServer([youtubeSimulator], { port: 0 });
  base = sim.baseUrl('youtube');
});
afterAll(() => sim.close());
beforeEach(() => sim.hub.reset());

const bearer = { authorization: `Bearer ${account.accessToken}` };

async function createSession(total: number, snippet: Record<string, unknown> = { title: 'Film' }) {
  return fetch(`${base}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
    method: 'POST',
    headers: {
      ...bearer,
      'content-type': 'application/json; charset=UTF-8',
      'x-upload-content-length': String(total),
      'x-upload-content-type': 'video/mp4',
    },
    body: JSON.stringify({ snippet, status: { privacyStatus: 'public' } }),
  });
}

const put = (uri: string, range: string, body?: Buffer) =>
  fetch(uri, {
    method: 'PUT',
    headers: { 'content-range': range, 'content-type': 'video/mp4' },
    body: body ? new Uint8Array(body) : undefined,
  });

async function reason(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { errors: { reason: string }[] } };
  return body.error.errors[0]?.reason ?? '';
}

describe('resumable upload wire format', () => {
  it('answers 308 with Range only once bytes arrived, enforces 256 KiB chunks and stores the video on the last byte', async () => {
    const total = KIB256 + 1000;
    const session = await createSession(total);
    expect(session.status).toBe(200);
    const uri = session.headers.get('location') ?? '';
    expect(uri).toContain(`${base}/upload/youtube/v3/videos?`);

    const empty = await put(uri, `bytes */${total}`);
    expect([empty.status, empty.headers.get('range')]).toEqual([308, null]);

    const odd = await put(uri, `bytes 0-99999/${total}`, Buffer.alloc(100_000));
    expect([odd.status, await reason(odd)]).toEqual([400, 'badRequest']);

    const first = await put(uri, `bytes 0-${KIB256 - 1}/${total}`, Buffer.alloc(KIB256));
    expect([first.status, first.headers.get('range')]).toEqual([308, `bytes=0-${KIB256 - 1}`]);
    expect(sim.hub.posts).toHaveLength(0);

    const last = await put(uri, `bytes ${KIB256}-${total - 1}/${total}`, Buffer.alloc(1000));
    expect(last.status).toBe(200);
    const video = (await last.json()) as { id: string; kind: string; snippet: { title: string } };
    expect(video).toMatchObject({ kind: 'youtube#video', snippet: { title: 'Film' } });
    expect(sim.hub.posts.map((p) => [p.id, p.media[0]?.bytes])).toEqual([[video.id, total]]);

    // The finished session keeps answering with the same video: the cure for a lost final answer.
    const again = await put(uri, `bytes */${total}`);
    expect([again.status, ((await again.json()) as { id: string }).id]).toEqual([200, video.id]);

    const unknown = await put(`${base}/upload/youtube/v3/videos?upload_id=nope`, `bytes */${total}`);
    expect(unknown.status).toBe(404);
  });

  it("validates metadata with YouTube's reasons and requires a valid Bearer token", async () => {
    expect(await reason(await createSession(10, { title: 'a <b>' }))).toBe('invalidTitle');
    expect(await reason(await createSession(10, { title: 'x'.repeat(101) }))).toBe('invalidTitle');
    expect(await reason(await createSession(10, {}))).toBe('invalidTitle');
    expect(await reason(await createSession(10, { title: 'ok', description: 'å'.repeat(2501) }))).toBe(
      'invalidDescription',
    );
    expect(await reason(await createSession(0))).toBe('mediaBodyRequired');

    const anonymous = await fetch(`${base}/youtube/v3/videos?id=x&part=snippet`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 401, errors: [{ reason: 'authError' }] } });
  });

  it("applies 'probe' faults to status probes only", async () => {
    const uri = (await createSession(KIB256 * 2)).headers.get('location') ?? '';
    sim.hub.addFault({ platform: 'youtube', operation: 'probe', kind: 'server_error', count: 1 });
    expect((await put(uri, `bytes 0-${KIB256 - 1}/${KIB256 * 2}`, Buffer.alloc(KIB256))).status).toBe(308);
    const probe = await put(uri, `bytes */${KIB256 * 2}`);
    expect([probe.status, await reason(probe)]).toEqual([503, 'backendError']);
  });
});

describe('googleapis client against the simulator', () => {
  function client() {
    const oauth = new auth.OAuth2({});
    oauth.setCredentials({ access_token: account.accessToken });
    return youtube({ version: 'v3', auth: oauth, retry: false });
  }

  it("accepts googleapis' multipart videos.insert and lists the video", async () => {
    const yt = client();
    const rootUrl = `${base}/`;
    const inserted = await yt.videos.insert(
      {
        part: ['snippet', 'status'],
        requestBody: {
          snippet: { title: 'Multipart', description: 'Från klienten' },
          status: { privacyStatus: 'private' },
        },
        media: { mimeType: 'video/mp4', body: Readable.from([Buffer.alloc(5000, 1)]) },
      },
      { rootUrl },
    );
    expect(inserted.data).toMatchObject({ snippet: { title: 'Multipart' }, status: { privacyStatus: 'private' } });
    expect(sim.hub.state().posts).toMatchObject([
      { id: inserted.data.id, text: 'Från klienten', media: [{ bytes: 5000, mimeType: 'video/mp4' }] },
    ]);

    const listed = await yt.videos.list({ part: ['snippet'], id: [inserted.data.id ?? ''] }, { rootUrl });
    expect(listed.data.items?.map((v) => v.id)).toEqual([inserted.data.id]);
  });

  it('requires title and categoryId on videos.update and refuses another channel’s comments', async () => {
    const yt = client();
    const rootUrl = `${base}/`;
    const { data } = await yt.videos.insert(
      {
        part: ['snippet'],
        requestBody: { snippet: { title: 'Film' } },
        media: { mimeType: 'video/mp4', body: Readable.from([Buffer.alloc(10)]) },
      },
      { rootUrl },
    );
    const update = await yt.videos
      .update({ part: ['snippet'], requestBody: { id: data.id, snippet: { title: 'Ny' } } }, { rootUrl })
      .catch((e: { status?: number; response?: { data?: unknown } }) => e);
    expect(update).toMatchObject({
      status: 400,
      response: { data: { error: { errors: [{ reason: 'invalidCategoryId' }] } } },
    });

    const injected = await fetch(`${sim.url}/_sim/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'youtube', author: 'Anna', text: 'Hej' }),
    });
    expect(injected.status).toBe(400);
  });
});

describe('daily upload quota ledger', () => {
  it('charges videos.insert per Pacific day and starts over after Pacific midnight', () => {
    const state = new YoutubeSimState({ ...defaultYoutubeSimSettings, dailyUploadLimit: 2 });
    const evening = new Date('2026-07-01T06:30:00Z'); // 23:30 in Los Angeles, 30 June
    expect([state.chargeUpload(evening), state.chargeUpload(evening), state.chargeUpload(evening)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(state.chargeUpload(new Date('2026-07-01T06:59:59Z'))).toBe(false);
    expect(state.chargeUpload(new Date('2026-07-01T07:00:00Z'))).toBe(true); // midnight PDT
  });
});
