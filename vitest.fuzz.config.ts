import { defineConfig } from 'vitest/config';

/** `npm run test:fuzz`: property-based hostile input against the API and the edge. */
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    pool: 'forks',
    // `gc()` lets the memory checks measure what is retained, not what is merely uncollected.
    execArgv: ['--expose-gc'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
