/**
 * Post media by content hash (ADR 022): one small interface, one implementation on disk. Videos are large, so the
 * bytes live in files, not in database rows; a file is written once (same bytes → same name) and never changed.
 * The web process writes and serves them, the worker reads them; in production the folder is a shared volume.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { config } from './config.server';

export interface MediaStore {
  /** Stores the bytes (idempotent) and returns their sha256 in hex, the key to read them back. */
  put(data: Buffer): Promise<string>;
  /** The bytes, or null when the store has no such file. */
  get(sha256: string): Promise<Buffer | null>;
  /** A stream of the bytes and their size, or null (the media route streams videos). */
  open(sha256: string): Promise<{ size: number; stream: Readable } | null>;
  has(sha256: string): Promise<boolean>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

export function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Files at <root>/<first two hex digits>/<sha256>; written to a temporary name and renamed, so never half-written. */
export class FileMediaStore implements MediaStore {
  constructor(readonly root: string) {}

  private file(sha256: string): string {
    // The key is checked before it becomes a path: nothing else may reach the file system.
    if (!isSha256Hex(sha256)) throw new Error('media key must be a sha256 in hex');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(data: Buffer): Promise<string> {
    const sha256 = sha256Of(data);
    const target = this.file(sha256);
    if (await this.has(sha256)) return sha256;
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    return sha256;
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      return await readFile(this.file(sha256));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async open(sha256: string): Promise<{ size: number; stream: Readable } | null> {
    const file = this.file(sha256);
    try {
      const s = await stat(file);
      return { size: s.size, stream: createReadStream(file) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.file(sha256));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }
}

export function defaultMediaDir(): string {
  const cfg = config();
  if (cfg.UTROP_MEDIA_DIR) return path.resolve(cfg.UTROP_MEDIA_DIR);
  return path.join(path.resolve(cfg.UTROP_DATA_DIR ?? path.join(process.cwd(), '.data')), 'media');
}

let store: MediaStore | undefined;

/** The process's media store (UTROP_MEDIA_DIR, else the data folder's media/). */
export function mediaStore(): MediaStore {
  store ??= new FileMediaStore(defaultMediaDir());
  return store;
}
