import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fault and fuzz suites have scripts of their own (`test:faults`, `test:fuzz`).
    exclude: ['test/faults/**', 'test/fuzz/**', '**/node_modules/**'],
    // Native SQLite handles and child processes are happier in forked workers than in threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
