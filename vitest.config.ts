import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['core/**/*.test.ts', 'services/**/*.test.ts', 'adapters/**/*.test.ts', 'deploy/**/*.test.ts'],
          // The adapter template is tested once scaffolded, as adapters/<network>/.
          exclude: ['**/node_modules/**', 'core/gen/**', 'adapters/sdk/template/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // The fault-injection suite is a project of its own, run after this one by `npm test`
          // (or alone: `npm run test:faults`, see docs/benchmarks.md).
          exclude: ['**/node_modules/**', 'test/faults/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Tests share one broker; topics are unique per test, files run one at a time to
          // keep a 2-core machine responsive.
          fileParallelism: false,
          env: { COMITY_LOG_LEVEL: process.env.COMITY_LOG_LEVEL ?? 'error' },
        },
      },
      {
        test: {
          name: 'faults',
          // Starts, kills and restarts its own broker and processes; `npm test` runs it after the
          // unit and integration projects, so it never shares the machine with them.
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 3_600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          env: { COMITY_LOG_LEVEL: process.env.COMITY_LOG_LEVEL ?? 'error' },
        },
      },
    ],
  },
});
