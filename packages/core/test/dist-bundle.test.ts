// The built dist (turbo builds it before the tests): zod, semver, tapable and ipaddr.js are bundled
// into it, `z` is the re-exported zod that validatePluginOptions checks schemas with, and the
// bundled packages' licences ship with it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const distDir = fileURLToPath(new URL('../dist/', import.meta.url));
const BUNDLED = ['zod', 'semver', 'tapable', 'ipaddr.js'];
const jsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? jsFiles(path.join(dir, entry.name)) : entry.name.endsWith('.js') ? [path.join(dir, entry.name)] : [],
  );

describe("core's built dist", () => {
  it('imports none of the packages it bundles', () => {
    const files = jsFiles(distDir);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      for (const name of BUNDLED) {
        const specifier = new RegExp(`(from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*|import\\s+)["']${name.replace('.', '\\.')}(/[^"']*)?["']`);
        expect(specifier.exec(code)?.[0], `${path.relative(distDir, file)} imports ${name}`).toBeUndefined();
      }
    }
  });

  it('re-exports a working z whose schemas validatePluginOptions accepts', async () => {
    const core = (await import(path.join(distDir, 'index.js'))) as typeof import('../src/index.js');
    const schema = core.z.strictObject({ port: core.z.number().int().default(5556), hosts: core.z.array(core.z.string()).default([]) });
    expect(core.validatePluginOptions('web', schema, { hosts: ['a'] })).toEqual({ port: 5556, hosts: ['a'] });
    expect(() => core.validatePluginOptions('web', schema, { port: 'x' })).toThrow(/^web: option "port": /);
    expect(() => core.validatePluginOptions('web', schema, { prot: 1 })).toThrow('web: unknown option "prot" (known: port, hosts)');
    // Core's own config schema runs on the same bundled zod.
    await expect(core.createProxy({ port: 'x' } as never)).rejects.toThrow(/port/);
  });

  it("re-exports tapable's hook classes, working", async () => {
    const core = (await import(path.join(distDir, 'index.js'))) as typeof import('../src/index.js');
    const hook = new core.SyncWaterfallHook<[number]>(['value']);
    hook.tap('double', (value) => value * 2);
    expect(hook.call(21)).toBe(42);
  });

  it('ships the licence of every bundled package, with a notice in the code', () => {
    const licences = readFileSync(path.join(distDir, 'THIRD-PARTY-LICENSES.md'), 'utf8');
    const code = jsFiles(distDir).map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const name of BUNDLED) {
      expect(licences).toMatch(new RegExp(`^## ${name.replace('.', '\\.')}@\\d+\\.\\d+\\.\\d+ \\((MIT|ISC)\\)$`, 'm'));
      expect(code).toContain(`*! ${name}@`);
    }
    expect(licences).toContain('Permission');
  });
});
