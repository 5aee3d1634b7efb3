/**
 * Long register exports (ADR 036): the job register__export runs a search stored by /diarium to its end and writes
 * CSV or JSON to a hidden partial file on the shared volume, counting rows into register_exports as it goes. Only
 * when the file is whole (written, flushed to disk, renamed into place) does the row say 'done', so the download
 * route can never hand out half a file. A worker killed mid-way leaves state 'running'; Graphile Worker retries the
 * job and it starts the file again from nothing.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { registerExports, type PublicRecord } from '../../db/schema';
import { countRecords, searchRecords, type RecordCursor, type RecordSearch } from '../../db/queries/register';
import { recordAudit } from '../../db/queries/audit';
import { maskRecord, type ReleasedRecord } from '../../db/register/mask';
import { writeCsv, writeJson } from '../../db/register/export';
import { exportFileName, partialExportFileName, storedExportSearchSchema } from '../../common/register-export';
import type { WorkerDeps } from '../deps';

/** Rows between progress updates: often enough for a page that reloads every two seconds, rarely enough to be cheap. */
export const PROGRESS_EVERY = 1000;
const PAGE = 1000;

class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

async function* searchToEnd(db: Db, search: Omit<RecordSearch, 'after' | 'limit'>, mayViewConfidential: boolean, onRows: (n: number) => Promise<void>): AsyncGenerator<ReleasedRecord> {
  let after: RecordCursor | undefined;
  let n = 0;
  for (;;) {
    const { rows, next } = await searchRecords(db, { ...search, after, limit: PAGE });
    for (const { channelName: _channel, ...record } of rows) {
      yield maskRecord({ ...record, searchVector: null } as PublicRecord, { mayViewConfidential });
      n += 1;
      if (n % PROGRESS_EVERY === 0) await onRows(n);
    }
    if (!next) return;
    after = next;
  }
}

export async function runRegisterExport(deps: Pick<WorkerDeps, 'db' | 'log'>, exportId: string, dir: string): Promise<void> {
  const { db, log } = deps;
  const [job] = await db.select().from(registerExports).where(eq(registerExports.id, exportId));
  if (!job || job.state === 'done' || job.state === 'failed') return;
  const stored = storedExportSearchSchema.safeParse(job.search);
  if (!stored.success) {
    await db.update(registerExports).set({ state: 'failed', error: 'stored search has an unknown shape', finishedAt: new Date() }).where(eq(registerExports.id, exportId));
    return;
  }
  const { filters, query } = stored.data;
  // Decided by the web app from the requester's role when they asked; the download route asks again.
  const { mayViewConfidential } = stored.data;
  const search: Omit<RecordSearch, 'after' | 'limit'> = {
    ...filters,
    from: filters.from ? new Date(filters.from) : undefined,
    before: filters.before ? new Date(filters.before) : undefined,
    textMatchesConfidential: mayViewConfidential,
  };
  await mkdir(dir, { recursive: true });
  const partial = path.join(dir, partialExportFileName(job.id, job.format));
  const final = path.join(dir, exportFileName(job.id, job.format));
  const total = await countRecords(db, search);
  await db.update(registerExports).set({ state: 'running', startedAt: new Date(), rowsTotal: total, rowsWritten: 0 }).where(eq(registerExports.id, exportId));
  const progress = async (n: number) => {
    await db.update(registerExports).set({ rowsWritten: n }).where(eq(registerExports.id, exportId));
  };
  try {
    const digest = new Digest();
    const body = new PassThrough();
    let records = 0;
    const writing = pipeline(body, digest, createWriteStream(partial));
    try {
      const rows = searchToEnd(db, search, mayViewConfidential, progress);
      records = job.format === 'csv' ? await writeCsv(rows, body) : await writeJson(rows, body);
      body.end();
      await writing;
    } catch (e) {
      body.destroy(e instanceof Error ? e : new Error(String(e)));
      await writing.catch(() => {});
      throw e;
    }
    // On disk before it is offered: a crash after 'done' must not leave an empty file behind the name.
    const file = await open(partial, 'r+');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(partial, final);
    await db.transaction(async (tx) => {
      await tx
        .update(registerExports)
        .set({ state: 'done', rowsWritten: records, rowsTotal: Math.max(total, records), bytes: digest.bytes, sha256: digest.hash.digest('hex'), finishedAt: new Date() })
        .where(eq(registerExports.id, exportId));
      await recordAudit(tx, {
        actorUserId: job.requestedBy,
        actorLabel: 'worker',
        action: 'register.export.search',
        objectType: 'register_export',
        objectId: job.id,
        details: { format: job.format, records, masked: !mayViewConfidential, query },
      });
    });
  } catch (e) {
    await rm(partial, { force: true });
    const message = e instanceof Error ? e.message : String(e);
    log.error({ exportId, err: message }, 'register export failed');
    await db.update(registerExports).set({ state: 'failed', error: message.slice(0, 500), finishedAt: new Date() }).where(eq(registerExports.id, exportId));
  }
}
