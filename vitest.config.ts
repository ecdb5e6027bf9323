import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Worker-thread and browser tests compete for two cores; files run one at a time.
    fileParallelism: false,
    pool: 'forks',
  },
});
