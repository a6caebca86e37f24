import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The published shape of every package, checked on the package.json files (fast, always run);
// release-tarballs.test.ts proves the same on packed tarballs installed with npm.

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
// Packages still being written, left out until they land (empty: every package is checked).
const IN_PROGRESS = new Set<string>([]);

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  engines?: { node?: string };
  exports?: Record<string, { types?: string; import?: string } | string>;
  files?: string[];
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifests = readdirSync(PACKAGES)
  .map((folder) => path.join(PACKAGES, folder, 'package.json'))
  .filter((file) => existsSync(file))
  .map((file) => ({ dir: path.dirname(file), manifest: JSON.parse(readFileSync(file, 'utf8')) as Manifest }))
  .filter(({ manifest }) => !manifest.private && !IN_PROGRESS.has(manifest.name));

describe('published package shape', () => {
  it('finds the packages', () => {
    expect(manifests.map(({ manifest }) => manifest.name)).toEqual(expect.arrayContaining(['@capture/core', '@capture/cli', '@capture/plugin-history']));
  });

  it.each(manifests.map(({ dir, manifest }) => [manifest.name, dir, manifest] as const))('%s: ESM exports with types, files, engines, README, workspace ranges', (name, dir, manifest) => {
    expect(manifest.type).toBe('module');
    // Node >= 20; the core needs 20.18.1 for undici.
    expect(manifest.engines?.node).toBe(name === '@capture/core' ? '>=20.18.1' : '>=20');
    const entries = Object.entries(manifest.exports ?? {}).filter(([key]) => key !== './package.json');
    expect(entries.map(([key]) => key)).toContain('.');
    for (const [key, target] of entries) {
      expect(typeof target, `${name} exports["${key}"]`).toBe('object');
      const { types, import: importPath } = target as { types?: string; import?: string };
      expect(types, `${name} exports["${key}"].types`).toMatch(/^\.\/dist\/.+\.d\.ts$/);
      expect(importPath, `${name} exports["${key}"].import`).toMatch(/^\.\/dist\/.+\.js$/);
    }
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    expect(existsSync(path.join(dir, 'README.md')), `${name} README.md`).toBe(true);
    for (const [dependency, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (dependency.startsWith('@capture/')) expect(range, `${name} → ${dependency}`).toBe('workspace:^');
    }
  });

  it('@capture/cli has the capture bin and the ./testing entry', () => {
    const cli = manifests.find(({ manifest }) => manifest.name === '@capture/cli')!.manifest;
    expect(cli.bin).toEqual({ capture: './dist/bin.js' });
    expect(Object.keys(cli.exports ?? {})).toContain('./testing');
  });
});
