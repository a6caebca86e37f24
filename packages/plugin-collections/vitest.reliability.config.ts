import { defineConfig } from 'vitest/config';

/** The reliability suite (`pnpm test:reliability`): the kill -9 loop, run after every other suite so its timing is not bent by theirs. */
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
