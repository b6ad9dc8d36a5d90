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
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Tests share one broker; topics are unique per test, files run one at a time to
          // keep a 2-core machine responsive.
          fileParallelism: false,
          env: { COMITY_LOG_LEVEL: process.env.COMITY_LOG_LEVEL ?? 'error' },
        },
      },
    ],
  },
});
