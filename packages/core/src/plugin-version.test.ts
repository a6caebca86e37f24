import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { peerCoreRange } from './plugin-version.js';
import { validatePlugins } from './plugin.js';

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

/** A plugin package on disk with `peer` as its @capture/core peer range; returns its dist/index.js URL. */
function pluginPackage(peer: string | undefined): string {
  folder = mkdtempSync(path.join(os.tmpdir(), 'capture-peer-'));
  mkdirSync(path.join(folder, 'dist'));
  const manifest = { name: 'capture-plugin-x', version: '1.0.0', ...(peer ? { peerDependencies: { '@capture/core': peer } } : {}) };
  writeFileSync(path.join(folder, 'package.json'), JSON.stringify(manifest));
  return pathToFileURL(path.join(folder, 'dist', 'index.js')).href;
}

describe('peerCoreRange', () => {
  it('reads the range a packed plugin declares, which use() then enforces', () => {
    const range = peerCoreRange(pluginPackage('^2.1.0'));
    expect(range).toBe('^2.1.0');
    const plugin = { name: 'x', apply() {}, core: range };
    expect(() => validatePlugins([plugin], '2.3.0')).not.toThrow();
    expect(() => validatePlugins([plugin], '3.0.0')).toThrow('plugin "x" is built for @capture/core ^2.1.0, but this is @capture/core 3.0.0');
  });

  it('gives nothing to check for workspace ranges (pnpm replaces them when packing) and a missing entry', () => {
    expect(peerCoreRange(pluginPackage('workspace:^'))).toBeUndefined();
    rmSync(folder!, { recursive: true, force: true });
    expect(peerCoreRange(pluginPackage(undefined))).toBeUndefined();
  });
});
