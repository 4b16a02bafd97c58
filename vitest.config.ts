import { defineConfig } from 'vitest/config';

/**
 * Files whose runs follow a scaled stack clock (an hour or more of virtual time per real second) or real pauses
 * between rounds: a busy machine stretches every function call into virtual hours and can push a send out of the
 * window the test expects. They run one at a time, after everything else, with the machine to themselves.
 */
const CLOCK_BOUND = [
  'test/integration/shared/outreach/conversation.test.ts',
  'test/integration/shared/outreach/preview-matches-run.test.ts',
  'test/integration/cli/phone-task.test.ts',
  'test/integration/cli/invite-accepted.test.ts',
  'test/integration/shared/outreach/sender-health.test.ts',
];

/** Two files at a time (this machine has two cores; one file at a time left ~45% of them idle). */
const WORKERS = 2;

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: ['test/faults/**', 'node_modules/**', ...CLOCK_BOUND],
          maxWorkers: WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'clock-bound',
          include: CLOCK_BOUND,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
