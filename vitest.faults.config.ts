import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: crash, outage and store-loss runs against real child processes. Longer
 * than the unit of `npm test`, so kept out of it; `.ci/run` runs it after `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    // One at a time: each file drives whole servers, and two at once on 2 cores only measure contention.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
