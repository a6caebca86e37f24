import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'testing/index': 'src/testing/index.ts' },
    format: ['esm'],
    target: 'node20',
    dts: { entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } },
    sourcemap: true,
    // The preload below is built by the second config into dist/preload/: cleaning must spare it.
    clean: ['!preload/**'],
  },
  {
    // Loaded with `node --require` into the programs `capture run` starts, so CommonJS; its
    // `undici` stays a require of the CLI's own dependency.
    entry: { 'node-proxy': 'src/preload/node-proxy.ts' },
    outDir: 'dist/preload',
    format: ['cjs'],
    target: 'node20',
    outExtension: () => ({ js: '.cjs' }),
    clean: true,
  },
]);
