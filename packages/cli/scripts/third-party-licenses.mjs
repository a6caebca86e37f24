// Writes dist/THIRD-PARTY-LICENSES.md: the licence of every third-party package tsup bundles into
// dist (see BUNDLED in tsup.config.ts) and of each package they depend on, found by walking their
// `dependencies` from the CLI's own installation.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Finds a package's folder as `from` (a package folder) would resolve it. */
function packageDir(name, from) {
  const require = createRequire(path.join(from, 'package.json'));
  let entry;
  try {
    entry = require.resolve(`${name}/package.json`);
  } catch {
    // A package whose exports hide package.json: walk up from its main entry.
    let dir = path.dirname(require.resolve(name));
    while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) dir = path.dirname(dir);
    return dir;
  }
  return path.dirname(entry);
}

/**
 * @param {string} cliDir the CLI package's folder
 * @param {readonly string[]} bundled the packages bundled into dist
 * @param {readonly string[]} external packages left out of the bundle (optional peers)
 */
export function writeThirdPartyLicenses(cliDir, bundled, external) {
  const seen = new Map();
  const visit = (name, from) => {
    if (external.includes(name)) return;
    const dir = packageDir(name, from);
    if (seen.has(dir)) return;
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
    if (!file) throw new Error(`${manifest.name}@${manifest.version} is bundled into @capture/cli's dist but ships no licence file`);
    seen.set(dir, { name: manifest.name, version: manifest.version, license: manifest.license, text: readFileSync(path.join(dir, file), 'utf8').trim() });
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir);
  };
  for (const name of bundled) visit(name, cliDir);
  const entries = [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  const text = [
    '# Third-party licences',
    '',
    "These packages are bundled into @capture/cli's dist files; their licences follow.",
    '',
    ...entries.flatMap(({ name, version, license, text }) => [`## ${name}@${version} (${license})`, '', '```', text, '```', '']),
  ].join('\n');
  writeFileSync(path.join(cliDir, 'dist', 'THIRD-PARTY-LICENSES.md'), text);
}
