import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'node_modules/**'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time on the 2-core CI machine: most integration files wait on their embedded stack (retries,
    // waits, subprocesses) more than they compute, and one at a time took ~26 minutes.
    maxWorkers: 2,
  },
});
