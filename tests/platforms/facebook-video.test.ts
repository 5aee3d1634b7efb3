/**
 * Facebook Page video publishing: the real adapter over HTTP against the Facebook simulator's resumable upload
 * (start / transfer / finish), with the checkpoint a killed worker resumes from and the simulator's faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint, Connection, MediaItem, PublishRequest } from '../../workers/platforms/contract';
import { createFacebookAdapter } from '../../workers/platforms/facebook/adapter';
import type { FacebookCredentials } from '../../workers/platforms/facebook/credentials';
import { facebookSimulator } from '../../workers/platforms/facebook/simulator';
import type { FacebookPublishHooks } from '../../workers/platforms/facebook/video';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { demoAccountsFor } from '../../workers/platforms/sim/demo-accounts';
import { control, MP4_BYTES, platformError } from './instagram-fixtures';

const page = demoAccountsFor('facebook')[0]!;
const adapter = createFacebookAdapter();
const CHUNK = 64 * 1024;
/** Two and a half chunks of an MP4: three transfers. */
const VIDEO = Buffer.concat([MP4_BYTES, Buffer.alloc(2 * CHUNK + CHUNK / 2 - MP4_BYTES.length, 7)]);
let sims: RunningSimulators;
let sim: ReturnType<typeof control>;

beforeAll(async () => {
  sims = await startSimulatorServer([facebookSimulator], { port: 0 });
  sim = control(sims.url);
});
afterAll(async () => {
  await sims.close();
});
beforeEach(async () => {
  await sim.reset();
  await sim.configure('facebook', { videoChunkBytes: CHUNK });
});

function conn(): Connection<FacebookCredentials> {
  return { channelId: 'channel-fb', accountId: page.accountId, apiBaseUrl: sims.baseUrl('facebook'), credentials: { pageAccessToken: page.accessToken } };
}

const video = (data = VIDEO, mimeType = 'video/mp4'): MediaItem => ({ kind: 'video', mimeType, filename: 'stadsdag.mp4', data });

let seq = 0;
function request(over: Partial<PublishRequest> = {}): PublishRequest {
  seq += 1;
  return { deliveryId: `video-${seq}`, text: `Filmen från stadsdagen, del ${seq} – åäö`, link: 'https://helsingborg.se/stadsdag', media: [video()], ...over };
}

/** Hooks that keep every checkpoint and progress report; `onProgress` may throw to play a worker killed there. */
function recorder(previous: Checkpoint | null = null, onProgress?: (uploaded: number) => void | Promise<void>) {
  const saved: Checkpoint[] = [];
  const progress: number[] = [];
  const hooks: FacebookPublishHooks = {
    previous,
    async checkpoint(data) {
      saved.push({ ...data });
    },
    async onProgress(uploaded) {
      progress.push(uploaded);
      await onProgress?.(uploaded);
    },
  };
  return { hooks, saved, progress };
}

const videoPosts = async () => (await sim.state()).posts.filter((p) => p.media.some((m) => m.mimeType.startsWith('video/')));

describe('Facebook video publishing', () => {
  it('uploads in the chunks Graph asks for, checkpoints before the first byte, and its permalink page shows the post', async () => {
    const req = request();
    const { hooks, saved, progress } = recorder();
    const published = await adapter.publish(conn(), req, hooks);

    expect(saved).toEqual([{ videoId: published.externalId, uploadSessionId: expect.stringMatching(/^\d+$/) }]);
    expect(progress).toEqual([CHUNK, 2 * CHUNK, VIDEO.length]);
    const posts = await videoPosts();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      id: published.externalId,
      channel: page.accountId,
      text: `${req.text}\n\nhttps://helsingborg.se/stadsdag`,
      media: [{ mimeType: 'video/mp4', bytes: VIDEO.length }],
    });

    expect(published.permalink).toBe(`${sims.baseUrl('facebook')}/${page.accountId}/videos/${published.externalId}`);
    const res = await fetch(published.permalink ?? '');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(req.text);
    expect(html).toContain(page.name);
  });

  it('a worker killed mid-upload: the retry resumes from the checkpoint, sends no byte twice and posts once', async () => {
    const first = recorder(null, (uploaded) => {
      if (uploaded === CHUNK) throw new Error('worker killed');
    });
    await expect(adapter.publish(conn(), request(), first.hooks)).rejects.toThrow('worker killed');
    expect(first.saved).toHaveLength(1);
    expect(await videoPosts()).toHaveLength(0);
    const checkpoint = first.saved[0] ?? null;
    // What the pipeline asks before it sends again: not there yet.
    expect(await adapter.lookup(conn(), request(), { checkpoint, sentAfter: new Date(0) })).toEqual({ status: 'not_published' });

    const second = recorder(checkpoint);
    const published = await adapter.publish(conn(), request(), second.hooks);
    expect(second.saved).toHaveLength(0); // the same session, not a new one
    // It went on after the first chunk (the simulator refuses a chunk at any other offset or past the end), with
    // the adapter's own chunk size, since Graph names the next range only in answers.
    expect(second.progress).toEqual([VIDEO.length]);
    const posts = await videoPosts();
    expect(posts.map((p) => p.id)).toEqual([published.externalId]);
    expect(posts[0]?.media[0]?.bytes).toBe(VIDEO.length);
  });

  it('a server fault on a transfer is transient, and the retry resumes the same session', async () => {
    const first = recorder(null, async (uploaded) => {
      if (uploaded === CHUNK) await sim.fault({ platform: 'facebook', operation: 'media_upload', kind: 'server_error', count: 1 });
    });
    const error = await platformError(adapter.publish(conn(), request(), first.hooks));
    expect(error.errorClass).toBe('transient');
    const again = recorder(first.saved[0] ?? null);
    const published = await adapter.publish(conn(), request(), again.hooks);
    expect(again.saved).toHaveLength(0);
    expect((await videoPosts()).map((p) => p.id)).toEqual([published.externalId]);
  });

  it('the finish answer is lost: outcome_unknown, lookup finds the video, a retry returns it without a second post', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'drop_after_accept', count: 1 });
    const first = recorder();
    const error = await platformError(adapter.publish(conn(), request(), first.hooks));
    expect(error.errorClass).toBe('outcome_unknown');
    const stored = await videoPosts();
    expect(stored).toHaveLength(1);
    const checkpoint = first.saved[0] ?? null;

    const found = await adapter.lookup(conn(), request(), { checkpoint, sentAfter: new Date(0) });
    expect(found).toMatchObject({ status: 'published', externalId: stored[0]?.id });

    const again = await adapter.publish(conn(), request(), recorder(checkpoint).hooks);
    expect(again.externalId).toBe(stored[0]?.id);
    expect(await videoPosts()).toHaveLength(1);
  });

  it('a server fault on finish is outcome_unknown; once lookup says not published the retry finishes once', async () => {
    await sim.fault({ platform: 'facebook', operation: 'publish', kind: 'server_error', count: 1 });
    const first = recorder();
    expect((await platformError(adapter.publish(conn(), request(), first.hooks))).errorClass).toBe('outcome_unknown');
    const checkpoint = first.saved[0] ?? null;
    expect(await adapter.lookup(conn(), request(), { checkpoint, sentAfter: new Date(0) })).toEqual({ status: 'not_published' });
    const again = recorder(checkpoint);
    const published = await adapter.publish(conn(), request(), again.hooks);
    expect(again.progress).toEqual([]); // every byte was already there
    expect((await videoPosts()).map((p) => p.id)).toEqual([published.externalId]);
  });

  it('lookup never guesses: no checkpoint is not published, a vanished video is for a person, a read fault is unknown', async () => {
    expect(await adapter.lookup(conn(), request(), { checkpoint: null, sentAfter: new Date() })).toEqual({ status: 'not_published' });
    const vanished = await adapter.lookup(conn(), request(), { checkpoint: { videoId: '123', uploadSessionId: '456' }, sentAfter: new Date() });
    expect(vanished.status).toBe('unknown');

    const { hooks, saved } = recorder();
    await adapter.publish(conn(), request(), hooks);
    await sim.fault({ platform: 'facebook', operation: 'permalink', kind: 'server_error', count: 1 });
    const blind = await adapter.lookup(conn(), request(), { checkpoint: saved[0] ?? null, sentAfter: new Date() });
    expect(blind.status).toBe('unknown');
  });

  it('a tampered checkpoint is never used as a path: a fresh session is started', async () => {
    const { hooks, saved } = recorder({ videoId: '../../me', uploadSessionId: '1' });
    const published = await adapter.publish(conn(), request(), hooks);
    expect(saved).toHaveLength(1);
    expect((await videoPosts()).map((p) => p.id)).toEqual([published.externalId]);
  });

  it('refuses in Swedish what Facebook would refuse: a video with photos, a WebM file, a file that is no video', async () => {
    const photo: MediaItem = { kind: 'image', mimeType: 'image/jpeg', filename: 'a.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0]) };
    const mixed = await platformError(adapter.publish(conn(), request({ media: [video(), photo] }), recorder().hooks));
    expect(mixed).toMatchObject({ errorClass: 'invalid_content', message: 'En video kan inte kombineras med andra bilagor.' });
    const webm = await platformError(adapter.publish(conn(), request({ media: [video(VIDEO, 'video/webm')] }), recorder().hooks));
    expect(webm.message).toBe('Videon måste vara en MP4- eller MOV-fil.');
    const garbage = await platformError(adapter.publish(conn(), request({ media: [video(Buffer.alloc(1000, 1))] }), recorder().hooks));
    expect(garbage).toMatchObject({ errorClass: 'invalid_content' });
    expect(garbage.message).toContain('Facebook kunde inte läsa videon');
    expect(await videoPosts()).toHaveLength(0);
  });
});

describe('the simulator\'s /videos endpoint under hostile input', () => {
  const videosUrl = () => `${sims.baseUrl('facebook')}/v21.0/${page.accountId}/videos`;
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(videosUrl(), { method: 'POST', headers: { authorization: `Bearer ${page.accessToken}`, ...headers }, body });
  const graphCode = async (res: Response) => ((await res.json()) as { error?: { code?: number } }).error?.code;

  it('answers Graph 400s, never a 500, for impossible sizes, torn bodies, odd names and NUL bytes', async () => {
    for (const size of ['-1', '0', '1e3', '99999999999999999999', 'NaN', '12\u0000']) {
      const res = await post(new URLSearchParams({ upload_phase: 'start', file_size: size }));
      expect(res.status, size).toBe(400);
      expect(await graphCode(res)).toBe(100);
    }
    const huge = await post(new URLSearchParams({ upload_phase: 'start', file_size: String(20 * 1024 ** 3) }));
    expect(await graphCode(huge)).toBe(6000);

    const started = (await (await post(new URLSearchParams({ upload_phase: 'start', file_size: String(VIDEO.length) }))).json()) as { upload_session_id: string };
    // A torn multipart body: no closing boundary.
    const torn = await post('--b\r\nContent-Disposition: form-data; name="upload_phase"\r\n\r\ntransfer\r\n--b\r\nContent-Disp', {
      'content-type': 'multipart/form-data; boundary=b',
    });
    expect(torn.status).toBe(400);
    // A file name with = and ; and a NUL byte in a field.
    const form = new FormData();
    form.set('upload_phase', 'transfer');
    form.set('upload_session_id', started.upload_session_id);
    form.set('start_offset', '0\u0000');
    form.set('video_file_chunk', new Blob([new Uint8Array(VIDEO.subarray(0, CHUNK))]), 'a=b;c".mp4');
    const odd = await post(form);
    expect(odd.status).toBe(400);
    // A session id that is not one, and a finish before the bytes.
    expect((await post(new URLSearchParams({ upload_phase: 'transfer', upload_session_id: '../../x' }))).status).toBe(400);
    const early = await post(new URLSearchParams({ upload_phase: 'finish', upload_session_id: started.upload_session_id }));
    expect(await graphCode(early)).toBe(6000);
    expect(await videoPosts()).toHaveLength(0);
  });
});
