/**
 * app/utils/sse.server.ts: a live stream must end when its client goes, also when the request's own signal never
 * says so. The web server hands every loader `clientGone`, a signal on the connection's close (app/server/web.ts);
 * the request's signal reaches the loader through Request copies that hold each other only weakly (ADR 039).
 */
import { describe, expect, it } from 'vitest';
import { eventStream, openEventStreams } from '../../app/utils/sse.server';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('eventStream', () => {
  it("ends when the connection's gone signal aborts, although the request's own signal never does", async () => {
    const before = openEventStreams();
    const gone = new AbortController();
    const request = new Request('http://utrop.test/inlagg/1/events', { signal: new AbortController().signal });
    const res = eventStream(request, { read: async () => ({ n: 1 }), intervalMs: 20, gone: gone.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: state')) text += (await reader.read()).value ?? '';
    expect(text).toContain('data: {"n":1}');
    expect(openEventStreams()).toBe(before + 1);

    gone.abort();
    await until(() => openEventStreams() === before);
    expect(openEventStreams()).toBe(before);
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(request.signal.aborted).toBe(false);
  });

  it('opens no stream for a client that is already gone', async () => {
    const before = openEventStreams();
    const gone = new AbortController();
    gone.abort();
    const res = eventStream(new Request('http://utrop.test/kris/1/events'), { read: async () => ({ n: 1 }), gone: gone.signal });
    const reader = res.body!.getReader();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(openEventStreams()).toBe(before);
  });
});
