/**
 * Server-sent events from the database (ADR 039): the one utility behind every live page (post page, crisis status
 * board). Each open stream reads its state from the database every `intervalMs` and sends it as an event only when it
 * changed, so any web process serves any client — a delivery published by a worker shows up wherever the page is
 * open, with no message bus between processes. The stream ends when the client goes (the connection's `gone`
 * signal or the request's own signal aborts, or the body is cancelled), when `read` says the thing is gone (null),
 * or when the server closes.
 */

export interface EventStreamOptions<T> {
  /** The current state, read from the database; null when it no longer exists (the stream then ends). */
  read: () => Promise<T | null>;
  /** How often the state is read. Default 1000 ms. */
  intervalMs?: number;
  /** A comment line after this much silence, so proxies keep the connection. Default 15 s. */
  heartbeatMs?: number;
  /** Event name of a state message. Default "state". */
  event?: string;
  /** Called when a read fails (database down): the stream keeps trying. */
  onError?: (error: unknown) => void;
  /** The connection closed (the load context's `clientGone`): ends the stream like the request's own signal. */
  gone?: AbortSignal;
}

// The count lives on globalThis: the Remix build and the host process load this module separately.
const openKey = Symbol.for('utrop.eventStreams.open');
type Counter = { open: number };
function counter(): Counter {
  const g = globalThis as unknown as Record<symbol, Counter | undefined>;
  g[openKey] ??= { open: 0 };
  return g[openKey];
}

/** Event streams open in this process (tests prove a stream closes when its client goes). */
export function openEventStreams(): number {
  return counter().open;
}

const encoder = new TextEncoder();

/** One SSE message; JSON on a single data line (JSON.stringify never emits a raw newline). */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function eventStream<T>(request: Request, opts: EventStreamOptions<T>): Response {
  const intervalMs = opts.intervalMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const event = opts.event ?? 'state';
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let last: string | null = null;
      let lastWrite = Date.now();
      counter().open += 1;
      const write = (chunk: string) => {
        controller.enqueue(encoder.encode(chunk));
        lastWrite = Date.now();
      };
      stop = () => {
        if (closed) return;
        closed = true;
        counter().open -= 1;
        if (timer) clearTimeout(timer);
        request.signal.removeEventListener('abort', stop);
        opts.gone?.removeEventListener('abort', stop);
        try {
          controller.close();
        } catch {
          // Already closed or errored by the host: nothing left to end.
        }
      };
      const clientLeft = () => request.signal.aborted || opts.gone?.aborted === true;
      request.signal.addEventListener('abort', stop, { once: true });
      opts.gone?.addEventListener('abort', stop, { once: true });
      if (clientLeft()) return stop();
      const tick = async () => {
        if (closed) return;
        // Also asked on every tick: an abort event that never arrived must not keep a stream reading for ever.
        if (clientLeft()) return stop();
        try {
          const state = await opts.read();
          if (closed) return;
          if (state === null) {
            write(sseMessage('gone', {}));
            return stop();
          }
          const data = JSON.stringify(state);
          if (data !== last) {
            last = data;
            write(`event: ${event}\ndata: ${data}\n\n`);
          } else if (Date.now() - lastWrite >= heartbeatMs) {
            write(': keep-alive\n\n');
          }
        } catch (e) {
          if (closed) return;
          opts.onError?.(e);
        }
        if (!closed) timer = setTimeout(() => void tick(), intervalMs);
      };
      // The browser's EventSource reconnects after this many milliseconds when the connection drops.
      write(`retry: ${Math.max(1000, intervalMs)}\n\n`);
      void tick();
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // nginx and similar proxies would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    },
  });
}
