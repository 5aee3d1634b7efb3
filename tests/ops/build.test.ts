/** `buildIfNeeded` rebuilds when any source of the server build changed, common/ and templates/ included. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSources, buildState } from '../../app/server/build';

function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'utrop-build-'));
  for (const dir of buildSources) {
    fs.mkdirSync(path.join(root, dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, dir, 'sub', 'file.ts'), 'export {};\n');
  }
  fs.writeFileSync(path.join(root, 'remix.config.js'), 'export default {};\n');
  return root;
}

/** Sets a file's mtime explicitly, so "newer" does not depend on the clock's resolution. */
const touch = (file: string, at: number) => fs.utimesSync(file, at / 1000, at / 1000);

describe('buildIfNeeded', () => {
  it('builds when build/ is missing', () => {
    expect(buildState(checkout())).toBe('missing');
  });

  it.each(['app', 'common', 'db', 'workers', 'templates'])('rebuilds when a file under %s/ is newer than the build', (dir) => {
    const root = checkout();
    const base = Date.now() - 60_000;
    for (const d of buildSources) touch(path.join(root, d, 'sub', 'file.ts'), base);
    touch(path.join(root, 'remix.config.js'), base);
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build', 'index.js'), '');
    touch(path.join(root, 'build', 'index.js'), base + 10_000);
    expect(buildState(root)).toBeNull();

    touch(path.join(root, dir, 'sub', 'file.ts'), base + 20_000);
    expect(buildState(root)).toBe('stale');
  });

  it('rebuilds when remix.config.js changed, and ignores node_modules and dot folders', () => {
    const root = checkout();
    const base = Date.now() - 60_000;
    for (const d of buildSources) touch(path.join(root, d, 'sub', 'file.ts'), base);
    fs.mkdirSync(path.join(root, 'app', 'node_modules'));
    fs.writeFileSync(path.join(root, 'app', 'node_modules', 'x.js'), '');
    fs.mkdirSync(path.join(root, 'common', '.cache'));
    fs.writeFileSync(path.join(root, 'common', '.cache', 'y'), '');
    touch(path.join(root, 'remix.config.js'), base);
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build', 'index.js'), '');
    touch(path.join(root, 'build', 'index.js'), base + 10_000);
    expect(buildState(root)).toBeNull();
    touch(path.join(root, 'remix.config.js'), base + 20_000);
    expect(buildState(root)).toBe('stale');
  });
});
