/**
 * Long register exports from /diarium (issue 9 "export with progress", ADR 036): the form enqueues register__export
 * in the transaction that creates the row; the progress page works without JavaScript (meta refresh) and offers the
 * file only once it is whole; the file is exactly what the direct export gives. Hostile requests get a 4xx, never a
 * 500, and write nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { signedIn, startTestApp, type TestApp } from '../support/app';
import { auditLog, registerExports } from '../../db/schema';
import type { DeliveryWorker } from '../../workers/runner';
import { defaultDeliveryPolicy } from '../../workers/lib/policy';
import { runRegisterExport } from '../../workers/lib/register-export';
import { registerExportDir } from '../../common/export-dir.server';
import { exportFileName, partialExportFileName } from '../../common/register-export';
import { silentLog, startWorkerForApp, waitFor } from '../pipeline/harness';

let app: TestApp;
let worker: DeliveryWorker | null = null;
const ROWS = 2_500;

beforeAll(async () => {
  app = await startTestApp();
  await app.db.sql`
    insert into public_records (kind, direction, counterparty, summary, content, content_sha256, registered_at)
    select 'outgoing_post', 'outgoing', 'Helsingborgs stad', 'Exporttest ' || g, jsonb_build_object('text', 'Exporttest om vattenläckan, nummer ' || g),
           encode(sha256(convert_to('{"text":"Exporttest om vattenläckan, nummer ' || g || '"}', 'UTF8')), 'hex'), '2026-02-02T10:00:00+01:00'::timestamptz + g * interval '1 second'
    from generate_series(1, ${ROWS}) g`;
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

async function exportRow(id: string) {
  const [row] = await app.db.db.select().from(registerExports).where(eq(registerExports.id, id));
  return row!;
}
const idFrom = (res: Response) => /^\/diarium\/export\/([0-9a-f-]{36})$/.exec(res.headers.get('location') ?? '')?.[1];

describe('register: long exports with progress', () => {
  let exportId: string;

  it('the form creates the row and its job together; the page waits (meta refresh) and the file is not offered yet', async () => {
    const s = await signedIn(app, 'registrar');
    const res = await s.post('/diarium/export', { format: 'csv', q: 'exporttest' });
    expect(res.status).toBe(302);
    exportId = idFrom(res)!;
    expect(exportId).toBeTruthy();
    const [job] = await app.db.sql<{ n: number }[]>`select count(*)::int as n from graphile_worker.jobs where key = ${`register__export:${exportId}`}`;
    expect(job!.n).toBe(1);
    const page = await s.get(`/diarium/export/${exportId}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('http-equiv="refresh"');
    expect(html).toContain('Exporten väntar på att starta.');
    expect(html).not.toContain(`/diarium/export/${exportId}/fil`);
    expect((await s.get(`/diarium/export/${exportId}/fil`)).status).toBe(409);
  });

  it('mid-way the page shows rows written of rows found, and a partial file is still refused', async () => {
    const s = await signedIn(app, 'registrar');
    // What a running job leaves: the count, the progress, a hidden partial file (a worker killed here leaves the same).
    await app.db.db.update(registerExports).set({ state: 'running', rowsTotal: ROWS, rowsWritten: 1000 }).where(eq(registerExports.id, exportId));
    await mkdir(registerExportDir(), { recursive: true });
    await writeFile(path.join(registerExportDir(), partialExportFileName(exportId, 'csv')), 'half a file');
    const html = await (await s.get(`/diarium/export/${exportId}`)).text();
    expect(html).toContain('1000 av 2500 poster skrivna.');
    expect(html).toMatch(/<progress[^>]*max="2500"[^>]*value="1000"/);
    expect(html).toContain('http-equiv="refresh"');
    expect((await s.get(`/diarium/export/${exportId}/fil`)).status).toBe(409);
  });

  it('the worker writes the whole file; then the page offers it and it equals the direct export, byte for byte', async () => {
    const s = await signedIn(app, 'registrar');
    worker = await startWorkerForApp(app, 'export-test', { concurrency: 2, policy: defaultDeliveryPolicy });
    const done = await waitFor(async () => {
      const row = await exportRow(exportId);
      return row.state === 'done' || row.state === 'failed' ? row : null;
    }, 60_000, 'the export job to finish').catch(async (e: unknown) => {
      const jobs = await app.db.sql`select task_identifier, attempts, last_error from graphile_worker.jobs`;
      throw new Error(`${String(e)}: ${JSON.stringify(jobs)}`);
    });
    expect(done).toMatchObject({ state: 'done', rowsWritten: ROWS, rowsTotal: ROWS, error: null });
    const html = await (await s.get(`/diarium/export/${exportId}`)).text();
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain(`/diarium/export/${exportId}/fil`);
    expect(html).toContain(done.sha256!);

    const file = await s.get(`/diarium/export/${exportId}/fil`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('text/csv');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="diarium-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.csv"$/);
    const body = Buffer.from(await file.arrayBuffer());
    expect(body.length).toBe(done.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(done.sha256);
    const direct = Buffer.from(await (await s.get('/diarium/export?format=csv&q=exporttest')).arrayBuffer());
    expect(body.equals(direct)).toBe(true);
    expect(body.toString('utf8').trim().split('\r\n')).toHaveLength(ROWS + 1);
    // The partial file was replaced, not left beside it.
    const audit = await app.db.db.select().from(auditLog).where(eq(auditLog.objectId, exportId));
    expect(audit.map((a) => a.action)).toEqual(['register.export.search']);
  });

  it('JSON too; a finished job run again changes nothing', async () => {
    const s = await signedIn(app, 'admin');
    const id = idFrom(await s.post('/diarium/export', { format: 'json', q: 'vattenläckan', from: '2026-02-02', to: '2026-02-02' }))!;
    const done = await waitFor(async () => ((await exportRow(id)).state === 'done' ? exportRow(id) : null), 60_000, 'the JSON export');
    const body = await (await s.get(`/diarium/export/${id}/fil`)).text();
    expect((JSON.parse(body) as unknown[]).length).toBe(done.rowsWritten);
    await runRegisterExport({ db: app.db.db, log: silentLog }, id, registerExportDir());
    expect(await exportRow(id)).toEqual(done);
  });

  it('a file that is not what the job wrote (truncated on disk) is not handed out', async () => {
    const s = await signedIn(app, 'registrar');
    const id = idFrom(await s.post('/diarium/export', { format: 'csv', q: 'exporttest', number: 'SOC 2026/000001' }))!;
    await waitFor(async () => (await exportRow(id)).state === 'done', 60_000, 'the small export');
    await writeFile(path.join(registerExportDir(), exportFileName(id, 'csv')), 'x');
    expect((await s.get(`/diarium/export/${id}/fil`)).status).toBe(404);
  });

  it('a stored search of an unknown shape fails the job with a message, and the page says so', async () => {
    const s = await signedIn(app, 'registrar');
    const users = app.seed.demoUsers.find((u) => u.role === 'registrar')!;
    const [row] = await app.db.db
      .insert(registerExports)
      .values({ requestedBy: (await app.db.sql<{ id: string }[]>`select id from users where email = ${users.email}`)[0]!.id, format: 'csv', search: { filters: { text: 1 } } })
      .returning();
    await runRegisterExport({ db: app.db.db, log: silentLog }, row!.id, registerExportDir());
    expect(await exportRow(row!.id)).toMatchObject({ state: 'failed' });
    const html = await (await s.get(`/diarium/export/${row!.id}`)).text();
    expect(html).toContain('Exporten misslyckades');
    expect((await s.get(`/diarium/export/${row!.id}/fil`)).status).toBe(409);
  });

  it('hostile requests get a specific 4xx and create nothing', async () => {
    const s = await signedIn(app, 'registrar');
    const before = (await app.db.db.select().from(registerExports)).length;
    const cases: [Record<string, string>, number][] = [
      [{ format: 'xml' }, 400],
      [{ format: 'csv\u0000' }, 400],
      [{}, 400],
      [{ format: 'csv', from: '2026-02-30' }, 400],
      [{ format: 'csv', from: '2026-03-02', to: '2026-03-01' }, 400],
      [{ format: 'csv', channel: 'not-a-uuid' }, 400],
      [{ format: 'csv', q: 'ö'.repeat(100_000) }, 400],
      [{ format: 'csv', q: 'och att' }, 400],
      [{ format: 'csv', kind: 'drop table' }, 400],
    ];
    for (const [fields, status] of cases) {
      const res = await s.post('/diarium/export', fields);
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(status);
    }
    expect((await s.postRaw('/diarium/export', 'format=csv&q=%FF%FE', 'application/x-www-form-urlencoded')).status).toBeGreaterThanOrEqual(400);
    expect((await s.postRaw('/diarium/export', '{"format":"csv"}', 'application/json')).status).toBe(415);
    expect((await s.post('/diarium/export', { format: 'csv' }, { csrf: false })).status).toBe(403);
    const comms = await signedIn(app, 'communications');
    expect((await comms.post('/diarium/export', { format: 'csv' })).status).toBe(403);
    expect((await app.db.db.select().from(registerExports)).length).toBe(before);

    for (const p of ['not-a-uuid', '..%2F..%2Fetc%2Fpasswd', randomUUID(), '%00', 'a'.repeat(5000)]) {
      expect([400, 404]).toContain((await s.get(`/diarium/export/${p}`)).status);
      expect([400, 404]).toContain((await s.get(`/diarium/export/${p}/fil`)).status);
    }
    // Someone else's export is as unknown as a made-up one.
    const admin = await signedIn(app, 'admin');
    expect((await admin.get(`/diarium/export/${exportId}`)).status).toBe(404);
    expect((await admin.get(`/diarium/export/${exportId}/fil`)).status).toBe(404);
    expect((await comms.get(`/diarium/export/${exportId}`)).status).toBe(403);
  });

  it('the job refuses a payload that is not an export id', async () => {
    const { payloadSchema } = await import('../../workers/tasks/register__export');
    for (const p of [{}, { exportId: 'x' }, { exportId: '\u0000' }, { exportId: randomUUID(), extra: 1 }, { exportId: 'a'.repeat(100_000) }]) {
      expect(payloadSchema.safeParse(p).success).toBe(false);
    }
    // An id without a row: nothing to do, nothing written.
    await runRegisterExport({ db: app.db.db, log: silentLog }, randomUUID(), registerExportDir());
    await rm(path.join(registerExportDir(), partialExportFileName(exportId, 'csv')), { force: true });
  });
});
