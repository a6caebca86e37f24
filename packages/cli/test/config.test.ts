import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/load-config.js';
import { runCliProcess, startCli, tempProject } from './helpers/cli-process.js';

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const plugin = `{ name: 'marker', apply() {} }`;

const FORMATS: Array<[file: string, content: string]> = [
  ['capture.config.ts', `import { defineConfig, type CaptureConfig } from '@capture/core';\nconst port: number = 6001;\nexport default defineConfig({ port, plugins: [${plugin}] } satisfies CaptureConfig);\n`],
  ['capture.config.mts', `import { defineConfig } from '@capture/core';\nexport default defineConfig({ port: 6002 as number });\n`],
  ['capture.config.cts', `const config: { port: number } = { port: 6003 };\nmodule.exports = config;\n`],
  ['capture.config.js', `export default { port: 6004 };\n`],
  ['capture.config.mjs', `import { defineConfig } from '@capture/core';\nexport default defineConfig({ port: 6005 });\n`],
  ['capture.config.cjs', `module.exports = { port: 6006 };\n`],
  ['capture.config.json', `{ "port": 6007 }\n`],
  ['capture.config.yaml', `port: 6008\n`],
  ['.capturerc', `{ "port": 6009 }\n`],
  ['.capturerc.json', `{ "port": 6010 }\n`],
  ['.capturerc.yaml', `port: 6011\n`],
  ['package.json', `{ "name": "app", "capture": { "port": 6012 } }\n`],
];

describe('config loading', () => {
  it.each(FORMATS)('loads %s', async (file, content) => {
    project = tempProject({ [file]: content, ...(file.endsWith('.js') ? { 'package.json': '{ "type": "module" }' } : {}) });
    const loaded = await loadConfig({ cwd: project.dir });
    expect(loaded.filepath?.endsWith(file)).toBe(true);
    expect(loaded.config.port).toBe(Number(content.match(/60\d\d/)![0]));
  });

  it('searches from the working directory up to the project root', async () => {
    project = tempProject({ 'package.json': '{ "name": "app" }', 'capture.config.json': '{ "port": 6100 }', 'src/deep/.keep': '' });
    const loaded = await loadConfig({ cwd: `${project.dir}/src/deep` });
    expect(loaded.config.port).toBe(6100);
  });

  it('uses --config over the search', async () => {
    project = tempProject({ 'capture.config.json': '{ "port": 6200 }', 'other.yaml': 'port: 6201\n' });
    expect((await loadConfig({ cwd: project.dir, configFile: 'other.yaml' })).config.port).toBe(6201);
  });

  it('resolves plugins named in JSON by relative path, with options', async () => {
    project = tempProject({
      'capture.config.json': JSON.stringify({ plugins: ['./plugins/tag.mjs', ['./plugins/tag.ts', { label: 'typed' }]] }),
      'plugins/tag.mjs': `export default (options = {}) => ({ name: 'tag-' + (options.label ?? 'plain'), apply() {} });\n`,
      'plugins/tag.ts': `export default (options: { label: string }) => ({ name: 'tag-' + options.label, apply(): void {} });\n`,
    });
    const loaded = await loadConfig({ cwd: project.dir });
    expect((loaded.config.plugins as Array<{ name: string }>).map((p) => p.name)).toEqual(['tag-plain', 'tag-typed']);
  });

  it('finds the plugins that ship with the CLI by package name from a JSON config anywhere (issue 21)', async () => {
    // The project has no @capture/plugin-* installed: they resolve from the CLI's own installation.
    project = tempProject({ 'capture.config.json': '{ "port": 0, "host": "127.0.0.1", "plugins": ["@capture/plugin-history", ["@capture/plugin-filters", { "methods": "GET" }]] }' });
    const cli = startCli([], { cwd: project.dir });
    await cli.waitFor(/^plugins: history, filters$/m);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('runs a TypeScript config end to end from the CLI', async () => {
    project = tempProject({
      'capture.config.ts': `import { defineConfig } from '@capture/core';\nconst host: string = '127.0.0.1';\nexport default defineConfig({ port: 0, host, plugins: [] });\n`,
    });
    const cli = startCli([], { cwd: project.dir });
    await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(cli.stdout()).toContain('capture.config.ts');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('config errors', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown option', { 'capture.config.json': '{ "prot": 5555 }' }, /^capture: capture\.config\.json: unknown option "prot"$/m],
    ['a wrong type', { 'capture.config.yaml': 'maxBodySize: "big"\n' }, /^capture: capture\.config\.yaml: option "maxBodySize": .*expected number.*$/m],
    ['a nested wrong type', { 'capture.config.json': '{ "allowPublicClients": "yes" }' }, /capture\.config\.json: option "allowPublicClients": .*expected boolean/],
    [
      'a plugin that cannot be resolved',
      { 'capture.config.json': '{ "plugins": ["@capture/plugin-nope"] }' },
      /capture\.config\.json: plugins\[0\]: cannot find plugin "@capture\/plugin-nope"/,
    ],
    [
      'a plugin without apply',
      { 'capture.config.json': '{ "plugins": ["./bad.mjs"] }', 'bad.mjs': 'export default () => ({ name: "bad" });\n' },
      /capture\.config\.json: plugins\[0\]: "\.\/bad\.mjs" did not return a plugin with an apply\(proxy\) function/,
    ],
    [
      'a plugin module without a factory',
      { 'capture.config.yaml': 'plugins:\n  - ./not-a-factory.mjs\n', 'not-a-factory.mjs': 'export const x = 1;\n' },
      /capture\.config\.yaml: plugins\[0\]: "\.\/not-a-factory\.mjs" has no default export that creates a plugin/,
    ],
    [
      'a plugin object without apply in a TS config',
      { 'capture.config.ts': `export default { plugins: [{ name: 'half' }] };\n` },
      /capture\.config\.ts: plugins\[0\]: plugin "half" has no apply\(proxy\) function/,
    ],
    [
      'a plugin factory that rejects its options',
      {
        'capture.config.json': '{ "plugins": [["./strict.mjs", { "level": 9 }]] }',
        'strict.mjs': 'export default (o) => { throw new Error(`option "level" must be 1-3, got ${o.level}`); };\n',
      },
      /capture\.config\.json: plugins\[0\]: "\.\/strict\.mjs": option "level" must be 1-3, got 9/,
    ],
    ['a config file that throws', { 'capture.config.mjs': 'throw new Error("kaboom");\n' }, /capture\.config\.mjs: failed to load: kaboom/],
    ['a config that is not an object', { 'capture.config.json': '[1, 2]' }, /capture\.config\.json: expected the config to be an object, got a list/],
  ];

  it.each(cases)('reports %s with the file and key, exiting 1', async (_name, files, message) => {
    project = tempProject(files);
    const result = await runCliProcess(['start', '--port', '0'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports a missing --config file', async () => {
    project = tempProject();
    const result = await runCliProcess(['start', '--config', 'nope.json'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('capture: nope.json: no such config file');
  });
});

describe('config syntax errors', () => {
  const cases: Array<[string, string, string]> = [
    [
      'capture.config.ts',
      `import { defineConfig } from '@capture/core';\nexport default defineConfig({\n  port: 1 +,\n});\n`,
      ['capture: capture.config.ts:3:12: Unexpected token', '  3 |   port: 1 +,', '    |            ^'].join('\n'),
    ],
    [
      'capture.config.json',
      `{\n  "port": 6000,\n  "host" "127.0.0.1"\n}\n`,
      ['capture: capture.config.json:3:10: Unexpected string', '  3 |   "host" "127.0.0.1"', '    |          ^'].join('\n'),
    ],
    [
      'capture.config.yaml',
      `port: 6000\nhost: 127.0.0.1\nplugins: [a\n  - b: c\n`,
      ['capture: capture.config.yaml:4:6: missed comma between flow collection entries', '  4 |   - b: c', '    |      ^'].join('\n'),
    ],
    [
      '.capturerc.json',
      `{\n  "port": 6000,\n}\n`,
      // Node's wording of this one changed between versions; the location and the frame did not.
      ['capture: .capturerc.json:3:1: *', '  3 | }', '    | ^'].join('\n'),
    ],
  ];

  it.each(cases)('names the file, line and column of a broken %s and shows the line, exiting 1', async (file, content, expected) => {
    project = tempProject({ [file]: content });
    const result = await runCliProcess(['start', '--port', '0'], { cwd: project.dir });
    expect(result.code).toBe(1);
    const [head, ...frame] = expected.split('\n');
    const [gotHead, ...gotFrame] = result.stderr.trimEnd().split('\n');
    if (head!.endsWith('*')) expect(gotHead!.startsWith(head!.slice(0, -1)) && gotHead!.length > head!.length).toBe(true);
    else expect(gotHead).toBe(head);
    expect(gotFrame).toEqual(frame);
    expect(result.stdout).not.toContain('listening on');
  });
});

describe('regex literals with bad flags', () => {
  it('refuses --include /abc/z as a usage error (exit 2)', async () => {
    project = tempProject();
    const result = await runCliProcess(['start', '--port', '0', '--host', '127.0.0.1', '--include', '/abc/z'], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'capture: --include: invalid regular expression "/abc/z": Invalid flags: unknown flag "z" (flags are d, g, i, m, s, u, v, y); ' +
        'to match the text /abc/z, write abc/z (no first slash) or the regex /\\/abc\\/z/',
    );
    expect(result.stdout).not.toContain('listening on');
  });

  it('refuses "/abc/z" in a YAML config (exit 1)', async () => {
    project = tempProject({ 'capture.config.yaml': 'plugins:\n  - - "@capture/plugin-filters"\n    - include: ["/abc/z"]\n' });
    symlinkSync(
      fileURLToPath(new URL('../../plugin-filters', import.meta.url)),
      path.join(project.dir, 'node_modules', '@capture', 'plugin-filters'),
      'dir',
    );
    const result = await runCliProcess(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^capture: capture\.config\.yaml: plugins\[0\]: .*invalid regular expression "\/abc\/z": Invalid flags: unknown flag "z"/);
  });
});
