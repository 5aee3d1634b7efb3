/**
 * The owner record decides who may start the embedded server (ADR 019): a live owner's server is only ever shared
 * (waited for while down, never replaced); a record whose pid now belongs to another process counts as dead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres, tempDataDir } from '../../db/embedded';
import { freePort } from '../support/ports';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A live process that is not Utrop's, standing in for a running `npm start` (its pid and start time are real). */
async function liveProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  return child.pid!;
}

function startTime(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe('the embedded server and its owner record', () => {
  it('waits for a live owner whose server is down, then gives up in one line without touching anything', async () => {
    const dir = tempDataDir('utrop-owner');
    dirs.push(dir);
    const pid = await liveProcess();
    const port = await freePort();
    const record = JSON.stringify({ pid, port, started: startTime(pid) });
    fs.writeFileSync(path.join(dir, 'postgres-owner.json'), record);
    const said: string[] = [];
    const attempt = startEmbeddedPostgres({ dataDir: dir, port, waitForOwnerMs: 500, log: (l) => said.push(l) });
    await expect(attempt).rejects.toThrow(EmbeddedPostgresError);
    await expect(attempt).rejects.toThrow(new RegExp(`^The embedded PostgreSQL of the running Utrop process \\(pid ${pid}\\) is down and did not come back within 1 s`));
    expect(said).toEqual([expect.stringContaining('is down; waiting up to 1 s')]);
    expect(fs.readFileSync(path.join(dir, 'postgres-owner.json'), 'utf8')).toBe(record);
    // No cluster was created or started on the owner's data folder.
    expect(fs.existsSync(path.join(dir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'pg', 'PG_VERSION'))).toBe(false);
  });

  it('takes a record whose pid was reused by another process for a dead owner, and starts its own server', async () => {
    const dir = tempDataDir('utrop-owner');
    const pid = await liveProcess();
    const port = await freePort();
    // Same pid, another start time: what a reboot leaves behind when the pid is handed to someone else.
    fs.writeFileSync(path.join(dir, 'postgres-owner.json'), JSON.stringify({ pid, port, started: '1' }));
    const server = await startEmbeddedPostgres({ dataDir: dir, port, ephemeral: true });
    try {
      expect(server.owned).toBe(true);
      const owner = JSON.parse(fs.readFileSync(path.join(dir, 'postgres-owner.json'), 'utf8')) as { pid: number; started: string };
      expect(owner.pid).toBe(process.pid);
      expect(owner.started).toBe(startTime(process.pid));
    } finally {
      await server.stop();
    }
  }, 120_000);
});
