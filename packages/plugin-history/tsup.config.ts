import { defineConfig } from 'tsup';

export default defineConfig({
  // The write and read workers are entries of their own: each runs in a thread (see src/worker-client.ts, src/read-worker-client.ts).
  entry: { index: 'src/index.ts', 'write-worker': 'src/write-worker.ts', 'read-worker': 'src/read-worker.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
