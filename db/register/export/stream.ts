import { once } from 'node:events';
import type { Writable } from 'node:stream';

export type Records<T> = AsyncIterable<T> | Iterable<T>;

/** Writes a chunk, waiting for the stream to drain when its buffer is full: a long export never sits in memory. */
export async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'error').then(([e]) => Promise.reject(e as Error))]);
}
