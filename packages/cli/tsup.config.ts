import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { writeThirdPartyLicenses } from '../../scripts/third-party-licenses.mjs';

/**
 * Pure-JS third-party packages bundled into dist (one file instead of a module graph: Node's ESM
 * loader costs per file). Workspace packages (@capture/*) never are: user configs import them and
 * must share their instances. Their licences go to dist/THIRD-PARTY-LICENSES.md.
 */
const BUNDLED = ['commander', 'cosmiconfig'];
/** cosmiconfig's optional peer (its TypeScript loader, which capture replaces with jiti): never bundled. */
const NOT_BUNDLED = ['typescript'];
/** Bundled CommonJS code calls require(): ESM output gets a real one. */
const REQUIRE_BANNER = "import { createRequire as __captureRequire } from 'node:module'; const require = __captureRequire(import.meta.url);";

export default defineConfig([
  {
    entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'testing/index': 'src/testing/index.ts' },
    format: ['esm'],
    target: 'node20',
    dts: { entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } },
    sourcemap: true,
    noExternal: BUNDLED,
    external: NOT_BUNDLED,
    onSuccess: async () => writeThirdPartyLicenses({ packageDir: fileURLToPath(new URL('.', import.meta.url)), packageName: '@capture/cli', bundled: BUNDLED, external: NOT_BUNDLED }),
    banner: { js: REQUIRE_BANNER },
    // And __filename/__dirname (import-fresh, cosmiconfig's require() fallback, reads them).
    shims: true,
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
