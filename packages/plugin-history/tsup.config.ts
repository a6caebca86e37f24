import { defineConfig } from 'tsup';

export default defineConfig({
  // The write worker is an entry of its own: it runs in a thread (see src/worker-client.ts).
  entry: { index: 'src/index.ts', 'write-worker': 'src/write-worker.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
