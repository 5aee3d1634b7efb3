import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    // Two cores: more parallel files only contend for the CPU.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Post media are content-addressed files (ADR 022): test runs may share one folder outside the checkout.
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', UTROP_MEDIA_DIR: path.join(os.tmpdir(), 'utrop-test-media') },
  },
});
