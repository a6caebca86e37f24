// Writes dist/THIRD-PARTY-LICENSES.md: the licence text of every third-party package tsup bundles
// into @capture/core's dist (BUNDLED in tsup.config.ts) and of each package they depend on, found by
// walking their `dependencies` from core's own installation. Fails the build when one ships none.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** A package as installed: where, which version, its licence and its runtime dependencies. */
export interface InstalledPackage {
  dir: string;
  name: string;
  version: string;
  license: string;
  dependencies: string[];
}

/** A package's folder, name, version and licence as `fromDir` (a package folder) resolves it. */
export function bundledPackage(name: string, fromDir: string): InstalledPackage {
  const dir = path.dirname(createRequire(path.join(fromDir, 'package.json')).resolve(`${name}/package.json`));
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string; license: string; dependencies?: Record<string, string> };
  return { dir, name: manifest.name, version: manifest.version, license: manifest.license, dependencies: Object.keys(manifest.dependencies ?? {}) };
}

/**
 * Writes `packageDir`/dist/THIRD-PARTY-LICENSES.md for the `bundled` packages (and theirs) of
 * `packageName`.
 */
export function writeThirdPartyLicenses(packageDir: string, packageName: string, bundled: readonly string[]): void {
  const seen = new Map<string, InstalledPackage & { text: string }>();
  const visit = (name: string, fromDir: string): void => {
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
