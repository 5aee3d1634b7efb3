#!/usr/bin/env node
// The `utrop` command (package.json bin): runs the TypeScript CLI with tsx and passes its exit status on.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), entry, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
