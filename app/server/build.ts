import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

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

/** Builds the Remix app when build/ is missing or older than the sources it is made from. */
export function buildIfNeeded(root: string, log: (line: string) => void): void {
  const out = path.join(root, 'build', 'index.js');
  const builtAt = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
  const sources = Math.max(...['app', 'db', 'workers', 'templates'].map((d) => newestMtime(path.join(root, d))), fs.statSync(path.join(root, 'remix.config.js')).mtimeMs);
  if (builtAt > sources) return;
  log(builtAt ? 'Sources changed since the last build: building the web app…' : 'Building the web app (first start)…');
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'remix'), ['build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error('remix build failed (see above)');
}
