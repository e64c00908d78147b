import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Production runs PGlite in its own thread (dist/src/store/pglite-thread.js, built by `npm test` before
// vitest): the suite does too, so the embedded engine under test is the one users run.
const pgliteThread = 'dist/src/store/pglite-thread.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'console/src/**/*.test.ts'],
    globalSetup: ['test/support/postgres-server.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: existsSync(pgliteThread) ? { AEO_TEST_PGLITE_THREAD: pgliteThread } : {},
  },
});
