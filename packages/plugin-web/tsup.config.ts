import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The plugin (Node). The browser app below is built into dist/app, which this clean keeps.
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: ['!app/**'],
    splitting: true,
  },
  {
    // The page the web view serves: plain TypeScript and DOM, one script, no framework, nothing
    // fetched at run time. `app/public` (HTML, CSS) is copied beside it.
    entry: { app: 'app/main.ts' },
    outDir: 'dist/app',
    format: ['iife'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    clean: true,
    publicDir: 'app/public',
    tsconfig: 'app/tsconfig.json',
    // app.js, not tsup's app.global.js: the page names it.
    outExtension: () => ({ js: '.js' }),
  },
]);
