import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

/** Everything the server build is made from: the web app and what it imports (common/, db/, workers/), templates. */
export const buildSources = ['app', 'common', 'db', 'workers', 'templates'] as const;

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether build/ is missing or older than one of its sources; 'missing', 'stale' or null (up to date). */
export function buildState(root: string): 'missing' | 'stale' | null {
  const out = path.join(root, 'build', 'index.js');
  if (!fs.existsSync(out)) return 'missing';
  const builtAt = fs.statSync(out).mtimeMs;
  const config = path.join(root, 'remix.config.js');
  const sources = Math.max(...buildSources.map((d) => newestMtime(path.join(root, d))), fs.existsSync(config) ? fs.statSync(config).mtimeMs : 0);
  return builtAt > sources ? null : 'stale';
}

/** Builds the Remix app when build/ is missing or older than the sources it is made from. */
export function buildIfNeeded(root: string, log: (line: string) => void): void {
  const state = buildState(root);
  if (!state) return;
  log(state === 'stale' ? 'Sources changed since the last build: building the web app…' : 'Building the web app (first start)…');
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'remix'), ['build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    // The remix CLI loads its Vite plugin (and so Vite's CJS entry, which warns) for every command, also for the
    // classic compiler's `remix build`, which never uses Vite: the warning does not concern us (README).
    env: { ...process.env, NODE_ENV: 'production', VITE_CJS_IGNORE_WARNING: 'true' },
  });
  if (result.status !== 0) throw new Error('remix build failed (see above)');
}
