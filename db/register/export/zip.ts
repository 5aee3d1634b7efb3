import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Writable } from 'node:stream';
import { ZipFile } from 'yazl';

export interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
}

/**
 * A zip written straight to a stream (yazl): entries are produced when the zip reaches them (streams are created
 * lazily), hashed as they pass, and listed for the package's SHA-256 manifest. One entry in flight at a time, so a
 * package of a whole year's records never sits in memory.
 */
export class StreamingZip {
  private readonly zip = new ZipFile();
  private readonly pending: Promise<void>[] = [];
  readonly entries: ManifestEntry[] = [];
  private readonly done: Promise<void>;

  constructor(
    out: Writable,
    private readonly mtime: Date,
  ) {
    this.zip.outputStream.pipe(out, { end: false });
    this.done = new Promise((resolve, reject) => {
      this.zip.outputStream.on('end', resolve);
      this.zip.outputStream.on('error', reject);
      this.zip.on('error', reject);
      out.on('error', reject);
    });
  }

  /** A small entry already in memory (metadata, a manifest, one media file). */
  addBuffer(path: string, data: Buffer, options: { listed?: boolean } = {}): void {
    if (options.listed !== false) this.entries.push({ path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length });
    this.zip.addBuffer(data, path, { mtime: this.mtime });
  }

  /** An entry written by `produce` when the zip reaches it; its hash and size are known once it has been written. */
  addStream(path: string, produce: (out: Writable) => Promise<unknown>): void {
    const hash = createHash('sha256');
    let size = 0;
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    this.pending.push(new Promise<void>((resolve, reject) => (settle = { resolve, reject })));
    this.zip.addReadStreamLazy(path, { mtime: this.mtime }, (cb) => {
      const source = new PassThrough();
      const hashing = new Transform({
        transform(chunk: Buffer, _enc, next) {
          hash.update(chunk);
          size += chunk.length;
          next(null, chunk);
        },
      });
      hashing.on('end', () => {
        this.entries.push({ path, sha256: hash.digest('hex'), size });
        settle.resolve();
      });
      source.pipe(hashing);
      cb(null, hashing);
      produce(source).then(
        () => source.end(),
        (e: unknown) => {
          settle.reject(e);
          hashing.destroy(e as Error);
        },
      );
    });
  }

  /** Waits for every streamed entry so far (their hashes are then in `entries`). */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Ends the zip and waits until all of it has been written to the output stream. */
  async finish(): Promise<void> {
    await this.settled();
    this.zip.end();
    await this.done;
  }
}

/** The SHA-256 manifest (sha256sum's format: `hash  path`), sorted by path; `sha256sum -c` checks an unpacked package. */
export function manifestText(entries: ManifestEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.path}\n`)
    .join('');
}
