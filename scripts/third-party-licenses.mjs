// Writes <package>/dist/THIRD-PARTY-LICENSES.md: the licence text of every third-party package a
// package's tsup build bundles into its dist, and of each package they depend on (walking their
// `dependencies` from the package's own installation). Fails the build when one ships no licence.
// Shared by every package that bundles dependencies (core, cli); types in the .d.mts beside it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** @param {string} dir */
const readManifest = (dir) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));

/** Finds a package's folder as `fromDir` (a package folder) would resolve it. */
function packageFolder(name, fromDir) {
  const require = createRequire(path.join(fromDir, 'package.json'));
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    // A package whose exports hide package.json: walk up from its main entry.
    let dir = path.dirname(require.resolve(name));
    while (!existsSync(path.join(dir, 'package.json')) || readManifest(dir).name !== name) dir = path.dirname(dir);
    return dir;
  }
}

/** A package as installed: its folder, name, version, licence and runtime dependencies. */
export function bundledPackage(name, fromDir) {
  const dir = packageFolder(name, fromDir);
  const manifest = readManifest(dir);
  return { dir, name: manifest.name, version: manifest.version, license: manifest.license, dependencies: Object.keys(manifest.dependencies ?? {}) };
}

/** Writes `packageDir`/dist/THIRD-PARTY-LICENSES.md for `bundled` (and what they depend on), skipping `external`. */
export function writeThirdPartyLicenses({ packageDir, packageName, bundled, external = [] }) {
  const seen = new Map();
  const visit = (name, fromDir) => {
    if (external.includes(name)) return;
    const found = bundledPackage(name, fromDir);
    if (seen.has(found.dir)) return;
    const file = readdirSync(found.dir).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
    if (!file) throw new Error(`${found.name}@${found.version} is bundled into ${packageName}'s dist but ships no licence file`);
    seen.set(found.dir, { ...found, text: readFileSync(path.join(found.dir, file), 'utf8').trim() });
    for (const dependency of found.dependencies) visit(dependency, found.dir);
  };
  for (const name of bundled) visit(name, packageDir);
  const entries = [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  const text = [
    '# Third-party licences',
    '',
    `These packages are bundled into ${packageName}'s dist files; their licences follow.`,
    '',
    ...entries.flatMap(({ name, version, license, text }) => [`## ${name}@${version} (${license})`, '', '```', text, '```', '']),
  ].join('\n');
  writeFileSync(path.join(packageDir, 'dist', 'THIRD-PARTY-LICENSES.md'), text);
}
