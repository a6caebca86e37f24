import { defineConfig } from 'vitest/config';

/** The reliability suite (`pnpm test:reliability`): load, faults and a soak, run one file at a time. */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-reliability.json' },
  },
});
