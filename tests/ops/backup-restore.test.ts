/**
 * Backup and restore (issue 14), exactly as docs/operations.md §6 tells a DBA: `pg_dump --format=custom` of a running
 * system (a real worker publishing, registered outgoing and inbound records, deliveries scheduled ahead), restored
 * with `createdb` + `pg_restore` + `npm run db:migrate` into a new database, which must pass `utrop register verify`
 * with the source's count and head, keep the register append-only, and resume the pipeline on the same platforms
 * (the simulators outlive the lost site, as the real platforms do): the restored queue job publishes one scheduled
 * delivery, the missing-job sweep re-queues another whose job is gone, a publish that was in flight during the dump
 * is reconciled (found on the platform, not sent again); each exactly once.
 *
 * pg_dump refuses a server newer than itself. When the machine's pg_dump is older than the test server (Debian's 15
 * against the embedded 17), this file runs its system on a throw-away PostgreSQL 15 cluster (ADR 044).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { and, eq, inArray } from 'drizzle-orm';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPost } from '../../app/models/posts.server';
import { seedDemo } from '../../app/demo/seed.server';
import { openDatabase, type Database } from '../../db/client';
import { databaseUrl, tempDataDir, urlAs } from '../../db/embedded';
import { migrateAll } from '../../db/migrate';
import { verifyRegister, type VerifyResult } from '../../db/register';
import { ensureRoles, type RoleCredentials } from '../../db/roles';
import { channels, deliveries, deliveryAttempts, publicRecords, type Delivery } from '../../db/schema';
import { hasPendingJob } from '../../workers/delivery/jobs';
import { fetchChannelComments } from '../../workers/lib/inbox';
import { allSimulators } from '../../workers/platforms/sim/all';
import { startSimulatorServer, type RunningSimulators, type SimPost } from '../../workers/platforms/sim/core';
import { startDeliveryWorker, type DeliveryWorker } from '../../workers/runner';
import { fastPolicy, uniqueText, waitFor } from '../pipeline/harness';
import { findPgClientTools, pg15ServerBinaries, serverMajor, startThrowawayCluster, type PgClientTools } from '../support/pg-cluster';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

interface Server {
  /** Superuser URL of the maintenance database. */
  url: string;
  major: number;
  owner: RoleCredentials;
  app: RoleCredentials;
  stop(): Promise<void>;
}

let tools: PgClientTools;
let server: Server;
const created: string[] = [];
const opened: Database[] = [];
const simulators: RunningSimulators[] = [];
const workers: DeliveryWorker[] = [];
let dir: string;

const suffix = randomBytes(4).toString('hex');
const source = `utrop_backup_src_${suffix}`;
const restored = `utrop_backup_restored_${suffix}`;
const ownerUrl = (db: string) => urlAs(databaseUrl(server.url, db), server.owner.name, server.owner.password);
const appUrl = (db: string) => urlAs(databaseUrl(server.url, db), server.app.name, server.app.password);
const credentialsKey = randomBytes(32);

/** The run's test server when the machine's pg_dump can dump it, otherwise a throw-away cluster it can dump. */
async function chooseServer(): Promise<Server> {
  tools = findPgClientTools();
  const mainUrl = inject('pgServerUrl');
  const mainMajor = await serverMajor(mainUrl);
  if (tools.major >= mainMajor) {
    return { url: mainUrl, major: mainMajor, owner: inject('ownerRole'), app: inject('appRole'), stop: async () => {} };
  }
  if (tools.major < 15) {
    throw new Error(`${tools.pgDump} is ${tools.version}: too old for the test server (${mainMajor}) and for the PostgreSQL 15 fallback. Install postgresql-client 15 or newer.`);
  }
  const cluster = await startThrowawayCluster(pg15ServerBinaries());
  const roles = {
    owner: { name: 'utrop_owner', password: randomBytes(18).toString('base64url') },
    app: { name: 'utrop_app', password: randomBytes(18).toString('base64url') },
  };
  await ensureRoles(cluster.url, roles);
  return { url: cluster.url, major: await serverMajor(cluster.url), ...roles, stop: cluster.stop };
}

function open(url: string): Database {
  const d = openDatabase(url, { max: 6, applicationName: 'utrop-backup-test' });
  opened.push(d);
  return d;
}

async function startWorker(db: string, handle: Database, name: string): Promise<DeliveryWorker> {
  const w = await startDeliveryWorker({
    connectionString: appUrl(db),
    db: handle.db,
    credentialsKey,
    log,
    platformTimeoutMs: 5_000,
    // Text posts only: no platform fetches media from us.
    publicUrl: 'http://127.0.0.1:9',
    concurrency: 4,
    pollInterval: 100,
    policy: fastPolicy,
    withCron: false,
    name,
  });
  workers.push(w);
  return w;
}

async function simPosts(sims: RunningSimulators): Promise<SimPost[]> {
  const res = await fetch(`${sims.url}/_sim/state`);
  return ((await res.json()) as { posts: SimPost[] }).posts;
}

async function simControl(sims: RunningSimulators, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${sims.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

const posted = (posts: SimPost[], text: string) => posts.filter((p) => p.text.startsWith(text)).length;

async function published(db: Database, id: string, what: string): Promise<Delivery> {
  return waitFor(async () => {
    const [row] = await db.db.select().from(deliveries).where(eq(deliveries.id, id));
    return row?.state === 'published' ? row : null;
  }, 30_000, what);
}

/** The `utrop` command (package.json bin), as an operator runs it. */
function utrop(args: string[], databaseUrlForCli: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrlForCli, DATABASE_OWNER_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** libpq's environment for the server's superuser: how `createdb` reaches the server in §6. */
function superuserEnv(): NodeJS.ProcessEnv {
  const u = new URL(server.url);
  return { ...process.env, PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password) };
}

let src: Database;
let rest: Database;
let sourceSims: RunningSimulators;
let sourceWorker: DeliveryWorker;
let sourceRegister: VerifyResult;
let dumpFile: string;
/** Due shortly after the dump: one keeps its restored queue job, the other loses it and must be swept. */
let keepsJob: Delivery;
let losesJob: Delivery;
/** On the platform call (slowed by the simulators) while pg_dump takes its snapshot. */
let inFlight: Delivery;
const inFlightText = uniqueText('Under säkerhetskopian');
const scheduledTexts = [uniqueText('Efter återläsningen A'), uniqueText('Efter återläsningen B')];
const publishedTexts: string[] = [];

beforeAll(async () => {
  server = await chooseServer();
  dir = tempDataDir('utrop-backup');
  dumpFile = path.join(dir, 'utrop.dump');
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${source} owner ${server.owner.name}`);
    created.push(source);
  } finally {
    await admin.end({ timeout: 5 });
  }
  await migrateAll(ownerUrl(source), { appRole: server.app.name });
  src = open(appUrl(source));
  sourceSims = await startSimulatorServer(allSimulators);
  simulators.push(sourceSims);
  await seedDemo(src.db, { simulatorUrl: sourceSims.url, credentialsKey });
  sourceWorker = await startWorker(source, src, 'backup-source');

  // Published through the real pipeline: deliveries, attempts and outgoing records.
  for (let i = 0; i < 2; i += 1) {
    const text = uniqueText('Före säkerhetskopian');
    publishedTexts.push(text);
    const { deliveries: ds } = await createPost(src.db, { text, channelKeys: ['facebook-helsingborg', 'x-helsingborg'], createdBy: null, actorLabel: 'test' });
    for (const d of ds) await published(src, d.id, `delivery ${d.id} published`);
  }
  // Inbound comments on a published post, registered by the inbox fetch (ADR 024).
  const [fbDelivery] = await src.db
    .select()
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .where(and(eq(channels.key, 'facebook-helsingborg'), eq(deliveries.state, 'published')))
    .limit(1);
  for (let i = 0; i < 3; i += 1) {
    const res = await fetch(`${sourceSims.url}/_sim/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'facebook', postId: fbDelivery!.deliveries.externalId, author: `Medborgare ${i}`, text: `Fråga ${i} om vattnet` }),
    });
    expect(res.status).toBeLessThan(300);
  }
  const fetched = await fetchChannelComments({ db: src.db, credentialsKey, log, platformTimeoutMs: 5_000 }, fbDelivery!.channels);
  expect(fetched).toMatchObject({ registered: 3, error: null });

  // Due a little after the dump; the source worker is stopped before then (the site is lost). The margin is for a
  // loaded CI machine: the next steps take about 5 s here.
  const dueAt = new Date(Date.now() + 20_000);
  const a = await createPost(src.db, { text: scheduledTexts[0]!, channelKeys: ['x-helsingborg'], scheduledAt: dueAt, createdBy: null, actorLabel: 'test' });
  const b = await createPost(src.db, { text: scheduledTexts[1]!, channelKeys: ['facebook-helsingborg'], scheduledAt: dueAt, createdBy: null, actorLabel: 'test' });
  keepsJob = a.deliveries[0]!;
  losesJob = b.deliveries[0]!;
  for (const d of [keepsJob, losesJob]) expect(await hasPendingJob(src.db, d.id)).toBe(true);
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => {});
  for (const s of simulators) await s.close().catch(() => {});
  for (const d of opened) await d.close().catch(() => {});
  if (server) {
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    for (const db of created) await admin.unsafe(`drop database if exists ${db} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    await server.stop();
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore (docs/operations.md §6)', () => {
  it('pg_dump of the running system, restored into a new database as documented, passes utrop register verify with the same count and head', async () => {
    // A publish in flight: the platforms answer after 3 s, the dump is taken meanwhile.
    await simControl(sourceSims, '/_sim/latency', { ms: 3_000 });
    inFlight = (await createPost(src.db, { text: inFlightText, channelKeys: ['x-helsingborg'], createdBy: null, actorLabel: 'test' })).deliveries[0]!;
    await waitFor(async () => {
      const rows = await src.db.select().from(deliveryAttempts).where(and(eq(deliveryAttempts.deliveryId, inFlight.id), eq(deliveryAttempts.outcome, 'in_progress')));
      return rows.length > 0;
    }, 15_000, 'the in-flight attempt');
    // The register as the dump will hold it: only the in-flight publish could add a record, and it has not (checked
    // on the restored copy below, where it is still in progress).
    sourceRegister = await verifyRegister(src.db);
    expect(sourceRegister.ok).toBe(true);

    // While the source worker runs: as the owner role.
    await run(tools.pgDump, ['--format=custom', `--file=${dumpFile}`, ownerUrl(source)]);
    // The original site is lost after the dump. Its worker finishes the publish in flight; it must not have reached
    // the scheduled posts.
    await sourceWorker.stop();
    await simControl(sourceSims, '/_sim/latency', { ms: 0 });
    const left = await src.db.select().from(deliveries).where(inArray(deliveries.id, [keepsJob.id, losesJob.id, inFlight.id]));
    expect(new Map(left.map((d) => [d.id, d.state])), 'the scheduled deliveries were due before the source stopped: the machine is too slow for this setup').toEqual(
      new Map([[keepsJob.id, 'scheduled'], [losesJob.id, 'scheduled'], [inFlight.id, 'published']]),
    );
    // What the dump must bring back: the outgoing records of the posts published before it, and the inbound comments.
    const outgoing = await src.db.select().from(publicRecords).where(and(eq(publicRecords.kind, 'outgoing_post'), inArray(publicRecords.summary, publishedTexts)));
    const inbound = await src.db.select().from(publicRecords).where(eq(publicRecords.kind, 'inbound_comment'));
    expect([outgoing.length, inbound.length]).toEqual([4, 3]);

    // docs/operations.md §6, step by step.
    await run(tools.createdb, ['-O', server.owner.name, restored], { env: superuserEnv() });
    created.push(restored);
    const restore = await run(tools.pgRestore, ['--no-owner', `--role=${server.owner.name}`, '--single-transaction', `--dbname=${ownerUrl(restored)}`, dumpFile]);
    expect(restore.stderr).toBe('');
    const migrate = await run('npm', ['run', '--silent', 'db:migrate'], { cwd: root, env: { ...process.env, DATABASE_URL: appUrl(restored), DATABASE_OWNER_URL: ownerUrl(restored) } });
    expect(migrate.stdout).toContain('Migrations are current.');

    const verify = await utrop(['register', 'verify'], appUrl(restored));
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toBe(`Registret är helt: ${sourceRegister.records} poster, sista hash ${sourceRegister.lastRecordSha256}.\n`);
    expect(verify.status).toBe(0);
    rest = open(appUrl(restored));
  }, 60_000);

  it('the restored register is still append-only: the app role may not change or delete a record, and the trigger stops the owner', async () => {
    await expect(rest.sql`update public_records set summary = 'ändrad' where id = (select min(id) from public_records)`).rejects.toThrow(/permission denied for table public_records/);
    await expect(rest.sql`delete from public_records`).rejects.toThrow(/permission denied for table public_records/);
    const owner = postgres(ownerUrl(restored), { max: 1, onnotice: () => {} });
    try {
      await expect(owner`update public_records set summary = 'ändrad' where id = (select min(id) from public_records)`).rejects.toThrow(/public_records is append-only: UPDATE is not allowed/);
      await expect(owner`delete from public_records`).rejects.toThrow(/public_records is append-only: DELETE is not allowed/);
    } finally {
      await owner.end({ timeout: 5 });
    }
  });

  it('the pipeline resumes on the restored database: the restored job, the sweep and the reconciliation each publish their delivery once, nothing is sent twice', async () => {
    // The dump holds the queue (graphile_worker) too: the scheduled deliveries came back with their jobs.
    expect(await hasPendingJob(rest.db, keepsJob.id)).toBe(true);
    expect(await hasPendingJob(rest.db, losesJob.id)).toBe(true);
    // One job is lost (a restore without the queue schema, a queue emptied by hand): the sweep must re-queue it.
    await rest.sql`select graphile_worker.remove_job(${`delivery__publish:${losesJob.id}`})`;
    expect(await hasPendingJob(rest.db, losesJob.id)).toBe(false);
    // The dump caught the publish in flight: the restored copy does not know whether it went out.
    const [caught] = await rest.db.select().from(deliveries).where(eq(deliveries.id, inFlight.id));
    const caughtAttempts = await rest.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, inFlight.id));
    expect([caught?.state, caughtAttempts.map((a) => a.outcome)], 'the dump did not catch the publish in flight').toEqual(['publishing', ['in_progress']]);

    // The same platforms: they are not restored with the database, and fresh ones would hide a duplicate.
    const before = await simPosts(sourceSims);
    const [inFlightPost, ...more] = before.filter((p) => p.text.startsWith(inFlightText));
    expect(more).toEqual([]);
    await startWorker(restored, rest, 'backup-restored');

    for (const d of [keepsJob, losesJob]) await published(rest, d.id, `restored delivery ${d.id} published`);
    const reconciled = await published(rest, inFlight.id, 'the in-flight delivery reconciled');
    // Found on the platform, not sent again: it carries the post the lost site made.
    expect(reconciled.externalId).toBe(inFlightPost!.id);
    const inFlightAttempts = await rest.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, inFlight.id)).orderBy(deliveryAttempts.number);
    expect(inFlightAttempts.map((a) => a.outcome)).toEqual(['unknown', 'reconciled_published']);

    const after = await simPosts(sourceSims);
    for (const text of scheduledTexts) expect(posted(after, text)).toBe(1);
    expect(posted(after, inFlightText)).toBe(1);
    // Nothing published before the dump went out again.
    for (const text of publishedTexts) expect(posted(after, text)).toBe(posted(before, text));
    const attempts = await rest.db.select().from(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, [keepsJob.id, losesJob.id]));
    expect(attempts.map((a) => a.outcome)).toEqual(['published', 'published']);
    const records = await rest.db.select().from(publicRecords).where(inArray(publicRecords.deliveryId, [keepsJob.id, losesJob.id, inFlight.id]));
    expect(records).toHaveLength(3);
    expect(await verifyRegister(rest.db)).toMatchObject({ ok: true, records: sourceRegister.records + 3 });
  }, 60_000);

  it('without PostgreSQL client tools the test fails saying what to install, and a folder with only some of them is passed over', () => {
    const empty = tempDataDir('utrop-no-pg-tools');
    try {
      // A pg_dump without its pg_restore and createdb does not count.
      fs.mkdirSync(path.join(empty, 'bin'));
      fs.symlinkSync(tools.pgDump, path.join(empty, 'bin', 'pg_dump'));
      expect(() => findPgClientTools({ searchPath: path.join(empty, 'bin'), debianRoot: path.join(empty, 'none') })).toThrow(/apt-get install postgresql-client/);
      expect(findPgClientTools({ searchPath: tools.binDir, debianRoot: path.join(empty, 'none') })).toMatchObject({ major: tools.major, pgDump: tools.pgDump });
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a record tampered with in the restored database (superuser, trigger off): utrop register verify exits 1 naming it', async () => {
    const [first] = await rest.db.select().from(publicRecords).where(eq(publicRecords.kind, 'outgoing_post')).orderBy(publicRecords.id).limit(1);
    const su = postgres(databaseUrl(server.url, restored), { max: 1, onnotice: () => {} });
    try {
      await su.begin(async (tx) => {
        await tx.unsafe('alter table public_records disable trigger user');
        await tx`update public_records set content = ${tx.json({ text: 'Något annat än det publicerade' })} where id = ${first!.id}`;
        await tx.unsafe('alter table public_records enable trigger user');
      });
    } finally {
      await su.end({ timeout: 5 });
    }
    const verify = await utrop(['register', 'verify'], appUrl(restored));
    expect(verify.stdout).toBe(`Registret är brutet: Innehållet i posten ${first!.registrationNumber ?? first!.id} har ändrats.\n`);
    expect(verify.status).toBe(1);
    expect(verify.stderr).toBe(`utrop register verify: the register is broken: Innehållet i posten ${first!.registrationNumber ?? first!.id} har ändrats.\n`);
  });
});
