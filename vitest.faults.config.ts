import { defineConfig } from 'vitest/config';

/**
 * The fault-injection suites (npm run test:faults): long-running, so kept out of the default run. Two files at a
 * time: each injects faults into its own embedded stack, and the machine has two cores.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
