/**
 * Worker processes for the tests, the chaos run and the bench: `node --import tsx workers/index.ts` (one process,
 * so SIGKILL really kills the worker; `npx tsx` would leave its child running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMediaDir } from '../../common/media-store.server';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface WorkerProcessOptions {
  databaseUrl: string;
  credentialsKey: Buffer;
  publicUrl: string;
  dataDir: string;
  platformTimeoutMs?: number;
  pollIntervalMs?: number;
  concurrency?: number;
  /** DELIVERY_* overrides and anything else. */
  env?: Record<string, string>;
  logLevel?: string;
  /** Receives each line the worker writes (stdout and stderr). */
  onLine?: (line: string) => void;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** The last lines of output, for failure messages. */
  tail(): string;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM and wait; SIGKILL after `ms`. */
  stop(ms?: number): Promise<void>;
}

export function spawnWorker(opts: WorkerProcessOptions): WorkerProcess {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'test',
    DATABASE_URL: opts.databaseUrl,
    CREDENTIALS_KEY: opts.credentialsKey.toString('hex'),
    SESSION_SECRET: 'worker-process-session-secret-not-used-here',
    PUBLIC_URL: opts.publicUrl,
    UTROP_DATA_DIR: opts.dataDir,
    // Post media are files shared by web and worker (ADR 022): the worker reads the media store of the process that
    // spawned it (the test run's, the chaos run's), whatever that one resolved; its own data folder would be empty.
    UTROP_MEDIA_DIR: defaultMediaDir(),
    PLATFORM_TIMEOUT_MS: String(opts.platformTimeoutMs ?? 5_000),
    WORKER_POLL_INTERVAL_MS: String(opts.pollIntervalMs ?? 100),
    WORKER_CONCURRENCY: String(opts.concurrency ?? 4),
    WORKER_CRON: 'false',
    LOG_LEVEL: opts.logLevel ?? 'warn',
    ...opts.env,
  };
  // Extra node flags for diagnosis, e.g. UTROP_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.UTROP_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(repoRoot, 'workers', 'index.ts')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
      opts.onLine?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid ?? 0,
    exited,
    tail: () => lines.slice(-40).join('\n'),
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(ms = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** DELIVERY_* settings that make a worker process as quick to recover as the in-process tests' fast policy. */
export const fastPolicyEnv: Record<string, string> = {
  DELIVERY_BACKOFF_BASE_MS: '200',
  DELIVERY_BACKOFF_CAP_MS: '2000',
  DELIVERY_RECONCILE_BASE_MS: '300',
  DELIVERY_HEARTBEAT_INTERVAL_MS: '300',
  DELIVERY_WORKER_DEAD_AFTER_MS: '2000',
  DELIVERY_SWEEP_INTERVAL_MS: '500',
  DELIVERY_SWEEP_GRACE_MS: '1000',
};
