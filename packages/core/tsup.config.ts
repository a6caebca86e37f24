import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import { bundledPackage, writeThirdPartyLicenses } from '../../scripts/third-party-licenses.mjs';

/** An esbuild plugin as tsup takes it (esbuild itself is tsup's dependency, not core's). */
type Plugin = NonNullable<Options['esbuildPlugins']>[number];

const coreDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * Pure-JS dependencies bundled into dist: Node's ESM loader costs per file, and these are loaded
 * by every `capture start` (zod was 95 files, semver 20, tapable 15). zod and tapable stay in
 * `dependencies` all the same: dist's `.d.ts` files import their types. undici and socks are not
 * bundled: they are loaded on first use, and only then (createRequire / import()).
 */
const BUNDLED = ['zod', 'semver', 'tapable', 'ipaddr.js'];

/**
 * tapable's one `require('util')` (for `util.deprecate`) as a static `node:util` import: bundled
 * CommonJS in an ESM file has no `require` for Node's built-ins.
 */
const tapableNodeUtil: Plugin = {
  name: 'capture-tapable-node-util',
  setup(build) {
    const tapableDir = bundledPackage('tapable', coreDir).dir + path.sep;
    build.onResolve({ filter: /^util$/ }, (args) => (args.importer.startsWith(tapableDir) ? { path: 'util', namespace: 'capture-node-util' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'capture-node-util' }, () => ({ contents: "export { deprecate } from 'node:util';", loader: 'js' }));
  },
};

/**
 * Each bundled module starts with a legal comment naming its package, version and licence (the
 * full texts: dist/THIRD-PARTY-LICENSES.md); esbuild keeps one of each at the end of the chunk
 * holding the code. The packages' own file headers are not legal comments to esbuild.
 */
const licenceNotices: Plugin = {
  name: 'capture-licence-notices',
  setup(build) {
    const packages = BUNDLED.map((name) => bundledPackage(name, coreDir));
    build.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      const owner = packages.find((pkg) => args.path.startsWith(pkg.dir + path.sep));
      if (!owner) return undefined;
      const notice = `/*! ${owner.name}@${owner.version} | ${owner.license} licence | bundled into @capture/core, see THIRD-PARTY-LICENSES.md */`;
      return { contents: `${notice}${await readFile(args.path, 'utf8')}`, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'record/index': 'src/record/index.ts', 'data/index': 'src/data/index.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  noExternal: BUNDLED.map((name) => new RegExp(`^${name.replace('.', '\\.')}(/|$)`)),
  esbuildPlugins: [tapableNodeUtil, licenceNotices],
  esbuildOptions(options) {
    options.legalComments = 'eof';
  },
  onSuccess: async () => writeThirdPartyLicenses({ packageDir: coreDir, packageName: '@capture/core', bundled: BUNDLED }),
});
