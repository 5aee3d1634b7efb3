import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { link, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** A problem with the output file the user can fix (exit 1), said in one line. */
export class OutputFileError extends Error {}

/** Why a file name given on the command line is refused, or null: no control characters, no NUL, a real name. */
export function badFileName(path: string): string | null {
  if (path.length === 0) return 'the output file name is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the output file name contains control characters';
  if (Buffer.byteLength(path) > 4096) return 'the output path is too long';
  const name = basename(path);
  if (path.endsWith('/') || name === '' || name === '.' || name === '..') return `the output path names a folder, not a file: ${JSON.stringify(path.slice(0, 80))}`;
  if (Buffer.byteLength(name) > 255) return 'the output file name is too long';
  if (/\uFFFD/.test(path)) return 'the output file name is not valid UTF-8';
  return null;
}

/**
 * Writes a file so that it either appears whole or not at all: into a hidden temporary file beside it, then linked into
 * place (which, unlike rename, refuses to replace a file that already exists). The temporary file is removed on failure.
 */
export async function writeFileAtomically<T>(path: string, write: (out: Writable) => Promise<T>): Promise<T> {
  const target = resolve(path);
  const dir = dirname(target);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new OutputFileError(`the folder does not exist: ${dir}`);
  if (await stat(target).then(() => true, () => false)) throw new OutputFileError(`the file already exists: ${target}`);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  const out = createWriteStream(tmp, { flags: 'wx' });
  try {
    await once(out, 'open').catch((e: NodeJS.ErrnoException) => {
      throw new OutputFileError(`cannot write in ${dir}: ${e.code ?? e.message}`);
    });
    const result = await write(out);
    out.end();
    await finished(out);
    await link(tmp, target).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EEXIST' ? new OutputFileError(`the file already exists: ${target}`) : e;
    });
    return result;
  } catch (e) {
    // Writes still queued fail once the stream is gone; the error that matters is the one being thrown.
    out.on('error', () => {});
    out.destroy();
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}
